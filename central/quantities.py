"""Quantities and money as exact Decimals: parsing user input, rounding, and splitting a total."""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

from peewee import Value

from central.errors import Conflict, ValidationError
from central.models.fields import SCALE

QUANTUM = Decimal(1).scaleb(-SCALE)
ZERO = Decimal(0)


def exact(value: Decimal) -> Decimal:
    """Round to the stored precision (micro-units), half-even, as the database column does."""
    try:
        return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than any column holds: a rule, not a crash
        raise Conflict("value", f"{value:.3e} is beyond what can be stored (about ±9.2 million million)") from None


def parse_decimal(field: str, raw, *, positive: bool = False, non_negative: bool = False) -> Decimal:
    """A Decimal from a JSON number or decimal string; a ValidationError naming ``field`` otherwise."""
    if isinstance(raw, bool) or raw is None or not isinstance(raw, (int, float, str, Decimal)):
        raise ValidationError(field, f"must be a number, got {type(raw).__name__ if raw is not None else 'nothing'}")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError(field, f"must be a number, got {raw!r}") from None
    if not number.is_finite():
        raise ValidationError(field, f"must be a finite number, got {raw!r}")
    if abs(number) >= Decimal(10) ** 12:
        raise ValidationError(field, "is too large")
    if number != exact(number):
        raise ValidationError(field, f"has more than {SCALE} decimal places")
    if positive and number <= 0:
        raise ValidationError(field, f"must be greater than zero, got {raw}")
    if non_negative and number < 0:
        raise ValidationError(field, f"must not be negative, got {raw}")
    return number


def check_positive(field: str, qty: Decimal) -> Decimal:
    """Domain guard: ``qty`` is a finite Decimal above zero with at most the stored precision."""
    return parse_decimal(field, qty, positive=True)


def split(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``weights`` into micro-unit amounts that add up to ``total`` exactly.

    Each part is rounded down; the few micro-units left over go to the largest weights first
    (largest remainder), so the split is deterministic and exact.
    """
    weight_sum = sum(weights, ZERO)
    if not weights or weight_sum == 0:
        return [ZERO for _ in weights]
    raw = [total * w / weight_sum for w in weights]
    parts = [r.quantize(QUANTUM, rounding=ROUND_DOWN) for r in raw]
    left = int((exact(total) - sum(parts, ZERO)) / QUANTUM)
    step = QUANTUM if left >= 0 else -QUANTUM
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - parts[i]) * (1 if left >= 0 else -1), -weights[i], i))
    for i in order[: abs(left)]:
        parts[i] += step
    return parts


def raw(value) -> Value:
    """A SQL parameter passed as is: no column converter applied (for CASE lists in bulk updates)."""
    return Value(value, converter=False)
