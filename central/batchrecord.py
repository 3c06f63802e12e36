"""The permanent batch record: everything known about how a batch was made and where it went.

Built from the ledger, the work order, its stages and outputs, the genealogy and the flags, all
of which are kept forever; rendered as JSON, as a printable page and as a PDF.
"""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from peewee import JOIN, fn

from central import genealogy
from central.catalog import get_batch
from central.models import (Batch, Flag, Item, StockMove, WorkCentre, WorkOrder, WorkOrderOutput, WorkOrderStage,
                            utcnow)
from central.models.fields import FixedDecimalField

_units = FixedDecimalField()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _amount(raw) -> str:
    return str(_units.from_units(raw) or Decimal(0))


def batch_record(code: str) -> dict:
    """The record of one batch as a JSON-ready dict."""
    batch = get_batch(code)
    record = {
        "batch": {"code": batch.code, "item": batch.item.code, "item_name": batch.item.name, "unit": batch.item.unit,
                  "gtin": batch.item.gtin, "status": batch.status, "expiry": _iso(batch.expiry),
                  "supplier": batch.supplier, "supplier_lot": batch.supplier_lot, "unit_cost": str(batch.unit_cost),
                  "created_at": _iso(batch.created_at)},
        "receipts": [{"at": _iso(m.at), "qty": str(m.qty), "location": m.location.code if m.location_id else None,
                      "reference": m.reference, "operator": m.operator, "user": m.user}
                     for m in StockMove.select().where(StockMove.batch == batch.id, StockMove.kind == "receipt").order_by(StockMove.id)],
        "work_order": None, "inputs": [], "stages": [], "outputs": [], "operators": [],
    }
    subjects = [batch.code]
    made = WorkOrderOutput.get_or_none(WorkOrderOutput.batch == batch.id)
    if made is not None:
        wo = WorkOrder.get_by_id(made.work_order_id)
        subjects.append(wo.number)
        record["work_order"] = {"number": wo.number, "recipe": wo.recipe.code, "status": wo.status,
                                "planned_qty": str(wo.planned_qty), "started_at": _iso(wo.started_at),
                                "completed_at": _iso(wo.completed_at),
                                "costs": {"materials": str(wo.input_cost), "conversion": str(wo.conversion_cost),
                                          "outputs": str(wo.output_value), "scrap_loss": str(wo.scrap_loss),
                                          "variance": str(wo.variance), "settled_at": _iso(wo.settled_at),
                                          "basis": "settled" if wo.settled_at else "provisional"}}
        record["inputs"] = _inputs(wo)
        subjects += [i["batch"] for i in record["inputs"] if i["batch"]]
        record["stages"] = [{"seq": s.seq, "work_centre": s.work_centre.code, "standard_minutes": str(s.standard_minutes),
                             "started_at": _iso(s.started_at), "started_by": s.started_by,
                             "completed_at": _iso(s.completed_at), "completed_by": s.completed_by}
                            for s in WorkOrderStage.select(WorkOrderStage, WorkCentre).join(WorkCentre)
                            .where(WorkOrderStage.work_order == wo.id).order_by(WorkOrderStage.seq)]
        outputs = list(WorkOrderOutput.select(WorkOrderOutput, Batch, Item).join(Batch).switch(WorkOrderOutput)
                       .join(Item, on=WorkOrderOutput.item == Item.id).where(WorkOrderOutput.work_order == wo.id)
                       .order_by(WorkOrderOutput.id))
        record["outputs"] = [{"batch": o.batch.code, "item": o.item.code, "kind": o.kind, "qty": str(o.qty),
                              "unit": o.item.unit, "value": str(o.value), "at": _iso(o.at), "operator": o.operator}
                             for o in outputs]
        people = {m for (m,) in StockMove.select(StockMove.operator).where(
            StockMove.work_order == wo.id, StockMove.operator.is_null(False)).distinct().tuples()}
        people |= {o.operator for o in outputs if o.operator}
        people |= {p for s in record["stages"] for p in (s["started_by"], s["completed_by"]) if p}
        record["operators"] = sorted(people)
    forward = genealogy.trace(batch.code, "forward")
    record["where_it_went"] = {k: forward[k] for k in ("batches", "locations", "consumptions", "dispatches")}
    record["flags"] = [{"kind": f.kind, "severity": f.severity, "subject": f.subject, "message": f.message,
                        "created_at": _iso(f.created_at), "resolved_at": _iso(f.resolved_at), "resolution": f.resolution}
                       for f in Flag.select().where(Flag.subject.in_(subjects)).order_by(Flag.id)]
    record["generated_at"] = _iso(utcnow())
    return record


