"""A plant of a given size in the central database, for the station-config bench and its test.

Stations spread over work centres (each with a required skill and a machine with its own), raw
materials and products, one recipe per product with three inputs and a stage, open work orders,
operators with certifications, and batches of raw material in stock (written in bulk: a batch
and its balance, which is all a station config reads).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from central.catalog import create_item, create_location
from central.certification import issue_certification
from central.db import database, insert_rows
from central.models import Batch, Item, Location, Station, StockBalance, WorkCentre, utcnow
from central.operators import create_operator, create_skill
from central.production import create_work_order
from central.recipes import create_recipe
from central.reasons import create_reason_code
from central.requirements import create_machine, set_work_centre_skills

RAW_MATERIALS = 50
PRODUCTS = 50


def build_plant(*, stations: int, operators: int, batches: int, work_orders: int = 100, centres: int = 10) -> None:
    """Fill an empty, migrated database with a plant of this size (site ``plant1``, stations S001...)."""
    with database.atomic():
        for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
            create_location({"code": code, "role": role})
        for c in range(1, centres + 1):
            WorkCentre.create(code=f"WC-{c:02d}")
            create_skill(f"SK-{c:02d}")
            create_skill(f"MS-{c:02d}")
            set_work_centre_skills(f"WC-{c:02d}", [{"skill": f"SK-{c:02d}", "min_level": 1}])
            create_machine(f"M-{c:02d}", work_centre=f"WC-{c:02d}", skills=[{"skill": f"MS-{c:02d}", "min_level": 1}])
        for n in range(1, RAW_MATERIALS + 1):
            create_item({"code": f"RM-{n:03d}", "name": f"Raw material {n}", "unit": "kg", "shelf_life_days": 365})
        for n in range(1, PRODUCTS + 1):
            create_item({"code": f"FG-{n:03d}", "name": f"Product {n}", "unit": "pcs"})
            create_recipe({"code": f"R-{n:03d}", "item": f"FG-{n:03d}",
                           "inputs": [{"item": f"RM-{(n + k) % RAW_MATERIALS + 1:03d}", "qty_per_unit": "1"}
                                      for k in range(3)],
                           "outputs": [{"item": f"FG-{n:03d}", "kind": "main", "cost_share": "100"}],
                           "stages": [{"seq": 10, "work_centre": f"WC-{n % centres + 1:02d}", "standard_minutes": "30"}]})
        for n in range(1, work_orders + 1):
            create_work_order({"number": f"WO-{n:04d}", "recipe": f"R-{(n - 1) % PRODUCTS + 1:03d}",
                               "planned_qty": "100", "status": "released"})
        for n in range(1, stations + 1):
            Station.create(code=f"S{n:03d}", site="plant1", name=f"Station {n}",
                           work_centre=WorkCentre.get(WorkCentre.code == f"WC-{n % centres + 1:02d}"))
        for n in range(1, operators + 1):
            create_operator(f"OP-{n:04d}", f"Operator {n}")
            for c in (n % centres + 1, (n + 1) % centres + 1):
                issue_certification(f"OP-{n:04d}", f"SK-{c:02d}", issued=date(2026, 1, 1), expires=date(2027, 12, 31))
        create_reason_code("DT-JAM", "downtime", "Jam")
        create_reason_code("DLY-MAT", "delay", "Waiting for material")
        create_reason_code("SCR-DMG", "scrap", "Damaged")
    _stock(batches)


def _stock(batches: int) -> None:
    items = dict(Item.select(Item.code, Item.id).where(Item.code.startswith("RM-")).tuples())
    store = Location.get(Location.code == "STORE").id
    codes = sorted(items)
    now = utcnow()
    rows = [(f"GI-{n:06d}", items[codes[n % len(codes)]], "released", date(2027, 6, 1), Decimal("1.5"), now)
            for n in range(batches)]
    with database.atomic():
        for start in range(0, len(rows), 5000):
            insert_rows(Batch, ("code", "item", "status", "expiry", "unit_cost", "created_at"), rows[start:start + 5000])
        ids = list(Batch.select(Batch.id, Batch.item).where(Batch.code.startswith("GI-")).tuples())
        balances = [(item, bid, store, Decimal("100")) for bid, item in ids]
        for start in range(0, len(balances), 5000):
            insert_rows(StockBalance, ("item", "batch", "location", "qty"), balances[start:start + 5000])
