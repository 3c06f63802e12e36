"""SSCC pallet labels: an SSCC handed out once per logistic unit, and the label for a batch or a dispatch."""
from __future__ import annotations

import uuid
from decimal import Decimal

from peewee import fn

from central.catalog import get_batch
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.models import Batch, Item, StockBalance, StockMove
from central.models.labels import SsccLabel
from labels import LabelError, gs1
from labels import render as render_label

#: Units counted in whole pieces: their on-hand quantity is the pallet's count.
COUNTED_UNITS = gs1.COUNT_UNITS


def mint(settings, *, by: str, batch: str | None = None, dispatch: str | None = None) -> str:
    """A new SSCC: extension digit, company prefix, the next serial reference, check digit."""
    prefix = str(settings["labels.gs1_company_prefix"]).strip()
    extension = str(settings["labels.sscc_extension"]).strip()
    if not (prefix.isdecimal() and prefix.isascii() and 4 <= len(prefix) <= 12):
        raise Conflict("labels.gs1_company_prefix",
                       "set your GS1 company prefix (4 to 12 digits) in the configuration to print SSCC labels")
    if not (extension.isdecimal() and len(extension) == 1):
        raise Conflict("labels.sscc_extension", f"must be one digit, is {extension!r}")
    digits = 16 - len(prefix)
    with database.atomic():
        # The row's id is the serial reference: unique without a lock, never handed out twice.
        row = SsccLabel.create(sscc=uuid.uuid4().hex[:18], batch=batch, dispatch=dispatch, created_by=by)
        if row.id >= 10 ** digits:
            raise Conflict("labels.gs1_company_prefix", f"all {10 ** digits} serial references of this prefix are used")
        row.sscc = gs1.sscc(extension + prefix + str(row.id).zfill(digits))
        row.save()
    return row.sscc


def on_hand_count(batch: Batch) -> str:
    """The batch's quantity in stock as a whole count, or "" when its unit is not counted or it is not whole."""
    if batch.item.unit.strip().lower() not in COUNTED_UNITS:
        return ""
    qty = sum((row.qty for row in StockBalance.select(StockBalance.qty).where(StockBalance.batch == batch)), Decimal(0))
    return str(int(qty)) if qty > 0 and qty == qty.to_integral_value() else ""


def dispatch_lines(reference: str) -> list[dict]:
    """What a dispatch shipped, one line per batch: batch code, item, unit and the quantity shipped."""
    rows = (StockMove.select(Batch.code, Item.code, Item.name, Item.unit, fn.SUM(StockMove.qty).alias("qty"))
            .join(Item).switch(StockMove).join(Batch)
            .where(StockMove.kind == "dispatch", StockMove.reference == reference)
            .group_by(Batch.code, Item.code, Item.name, Item.unit).order_by(Batch.code).tuples())
    lines = [{"batch": b, "item": i, "name": n, "unit": u, "qty": -StockMove.qty.python_value(q).normalize()}
             for b, i, n, u, q in rows]
    if not lines:
        raise NotFound("dispatch", f"no dispatch with reference {reference!r} shipped a batch")
    return lines


def label_fields(batch_code: str, *, sscc: str, ship_from: str, count: str, ship_to: str = "",
                 reference: str = "") -> dict:
    """The fields of the ``sscc`` label template for a pallet of one batch."""
    batch = get_batch(batch_code)
    count = count.strip()
    if not (count.isdecimal() and count.isascii() and 0 < int(count) and len(count) <= 8):
        raise ValidationError("count", "how many trade items the pallet holds: a whole number, 1 to 8 digits")
    item = batch.item
    return {
        "sscc": sscc, "ship_from": ship_from[:35], "ship_to": ship_to.strip()[:35] or None,
        "item": (item.name or item.code)[:28], "item_code": item.code[:30], "gtin": item.gtin or None,
        "count": count, "batch": batch.code, "expiry": batch.expiry, "reference": reference.strip()[:30] or None,
    }


def render(fields: dict, fmt: str) -> bytes:
    """The label as PDF or ZPL; a label that cannot be made is a ValidationError naming the field."""
    try:
        return render_label("sscc", fields, fmt=fmt, dpi=203)
    except LabelError as exc:
        raise ValidationError(exc.field, exc.message) from None
