"""A small plant for the live board's tests: two work centres, a machine, two stations, three work orders."""
from datetime import date, datetime, timedelta, timezone

from central.catalog import create_item, create_location
from central.db import database
from central.models import Machine, Operator, ReasonCode, Station, WorkCentre
from central.production import create_work_order
from central.recipes import create_recipe
from central.recorder import record_raw
from tests.central.factories import event


def build_plant(due: date | None = None) -> None:
    """MIX (machine MX-1, station S01) and PACK (station S02); WO-1 and WO-2 on 2-stage routings, WO-3 draft."""
    due = due or date.today() + timedelta(days=3)
    with database.atomic():
        WorkCentre.create(code="MIX", name="Mixing")
        WorkCentre.create(code="PACK", name="Packing")
        Machine.create(code="MX-1", name="Mixer", work_centre=WorkCentre.get(WorkCentre.code == "MIX"))
        Station.create(code="S01", site="plant1", name="Mixer station", work_centre=WorkCentre.get(WorkCentre.code == "MIX"))
        Station.create(code="S02", site="plant1", name="Packing station", work_centre=WorkCentre.get(WorkCentre.code == "PACK"))
        Operator.create(badge="OP-1", name="Ann")
        Operator.create(badge="OP-2", name="Bob")
        ReasonCode.create(code="DT-JAM", category="downtime", description="Jammed")
        ReasonCode.create(code="DLY-MAT", category="delay", description="No material")
        ReasonCode.create(code="SCR-BAD", category="scrap", description="Bad")
        create_location({"code": "FG", "role": "finished"})
        create_item({"code": "FG-1", "name": "Cookie", "unit": "pcs"})
        create_recipe({"code": "R-1", "item": "FG-1", "outputs": [{"item": "FG-1", "kind": "main", "cost_share": "100"}],
                       "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "60"},
                                  {"seq": 20, "work_centre": "PACK", "standard_minutes": "30"}]})
        for n, status in (("1", "released"), ("2", "released"), ("3", "draft")):
            create_work_order({"number": f"WO-{n}", "recipe": "R-1", "planned_qty": "100", "status": status,
                               "due": due.isoformat()})


def iso(moment: datetime) -> str:
    """A station time: UTC with Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Floor:
    """Records events as a station would send them (through the recorder, as the ingest does)."""

    def __init__(self):
        self.seq = {}

    def send(self, station: str, type_: str, at: datetime, operator: str | None = "OP-1", **data):
        self.seq[station] = self.seq.get(station, 0) + 1
        raw = event(type_, self.seq[station], iso(at), operator=operator, station=station, **data)
        with database.atomic():
            outcome = record_raw([raw], site="plant1", station=station)
        assert not outcome.rejected, outcome.rejected
        return raw
