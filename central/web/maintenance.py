"""Maintenance pages for technicians and supervisors: my work, a work order with everything
recorded on it (timer, checklist, fields, parts by scanner, notes), open work by asset and age,
search, and new work. Every form posts to a thin route that calls one domain function."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from central.auth import require_role
from central.errors import Forbidden, ShopfloorError
from central.maintenance import assignment, breakdowns, contractors, lifecycle, requests, staff, templates, worklog
from central.reasons import list_reason_codes
from central.maintenance.assets import list_areas, list_assets
from central.maintenance.workorders import create_work_order, my_work, open_by_asset, search
from central.models import Notification, utcnow
from central.models.maintenance import MWO_STATUSES, MWO_TYPES, PRIORITIES
from central.operators import list_skills
from central.web.blueprint import web
from central.web.format import typed

SUPERVISORS = ("supervisor",)
PLANNERS = ("planner", "supervisor")
WORKERS = ("technician", "supervisor")


def _user() -> str:
    return g.user.username


def _may(*roles: str) -> bool:
    return g.user is not None and (g.user.role == "admin" or g.user.role in roles)


def _form(*names: str) -> dict:
    return {n: request.form.get(n, "").strip() for n in names}


@web.get("/maintenance")
def maintenance():
    """Supervisors' view: open work by asset and age, requests waiting, and search."""
    area = request.args.get("area") or None
    return render_template("maintenance/overview.html", by_asset=open_by_asset(area=area), area=area,
                           areas=list_areas(), waiting=requests.requests_query(status="new").count(),
                           now=utcnow(), me=staff.technician_of(g.user))


@web.get("/maintenance/my")
def maintenance_my():
    """A technician's list: what is assigned to me, urgent first, and my running timer."""
    me = staff.technician_of(g.user)
    rows = my_work(me) if me else []
    notes = (list(Notification.select().where(Notification.technician == me.id, Notification.read_at.is_null())
                  .order_by(Notification.id.desc()).limit(50)) if me else [])
    return render_template("maintenance/my.html", me=me, rows=rows, running=worklog.running_timer(me) if me else None,
                           now=utcnow(), notes=notes)


@web.get("/maintenance/work-orders")
def maintenance_search():
    """Search maintenance work orders by number, asset and text."""
    args = {k: request.args.get(k, "").strip() for k in ("q", "asset", "status", "area")}
    rows = search(text=args["q"], asset=args["asset"] or None, status=args["status"] or None, area=args["area"] or None)
    return render_template("maintenance/search.html", rows=rows, args=args, statuses=("open",) + MWO_STATUSES)


@web.route("/maintenance/work-orders/new", methods=["GET", "POST"])
@require_role(*PLANNERS)
def maintenance_new():
    """Open a work order by hand or from a template; the assignment rules pick who does it."""
    values = _form("asset", "title", "description", "type", "priority", "due", "template", "required_skill")
    if request.method == "GET":
        values["asset"] = request.args.get("asset", "")
    if request.method == "POST":
        try:
            wo = create_work_order(asset=values["asset"], title=values["title"], description=values["description"],
                                   type=values["type"] or None, priority=values["priority"] or None,
                                   due=typed(values["due"]), template=values["template"] or None,
                                   required_skill=values["required_skill"] or None,
                                   requires_signoff=request.form.get("requires_signoff") == "on" or None, by=_user())
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Work order {wo.number} opened.", "ok")
            return redirect(url_for("web.maintenance_work_order", number=wo.number))
    return render_template("maintenance/new.html", values=values, assets=list_assets(), types=MWO_TYPES,
                           priorities=PRIORITIES, templates=templates.list_templates(active=True), skills=list_skills())


@web.get("/maintenance/work-orders/<number>")
def maintenance_work_order(number):
    """A work order and everything recorded on it, with the actions the viewer may take."""
    wo = lifecycle.get_work_order(number)
    me = staff.technician_of(g.user)
    running = worklog.running_timer(me) if me else None
    return render_template("maintenance/work_order.html", wo=wo, rec=worklog.record(wo),
                           assignees=assignment.current_assignees(wo), me=me,
                           my_timer=running if running and running.work_order_id == wo.id else None,
                           technicians=staff.list_technicians(active=True),
                           contractors=contractors.list_contractors(active=True),
                           open_statuses=lifecycle.OPEN_STATUSES, downtime=breakdowns.downtime_rows(wo),
                           codes={c: list_reason_codes(category=c, active=True) for c in ("failure", "cause", "remedy")},
                           can_work=_may(*WORKERS), can_supervise=_may(*SUPERVISORS))


def _who(field: str = "technician") -> str:
    """The technician acting: the one chosen on the form (supervisors), else the signed-in user's."""
    chosen = request.form.get(field, "").strip()
    if chosen and _may(*SUPERVISORS):
        return chosen
    me = staff.technician_of(g.user)
    if me is None:
        raise Forbidden(field, "your login is not a technician's: ask a planner to link it")
    return me.code


def _field(name: str) -> str:
    return request.form.get(name, "")


