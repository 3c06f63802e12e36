"""The batch record as a printable page and as a PDF."""
from __future__ import annotations

from flask import Response, render_template

from central.batchrecord import batch_record, render_pdf
from central.web.blueprint import web


@web.get("/batches/<code>/record")
def batch_record_page(code):
    """The permanent batch record, printable."""
    return render_template("batch_record.html", record=batch_record(code))


@web.get("/batches/<code>/record.pdf")
def batch_record_pdf(code):
    """The permanent batch record as a PDF."""
    pdf = render_pdf(batch_record(code))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="batch-record-{code}.pdf"'})
