"""What a station needs to work offline, built from central's tables as retained MQTT parts.

The config is not one document per station but many small retained messages (see
docs/station-config.md): a *head* per station (``shopfloor/v1/{site}/{station}/config``: who it
is, what it requires, which work orders and which items' batches it needs) and *shared parts*
per site (``shopfloor/v1/{site}/_config/...``: one message per operator, item, open work order
and batch in stock, and one for the reason catalogue). A station subscribes to the parts its head
names, so it receives only what it needs, and a change publishes only the parts that changed:
a receipt is one batch message, whatever the size of the plant.

``build_parts`` returns every part as ``{topic: payload bytes}``; the ingest compares it with
what it published before and publishes the difference (an empty payload removes a part).
Batches are the one part that grows with the plant (tens of thousands in stock), so between
full builds the ingest reads only the batches the ledger (or a status change) touched since a
watermark: ``changed_batches``.
"""
from __future__ import annotations

import json
from typing import Any

import peewee as pw

from central.certification import station_operators
from central.db import database
from central.models import (Asset, Batch, BlockOverride, Flag, Item, Machine, MaintenanceSchedule, MaintenanceWorkOrder,
                            Operator, Recipe, RecipeInput, RecipeOutput, Skill, StockBalance, StockMove, Station,
                            Technician, WorkCentre, WorkOrder, WorkOrderStage)
from central.reasons import EXPECTED_CATEGORIES, active_reason_codes
from central.requirements import machine_requirements, work_centre_requirements
from edge.contract import CONFIG_TREE, config_digest, config_topic, topic

FORMAT_VERSION = 2
OPEN_WORK_ORDER_STATUSES = ("released", "in_progress", "paused")

#: The station's questions that take a reason, and the event each one records.
REASON_QUESTIONS = {"pause": "work_order.paused", "delay": "delay.reported", "down": "machine.down",
                    "scrap": "scrap.reported"}

# Station events whose handlers change what a config carries: batches in stock and the status
# of work orders. Only these make the ingest rebuild the configs at once; everything else a
# config holds is edited by people and is picked up by the ingest's periodic rebuild.
CHANGED_BY_EVENTS = frozenset({"goods.received", "material.issued", "output.reported", "scrap.reported",
                               "stage.started", "stage.completed", "work_order.paused", "work_order.resumed",
                               "work_order.completed", "machine.down",
                               "maintenance.started", "maintenance.finished"})
OPEN_MAINTENANCE = ("open", "assigned", "in_progress", "on_hold")


def _d(value) -> str | None:
    return None if value is None else format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def encode(part: Any) -> bytes:
    """A part's retained payload: compact JSON with sorted keys, so equal content is equal bytes."""
    return json.dumps(part, sort_keys=True, separators=(",", ":")).encode()


# --- shared parts ---------------------------------------------------------------------------

def reasons_part() -> dict[str, Any]:
    """The active reason catalogue and which categories each of the station's questions accepts."""
    return {"reason_codes": active_reason_codes(),
            "accepts": {question: list(EXPECTED_CATEGORIES[event]) for question, event in REASON_QUESTIONS.items()}}


def items_part() -> dict[str, dict]:
    """Every active item by code."""
    return {i.code: {"code": i.code, "name": i.name, "unit": i.unit, "gtin": i.gtin, "batch_tracked": i.batch_tracked,
                     "shelf_life_days": i.shelf_life_days}
            for i in Item.select().where(Item.active == True).order_by(Item.code)}  # noqa: E712


