"""What a station needs to work offline, built from central's tables and published retained.

The config carries the station's kind and work centre, the skills its work centre requires,
operators with their certifications, reason codes, items, open work orders with their recipe
inputs, outputs and stages, and the batches in stock (so an unknown batch can be refused
offline). ``digest`` leaves out the build time, so a config is republished only when it changed.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from central.certification import station_operators
from central.models import (Batch, Item, ReasonCode, Recipe, RecipeInput, RecipeOutput, StockBalance, Station,
                            WorkCentre, WorkOrder, WorkOrderStage)
from central.requirements import work_centre_requirements

OPEN_WORK_ORDER_STATUSES = ("released", "in_progress", "paused")
MAX_BATCHES = 20_000
LABEL_TEMPLATE = "batch"

# Station events whose handlers change what a config carries: batches in stock and the status
# of work orders. Only these make the ingest rebuild the configs at once; everything else a
# config holds is edited by people and is picked up by the ingest's periodic rebuild.
CHANGED_BY_EVENTS = frozenset({"goods.received", "material.issued", "output.reported", "scrap.reported",
                               "stage.started", "stage.completed", "work_order.paused", "work_order.resumed",
                               "work_order.completed"})


def _d(value) -> str | None:
    return None if value is None else format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def build_config(station: Station, shared: dict[str, Any] | None = None) -> dict[str, Any]:
    """The station config of one station, as a JSON-ready dict.

    ``shared`` is what every station's config has in common (``shared_parts()``); pass it when
    building many configs, so that part is read once and not once per station.
    """
    centre = WorkCentre.get_or_none(WorkCentre.id == station.work_centre_id) if station.work_centre_id else None
    return {
        "version": 1,
        "site": station.site,
        "station": station.code,
        "name": station.name,
        "kind": station.kind,
        "work_centre": centre.code if centre else None,
        "required_skills": [r.to_dict() for r in work_centre_requirements(station.work_centre_id)],
        **(shared if shared is not None else shared_parts()),
        "label_template": LABEL_TEMPLATE,
    }


def shared_parts() -> dict[str, Any]:
    """The parts of a config that are the same at every station: people, reasons, items, orders, stock."""
    return {
        "operators": station_operators(),
        "reason_codes": [{"code": r.code, "category": r.category, "description": r.description}
                         for r in ReasonCode.select().where(ReasonCode.active == True).order_by(ReasonCode.code)],  # noqa: E712
        "items": _items(),
        "work_orders": _work_orders(),
        "batches": _batches(),
    }


def _items() -> list[dict]:
    return [{"code": i.code, "name": i.name, "unit": i.unit, "gtin": i.gtin, "batch_tracked": i.batch_tracked,
             "shelf_life_days": i.shelf_life_days}
            for i in Item.select().where(Item.active == True).order_by(Item.code)]  # noqa: E712


def _work_orders() -> list[dict]:
    orders = list(WorkOrder.select(WorkOrder, Recipe, Item).join(Recipe).join(Item)
                  .where(WorkOrder.status.in_(OPEN_WORK_ORDER_STATUSES)).order_by(WorkOrder.number))
    recipe_ids = {o.recipe_id for o in orders}
    inputs: dict[int, list[dict]] = {}
    outputs: dict[int, list[dict]] = {}
    if recipe_ids:
        for recipe_id, item, mode in (RecipeInput.select(RecipeInput.recipe, Item.code, RecipeInput.mode)
                                      .join(Item).where(RecipeInput.recipe.in_(recipe_ids)).tuples()):
            inputs.setdefault(recipe_id, []).append({"item": item, "mode": mode})
        for recipe_id, item, kind in (RecipeOutput.select(RecipeOutput.recipe, Item.code, RecipeOutput.kind)
                                      .join(Item).where(RecipeOutput.recipe.in_(recipe_ids)).tuples()):
            outputs.setdefault(recipe_id, []).append({"item": item, "kind": kind})
    stages: dict[int, list[dict]] = {}
    if orders:
        for wo_id, seq, centre in (WorkOrderStage.select(WorkOrderStage.work_order, WorkOrderStage.seq, WorkCentre.code)
                                   .join(WorkCentre).where(WorkOrderStage.work_order.in_([o.id for o in orders]))
                                   .order_by(WorkOrderStage.seq).tuples()):
            stages.setdefault(wo_id, []).append({"seq": seq, "work_centre": centre})
    result = []
    for o in orders:
        outs = outputs.get(o.recipe_id) or [{"item": o.recipe.item.code, "kind": "main"}]
        result.append({"number": o.number, "status": o.status, "item": o.recipe.item.code,
                       "planned_qty": _d(o.planned_qty), "stages": stages.get(o.id, []),
                       "inputs": inputs.get(o.recipe_id, []), "outputs": outs})
    return result


def _batches() -> list[dict]:
    in_stock = (StockBalance.select(StockBalance.batch).where(StockBalance.qty > 0, StockBalance.batch.is_null(False)))
    rows = (Batch.select(Batch.code, Item.code, Batch.expiry, Batch.status).join(Item)
            .where(Batch.id.in_(in_stock)).order_by(Batch.id.desc()).limit(MAX_BATCHES).tuples())
    return [{"code": c, "item": item, "expiry": _date(expiry), "status": status} for c, item, expiry, status in rows]


def digest(config: dict) -> str:
    """A stable hash of a config's content."""
    return digests({None: config})[None]


def digests(configs: dict) -> dict:
    """A stable hash of each config's content, by the same key.

    A config is hashed part by part, and a part that several configs hold (the same object,
    as ``all_configs`` shares them) is hashed once: with many stations and thousands of
    batches this is the difference between a few milliseconds and a tenth of a second.
    """
    parts: dict[int, bytes] = {}
    result = {}
    for key, config in configs.items():
        whole = hashlib.sha256()
        for name in sorted(config):
            value = config[name]
            part = parts.get(id(value))
            if part is None:
                part = hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).digest()
                if isinstance(value, (list, dict)):
                    parts[id(value)] = part  # alive as long as ``configs``, so the id is not reused
            whole.update(name.encode() + b"\0" + part)
        result[key] = whole.hexdigest()
    return result


def encode_config(config: dict) -> bytes:
    """The retained payload: the config plus when it was built."""
    body = dict(config, generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return json.dumps(body, separators=(",", ":")).encode()


def all_configs() -> dict[tuple[str, str], dict]:
    """The config of every active station, keyed by (site, station)."""
    stations = list(Station.select().where(Station.active == True))  # noqa: E712
    if not stations:
        return {}
    shared = shared_parts()
    return {(s.site, s.code): build_config(s, shared) for s in stations}
