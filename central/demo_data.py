"""Demo plant data: locations, items, a work centre, a cookie recipe and one released work order.

``load_demo_data()`` is idempotent: it creates only what is missing, so a second run changes
nothing. It needs an open database connection (the caller's).
"""
from __future__ import annotations

from decimal import Decimal as D

from central import catalog, production, recipes
from central.db import database
from central.models import Item, Location, Recipe, Skill, WorkCentre, WorkOrder

LOCATIONS = [
    {"code": "RECEIVING", "name": "Goods in", "role": "receiving"},
    {"code": "STORES", "name": "Raw material store", "role": "storage"},
    {"code": "FG", "name": "Finished goods", "role": "finished"},
]
ITEMS = [
    {"code": "RM-FLOUR", "name": "Wheat flour", "unit": "kg", "costing": "fifo", "shelf_life_days": 180},
    {"code": "RM-SUGAR", "name": "Sugar", "unit": "kg", "costing": "average"},
    {"code": "PK-BOX", "name": "Cookie box", "unit": "pcs", "costing": "fifo"},
    {"code": "FG-COOKIE", "name": "Butter cookie", "unit": "pcs", "costing": "fifo", "gtin": "09501101530003",
     "shelf_life_days": 90},
    {"code": "BY-CRUMBS", "name": "Cookie crumbs", "unit": "kg", "costing": "fifo"},
    {"code": "SC-WASTE", "name": "Dough waste", "unit": "kg", "costing": "fifo"},
]
RECIPE = {
    "code": "RCP-COOKIE", "name": "Butter cookies",
    "inputs": [{"item": "RM-FLOUR", "qty_per_unit": "0.02", "mode": "scanned"},
               {"item": "RM-SUGAR", "qty_per_unit": "0.01", "mode": "backflush"},
               {"item": "PK-BOX", "qty_per_unit": "0.05", "mode": "backflush"}],
    "outputs": [{"item": "FG-COOKIE", "kind": "main", "cost_share": "90"},
                {"item": "BY-CRUMBS", "kind": "by", "cost_share": "10", "qty_per_unit": "0.001"},
                {"item": "SC-WASTE", "kind": "scrap", "cost_share": "0"}],
    "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "30", "skill": "MIXING"}],
}
# What the plant pays per unit; a receipt scanned at goods-in carries no price, so it is valued at this.
PURCHASE_PRICES = {"RM-FLOUR": D("0.80"), "RM-SUGAR": D("1.20"), "PK-BOX": D("0.15")}
WORK_ORDER = {"number": "WO-DEMO-0001", "recipe": "RCP-COOKIE", "planned_qty": "1000", "priority": 3,
              "status": "released"}


def load_demo_data() -> dict:
    """Create whatever of the demo plant is missing; returns the codes created (empty lists on a rerun)."""
    created: dict[str, list[str]] = {"locations": [], "items": [], "work_centres": [], "skills": [],
                                     "recipes": [], "work_orders": []}
    with database.atomic():
        for loc in LOCATIONS:
            if not Location.select().where(Location.code == loc["code"]).exists():
                catalog.create_location(loc)
                created["locations"].append(loc["code"])
        for item in ITEMS:
            if not Item.select().where(Item.code == item["code"]).exists():
                catalog.create_item(item)
                if item["code"] in PURCHASE_PRICES:
                    Item.update(last_cost=PURCHASE_PRICES[item["code"]]).where(Item.code == item["code"]).execute()
                created["items"].append(item["code"])
        if not WorkCentre.select().where(WorkCentre.code == "MIX").exists():
            WorkCentre.create(code="MIX", name="Mixing", labour_rate=D("0.50"), overhead_rate=D("0.30"))
            created["work_centres"].append("MIX")
        if not Skill.select().where(Skill.code == "MIXING").exists():
            Skill.create(code="MIXING", name="Dough mixing")
            created["skills"].append("MIXING")
        if not Recipe.select().where(Recipe.code == RECIPE["code"]).exists():
            recipes.create_recipe(RECIPE)
            created["recipes"].append(RECIPE["code"])
        if not WorkOrder.select().where(WorkOrder.number == WORK_ORDER["number"]).exists():
            production.create_work_order(WORK_ORDER)
            created["work_orders"].append(WORK_ORDER["number"])
    return created
