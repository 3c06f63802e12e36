"""Work requests: from anyone, approved once into a work order, merged into open work, or rejected."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from decimal import Decimal as D

from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.maintenance import requests, worklog
from central.maintenance.assignment import create_rule
from central.maintenance.workorders import create_work_order
from central.models import MaintenanceWorkOrder, PartUse, StockMove, WorkRequest

from tests.central.maint import shop  # noqa: F401


def test_approve_once_and_the_rules_assign_it(shop):
    create_rule(name="Hall 1", area="A1", technician="MECH")
    req = requests.submit_request(asset="PRESS-1", description="Loud knocking from the ram", reporter="Tom, line 1")
    assert req.number == "REQ-000001" and len(req.token) >= 24 and req.status == "new"
    approved = requests.approve(req.number, by="sue", priority="high")
    wo = approved.work_order
    assert (approved.status, wo.source, wo.priority, wo.status) == ("approved", "request", "high", "assigned")
    assert "Reported by Tom, line 1 in REQ-000001." in wo.description
    with pytest.raises(Conflict) as err:
        requests.approve(req.number, by="sue")
    assert "approved into MWO-000001 already" in err.value.message
    assert MaintenanceWorkOrder.select().count() == 1


def test_merge_into_open_work_on_the_same_asset_only(shop):
    open_wo = create_work_order(asset="PRESS-1", title="Ram knocks", by="sue", auto=False)
    other = create_work_order(asset="PUMP-2", title="Pump", by="sue", auto=False)
    req = requests.submit_request(asset="PRESS-1", description="Knocking again")
    with pytest.raises(ValidationError) as err:
        requests.merge(req.number, other.number, by="sue")
    assert err.value.field == "into"
    merged = requests.merge(req.number, open_wo.number, by="sue")
    assert (merged.status, merged.work_order.number) == ("merged", open_wo.number)
    assert "request REQ-000001 merged: Knocking again" in [e.text for e in open_wo.log]


def test_reject_with_a_reason(shop):
    req = requests.submit_request(asset="PUMP-2", description="Pump is blue")
    with pytest.raises(ValidationError) as err:
        requests.reject(req.number, "", by="sue")
    assert err.value.field == "reason"
    rejected = requests.reject(req.number, "It is meant to be blue", by="sue")
    public = requests.request_dict(requests.request_by_token(req.token), public=True)
    assert (public["status"], public["decision"]) == ("rejected", "It is meant to be blue")
    assert "reporter" not in public and rejected.decided_by == "sue"


@pytest.mark.parametrize("kwargs, field, error", [
    ({"asset": "NOPE", "description": "broken"}, "asset", NotFound),
    ({"asset": "", "description": "broken"}, "asset", ValidationError),
    ({"asset": "PRESS-1", "description": "   "}, "description", ValidationError),
    ({"asset": "PRESS-1", "description": "x" * 1_000_000}, "description", ValidationError),
    ({"asset": "PRESS-1", "description": "ok", "reporter": "y" * 500}, "reporter", ValidationError),
])
def test_bad_requests_name_the_field_and_write_nothing(shop, kwargs, field, error):
    with pytest.raises(error) as err:
        requests.submit_request(**kwargs)
    assert err.value.field == field
    assert WorkRequest.select().count() == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["BR-1", "BR-2", None, "GREASE"]),
                          st.decimals(min_value=D("0.001"), max_value=D("15"), places=3)), min_size=1, max_size=6))
def test_parts_used_always_match_the_stock_ledger(shop, uses):
    with database.atomic() as txn:
        wo = create_work_order(asset="PRESS-1", title="Parts", by="sue", auto=False)
        for code, qty in uses:
            if code == "GREASE":
                worklog.issue_part(wo.number, item="GREASE", qty=qty, by="max")
            elif code is None:
                worklog.issue_part(wo.number, item="BEARING", qty=qty, by="max")
            else:
                worklog.issue_part(wo.number, batch=code, qty=qty, by="max")
        parts = list(PartUse.select().where(PartUse.work_order == wo.id))
        moves = list(StockMove.select().where(StockMove.reference == wo.number, StockMove.kind == "issue"))
        assert sum(p.value for p in parts) == -sum(m.value for m in moves)
        assert sum(p.qty for p in parts) == -sum(m.qty for m in moves) == sum(q for _, q in uses)
        key = lambda r: (r.item_id, r.batch_id, r.location_id)  # noqa: E731
        by_key = {}
        for m in moves:
            by_key[key(m)] = by_key.get(key(m), 0) - m.qty
        for p in parts:
            by_key[key(p)] -= p.qty
        assert set(by_key.values()) == {0}
        assert worklog.costs([wo.id])["parts"] == sum(p.value for p in parts)
        txn.rollback()


def test_two_supervisors_approving_at_once_make_one_work_order(shop):
    import threading

    req = requests.submit_request(asset="PRESS-1", description="Knocks")
    database.close()
    outcomes, start = [], threading.Barrier(2)

    def approve():
        with database.connection_context():
            start.wait()
            try:
                requests.approve(req.number, by="sue")
                outcomes.append("approved")
            except Conflict:
                outcomes.append("refused")

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    database.connect(reuse_if_open=True)
    assert sorted(outcomes) == ["approved", "refused"]
    assert MaintenanceWorkOrder.select().count() == 1
