"""Creating maintenance work orders (by hand, from a template, from a request or a failed check),
and finding them: a technician's list, open work by asset and age, search."""
from __future__ import annotations

import uuid
from datetime import datetime

import peewee as pw

from central.errors import ValidationError
from central.maintenance.assets import get_asset
from central.maintenance.assignment import auto_assign
from central.maintenance.checks import check_choice, check_datetime, check_description, transaction
from central.maintenance.lifecycle import OPEN_STATUSES, get_work_order, write_log
from central.maintenance.templates import current_version, get_template
from central.models import (Area, Asset, Assignee, MaintenanceWorkOrder, Technician, TemplateVersion, utcnow)
from central.models.maintenance import MWO_SOURCES, MWO_TYPES, PRIORITIES
from central.operators import check_bool, check_code, check_text, get_skill

PRIORITY_RANK = {p: i for i, p in enumerate(reversed(PRIORITIES))}  # urgent first
LIST_LIMIT = 200


def _number(prefix: str, row_id: int) -> str:
    return f"{prefix}-{row_id:06d}"


def create_work_order(*, asset, title=None, description="", type=None, priority=None, due=None, template=None,
                      required_skill=None, requires_signoff=None, source="manual", parent=None, by: str,
                      auto: bool = True, at: datetime | None = None) -> MaintenanceWorkOrder:
    """Open a maintenance work order on an asset; with ``template`` it takes the template's current
    version (title, type, priority, fields, checklist). New work goes through the assignment rules
    unless ``auto`` is false."""
    check_choice("source", source, MWO_SOURCES)
    values = {"wo_type": type, "priority": priority, "title": title, "requires_signoff": requires_signoff}
    with transaction():
        the_asset = get_asset(check_code("asset", asset))
        if not the_asset.active:
            raise ValidationError("asset", f"asset {the_asset.code} is retired")
        version = None
        if template:
            tmpl = get_template(check_code("template", template))
            if not tmpl.active:
                raise ValidationError("template", f"template {tmpl.code} is retired")
            version = current_version(tmpl)
            defaults = {"wo_type": version.wo_type, "priority": version.priority, "title": version.title,
                        "requires_signoff": version.requires_signoff}
            values = {k: v if v not in (None, "") else defaults[k] for k, v in values.items()}
            description = description or version.description
        title_text = check_text("title", values["title"], 200)
        description = check_description("description", description, required=not title_text)
        if not title_text:
            title_text = description.splitlines()[0][:80]
        row = MaintenanceWorkOrder.create(
            number=uuid.uuid4().hex[:32], asset=the_asset.id, title=title_text, description=description,
            wo_type=check_choice("type", values["wo_type"] or "corrective", MWO_TYPES),
            priority=check_choice("priority", values["priority"] or "normal", PRIORITIES),
            due=check_datetime("due", due), source=source, template_version=version.id if version else None,
            parent=parent.id if parent is not None else None,
            required_skill=get_skill(check_code("required_skill", required_skill)).id if required_skill else None,
            requires_signoff=check_bool("requires_signoff", values["requires_signoff"] or False),
            created_by=by, created_at=at or utcnow())
        row.number = _number("MWO", row.id)
        MaintenanceWorkOrder.update(number=row.number).where(MaintenanceWorkOrder.id == row.id).execute()
        write_log(row, "status", f"opened ({source})" + (f" from template {template} v{version.version}" if version else ""),
                  by, at)
        if auto:
            auto_assign(row, by="rules", at=at)
        return get_work_order(row.number)


def _base():
    return (MaintenanceWorkOrder.select(MaintenanceWorkOrder, Asset).join(Asset))


def my_work(technician: Technician, *, limit: int = LIST_LIMIT) -> list[MaintenanceWorkOrder]:
    """What is assigned to a technician and still open: urgent first, then by due date and age."""
    rank = pw.Case(MaintenanceWorkOrder.priority, [(p, r) for p, r in PRIORITY_RANK.items()], 9)
    query = (_base().join(Assignee, on=(Assignee.work_order == MaintenanceWorkOrder.id))
             .where(Assignee.technician == technician.id, Assignee.active == True,  # noqa: E712
                    MaintenanceWorkOrder.status.in_(OPEN_STATUSES))
             .order_by(rank, MaintenanceWorkOrder.due.is_null(), MaintenanceWorkOrder.due, MaintenanceWorkOrder.id)
             .limit(limit))
    return list(query)


