"""Maintenance set-up pages for planners: assets (with their history page and QR label), areas
and lines, templates with fields and checklist, assignment rules, technicians with their
schedules and teams, and the contractor directory."""
from __future__ import annotations


from flask import Response, current_app, flash, g, redirect, render_template, request, url_for

import labels
from central.auth import require_role
from central.errors import Forbidden, ShopfloorError
from central.maintenance import assets, assignment, contractors, staff, templates
from central.maintenance.checks import check_datetime
from central.maintenance.history import history
from central.maintenance import counters, reliability, schedules
from central.models import Machine, User, utcnow
from central.models.maintenance import CRITICALITIES, MWO_TYPES, PRIORITIES
from central.checklists import STEP_KINDS
from central.customfields import FIELD_KINDS
from central.operators import list_operators, list_skills
from central.web.blueprint import web
from central.web.format import typed

PLANNERS = ("planner", "supervisor")
BLANK_ROWS = 3


def _only_planners() -> None:
    """The POST half of a page that everyone may read: planners (and supervisors, admins) only."""
    if g.user.role != "admin" and g.user.role not in PLANNERS:
        raise Forbidden("", f"needs role {' or '.join(PLANNERS)}")


def _form(*names: str) -> dict:
    return {n: request.form.get(n, "").strip() for n in names}


def _add(create, keys: tuple[str, ...], what: str, endpoint: str):
    """The POST of an "add" form: planners only; the new row's page, or None (error flashed) to show the form again."""
    _only_planners()
    values = _form("code", *keys)
    try:
        create(values.pop("code"), **values)
    except ShopfloorError as exc:
        flash(str(exc), "error")
        return None
    return _done(f"{what} {request.form.get('code')} added.", endpoint)


def attempt(call, ok_message: str, prefix: str = "") -> bool:
    """Run one domain call for a form: flash its error (with ``prefix``) or ``ok_message``; True when it worked."""
    try:
        call()
    except ShopfloorError as exc:
        flash(f"{prefix}{exc}", "error")
        return False
    flash(ok_message, "ok")
    return True


def _done(message: str, endpoint: str, **kwargs):
    flash(message, "ok")
    return redirect(url_for(endpoint, **kwargs))


# --- assets -----------------------------------------------------------------------------------------

ASSET_KEYS = ("name", "machine", "area", "line", "location", "criticality")


@web.route("/maintenance/assets", methods=["GET", "POST"])
def maintenance_assets():
    """Assets by area and line; planners add assets, areas and lines here."""
    if request.method == "POST" and (added := _add(assets.create_asset, ASSET_KEYS, "Asset", "web.maintenance_assets")):
        return added
    return render_template("maintenance/assets.html", rows=assets.list_assets(search=request.args.get("q", "")),
                           areas=assets.list_areas(), lines=assets.list_lines(), criticalities=CRITICALITIES,
                           machines=list(Machine.select().order_by(Machine.code)), q=request.args.get("q", ""))


@web.post("/maintenance/areas")
@require_role(*PLANNERS)
def maintenance_area_new():
    """Add an area, or a line in an area."""
    values = _form("kind", "code", "name", "area")
    if values["kind"] == "line":
        attempt(lambda: assets.create_line(values["code"], values["area"], values["name"]), f"Line {values['code']} added.")
    else:
        attempt(lambda: assets.create_area(values["code"], values["name"]), f"Area {values['code']} added.")
    return redirect(url_for("web.maintenance_assets"))


@web.get("/maintenance/assets/<code>")
def maintenance_asset(code):
    """An asset's whole history: requests, work orders, downtime, parts used and costs."""
    h = history(code)
    last30 = reliability.period({})
    counter = counters.counters_by_asset([h["asset"].id]).get(h["asset"].id)
    return render_template("maintenance/asset.html", h=h, now=utcnow(), schedules=schedules.asset_schedules(h["asset"]),
                           counter=counters.counter_dict(counter, utcnow()) if h["asset"].machine_id else None,
                           rel=reliability.reliability(last30, assets=[h["asset"]])[0], last30=last30,
                           blocks=schedules.blocks(asset_ids=[h["asset"].id]))


@web.route("/maintenance/assets/<code>/edit", methods=["GET", "POST"])
@require_role(*PLANNERS)
def maintenance_asset_edit(code):
    """Change an asset's placement, location, criticality or machine, or retire it."""
    asset = assets.get_asset(code)
    if request.method == "POST":
        changes = {**_form(*ASSET_KEYS), "active": request.form.get("active") == "on"}
        try:
            assets.update_asset(code, changes)
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            return _done(f"Asset {code} saved.", "web.maintenance_asset", code=code)
    return render_template("maintenance/asset_edit.html", asset=asset, data=assets.asset_dict(asset),
                           areas=assets.list_areas(), lines=assets.list_lines(), criticalities=CRITICALITIES,
                           machines=list(Machine.select().order_by(Machine.code)))


