"""Builders shared by the central tests: raw station events and small released work orders."""
import uuid

from central.catalog import create_item, create_location
from central.production import create_work_order
from central.recipes import create_recipe


def event(type_, seq, at, *, operator="OP-1", station="S01", **data):
    """A raw wire event from ``station`` at site plant1."""
    return {"id": str(uuid.uuid4()), "type": type_, "site": "plant1", "station": station, "seq": seq,
            "at": at, "operator": operator, "data": data}


def make_work_orders(work_centre: str) -> None:
    """Released work orders WO-1 (makes FG-1) and WO-2 (makes FG-2), each with stage 10 of 30 min at ``work_centre``."""
    create_location({"code": "FG", "role": "finished"})
    for n in ("1", "2"):
        create_item({"code": f"FG-{n}", "unit": "pcs"})
        create_recipe({"code": f"R-{n}", "item": f"FG-{n}", "outputs": [{"item": f"FG-{n}", "kind": "main", "cost_share": "100"}],
                       "stages": [{"seq": 10, "work_centre": work_centre, "standard_minutes": "30"}]})
        create_work_order({"number": f"WO-{n}", "recipe": f"R-{n}", "planned_qty": "100", "status": "released"})
