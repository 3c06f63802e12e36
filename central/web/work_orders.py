"""Work-order pages: the filtered list, a new work order from a recipe, one work order, its status changes."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from central import production
from central.auth import require_role
from central.errors import ShopfloorError
from central.inventory import Actor
from central.models import Item, Recipe, WorkCentre, WorkOrder
from central.models.production import WORK_ORDER_STATUSES
from central.web.blueprint import web
from central.web.flagwords import subjects
from central.web.paging import keyset
from central.web.people import show_error
from central.workorderview import label_copies, recipe_choices, work_order_view, work_orders

WRITERS = ("supervisor", "planner")
STATUS_WORDS = {"draft": "draft", "released": "released", "in_progress": "in progress", "paused": "paused",
                "done": "done", "cancelled": "cancelled"}
FILTERS = ("status", "item", "recipe", "work_centre", "due_from", "due_to", "number")


class WorkOrderForm(FlaskForm):
    """A new work order: number, recipe, planned quantity, due date, priority, released at once or draft."""

    number = StringField("Number", validators=[DataRequired(), Length(max=64)],
                         render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    recipe = StringField("Recipe", validators=[DataRequired(), Length(max=64)],
                         render_kw={"list": "recipes", "autocomplete": "off"})
    planned_qty = StringField("Planned quantity", validators=[DataRequired(), Length(max=40)],
                              render_kw={"inputmode": "decimal"})
    due = StringField("Due date (YYYY-MM-DD, optional)", validators=[Length(max=40)],
                      render_kw={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"})
    priority = IntegerField("Priority (1 most urgent to 9)", default=5, validators=[InputRequired(), NumberRange(1, 9)])
    release = BooleanField("Release it now (stations may start it)")


class ReasonForm(FlaskForm):
    """A status change that asks why (pause; optional for cancel)."""

    reason = TextAreaField("Reason", validators=[Length(max=500)])


class ConfirmForm(FlaskForm):
    """A status change with nothing to fill in: the CSRF token is the whole form."""


# Each action: the status it sets, whether it asks on a page first, and what the page says.
ACTIONS = {
    "release": {"status": "released", "confirm": False, "verb": "Release"},
    "unrelease": {"status": "draft", "confirm": False, "verb": "Back to draft"},
    "resume": {"status": "in_progress", "confirm": False, "verb": "Resume"},
    "pause": {"status": "paused", "confirm": True, "verb": "Pause", "reason": "required"},
    "cancel": {"status": "cancelled", "confirm": True, "verb": "Cancel work order", "reason": "optional",
               "warning": "A cancelled work order cannot be reopened. Stations stop offering it; facts that still "
                          "arrive for it are recorded and flagged."},
    "complete": {"status": "done", "confirm": True, "verb": "Complete",
                 "warning": "Completing cannot be undone. Inputs marked backflush are deducted from stock for the "
                            "output reported so far, and the work order's costs are settled: every output batch "
                            "still in stock is revalued at its actual cost."},
}


def actions_for(wo: WorkOrder) -> list[str]:
    """The actions a writer may take on ``wo`` now (by the status rules)."""
    from central.lifecycle import TRANSITIONS

    allowed = TRANSITIONS[wo.status]
    order = ("release", "resume", "pause", "complete", "unrelease", "cancel")
    out = []
    for name in order:
        status = ACTIONS[name]["status"]
        if status not in allowed:
            continue
        if name == "resume" and wo.status != "paused":
            continue
        if name == "complete" and wo.status == "draft":
            continue
        out.append(name)
    return out


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip() for k in FILTERS}


@web.get("/work-orders")
def work_orders_page():
    """Work orders, newest first, filtered by status, item, recipe, work centre, due range and number."""
    filters = _filters()
    errors: dict[str, str] = {}
    page = None
    try:
        query = work_orders(**{k: v or None for k, v in filters.items()})
    except ShopfloorError as exc:
        errors[(exc.field or "").split(".")[0]] = exc.message
    else:
        page = keyset(query, [WorkOrder.id], descending=True)
    centres = [c for c, in WorkCentre.select(WorkCentre.code).order_by(WorkCentre.code).tuples()]
    return render_template("work_orders_list.html", page=page, filters=filters, errors=errors, centres=centres,
                           statuses=WORK_ORDER_STATUSES, words=STATUS_WORDS,
                           can_write=g.user.role in ("admin",) + WRITERS)


@web.route("/work-orders/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def work_order_new():
    """A new work order from a recipe; its routing is the recipe's."""
    form = WorkOrderForm()
    if not form.is_submitted() and request.args.get("recipe"):
        form.recipe.data = request.args["recipe"]
    if form.validate_on_submit():
        data = {"number": form.number.data.strip(), "recipe": form.recipe.data.strip(),
                "planned_qty": form.planned_qty.data.strip(), "priority": form.priority.data,
                "status": "released" if form.release.data else "draft"}
        if form.due.data and form.due.data.strip():
            data["due"] = form.due.data.strip()
        try:
            wo = production.create_work_order(data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Work order {wo.number} created ({STATUS_WORDS[wo.status]}).", "ok")
            return redirect(url_for("web.work_order_page", number=wo.number))
    return render_template("work_orders_new.html", form=form, recipes=recipe_choices())


@web.get("/work-orders/<number>")
def work_order_page(number):
    """One work order: stages, assignments, inputs against plan, outputs and labels, costs, flags."""
    view = work_order_view(number)
    can_write = g.user.role in ("admin",) + WRITERS
    return render_template("work_order_detail.html", v=view, wo=view.wo, words=STATUS_WORDS,
                           actions=actions_for(view.wo) if can_write else [], action_info=ACTIONS,
                           form=ConfirmForm(), label_copies=label_copies, flag_subjects=subjects(view.flags))


@web.route("/work-orders/<number>/<any(release, unrelease, resume, pause, cancel, complete):action>",
           methods=["GET", "POST"])
@require_role(*WRITERS)
def work_order_action(number, action):
    """Change a work order's status; pause, cancel and complete ask on a page first."""
    info = ACTIONS[action]
    wo = production.get_work_order(number, "number")
    form = ReasonForm() if "reason" in info else ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
        else:
            reason = form.reason.data.strip() if "reason" in info else None
            if info.get("reason") == "required" and not reason:
                form.reason.errors = list(form.reason.errors) + ["Say why it is paused."]
            else:
                try:
                    production.set_status(number, info["status"], Actor(user=g.user.username), reason)
                except ShopfloorError as exc:
                    if "reason" in info and (exc.field or "") == "reason":
                        form.reason.errors = list(form.reason.errors) + [exc.message]
                    else:
                        flash(exc.message, "error")
                        return redirect(url_for("web.work_order_page", number=number))
                else:
                    wo = production.get_work_order(number)
                    flash(f"Work order {number} is {STATUS_WORDS[wo.status]}.", "ok")
                    return redirect(url_for("web.work_order_page", number=number))
    elif not info["confirm"]:
        return redirect(url_for("web.work_order_page", number=number))
    item = Item.get_by_id(Recipe.get_by_id(wo.recipe_id).item_id)
    return render_template("work_order_confirm.html", wo=wo, item=item, action=action, info=info, form=form,
                           words=STATUS_WORDS)