@web.get("/maintenance/assets/<code>/label.pdf")
def maintenance_asset_label(code):
    """The asset's label: a QR code of its public work-request form, its code and where it stands."""
    asset = assets.get_asset(code)
    settings = current_app.config["SHOPFLOOR"]
    base = settings["web.base_url"] or f"http://{settings['web.host']}:{settings['web.port']}"
    url = base.rstrip("/") + url_for("public.request_form", code=asset.code)
    pdf = labels.render("asset", {"asset": asset.code, "name": asset.name[:26], "location": asset.location[:26],
                                  "url": url}, "pdf")
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="asset-{asset.code}.pdf"'})


# --- templates ----------------------------------------------------------------------------------------

def _rows(prefix: str, keys: tuple[str, ...]) -> list[dict]:
    """Numbered form rows ``prefix-N-key`` back into dicts, skipping rows whose first key is empty."""
    rows, n = [], 0
    while f"{prefix}-{n}-{keys[0]}" in request.form:
        row = {k: request.form.get(f"{prefix}-{n}-{k}", "").strip() for k in keys}
        if row[keys[0]]:
            rows.append({k: v for k, v in row.items() if v != ""})
        n += 1
    return rows


FIELD_KEYS = ("name", "label", "kind", "unit", "min", "max", "choices", "required")
STEP_KEYS = ("text", "kind", "unit", "min", "max")


@web.get("/maintenance/templates")
def maintenance_templates():
    """The templates planners build; each save is a new version."""
    return render_template("maintenance/templates.html", rows=templates.list_templates())


@web.route("/maintenance/templates/edit", methods=["GET", "POST"], defaults={"code": None})
@web.route("/maintenance/templates/<code>/edit", methods=["GET", "POST"])
@require_role(*PLANNERS)
def maintenance_template_edit(code):
    """Build a template or save a new version: title, type, priority, custom fields and checklist."""
    spec = {"name": "", "title": "", "type": "corrective", "priority": "normal", "description": "", "fields": [],
            "checklist": [], "requires_signoff": False}
    version = None
    if code:
        version = templates.current_version(templates.get_template(code))
        spec = {**templates.version_dict(version), "name": version.template.name}
    if request.method == "POST":
        form = _form("code", "name", "title", "type", "priority", "description")
        spec = {**form, "requires_signoff": request.form.get("requires_signoff") == "on",
                "fields": [{**r, "required": r.get("required") == "on"} for r in _rows("f", FIELD_KEYS)],
                "checklist": _rows("s", STEP_KEYS)}
        try:
            saved = templates.save_template(code or form["code"], spec, by=g.user.username)
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            return _done(f"Template {saved.template.code} saved as version {saved.version}.", "web.maintenance_templates")
    for f in spec["fields"]:
        if isinstance(f.get("choices"), list):
            f["choices"] = ", ".join(f["choices"])
    return render_template("maintenance/template_edit.html", code=code, spec=spec, version=version, blank=BLANK_ROWS,
                           types=MWO_TYPES, priorities=PRIORITIES, field_kinds=FIELD_KINDS, step_kinds=STEP_KINDS)


@web.post("/maintenance/templates/<code>/active")
@require_role(*PLANNERS)
def maintenance_template_switch(code):
    """Retire a template (no new work orders from it) or bring it back."""
    template = templates.set_template_active(code, request.form.get("active") == "yes")
    return _done(f"Template {code} {'in use' if template.active else 'retired'}.", "web.maintenance_templates")


# --- rules ---------------------------------------------------------------------------------------------

RULE_KEYS = ("name", "position", "area", "asset", "type", "skill", "technician", "team")


@web.route("/maintenance/rules", methods=["GET", "POST"])
def maintenance_rules():
    """Assignment rules in the order they are tried; planners add and remove them."""
    if request.method == "POST":
        _only_planners()
        try:
            assignment.create_rule(**_form(*RULE_KEYS))
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            return _done("Rule added.", "web.maintenance_rules")
    return render_template("maintenance/rules.html", rows=assignment.list_rules(), areas=assets.list_areas(),
                           assets=assets.list_assets(), types=MWO_TYPES, skills=list_skills(),
                           technicians=staff.list_technicians(active=True), teams=staff.list_teams())