def work_orders_part() -> dict[str, dict]:
    """Every open work order by number, with its stages (work centre, own skill), inputs and outputs."""
    orders = list(WorkOrder.select(WorkOrder, Recipe, Item).join(Recipe).join(Item)
                  .where(WorkOrder.status.in_(OPEN_WORK_ORDER_STATUSES)).order_by(WorkOrder.number))
    recipe_ids = {o.recipe_id for o in orders}
    inputs: dict[int, list[dict]] = {}
    outputs: dict[int, list[dict]] = {}
    if recipe_ids:
        for recipe_id, item, mode in (RecipeInput.select(RecipeInput.recipe, Item.code, RecipeInput.mode)
                                      .join(Item).where(RecipeInput.recipe.in_(recipe_ids)).tuples()):
            inputs.setdefault(recipe_id, []).append({"item": item, "mode": mode})
        for recipe_id, item, kind in (RecipeOutput.select(RecipeOutput.recipe, Item.code, RecipeOutput.kind)
                                      .join(Item).where(RecipeOutput.recipe.in_(recipe_ids)).tuples()):
            outputs.setdefault(recipe_id, []).append({"item": item, "kind": kind})
    stages: dict[int, list[dict]] = {}
    if orders:
        rows = (WorkOrderStage.select(WorkOrderStage.work_order, WorkOrderStage.seq, WorkCentre.code, Skill.code)
                .join(WorkCentre).switch(WorkOrderStage)
                .join(Skill, pw.JOIN.LEFT_OUTER, on=(WorkOrderStage.skill == Skill.id))
                .where(WorkOrderStage.work_order.in_([o.id for o in orders])).order_by(WorkOrderStage.seq).tuples())
        for wo_id, seq, centre, skill in rows:
            stages.setdefault(wo_id, []).append({"seq": seq, "work_centre": centre, "skill": skill})
    return {o.number: {"number": o.number, "status": o.status, "item": o.recipe.item.code,
                       "planned_qty": _d(o.planned_qty), "stages": stages.get(o.id, []),
                       "inputs": inputs.get(o.recipe_id, []),
                       "outputs": outputs.get(o.recipe_id) or [{"item": o.recipe.item.code, "kind": "main"}]}
            for o in orders}


def _batch_rows(batch_ids=None) -> dict[tuple[str, str], dict | None]:
    """Batches keyed by (item, code): the part when in stock, None when not (only for ``batch_ids``)."""
    in_stock = StockBalance.select(StockBalance.batch).where(StockBalance.qty > 0, StockBalance.batch.is_null(False))
    query = Batch.select(Batch.code, Item.code, Batch.expiry, Batch.status, Batch.id.in_(in_stock)).join(Item)
    query = query.where(Batch.id.in_(in_stock)) if batch_ids is None else query.where(Batch.id.in_(batch_ids))
    # A plain cursor: tens of thousands of rows through peewee's row conversion cost ten times more.
    return {(item, c): {"code": c, "item": item, "expiry": None if expiry is None else str(expiry)[:10],
                        "status": status} if stocked else None
            for c, item, expiry, status, stocked in database.execute(query).fetchall()}


def batches_part() -> dict[tuple[str, str], dict]:
    """Every batch in stock, keyed by (item, batch code)."""
    return _batch_rows()


def batch_watermark() -> tuple[int, int]:
    """Where the ledger and the flags stand now: the starting point of ``changed_batches``."""
    return (StockMove.select(pw.fn.MAX(StockMove.id)).scalar() or 0,
            Flag.select(pw.fn.MAX(Flag.id)).scalar() or 0)


def changed_batches(since: tuple[int, int]) -> tuple[dict[str, bytes | None], tuple[int, int]]:
    """The batch parts touched after ``since`` (a stock move, or a status change, which raises a flag).

    Returns ``{topic: payload, or None when the batch is no longer in stock}`` for every site
    with active stations, and the new watermark.
    """
    mark = batch_watermark()
    moved = (StockMove.select(StockMove.batch).distinct()
             .where(StockMove.id > since[0], StockMove.id <= mark[0], StockMove.batch.is_null(False)))
    flagged = (Batch.select(Batch.id).join(Flag, on=(Flag.subject == Batch.code))
               .where(Flag.id > since[1], Flag.id <= mark[1], Flag.kind == "batch_status"))
    ids = {row[0] for row in moved.tuples()} | {row[0] for row in flagged.tuples()}
    if not ids:
        return {}, mark
    rows = _batch_rows(list(ids))
    sites = sorted({site for (site,) in Station.select(Station.site).where(Station.active == True)  # noqa: E712
                   .distinct().tuples()})
    changes: dict[str, bytes | None] = {}
    for (item, code), row in rows.items():
        for site in sites:
            try:
                changes[config_topic(site, "batches", item, code)] = encode(row) if row is not None else None
            except ValueError:
                continue
    return changes, mark


