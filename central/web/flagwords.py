"""Flags in words: a readable title for each kind, and what each flag concerns as a link to its record."""
from __future__ import annotations

from dataclasses import dataclass

from central.models import Batch, Item, Operator, ReasonCode, WorkOrder

# kind → (title a supervisor reads, what the subject names)
KINDS = {
    "negative_stock": ("Stock went below zero", "batch_or_item"),
    "batch_not_released": ("Batch used while not released", "batch"),
    "batch_status": ("Batch status changed", "batch"),
    "gtin_mismatch": ("Received with another item's GTIN", "batch"),
    "unknown_batch": ("Batch not known yet", "batch"),
    "parked_issue_mismatch": ("Waiting issue did not match its batch", "batch"),
    "not_in_recipe": ("Material or output not in the recipe", "work_order"),
    "no_output": ("Work order completed without output", "work_order"),
    "scrap_unbooked": ("Scrap reported but not booked", "work_order"),
    "unknown_stage": ("Stage not on the work order", "work_order"),
    "work_order_state": ("Work done on a work order in the wrong state", "work_order"),
    "certification_override": ("Certification check overridden", "work_order"),
    "delay_reason_missing": ("Stage overran without a delay reason", "stage"),
    "uncertified_operator": ("Operator without a valid certification", "operator"),
    "inactive_reason_code": ("Deactivated reason code used", "reason"),
    "reason_category_mismatch": ("Reason code of the wrong category", "reason"),
    "maintenance": ("Maintenance work order", "maintenance"),
}

PATHS = {"batch": "/batches/", "item": "/items/", "work_order": "/work-orders/", "operator": "/operators/",
         "maintenance": "/maintenance/work-orders/"}
WORDS = {"batch": "batch", "item": "item", "work_order": "work order", "operator": "operator",
         "maintenance": "maintenance work order", "reason": "reason code", "stage": "stage"}


def title(kind: str) -> str:
    """The flag kind in words; an unknown kind reads as a sentence made of its code."""
    if kind in KINDS:
        return KINDS[kind][0]
    return (kind or "flag").replace("_", " ").replace(".", " ").capitalize()


@dataclass(frozen=True)
class Subject:
    """What a flag concerns: in words, its code, and the path of its record (empty when there is none)."""

    what: str
    code: str
    path: str = ""
    stage: str = ""


def subjects(flags: list) -> dict[int, Subject]:
    """Per flag id, what it concerns. A few indexed lookups for the whole page, not one per flag."""
    wanted: dict[str, set[str]] = {}
    for f in flags:
        if f.subject:
            kind = KINDS.get(f.kind, ("", "unknown"))[1]
            wanted.setdefault(kind, set()).add(f.subject.split("/")[0] if kind == "stage" else f.subject)
    codes = wanted.get("batch", set()) | wanted.get("batch_or_item", set()) | wanted.get("unknown", set())
    batches = {c for (c,) in Batch.select(Batch.code).where(Batch.code.in_(list(codes))).tuples()} if codes else set()
    rest = wanted.get("batch_or_item", set()) | wanted.get("unknown", set())
    items = {c for (c,) in Item.select(Item.code).where(Item.code.in_(list(rest))).tuples()} if rest else set()
    orders = wanted.get("work_order", set()) | wanted.get("stage", set()) | wanted.get("unknown", set())
    numbers = {c for (c,) in WorkOrder.select(WorkOrder.number).where(WorkOrder.number.in_(list(orders))).tuples()} \
        if orders else set()
    people = wanted.get("operator", set()) | wanted.get("unknown", set())
    badges = {c for (c,) in Operator.select(Operator.badge).where(Operator.badge.in_(list(people))).tuples()} \
        if people else set()
    out = {}
    for f in flags:
        if not f.subject:
            continue
        kind = KINDS.get(f.kind, ("", "unknown"))[1]
        code = f.subject
        if kind == "stage":
            number, _, seq = code.partition("/")
            out[f.id] = Subject("work order", number, PATHS["work_order"] if number in numbers else "", stage=seq)
            continue
        if kind in ("batch_or_item", "unknown"):
            kind = ("batch" if code in batches else "item" if code in items else "work_order" if code in numbers
                    else "operator" if code in badges else "unknown")
        known = {"batch": batches, "item": items, "work_order": numbers, "operator": badges}.get(kind)
        path = PATHS.get(kind, "") if known is None or code in known else ""
        if kind == "reason":
            path = "/reason-codes" if ReasonCode.select().where(ReasonCode.code == code).exists() else ""
        out[f.id] = Subject(WORDS.get(kind, ""), code, path)
    return out


def register(blueprint) -> None:
    """Make ``flag_title`` available to every template."""
    blueprint.add_app_template_global(title, "flag_title")