def search(*, text: str = "", asset: str | None = None, status: str | None = None, area: str | None = None,
           limit: int = LIST_LIMIT, offset: int = 0) -> list[MaintenanceWorkOrder]:
    """Work orders by number, asset and text (title or description), newest first."""
    return list(search_query(text=text, asset=asset, status=status, area=area).limit(limit).offset(offset))


def search_query(*, text: str = "", asset: str | None = None, status: str | None = None, area: str | None = None):
    """The query behind ``search`` (unpaged, for counting)."""
    query = _base().order_by(MaintenanceWorkOrder.id.desc())
    text = (text or "").strip()
    if text:
        exact = MaintenanceWorkOrder.select(MaintenanceWorkOrder.id).where(MaintenanceWorkOrder.number == text.upper())
        query = query.where((MaintenanceWorkOrder.id.in_(exact)) | MaintenanceWorkOrder.title.contains(text)
                            | MaintenanceWorkOrder.description.contains(text) | (Asset.code == text))
    if asset:
        query = query.where(Asset.code == asset)
    if area:
        query = query.join(Area, on=(Asset.area == Area.id)).where(Area.code == area)
    if status == "open":
        query = query.where(MaintenanceWorkOrder.status.in_(OPEN_STATUSES))
    elif status:
        query = query.where(MaintenanceWorkOrder.status == status)
    return query


def open_by_asset(*, area: str | None = None) -> list[dict]:
    """Open work grouped by asset: how many, the oldest, and how many are flagged or urgent."""
    wo = MaintenanceWorkOrder
    query = (Asset.select(Asset.code, Asset.name, Asset.criticality, pw.fn.COUNT(wo.id).alias("open"),
                          pw.fn.MIN(wo.created_at).alias("oldest"),
                          pw.fn.SUM(pw.Case(None, [(wo.flagged == True, 1)], 0)).alias("flagged"),  # noqa: E712
                          pw.fn.SUM(pw.Case(None, [(wo.priority == "urgent", 1)], 0)).alias("urgent"))
             .join(wo, on=(wo.asset == Asset.id)).where(wo.status.in_(OPEN_STATUSES))
             .group_by(Asset.code, Asset.name, Asset.criticality).order_by(pw.fn.MIN(wo.created_at)))
    if area:
        query = query.join(Area, on=(Asset.area == Area.id)).where(Area.code == area)
    return list(query.dicts())


def work_order_dict(wo: MaintenanceWorkOrder, *, full: bool = False) -> dict:
    """The JSON shape of a work order; ``full`` adds assignees, fields, checklist, log and cost."""
    data = {"number": wo.number, "asset": wo.asset.code, "type": wo.wo_type, "priority": wo.priority,
            "status": wo.status, "title": wo.title, "description": wo.description, "hold_reason": wo.hold_reason,
            "cancel_reason": wo.cancel_reason, "due": wo.due.isoformat() if wo.due else None, "source": wo.source,
            "template": None, "parent": None, "required_skill": None, "requires_signoff": wo.requires_signoff,
            "signed_off_by": wo.signed_off_by, "signed_off_at": wo.signed_off_at.isoformat() + "Z" if wo.signed_off_at else None,
            "flagged": wo.flagged, "created_by": wo.created_by, "created_at": wo.created_at.isoformat() + "Z",
            "started_at": wo.started_at.isoformat() + "Z" if wo.started_at else None,
            "done_at": wo.done_at.isoformat() + "Z" if wo.done_at else None,
            "failure": wo.failure_code, "cause": wo.cause_code, "remedy": wo.remedy_code}
    if wo.template_version_id:
        version = TemplateVersion.get_by_id(wo.template_version_id)
        data["template"] = {"code": version.template.code, "version": version.version}
    if wo.parent_id:
        data["parent"] = MaintenanceWorkOrder.get_by_id(wo.parent_id).number
    if wo.required_skill_id:
        data["required_skill"] = wo.required_skill.code
    if full:
        from central.maintenance import worklog
        from central.maintenance.assignment import assignee_dict, current_assignees

        from central.maintenance.breakdowns import downtime_dict, downtime_rows

        data["assignees"] = [assignee_dict(a) for a in current_assignees(wo)]
        data["downtime"] = [downtime_dict(d) for d in downtime_rows(wo)]
        data.update(worklog.record_dict(wo))
    return data
