"""Work requests from anyone on the floor (the public form needs no login), and a supervisor's
triage: approve (it becomes a work order, once), merge into open work on the same asset, or reject."""
from __future__ import annotations

import secrets
import uuid

from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.maintenance.checks import check_description, transaction
from central.maintenance.lifecycle import OPEN_STATUSES, get_work_order, write_log
from central.maintenance.workorders import create_work_order
from central.models import Asset, MaintenanceWorkOrder, WorkRequest, utcnow
from central.operators import check_code, check_text

MAX_DESCRIPTION = 2000


def submit_request(*, asset, description, reporter="", user: str | None = None) -> WorkRequest:
    """Report a problem with an asset. Returns the request; its ``token`` is the reporter's link."""
    code = check_text("asset", asset, 64)
    if not code:
        raise ValidationError("asset", "is required: which machine is it?")
    description = check_description("description", description, max_length=MAX_DESCRIPTION)
    reporter = check_text("reporter", reporter, 128)
    with transaction():
        the_asset = Asset.get_or_none(Asset.code == code)
        if the_asset is None or not the_asset.active:
            raise NotFound("asset", f"no asset {code!r}: check the code on the machine's label")
        row = WorkRequest.create(number=uuid.uuid4().hex[:32], token=secrets.token_urlsafe(24), asset=the_asset.id,
                                 description=description, reporter=reporter, reported_by=user)
        row.number = f"REQ-{row.id:06d}"
        WorkRequest.update(number=row.number).where(WorkRequest.id == row.id).execute()
        from central.maintenance.breakdowns import open_breakdown

        broken = open_breakdown(the_asset)
        if broken is not None:  # the machine is already down and being worked on: link, never a duplicate
            write_log(broken, "note", f"request {row.number} linked (the breakdown is open): {description}",
                      "breakdown")
            return _decide(row, "merged", "breakdown", None, broken)
        return row


def get_request(number: str, field: str = "request", *, lock: bool = False) -> WorkRequest:
    """The request with this number; NotFound naming ``field``."""
    query = WorkRequest.select().where(WorkRequest.number == number)
    if lock and database.obj.__class__.__name__.startswith("Postgres"):
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(field, f"no work request {number!r}")
    return row


def request_by_token(token: str) -> WorkRequest:
    """The request a reporter's link names; NotFound otherwise (the token is the only key)."""
    row = WorkRequest.get_or_none(WorkRequest.token == token) if token else None
    if row is None:
        raise NotFound("token", "no such request: the link may be mistyped")
    return row


def _undecided(number: str) -> WorkRequest:
    req = get_request(number, lock=True)
    if req.status != "new":
        done = f" into {req.work_order.number}" if req.work_order_id else ""
        raise Conflict("status", f"{req.number} is {req.status}{done} already (by {req.decided_by})")
    return req


def _decide(req: WorkRequest, status: str, by: str, decision: str | None, wo: MaintenanceWorkOrder | None) -> WorkRequest:
    updated = (WorkRequest.update(status=status, decided_by=by, decided_at=utcnow(), decision=decision,
                                  work_order=wo.id if wo else None)
               .where(WorkRequest.id == req.id, WorkRequest.status == "new").execute())
    if not updated:  # decided by someone else between our read and write
        raise Conflict("status", f"{req.number} was decided by someone else meanwhile")
    return get_request(req.number)


def approve(number: str, *, by: str, type=None, priority=None, template=None, required_skill=None, due=None,
            title=None) -> WorkRequest:
    """Turn the request into a work order (once); the work order goes through the assignment rules."""
    with transaction():
        req = _undecided(number)
        wo = create_work_order(asset=req.asset.code, title=title or req.description.splitlines()[0][:80],
                               description=f"{req.description}\n\nReported by {req.reporter or req.reported_by or 'anonymous'}"
                                           f" in {req.number}.",
                               type=type, priority=priority, template=template, required_skill=required_skill, due=due,
                               source="request", by=by)
        return _decide(req, "approved", by, None, wo)


def merge(number: str, into: str, *, by: str) -> WorkRequest:
    """The problem is already being worked on: attach the request to that open work order on the same asset."""
    with transaction():
        req = _undecided(number)
        wo = get_work_order(check_code("into", into), "into")
        if wo.asset_id != req.asset_id:
            raise ValidationError("into", f"{wo.number} is on asset {wo.asset.code}, the request on {req.asset.code}")
        if wo.status not in OPEN_STATUSES:
            raise Conflict("into", f"{wo.number} is {wo.status}; merge only into open work")
        write_log(wo, "note", f"request {req.number} merged: {req.description}", by)
        return _decide(req, "merged", by, None, wo)


def reject(number: str, reason, *, by: str) -> WorkRequest:
    """Turn a request down with a reason the reporter sees."""
    reason = check_description("reason", reason, max_length=500)
    with transaction():
        return _decide(_undecided(number), "rejected", by, reason, None)


def list_requests(*, status: str | None = "new", asset: str | None = None, limit: int = 200,
                  offset: int = 0) -> list[WorkRequest]:
    """Requests, oldest undecided first (newest first for decided ones)."""
    return list(requests_query(status=status, asset=asset).limit(limit).offset(offset))


def requests_query(*, status: str | None = "new", asset: str | None = None):
    """The query behind ``list_requests`` (unpaged, for counting)."""
    query = WorkRequest.select(WorkRequest, Asset).join(Asset)
    if status:
        query = query.where(WorkRequest.status == status)
    if asset:
        query = query.where(Asset.code == asset)
    return query.order_by(WorkRequest.id if status == "new" else WorkRequest.id.desc())


def open_work_on(asset_ids) -> dict[int, list[MaintenanceWorkOrder]]:
    """Open work orders on some assets, newest first (what their requests could be merged into)."""
    found: dict[int, list[MaintenanceWorkOrder]] = {}
    ids = list(set(asset_ids))
    if ids:
        for wo in (MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.asset.in_(ids),
                                                       MaintenanceWorkOrder.status.in_(OPEN_STATUSES))
                   .order_by(MaintenanceWorkOrder.id.desc())):
            found.setdefault(wo.asset_id, []).append(wo)
    return found


def request_dict(req: WorkRequest, *, public: bool = False) -> dict:
    """The JSON shape of a request; ``public`` leaves out who reported it and who decided."""
    data = {"number": req.number, "asset": req.asset.code, "description": req.description, "status": req.status,
            "work_order": req.work_order.number if req.work_order_id else None, "decision": req.decision,
            "created_at": req.created_at.isoformat() + "Z", "decided_at": req.decided_at.isoformat() + "Z" if req.decided_at else None}
    if not public:
        data.update(reporter=req.reporter, reported_by=req.reported_by, decided_by=req.decided_by)
    return data
