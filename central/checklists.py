"""Checklists: steps that are ticked, passed or failed, or that take a reading with limits.

A reusable component like ``central.customfields``: definitions are plain dicts checked here,
and ``judge`` says whether one answer is within what the step allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from central.customfields import check_limits
from central.errors import ValidationError
from central.operators import check_text
from central.quantities import parse_decimal

STEP_KINDS = ("tick", "pass_fail", "reading")
MAX_STEPS = 100


def check_steps(steps, field: str = "checklist") -> list[dict]:
    """A list of step definitions, normalised; ValidationError naming the step and key."""
    if not isinstance(steps, list):
        raise ValidationError(field, "must be a list of steps")
    if len(steps) > MAX_STEPS:
        raise ValidationError(field, f"at most {MAX_STEPS} steps")
    out = []
    for i, s in enumerate(steps):
        where = f"{field}[{i}]"
        if not isinstance(s, dict):
            raise ValidationError(where, "must be an object {text, kind, ...}")
        text = check_text(f"{where}.text", s.get("text"), 300)
        if not text:
            raise ValidationError(f"{where}.text", "is required")
        kind = s.get("kind", "tick")
        if kind not in STEP_KINDS:
            raise ValidationError(f"{where}.kind", f"must be one of {', '.join(STEP_KINDS)}, got {kind!r}")
        step = {"text": text, "kind": kind}
        if kind == "reading":
            low, high = check_limits(where, s)
            step.update(unit=check_text(f"{where}.unit", s.get("unit"), 16),
                        min=None if low is None else str(low), max=None if high is None else str(high))
        out.append(step)
    return out


@dataclass(frozen=True)
class Answer:
    """A judged answer: the stored result, the reading (for readings) and whether it is within limits."""

    result: str
    reading: Decimal | None
    ok: bool
    problem: str = ""


def judge(step: dict, result: str | None, reading, field: str = "result") -> Answer:
    """Check an answer to ``step``: tick → done; pass_fail → pass/fail; reading → a number within limits."""
    kind = step["kind"]
    if kind == "tick":
        if result not in (None, "", "done"):
            raise ValidationError(field, f"step {step['text']!r} is ticked: send done, got {result!r}")
        return Answer("done", None, True)
    if kind == "pass_fail":
        if result not in ("pass", "fail"):
            raise ValidationError(field, f"step {step['text']!r} needs pass or fail, got {result!r}")
        return Answer(result, None, result == "pass", "" if result == "pass" else f"failed: {step['text']}")
    if reading in (None, ""):
        raise ValidationError("reading", f"step {step['text']!r} needs a reading")
    value = parse_decimal("reading", reading)
    low = None if step.get("min") is None else Decimal(step["min"])
    high = None if step.get("max") is None else Decimal(step["max"])
    ok = not (low is not None and value < low or high is not None and value > high)
    unit = f" {step['unit']}" if step.get("unit") else ""
    problem = "" if ok else (f"reading {value}{unit} outside {step.get('min') or '…'} to {step.get('max') or '…'}"
                             f"{unit}: {step['text']}")
    return Answer("reading", value, ok, problem)
