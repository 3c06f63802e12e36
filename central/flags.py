"""Flags: facts that broke a rule, recorded anyway and put in front of a supervisor."""
from __future__ import annotations

from central.errors import NotFound, ValidationError
from central.models import Flag, utcnow
from central.models.eventlog import FLAG_SEVERITIES


def raise_flag(kind: str, message: str, *, event_id=None, subject: str = "", severity: str = "warning") -> Flag:
    """Record a flag; when it comes from an event, mark that event as flagged too."""
    from central.models import EventRecord

    if severity not in FLAG_SEVERITIES:
        raise ValidationError("severity", f"must be one of {', '.join(FLAG_SEVERITIES)}")
    flag = Flag.create(kind=kind, message=message, event=event_id, subject=subject, severity=severity)
    if event_id is not None:
        EventRecord.update(flagged=True).where(EventRecord.id == event_id).execute()
    return flag


def resolve_flag(flag_id: int, *, by: str, resolution: str) -> Flag:
    """Close a flag with who closed it and why."""
    if not resolution.strip():
        raise ValidationError("resolution", "is required: say what was done")
    flag = Flag.get_or_none(Flag.id == flag_id)
    if flag is None:
        raise NotFound("flag", f"no flag {flag_id}")
    flag.resolved_at, flag.resolved_by, flag.resolution = utcnow(), by, resolution
    flag.save()
    return flag