@web.post("/maintenance/rules/<int:rule_id>/active")
@require_role(*PLANNERS)
def maintenance_rule_switch(rule_id):
    """Switch a rule off (it is kept, not tried) or on again."""
    active = request.form.get("active") == "yes"
    attempt(lambda: assignment.update_rule(rule_id, {"active": active}), f"Rule {'on' if active else 'off'}.")
    return redirect(url_for("web.maintenance_rules"))


@web.post("/maintenance/rules/<int:rule_id>/delete")
@require_role(*PLANNERS)
def maintenance_rule_delete(rule_id):
    """Remove a rule."""
    attempt(lambda: assignment.delete_rule(rule_id), "Rule removed.")
    return redirect(url_for("web.maintenance_rules"))


# --- technicians, schedules and teams ------------------------------------------------------------------

@web.route("/maintenance/technicians", methods=["GET", "POST"])
def maintenance_technicians():
    """Technicians with their login, badge (skills), rate and schedule; teams."""
    if request.method == "POST" and (added := _add(staff.create_technician, ("name", "user", "operator", "hourly_rate"),
                                                   "Technician", "web.maintenance_technicians")):
        return added
    techs = staff.list_technicians()
    schedules = {t.id: staff.schedule_of(t.code) for t in techs}
    return render_template("maintenance/technicians.html", rows=techs, schedules=schedules, teams=staff.list_teams(),
                           shift_text=staff.shift_text, weekdays=staff.WEEKDAYS,
                           users=list(User.select().where(User.role.in_(staff.TECHNICIAN_ROLES), User.active == True)  # noqa: E712
                                      .order_by(User.username)),
                           operators=list_operators(active=True))


@web.post("/maintenance/technicians/<code>")
@require_role(*PLANNERS)
def maintenance_technician_save(code):
    """Change a technician's name, login, badge, rate, or take them out of (or back into) service."""
    changes = {**_form("name", "user", "operator", "hourly_rate"), "active": request.form.get("active") == "on"}
    attempt(lambda: staff.update_technician(code, changes), f"Technician {code} saved.", f"{code}: ")
    return redirect(url_for("web.maintenance_technicians") + f"#tech-{code}")


@web.post("/maintenance/technicians/<code>/schedule")
@require_role(*PLANNERS)
def maintenance_schedule(code):
    """Add a weekly shift or an on-call period, or remove one."""
    form = _form("kind", "weekday", "start", "end", "starts_at", "ends_at", "remove")

    def change():
        if form["remove"]:
            kind, _, entry = form["remove"].partition(":")
            staff.remove_schedule(code, kind, int(entry) if entry.isdigit() else 0)
        elif form["kind"] == "on_call":
            staff.add_on_call(code, check_datetime("starts_at", typed(form["starts_at"]), required=True),
                              check_datetime("ends_at", typed(form["ends_at"]), required=True))
        else:
            staff.add_shift(code, form["weekday"], form["start"], form["end"], current_app.config["SHOPFLOOR"]["site.timezone"])

    attempt(change, f"Schedule of {code} saved.", f"{code}: ")
    return redirect(url_for("web.maintenance_technicians") + f"#tech-{code}")


@web.post("/maintenance/teams")
@require_role(*PLANNERS)
def maintenance_team_save():
    """Create a team or replace its members."""
    form = _form("code", "name")
    members = request.form.getlist("members")
    exists = any(t.code == form["code"] for t, _ in staff.list_teams())
    attempt(lambda: staff.set_team_members(form["code"], members) if exists
            else staff.create_team(form["code"], form["name"], members), f"Team {form['code']} saved.")
    return redirect(url_for("web.maintenance_technicians") + "#teams")


# --- contractors -----------------------------------------------------------------------------------------

CONTRACTOR_KEYS = ("company", "trade", "contact", "phone", "email", "hourly_rate", "callout_fee")


@web.route("/maintenance/contractors", methods=["GET", "POST"])
def maintenance_contractors():
    """The contractor directory; planners add contractors."""
    if request.method == "POST" and (added := _add(contractors.create_contractor, CONTRACTOR_KEYS, "Contractor",
                                                   "web.maintenance_contractors")):
        return added
    return render_template("maintenance/contractors.html", rows=contractors.list_contractors(),
                           trade=request.args.get("trade", ""))


@web.post("/maintenance/contractors/<code>")
@require_role(*PLANNERS)
def maintenance_contractor_save(code):
    """Change a contractor's details or take them off the list of active contractors."""
    changes = {**_form(*CONTRACTOR_KEYS), "active": request.form.get("active") == "on"}
    attempt(lambda: contractors.update_contractor(code, changes), f"Contractor {code} saved.", f"{code}: ")
    return redirect(url_for("web.maintenance_contractors"))


