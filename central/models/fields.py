"""Exact decimal columns.

SQLite stores NUMERIC values that are not whole numbers as binary floats, so a DECIMAL
column there loses cents. ``FixedDecimalField`` stores a Decimal as a scaled 64-bit integer
(micro-units by default): exact on SQLite and PostgreSQL alike, and SQL ``SUM`` stays exact.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import peewee as pw

SCALE = 6
LIMIT = 2**63 - 1  # the largest scaled integer a 64-bit column holds


class FixedDecimalField(pw.BigIntegerField):
    """A Decimal stored as an integer number of ``10**-scale`` units, rounded half-even."""

    def __init__(self, *args, scale: int = SCALE, **kwargs):
        self.scale = scale
        self._factor = Decimal(10) ** scale
        self._quantum = Decimal(1).scaleb(-scale)
        super().__init__(*args, **kwargs)

    def db_value(self, value):
        """Decimal (or int/str) → scaled integer."""
        if value is None or isinstance(value, (pw.Node,)):
            return value
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        units = int((number * self._factor).to_integral_value(rounding=ROUND_HALF_EVEN))
        if not -LIMIT <= units <= LIMIT:  # a 64-bit column: refused as a rule, never a database crash
            from central.errors import Conflict
            raise Conflict(self.name, f"{number:f} is beyond what can be stored (about ±9.2 million million)")
        return units

    def python_value(self, value):
        """Scaled integer → Decimal with ``scale`` places."""
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).quantize(self._quantum)

    def from_units(self, value) -> Decimal | None:
        """Turn a raw scaled integer from an aggregate (SUM) into a Decimal."""
        return self.python_value(value) if value is not None else None