def is_batch_topic(name: str) -> bool:
    """True for the topic of a batch part."""
    return f"/{CONFIG_TREE}/batches/" in name


# --- heads ----------------------------------------------------------------------------------

def _station_work_orders(station: Station, orders: dict[str, dict], centre: str | None) -> list[str]:
    """The open work orders a station works on: those with a stage at its work centre, or without stages."""
    if station.kind == "goods_in":
        return []
    return [number for number, wo in orders.items()
            if centre is None or not wo["stages"] or any(s["work_centre"] == centre for s in wo["stages"])]


def build_head(station: Station, orders: dict[str, dict], centres: dict[int, str],
               machines: dict[int, list[dict]], requirements: dict[int, list[dict]] | None = None) -> dict[str, Any]:
    """The head of one station's config: who it is, what it requires, which parts it needs.

    ``requirements`` memoises each work centre's skills across the stations of one build.
    """
    requirements = {} if requirements is None else requirements
    if station.work_centre_id not in requirements:
        requirements[station.work_centre_id] = [r.to_dict() for r in work_centre_requirements(station.work_centre_id)]
    centre = centres.get(station.work_centre_id)
    numbers = _station_work_orders(station, orders, centre)
    batch_items = sorted({i["item"] for n in numbers for i in orders[n]["inputs"]})
    return {
        "version": FORMAT_VERSION,
        "site": station.site,
        "station": station.code,
        "name": station.name,
        "kind": station.kind,
        "work_centre": centre,
        "required_skills": requirements[station.work_centre_id],
        "machines": machines.get(station.work_centre_id, []),
        "work_orders": numbers,
        "batch_items": batch_items,
    }


def _machines_by_centre() -> dict[int, list[dict]]:
    rows = list(Machine.select(Machine.code, Machine.name, Machine.work_centre)
                .where(Machine.active == True, Machine.work_centre.is_null(False))  # noqa: E712
                .order_by(Machine.code).tuples())
    skills: dict[str, list[dict]] = {}
    for r in machine_requirements([code for code, _, _ in rows]):
        skills.setdefault(r.source.split(":", 1)[1], []).append(r.to_dict())
    upkeep = _machine_maintenance()
    result: dict[int, list[dict]] = {}
    for code, name, centre_id in rows:
        result.setdefault(centre_id, []).append({"code": code, "name": name, "skills": skills.get(code, []),
                                                 **upkeep.get(code, {"breakdown": None, "blocks": []})})
    return result


