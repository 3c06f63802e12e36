"""Record pages of machines and operators: what other pages link to when they name one."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import g, render_template

from central import certification as certs
from central import operators as ops
from central import requirements as reqs
from central.models import Asset, Batch, EventRecord, Item, StageAssignment, Station, WorkOrder, WorkOrderOutput, WorkOrderStage
from central.web.blueprint import web

RECENT = 10


@web.get("/machines/<code>")
def machine_detail(code):
    """A machine: its facts, work centre and that centre's stations, required skills, maintenance asset."""
    machine = reqs.get_machine(code)
    centre = machine.work_centre if machine.work_centre_id else None
    stations = list(Station.select().where(Station.work_centre == machine.work_centre_id).order_by(Station.code)) \
        if centre else []
    asset = Asset.get_or_none(Asset.machine == machine.id) or Asset.get_or_none(Asset.code == machine.code)
    return render_template("records/machine.html", machine=machine, centre=centre, stations=stations, asset=asset,
                           own=reqs.machine_requirements([machine.code]),
                           centre_skills=reqs.work_centre_requirements(machine.work_centre_id),
                           can_write=g.user.role in ("admin", "supervisor"))


@web.get("/operators/<badge>")
def operator_detail(badge):
    """An operator: facts, certifications (valid, expiring or expired), recent stages, outputs and events."""
    operator = ops.get_operator(badge)
    stages = list(WorkOrderStage.select(WorkOrderStage, WorkOrder)
                  .join(WorkOrder).where((WorkOrderStage.started_by == badge) | (WorkOrderStage.completed_by == badge))
                  .order_by(WorkOrderStage.id.desc()).limit(RECENT))
    assignments = list(StageAssignment.select(StageAssignment, WorkOrderStage, WorkOrder)
                       .join(WorkOrderStage).join(WorkOrder)
                       .where(StageAssignment.operator == operator.id)
                       .order_by(StageAssignment.id.desc()).limit(RECENT))
    outputs = list(WorkOrderOutput.select(WorkOrderOutput, WorkOrder, Batch, Item)
                   .join(WorkOrder, on=(WorkOrderOutput.work_order == WorkOrder.id)).switch(WorkOrderOutput)
                   .join(Batch, on=(WorkOrderOutput.batch == Batch.id)).switch(WorkOrderOutput)
                   .join(Item, on=(WorkOrderOutput.item == Item.id))
                   .where(WorkOrderOutput.operator == badge).order_by(WorkOrderOutput.id.desc()).limit(RECENT))
    events = list(EventRecord.select(EventRecord.id, EventRecord.type, EventRecord.station, EventRecord.at,
                                     EventRecord.seq)
                  .where(EventRecord.operator == badge).order_by(EventRecord.at.desc()).limit(RECENT))
    return render_template("records/operator.html", operator=operator, today=datetime.now(timezone.utc).date(),
                           certifications=certs.list_certifications(badge=badge), stages=stages,
                           assignments=assignments, outputs=outputs, events=events,
                           can_write=g.user.role in ("admin", "supervisor"))


