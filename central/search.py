"""One search for every code in the plant: typed text, or what a keyboard-wedge scanner types.

A query is looked up exactly, kind by kind, on unique indexes: work-order number, batch code,
item code, operator badge, machine, station, location, asset, then an item's GTIN and a batch's
supplier lot. A GS1 element string from a supplier or pallet label (``(01)…(10)…`` as printed
under the barcode, or the raw form a scanner types, with FNC1 as the GS character or a
symbology identifier such as ``]C1``) is parsed with biip: a GTIN with a batch/lot finds that
batch of that item, a GTIN alone the item, an SSCC the pallet's batch. When nothing matches
exactly, codes that start with the text are listed, a few per kind, again over the indexes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import peewee as pw
from biip import ParseError
from biip.gs1_messages import GS1Message

from central.models import Asset, Batch, Item, Location, Machine, Operator, SsccLabel, Station, WorkOrder

GS = "\x1d"
SYMBOLOGY_IDS = ("]C1", "]e0", "]d2", "]Q3", "]J1")
MAX_LENGTH = 200
PER_KIND = 5
_GS1_BARE = re.compile(r"^(00\d{18}|0[12]\d{14})")

# kind → (what a person calls it, path of its record); the order is the order of the exact lookups
KINDS = {
    "work_order": ("Work order", "/work-orders/"),
    "batch": ("Batch", "/batches/"),
    "item": ("Item", "/items/"),
    "operator": ("Operator", "/operators/"),
    "machine": ("Machine", "/machines/"),
    "station": ("Station", "/stations/"),
    "location": ("Location", "/locations/"),
    "asset": ("Asset", "/maintenance/assets/"),
}


@dataclass(frozen=True)
class Hit:
    """One record found: its kind, code and a line saying what it is."""

    kind: str
    code: str
    label: str = ""

    @property
    def kind_name(self) -> str:
        """The kind in words."""
        return KINDS[self.kind][0]


@dataclass
class Result:
    """What a search found: exact hits, hits by prefix, and what a scanned GS1 string said."""

    query: str
    exact: list[Hit] = field(default_factory=list)
    similar: list[Hit] = field(default_factory=list)
    gs1: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def only(self) -> Hit | None:
        """The one record to open straight away, if exactly one matched exactly."""
        return self.exact[0] if len(self.exact) == 1 else None

    def groups(self) -> list[tuple[str, list[Hit]]]:
        """The hits grouped by kind, exact ones first within each, in the order of KINDS."""
        seen, grouped = set(), {}
        for hit in self.exact + self.similar:
            if (hit.kind, hit.code) not in seen:
                seen.add((hit.kind, hit.code))
                grouped.setdefault(hit.kind, []).append(hit)
        return [(KINDS[k][0], grouped[k]) for k in KINDS if k in grouped]


def _columns():
    """kind → (the model, its unique code column, a function giving a row's label)."""
    return {
        "work_order": (WorkOrder, WorkOrder.number, lambda r: r.status.replace("_", " ")),
        "batch": (Batch, Batch.code, lambda r: r.status),
        "item": (Item, Item.code, lambda r: r.name),
        "operator": (Operator, Operator.badge, lambda r: r.name),
        "machine": (Machine, Machine.code, lambda r: r.name),
        "station": (Station, Station.code, lambda r: r.name),
        "location": (Location, Location.code, lambda r: r.name),
        "asset": (Asset, Asset.code, lambda r: r.name),
    }


def clean(text: str | None) -> str:
    """The query as typed or scanned: control characters (but GS, FNC1 of GS1 labels) and blanks around gone, capped."""
    text = "".join(c for c in (text or "") if c.isprintable() or c == GS).strip()
    return text[:MAX_LENGTH]


def search(text: str | None) -> Result:
    """Look ``text`` up as every kind of code the plant knows (see the module's docstring)."""
    query = clean(text)
    result = Result(query=query)
    if not query:
        return result
    columns = _columns()
    for kind, (model, column, label) in columns.items():
        row = model.get_or_none(column == query)
        if row is None and query.upper() != query:
            row = model.get_or_none(column == query.upper())  # a code typed in lower case
        if row is not None:
            result.exact.append(Hit(kind, getattr(row, column.name), label(row)))
    if not result.exact:
        result.exact += _by_gtin_or_lot(query)
    if not result.exact and _looks_gs1(query):
        _scan(query, result)
    if not result.exact:
        for kind, (model, column, label) in columns.items():
            result.similar += [Hit(kind, getattr(r, column.name), label(r)) for r in _starting(model, column, query)]
    return result


def _starting(model, column: pw.Field, prefix: str) -> list:
    """Up to PER_KIND rows whose code starts with ``prefix``: a range on the code's index."""
    upper = prefix + "\U0010ffff"
    return list(model.select().where(column >= prefix, column < upper,
                                     pw.fn.SUBSTR(column, 1, len(prefix)) == prefix)
                .order_by(column).limit(PER_KIND))


def _by_gtin_or_lot(query: str) -> list[Hit]:
    """An item by its GTIN (8 to 14 digits), or batches by their supplier's lot."""
    hits = []
    if query.isdigit() and 8 <= len(query) <= 14:
        hits += [Hit("item", i.code, i.name) for i in Item.select().where(Item.gtin == query.zfill(14)).limit(PER_KIND)]
    hits += [Hit("batch", b.code, f"supplier lot {b.supplier_lot}")
             for b in Batch.select().where(Batch.supplier_lot == query).order_by(Batch.id).limit(PER_KIND)]
    return hits


def _looks_gs1(text: str) -> bool:
    return text.startswith(SYMBOLOGY_IDS) or GS in text or text.startswith("(") or bool(_GS1_BARE.match(text))


def parse_gs1(text: str) -> dict[str, str]:
    """The GTIN, batch/lot, expiry and SSCC of a GS1 element string; a ValueError when it is not one."""
    try:
        if text.startswith("("):
            message = GS1Message.parse_hri(text)
        else:
            message = GS1Message.parse(text[3:] if text.startswith(SYMBOLOGY_IDS) else text)
    except (ParseError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    fields: dict[str, str] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        if ai in ("01", "02"):
            fields["gtin"] = element.value
        elif ai == "10":
            fields["lot"] = element.value
        elif ai in ("17", "15") and element.date is not None:
            fields.setdefault("expiry", element.date.isoformat())
        elif ai == "00":
            fields["sscc"] = element.value
        elif ai == "21":
            fields["serial"] = element.value
    return fields


def _scan(text: str, result: Result) -> None:
    """Fill ``result`` from a GS1 element string: the batch of that GTIN and lot, else the item, else the pallet."""
    try:
        fields = parse_gs1(text)
    except ValueError as exc:
        result.note = f"This looks like a GS1 label but could not be read: {str(exc)[:120]}"
        return
    result.gs1 = fields
    gtin, lot = fields.get("gtin"), fields.get("lot")
    item = Item.get_or_none(Item.gtin == gtin.zfill(14)) if gtin else None
    if lot:
        batch = Batch.get_or_none(Batch.code == lot)
        if batch is not None and (item is None or batch.item_id == item.id):
            result.exact.append(Hit("batch", batch.code, batch.status))
        elif item is not None:
            result.exact += [Hit("batch", b.code, f"supplier lot {b.supplier_lot}") for b in Batch.select().where(
                Batch.supplier_lot == lot, Batch.item == item.id).order_by(Batch.id).limit(PER_KIND)]
    if item is not None:
        if not result.exact:
            result.exact.append(Hit("item", item.code, item.name))
            if lot:
                result.note = f"No batch {lot} of item {item.code} is known; showing the item."
        elif len(result.exact) > 1:
            result.similar.append(Hit("item", item.code, item.name))
    elif gtin and not result.exact:
        result.note = f"No item has the GTIN {gtin}."
    if fields.get("sscc") and not result.exact:
        pallet = SsccLabel.get_or_none(SsccLabel.sscc == fields["sscc"])
        if pallet is not None and pallet.batch:
            result.exact.append(Hit("batch", pallet.batch, f"pallet {pallet.sscc}"))
        elif pallet is None:
            result.note = f"No pallet label has the SSCC {fields['sscc']}."