def _time(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def _machine_maintenance() -> dict[str, dict]:
    """Per machine code: its open breakdown work order, and the safety-critical schedules that stop
    production on it from a time on (days: the due time, known ahead so the station enforces it
    offline; cycles and run-hours: once overdue), unless a supervisor overrode them."""
    wo = MaintenanceWorkOrder
    out: dict[str, dict] = {}
    for code, number, title, status in (wo.select(Machine.code, wo.number, wo.title, wo.status)
                                        .join(Asset).join(Machine, on=(Asset.machine == Machine.id))
                                        .where(wo.source == "breakdown", wo.status.in_(OPEN_MAINTENANCE))
                                        .order_by(wo.id.desc()).tuples()):
        out.setdefault(code, {"breakdown": None, "blocks": []})["breakdown"] = {"work_order": number, "title": title,
                                                                              "status": status}
    s = MaintenanceSchedule
    overridden = BlockOverride.select(BlockOverride.id).where(BlockOverride.schedule == s.id, BlockOverride.period == s.period)
    rows = (s.select(Machine.code, s.code, s.name, s.trigger, s.due_at, s.overdue_since, wo.number)
            .join(Asset).join(Machine, on=(Asset.machine == Machine.id)).switch(s)
            .join(wo, pw.JOIN.LEFT_OUTER, on=(s.open_work_order == wo.id))
            .where(s.active == True, s.safety_critical == True, ~pw.fn.EXISTS(overridden),  # noqa: E712
                   ((s.trigger == "days") & s.due_at.is_null(False)) | s.overdue_since.is_null(False))
            .order_by(s.code).tuples())
    for code, schedule, name, trigger, due_at, since, number in rows:
        out.setdefault(code, {"breakdown": None, "blocks": []})["blocks"].append(
            {"schedule": schedule, "name": name, "from": _time(due_at if trigger == "days" else since),
             "work_order": number})
    return out


def _technician_badges() -> set[str]:
    return {b for (b,) in Technician.select(Operator.badge).join(Operator, on=(Technician.operator == Operator.id))
            .where(Technician.active == True).tuples()}  # noqa: E712


def build_parts(with_batches: bool = True) -> dict[str, bytes]:
    """Every retained part of every active station's config, as ``{topic: payload}`` (batches only when asked)."""
    stations = list(Station.select().where(Station.active == True).order_by(Station.code))  # noqa: E712
    if not stations:
        return {}
    orders = work_orders_part()
    centres = dict(WorkCentre.select(WorkCentre.id, WorkCentre.code).tuples())
    machines = _machines_by_centre()
    requirements: dict[int, list[dict]] = {}
    parts: dict[str, bytes] = {}
    for s in stations:
        try:
            parts[topic(s.site, s.code, "config")] = encode(build_head(s, orders, centres, machines, requirements))
        except ValueError:
            continue  # a station code that cannot be a topic never connects either
    shared: dict[tuple[str, ...], bytes] = {("reasons",): encode(reasons_part())}
    technicians = _technician_badges()
    shared.update({("operators", op["badge"]): encode(dict(op, technician=op["badge"] in technicians))
                   for op in station_operators()})
    shared.update({("items", code): encode(row) for code, row in items_part().items()})
    shared.update({("work_orders", number): encode(row) for number, row in orders.items()})
    if with_batches:
        shared.update({("batches", item, code): encode(row) for (item, code), row in batches_part().items()})
    for site in sorted({s.site for s in stations}):
        for (kind, *keys), payload in shared.items():
            try:
                parts[config_topic(site, kind, *keys)] = payload
            except ValueError:
                continue  # a code that is not a topic level (old data): the station does without it
    return parts


def station_config(station: Station) -> dict[str, Any]:
    """One station's whole config as the station assembles it (for pages, tests and the docs)."""
    parts = build_parts()
    head = json.loads(parts[topic(station.site, station.code, "config")])
    def shared(kind: str, *keys: str) -> Any:
        payload = parts.get(config_topic(station.site, kind, *keys))
        return json.loads(payload) if payload else None
    prefix = config_topic(station.site, "reasons").rsplit("/", 1)[0]
    def every(kind: str) -> list[dict]:
        return [json.loads(p) for t, p in sorted(parts.items()) if t.startswith(f"{prefix}/{kind}/")]
    batches = [b for b in every("batches") if b["item"] in head["batch_items"]]
    return dict(head, operators=every("operators"), items=every("items"), **shared("reasons"),
                work_orders=[w for n in head["work_orders"] if (w := shared("work_orders", n))],
                batches=batches)


def head_version(station: Station) -> str | None:
    """The version (digest) of the head central now builds for ``station``; what its status should report."""
    if not station.active:
        return None
    centres = dict(WorkCentre.select(WorkCentre.id, WorkCentre.code).tuples())
    return config_digest(build_head(station, work_orders_part(), centres, _machines_by_centre()))