ACTIONS = {
    # action: (who may, what the page says after, the domain call for work order number n)
    "start": (WORKERS, "Work started.", lambda n: lifecycle.start(n, by=_user())),
    "hold": (WORKERS, "Put on hold.", lambda n: lifecycle.hold(n, _field("reason"), by=_user())),
    "resume": (WORKERS, "Resumed.", lambda n: lifecycle.resume(n, by=_user())),
    "complete": (WORKERS, "Work done.", lambda n: breakdowns.finish(n, failure=_field("failure"), cause=_field("cause"),
                                                                   remedy=_field("remedy"), by=_user())),
    "cancel": (SUPERVISORS, "Cancelled.", lambda n: lifecycle.cancel(n, _field("reason"), by=_user())),
    "sign-off": (SUPERVISORS, "Signed off.", lambda n: worklog.sign_off(n, by=_user())),
    "require-signoff": (SUPERVISORS, "Sign-off requirement saved.",
                        lambda n: worklog.require_signoff(n, _field("required") == "yes", by=_user())),
    "timer-start": (WORKERS, "Timer started.", lambda n: worklog.start_timer(n, _who(), by=_user())),
    "timer-stop": (WORKERS, "Timer stopped.", lambda n: worklog.stop_timer(n, _who(), note=_field("note"), by=_user())),
    "time": (WORKERS, "Time entered.", lambda n: worklog.add_time(n, _who(), started_at=typed(_field("started_at")),
                                                                  minutes=_field("minutes"), note=_field("note"),
                                                                  by=_user())),
    "note": (WORKERS, "Note added.", lambda n: lifecycle.add_note(n, _field("text"), by=_user())),
    "assign": (SUPERVISORS, "Assigned.", lambda n: assignment.assign(n, _field("technician"), by=_user(),
                                                                     why=_field("why"))),
    "reassign": (SUPERVISORS, "Reassigned.", lambda n: assignment.reassign(n, _field("technician"), by=_user(),
                                                                           why=_field("why"))),
    "unassign": (SUPERVISORS, "Taken off.", lambda n: assignment.unassign(n, _field("technician"), by=_user())),
    "contractor": (SUPERVISORS, "Contractor added.",
                   lambda n: worklog.add_contractor(n, _field("contractor"), agreed_price=_field("agreed_price"),
                                                    scope=_field("scope"), by=_user())),
}


@web.post("/maintenance/work-orders/<number>/<action>")
def maintenance_action(number, action):
    """One action on a work order (start, hold, timer, note, assign...), then back to its page."""
    if action not in ACTIONS:
        return render_template("error.html", status=404, title="Not found", message=f"no action {action!r}"), 404
    roles, done, run = ACTIONS[action]
    if not _may(*roles):
        raise Forbidden("", f"needs role {' or '.join(roles)}")
    try:
        run(number)
        flash(done, "ok")
    except ShopfloorError as exc:
        flash(str(exc), "error")
    return redirect(url_for("web.maintenance_work_order", number=number) + _anchor(action))


def _anchor(action: str) -> str:
    return {"note": "#log", "time": "#time", "timer-start": "#time", "timer-stop": "#time"}.get(action, "")


@web.post("/maintenance/work-orders/<number>/check/<int:step>")
@require_role(*WORKERS)
def maintenance_check(number, step):
    """Answer one checklist step (tick, pass/fail or reading); a failure may open a follow-up."""
    try:
        worklog.record_check(number, step, result=request.form.get("result") or None,
                             reading=request.form.get("reading") or None, note=request.form.get("note", ""),
                             follow_up=request.form.get("follow_up") == "on", by=_user())
    except ShopfloorError as exc:
        flash(f"Step {step + 1}: {exc}", "error")
    else:
        flash(f"Step {step + 1} recorded.", "ok")
    return redirect(url_for("web.maintenance_work_order", number=number) + "#checklist")


@web.post("/maintenance/work-orders/<number>/fields")
@require_role(*WORKERS)
def maintenance_fields(number):
    """Save the custom fields of the work order."""
    wo = lifecycle.get_work_order(number)
    specs = worklog.definition(wo)[0]
    values = {s["name"]: request.form.get(f"field-{s['name']}", "") for s in specs}
    try:
        worklog.set_fields(number, values, by=_user())
    except ShopfloorError as exc:
        flash(str(exc), "error")
    else:
        flash("Fields saved.", "ok")
    return redirect(url_for("web.maintenance_work_order", number=number) + "#fields")


@web.post("/maintenance/work-orders/<number>/part")
@require_role(*WORKERS)
def maintenance_part(number):
    """Issue a part from stock: scan (or type) a batch, an item or a GS1 label, and a quantity."""
    try:
        part = worklog.resolve_part(request.form.get("part", ""))
        rows = worklog.issue_part(number, item=None if part.batch else part.item, batch=part.batch,
                                  qty=request.form.get("qty", ""), location=request.form.get("location") or None,
                                  by=_user())
    except ShopfloorError as exc:
        flash(str(exc), "error")
    else:
        short = " (more than stock shows: flagged)" if any(r.flagged for r in rows) else ""
        flash(f"Part {part.batch or part.item} booked{short}.", "error" if short else "ok")
    return redirect(url_for("web.maintenance_work_order", number=number) + "#parts")
