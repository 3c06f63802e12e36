"""An asset's whole history: requests, work orders, downtime from the stations, parts and costs."""
from __future__ import annotations

import peewee as pw

from central.maintenance.assets import get_asset
from central.maintenance.worklog import costs
from central.models import (Asset, Batch, Item, MaintenanceWorkOrder, PartUse, ReasonCode, ReasonEvent,
                            Station, StopMark, WorkRequest)

HISTORY_LIMIT = 100


def downtime(asset: Asset, limit: int = HISTORY_LIMIT) -> list[dict]:
    """Machine stops of the asset's machine reported by any station (newest first), with reason and minutes."""
    if not asset.machine_id:
        return []
    code = asset.machine.code
    scopes = [f"machine:{s}/{code}" for (s,) in Station.select(Station.code).tuples()]
    if not scopes:
        return []
    stops = (StopMark.select(StopMark.at, StopMark.scope, ReasonCode.code, ReasonCode.description, ReasonEvent.minutes)
             .join(ReasonEvent, pw.JOIN.LEFT_OUTER, on=(ReasonEvent.event == StopMark.event))
             .join(ReasonCode, pw.JOIN.LEFT_OUTER, on=(ReasonEvent.reason == ReasonCode.id))
             .where(StopMark.scope.in_(scopes), StopMark.kind == "stop")
             .order_by(StopMark.at.desc()).limit(limit).tuples())
    return [{"at": at, "station": scope.split(":", 1)[1].split("/", 1)[0], "reason": reason or "",
             "description": text or "", "minutes": minutes}
            for at, scope, reason, text, minutes in stops]


def history(code: str, limit: int = HISTORY_LIMIT) -> dict:
    """Everything about one asset for its page: a bounded number of rows of each kind, and totals."""
    asset = get_asset(code)
    wo = MaintenanceWorkOrder
    ids = wo.select(wo.id).where(wo.asset == asset.id)
    counts = dict(wo.select(wo.status, pw.fn.COUNT(wo.id)).where(wo.asset == asset.id).group_by(wo.status).tuples())
    return {
        "asset": asset,
        "work_orders": list(wo.select().where(wo.asset == asset.id).order_by(wo.id.desc()).limit(limit)),
        "counts": counts,
        "requests": list(WorkRequest.select().where(WorkRequest.asset == asset.id)
                         .order_by(WorkRequest.id.desc()).limit(limit)),
        "downtime": downtime(asset, limit),
        "parts": list(PartUse.select(PartUse, Item, wo, Batch).join(Item).switch(PartUse).join(wo)
                      .switch(PartUse).join(Batch, pw.JOIN.LEFT_OUTER, on=(PartUse.batch == Batch.id))
                      .where(wo.asset == asset.id).order_by(PartUse.id.desc()).limit(limit)),
        "cost": costs(ids),
    }



