"""Templates a planner builds: custom fields and a checklist, saved as immutable versions.

A work order keeps the version it was made from, so editing a template (which saves a new
version) never changes work already done.
"""
from __future__ import annotations

import json

from central.checklists import check_steps
from central.customfields import check_definitions
from central.errors import Conflict, NotFound, ValidationError
from central.lookup import by_code
from central.maintenance.checks import check_choice, check_description, transaction
from central.models import MaintenanceTemplate, TemplateVersion
from central.models.maintenance import MWO_TYPES, PRIORITIES
from central.operators import check_bool, check_code, check_text


def get_template(code: str, field: str = "template") -> MaintenanceTemplate:
    """The template with this code; NotFound naming ``field``."""
    return by_code(MaintenanceTemplate.code, code, field, "template")


def current_version(template: MaintenanceTemplate) -> TemplateVersion:
    """The latest version of a template."""
    version = TemplateVersion.get_or_none(TemplateVersion.template == template.id,
                                          TemplateVersion.version == template.current_version)
    if version is None:
        raise NotFound("template", f"template {template.code} has no version")
    return version


def get_version(code: str, number: int) -> TemplateVersion:
    """One version of a template; NotFound naming the version otherwise."""
    template = get_template(code)
    version = TemplateVersion.get_or_none(TemplateVersion.template == template.id, TemplateVersion.version == number)
    if version is None:
        raise NotFound("version", f"template {code} has no version {number} (it has 1 to {template.current_version})")
    return version


def _version_fields(spec: dict) -> dict:
    title = check_text("title", spec.get("title"), 200)
    if not title:
        raise ValidationError("title", "is required")
    return {"title": title,
            "wo_type": check_choice("type", spec.get("type", "corrective"), MWO_TYPES),
            "priority": check_choice("priority", spec.get("priority", "normal"), PRIORITIES),
            "description": check_description("description", spec.get("description"), required=False),
            "fields": json.dumps(check_definitions(spec.get("fields", []))),
            "checklist": json.dumps(check_steps(spec.get("checklist", []))),
            "requires_signoff": check_bool("requires_signoff", spec.get("requires_signoff", False))}


def save_template(code, spec: dict, *, by: str) -> TemplateVersion:
    """Create a template or save a new version of it: ``spec`` has name, title, type, priority,
    description, fields, checklist and requires_signoff. Returns the new version."""
    code = check_code("code", code)
    fields = _version_fields(spec)
    name = check_text("name", spec.get("name") or fields["title"])
    with transaction():
        template = MaintenanceTemplate.get_or_none(MaintenanceTemplate.code == code)
        if template is None:
            template = MaintenanceTemplate.create(code=code, name=name)
        number = template.current_version + 1
        updated = (MaintenanceTemplate.update(current_version=number, name=name, active=True)
                   .where(MaintenanceTemplate.id == template.id,
                          MaintenanceTemplate.current_version == template.current_version).execute())
        if not updated:
            raise Conflict("template", f"template {code} was saved by someone else meanwhile; reload and try again")
        return TemplateVersion.create(template=template.id, version=number, created_by=by, **fields)


def set_template_active(code: str, active: bool) -> MaintenanceTemplate:
    """Retire a template (no new work orders from it) or bring it back."""
    with transaction():
        template = get_template(code)
        MaintenanceTemplate.update(active=check_bool("active", active)).where(MaintenanceTemplate.id == template.id).execute()
        return get_template(code)


def list_templates(active: bool | None = None) -> list[MaintenanceTemplate]:
    """Templates by code."""
    query = MaintenanceTemplate.select().order_by(MaintenanceTemplate.code)
    return list(query if active is None else query.where(MaintenanceTemplate.active == active))


def version_dict(version: TemplateVersion) -> dict:
    """The JSON shape of a template version."""
    return {"template": version.template.code, "version": version.version, "title": version.title,
            "type": version.wo_type, "priority": version.priority, "description": version.description,
            "fields": json.loads(version.fields), "checklist": json.loads(version.checklist),
            "requires_signoff": version.requires_signoff, "created_by": version.created_by,
            "created_at": version.created_at.isoformat() + "Z"}
