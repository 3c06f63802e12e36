"""An asset's history: work orders, requests, downtime its machine's stations reported, parts, cost."""
from decimal import Decimal as D

from central.maintenance import requests, worklog
from central.maintenance.history import history
from central.maintenance.workorders import create_work_order
from central.models import Station
from central.reasons import create_reason_code
from central.recorder import record_raw

from tests.central.factories import event
from tests.central.maint import shop  # noqa: F401


def test_history_gathers_everything_about_the_asset(shop):
    Station.create(code="S01", site="plant1")
    create_reason_code("DT-JAM", "downtime")
    record_raw([event("machine.down", 1, "2026-05-01T10:00:00.000Z", operator=None, reason="DT-JAM", machine="M-1"),
                event("machine.up", 2, "2026-05-01T10:25:00.000Z", operator=None, machine="M-1"),
                event("machine.down", 3, "2026-05-01T11:00:00.000Z", operator=None, reason="DT-JAM", machine="M-9")],
               site="plant1", station="S01")
    requests.submit_request(asset="PRESS-1", description="Knocks")
    wo = create_work_order(asset="PRESS-1", title="Fix ram", by="sue", auto=False)
    create_work_order(asset="PUMP-2", title="Other asset", by="sue", auto=False)
    worklog.issue_part(wo.number, item="GREASE", qty="1", by="max")
    h = history("PRESS-1")
    breakdown = h["work_orders"][-1]  # the down report opened it; the request was linked to it
    assert [w.number for w in h["work_orders"]] == [wo.number, breakdown.number] and breakdown.source == "breakdown"
    assert [(r.description, r.status, r.work_order_id) for r in h["requests"]] == [("Knocks", "merged", breakdown.id)]
    assert [(d["station"], d["reason"], d["minutes"]) for d in h["downtime"]] == [("S01", "DT-JAM", D("25"))]
    assert [(p.item.code, p.qty) for p in h["parts"]] == [("GREASE", D("1"))]
    assert h["cost"]["parts"] == D("12") and h["counts"] == {"open": 2}
    assert history("PUMP-2")["downtime"] == []  # no machine linked