def _inputs(wo: WorkOrder) -> list[dict]:
    rows = (StockMove.select(Item.code, Item.unit, Batch.code, Batch.supplier, Batch.supplier_lot, Batch.expiry,
                             fn.SUM(StockMove.qty), fn.SUM(StockMove.value), fn.MIN(StockMove.at))
            .join(Item, on=StockMove.item == Item.id).switch(StockMove)
            .join(Batch, JOIN.LEFT_OUTER, on=StockMove.batch == Batch.id)
            .where(StockMove.work_order == wo.id, StockMove.kind.in_(genealogy.CONSUMING))
            .group_by(Item.code, Item.unit, Batch.code, Batch.supplier, Batch.supplier_lot, Batch.expiry)
            .order_by(fn.MIN(StockMove.at), Item.code).tuples())
    return [{"item": item, "unit": unit, "batch": code, "supplier": supplier, "supplier_lot": lot,
             "expiry": _iso(expiry), "qty": _amount(-qty), "value": _amount(-value), "first_at": _iso(at)}
            for item, unit, code, supplier, lot, expiry, qty, value, at in rows]


def render_pdf(record: dict) -> bytes:
    """The batch record as an A4 PDF."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Batch record {record['batch']['code']}")
    b = record["batch"]
    story = [Paragraph(f"Batch record {b['code']}", styles["Title"]),
             Paragraph(f"{b['item']} {b['item_name'] or ''} · status {b['status']} · expiry {b['expiry'] or '—'} · "
                       f"supplier lot {b['supplier_lot'] or '—'}", styles["Normal"]), Spacer(1, 4 * mm)]

    def table(title: str, header: list[str], rows: list[list]):
        story.append(Paragraph(title, styles["Heading2"]))
        if not rows:
            story.append(Paragraph("none", styles["Italic"]))
            return
        t = Table([header] + [[("" if c is None else str(c)) for c in r] for r in rows], repeatRows=1)
        t.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(t)

    wo = record["work_order"]
    if wo:
        story.append(Paragraph(f"Work order {wo['number']} (recipe {wo['recipe']}, {wo['status']}): started "
                               f"{wo['started_at'] or '—'}, completed {wo['completed_at'] or '—'}", styles["Normal"]))
    table("Inputs", ["item", "batch", "supplier lot", "qty", "unit", "value"],
          [[i["item"], i["batch"], i["supplier_lot"], i["qty"], i["unit"], i["value"]] for i in record["inputs"]])
    table("Stages", ["stage", "work centre", "started", "by", "ended", "by"],
          [[s["seq"], s["work_centre"], s["started_at"], s["started_by"], s["completed_at"], s["completed_by"]]
           for s in record["stages"]])
    story.append(Paragraph("Operators: " + (", ".join(record["operators"]) or "—"), styles["Normal"]))
    table("Outputs", ["batch", "item", "kind", "qty", "unit", "value"],
          [[o["batch"], o["item"], o["kind"], o["qty"], o["unit"], o["value"]] for o in record["outputs"]])
    went = record["where_it_went"]
    table("Where it is", ["batch", "location", "qty"], [[x["batch"], x["location"], x["qty"]] for x in went["locations"]])
    table("Consumed by", ["batch", "work order", "qty", "unit"],
          [[x["batch"], x["work_order"], x["qty"], x["unit"]] for x in went["consumptions"]])
    table("Dispatched", ["batch", "to", "qty", "unit", "at"],
          [[x["batch"], x["to"], x["qty"], x["unit"], x["at"]] for x in went["dispatches"]])
    table("Flags", ["kind", "severity", "message", "resolved"],
          [[f["kind"], f["severity"], Paragraph(f["message"], styles["BodyText"]), f["resolution"] or ""] for f in record["flags"]])
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"Generated {record['generated_at']} UTC", styles["Italic"]))
    doc.build(story)
    return out.getvalue()
