"""Work requests in the admin: "report a problem" for signed-in users, and a supervisor's triage
(approve into a work order, merge into open work on the same asset, or reject with a reason)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from central.auth import require_role
from central.errors import ShopfloorError
from central.maintenance import requests as reqs
from central.maintenance import templates
from central.maintenance.assets import list_assets
from central.models.maintenance import MWO_TYPES, PRIORITIES, REQUEST_STATUSES
from central.operators import list_skills
from central.web.blueprint import web

SUPERVISORS = ("supervisor",)


@web.route("/maintenance/report", methods=["GET", "POST"])
def maintenance_report():
    """Report a problem with an asset (any signed-in user); the reporter gets a link to follow it."""
    values = {"asset": request.values.get("asset", ""), "description": request.form.get("description", "")}
    if request.method == "POST":
        try:
            row = reqs.submit_request(asset=values["asset"], description=values["description"],
                                      reporter=g.user.full_name or g.user.username, user=g.user.username)
        except ShopfloorError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Request {row.number} sent.", "ok")
            return redirect(url_for("public.request_status", token=row.token))
    return render_template("maintenance/report.html", values=values, assets=list_assets())


@web.get("/maintenance/requests")
def maintenance_requests():
    """Requests by status; new ones oldest first, with the supervisor's triage forms."""
    status = request.args.get("status", "new")
    rows = reqs.list_requests(status=status if status in REQUEST_STATUSES else None)
    open_work = reqs.open_work_on([r.asset_id for r in rows if r.status == "new"])
    return render_template("maintenance/requests.html", rows=rows, status=status, statuses=REQUEST_STATUSES,
                           open_work=open_work, types=MWO_TYPES, priorities=PRIORITIES,
                           templates=templates.list_templates(active=True), skills=list_skills(),
                           can_triage=g.user.role in ("admin", "supervisor"))


@web.post("/maintenance/requests/<number>/<decision>")
@require_role(*SUPERVISORS)
def maintenance_request_decide(number, decision):
    """Approve, merge or reject one request."""
    form = {k: request.form.get(k, "").strip() for k in ("type", "priority", "template", "required_skill", "into",
                                                          "reason")}
    try:
        if decision == "approve":
            row = reqs.approve(number, by=g.user.username, type=form["type"] or None, priority=form["priority"] or None,
                               template=form["template"] or None, required_skill=form["required_skill"] or None)
            flash(f"{number} approved: work order {row.work_order.number}.", "ok")
        elif decision == "merge":
            reqs.merge(number, form["into"], by=g.user.username)
            flash(f"{number} merged into {form['into']}.", "ok")
        elif decision == "reject":
            reqs.reject(number, form["reason"], by=g.user.username)
            flash(f"{number} rejected.", "ok")
        else:
            flash(f"unknown decision {decision!r}", "error")
    except ShopfloorError as exc:
        flash(f"{number}: {exc}", "error")
    return redirect(url_for("web.maintenance_requests"))
