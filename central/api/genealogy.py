"""JSON API for genealogy (the recall query) and the permanent batch record."""
from __future__ import annotations

from flask import jsonify, request

from central import genealogy
from central.api.blueprint import api
from central.api.stock import documented  # noqa: F401
from central.batchrecord import batch_record
from central.errors import ValidationError
from central.api.schemas import Code, Id, Query, Text  # noqa: F401


class BatchPath(Query):
    code: Code



@api.get("/batches/<code>/trace")
@documented(query={"direction": ("string", False, "backward (what went into it, default) or forward (where it went)"),
                   "depth": ("integer", False, f"levels to follow, 1-{genealogy.MAX_DEPTH} (default all)")})
def batches_trace(path: BatchPath):
    """Trace a batch backward or forward through every level of genealogy."""
    code = path.code
    raw = request.args.get("depth", str(genealogy.MAX_DEPTH))
    if not raw.isdigit():
        raise ValidationError("depth", f"must be a whole number, got {raw!r}")
    return jsonify(genealogy.trace(code, request.args.get("direction", "backward"), int(raw)))


@api.get("/batches/<code>/record")
def batches_record(path: BatchPath):
    """The permanent batch record: inputs, stages, operators, outputs, where it went, flags."""
    code = path.code
    return jsonify(batch_record(code))
