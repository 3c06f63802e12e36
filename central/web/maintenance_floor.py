"""Maintenance pages driven by the floor: preventive schedules (with overrides of a safety block
and a scheduler pass on demand), the calendar of upcoming preventive work, and machine
reliability with the Pareto of failures by machine."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for

from central.analysis import pareto_csv, pareto_json
from central.auth import require_role
from central.errors import ShopfloorError
from central.maintenance import reliability, schedules, templates
from central.maintenance.assets import list_assets
from central.maintenance.scheduler import run_pass
from central.models import Notification, utcnow
from central.models.maintenance_floor import CYCLE_SOURCES, SCHEDULE_TRIGGERS
from central.web.blueprint import web
from central.web.format import typed
from central.web.reasons import chart

PLANNERS = ("planner", "supervisor")
SUPERVISORS = ("supervisor",)
SCHEDULE_KEYS = ("code", "name", "asset", "template", "trigger", "interval", "lead", "cycle_source", "starts_at")


def _form(*names: str) -> dict:
    return {n: request.form.get(n, "").strip() for n in names}


@web.route("/maintenance/schedules", methods=["GET", "POST"])
def maintenance_schedules():
    """Every schedule with its counter and next due; planners add new ones here."""
    values = _form(*SCHEDULE_KEYS)
    if request.method == "POST":
        if g.user.role not in ("admin",) + PLANNERS:
            return render_template("error.html", status=403, title="Forbidden",
                                   message="needs role planner or supervisor"), 403
        try:
            s = schedules.create_schedule(**{k: v for k, v in values.items() if k != "starts_at"},
                                          starts_at=typed(values["starts_at"]),
                                          floating=request.form.get("floating") == "on",
                                          safety_critical=request.form.get("safety_critical") == "on",
                                          by=g.user.username)
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Schedule {s.code} added.", "ok")
            return redirect(url_for("web.maintenance_schedules"))
    rows = [schedules.schedule_dict(s) for s in schedules.list_schedules()]
    return render_template("maintenance/schedules.html", rows=rows, values=values, assets=list_assets(),
                           templates=templates.list_templates(active=True), triggers=SCHEDULE_TRIGGERS,
                           sources=CYCLE_SOURCES, blocks=schedules.blocks())


@web.route("/maintenance/schedules/<code>/edit", methods=["GET", "POST"])
@require_role(*PLANNERS)
def maintenance_schedule_edit(code):
    """Change a schedule's name, template, interval, lead, safety flag or (days) next due time."""
    s = schedules.get_schedule(code)
    if request.method == "POST":
        changes = _form("name", "template", "interval", "lead")
        changes["safety_critical"] = request.form.get("safety_critical") == "on"
        if s.trigger == "days":
            changes["floating"] = request.form.get("floating") == "on"
            if request.form.get("due_at", "").strip():
                changes["due_at"] = typed(request.form["due_at"])
        try:
            schedules.update_schedule(code, changes, by=g.user.username)
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Schedule {code} saved.", "ok")
            return redirect(url_for("web.maintenance_schedules"))
    return render_template("maintenance/schedule_edit.html", s=schedules.schedule_dict(s), row=s,
                           templates=templates.list_templates(active=True))


@web.post("/maintenance/schedules/<code>/switch")
@require_role(*PLANNERS)
def maintenance_schedule_switch(code):
    """Stop a schedule, or start it again."""
    active = request.form.get("active") == "yes"
    try:
        schedules.update_schedule(code, {"active": active}, by=g.user.username)
        flash(f"Schedule {code} {'on' if active else 'off'}.", "ok")
    except ShopfloorError as exc:
        flash(str(exc), "error")
    return redirect(url_for("web.maintenance_schedules"))


@web.post("/maintenance/schedules/<code>/override")
@require_role(*SUPERVISORS)
def maintenance_schedule_override(code):
    """Let production start though the safety-critical work is overdue; the reason is kept."""
    try:
        schedules.override(code, request.form.get("reason", ""), by=g.user.username)
        flash(f"Production allowed on {code}'s machine until its work is done.", "ok")
    except ShopfloorError as exc:
        flash(str(exc), "error")
    return redirect(request.form.get("back") or url_for("web.maintenance_schedules"))


@web.post("/maintenance/scheduler/run")
@require_role(*PLANNERS)
def maintenance_scheduler_run():
    """One scheduler pass now."""
    made = run_pass()
    flash("Another scheduler is running a pass; try again in a moment." if made is None else
          f"Made {len(made)} work order(s)" + (f": {', '.join(made)}." if made else "."), "ok")
    return redirect(url_for("web.maintenance_schedules"))


@web.get("/maintenance/calendar")
def maintenance_calendar():
    """Preventive work coming in the next 8 weeks, by day and by asset."""
    cal = schedules.calendar()
    return render_template("maintenance/calendar.html", cal=cal, weeks=range(cal["weeks"]))


def _period():
    try:
        return reliability.period(request.args)
    except ShopfloorError as exc:
        flash(str(exc), "error")
        return reliability.period({})


@web.get("/maintenance/reliability")
def maintenance_reliability():
    """MTBF, MTTR and availability per machine, and the Pareto of failures by machine and failure code."""
    p = _period()
    measure = request.args.get("measure") if request.args.get("measure") in ("count", "minutes") else "count"
    result = reliability.failure_pareto(p, measure)
    return render_template("maintenance/reliability.html", p=p, rows=reliability.reliability(p), result=result,
                           pareto=pareto_json(result)["rows"], chart=chart(result), measure=measure)


@web.get("/maintenance/failures.csv")
def maintenance_failures_csv():
    """The failure Pareto as CSV."""
    p = _period()
    measure = request.args.get("measure") if request.args.get("measure") in ("count", "minutes") else "count"
    return Response(pareto_csv(reliability.failure_pareto(p, measure)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=failure-pareto.csv"})


@web.post("/maintenance/notifications/read")
def maintenance_notifications_read():
    """Mark the signed-in technician's notifications read."""
    from central.maintenance import staff

    me = staff.technician_of(g.user)
    if me is not None:
        (Notification.update(read_at=utcnow())
         .where(Notification.technician == me.id, Notification.read_at.is_null()).execute())
    return redirect(url_for("web.maintenance_my"))
