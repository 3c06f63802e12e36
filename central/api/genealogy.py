"""JSON API for genealogy (the recall query) and the permanent batch record."""
from __future__ import annotations

from typing import Any, Literal

from flask import jsonify
from pydantic import Field

from central import batchview, genealogy
from central.api.blueprint import api
from central.api.schemas import Code, DecimalOut, Out, Query, TimeOut, answers
from central.api.stock import BatchPath
from central.batchrecord import batch_record
from central.models.stock import BATCH_STATUSES


class TraceQuery(Query):
    direction: Literal["backward", "forward"] = Field(
        "backward", description="backward: what went into it; forward: where it went")
    depth: int = Field(genealogy.MAX_DEPTH, ge=1, le=genealogy.MAX_DEPTH, description="levels to follow")


class TraceBatch(Out):
    batch: Code
    item: Code
    status: Literal[BATCH_STATUSES]
    depth: int


class TraceLink(Out):
    parent: Code
    child: Code
    work_order: Code | None
    qty: DecimalOut


class TraceLocation(Out):
    batch: Code
    location: Code
    qty: DecimalOut


class TraceConsumption(Out):
    batch: Code
    qty: DecimalOut
    unit: Code
    work_order: Code | None
    kind: str
    at: TimeOut | None


class TraceDispatch(Out):
    batch: Code
    qty: DecimalOut
    unit: Code
    to: str | None
    at: TimeOut | None


class Trace(Out):
    batch: Code
    direction: Literal["backward", "forward"]
    batches: list[TraceBatch]
    links: list[TraceLink]
    locations: list[TraceLocation] | None = Field(None, description="forward only: where the batches are now")
    consumptions: list[TraceConsumption] | None = Field(None, description="forward only")
    dispatches: list[TraceDispatch] | None = Field(None, description="forward only: what went to whom")


class BatchRecord(Out):
    batch: dict[str, Any]
    receipts: list[dict[str, Any]]
    work_order: dict[str, Any] | None
    inputs: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    operators: list[str]
    where_it_went: dict[str, Any]
    flags: list[dict[str, Any]]
    generated_at: TimeOut


@api.get("/batches/<code>/trace", responses=answers((200, Trace), 404))
def batches_trace(path: BatchPath, query: TraceQuery):
    """Trace a batch backward or forward through every level of genealogy."""
    return jsonify(genealogy.trace(path.code, query.direction, query.depth))


@api.get("/batches/<code>/record", responses=answers((200, BatchRecord), 404))
def batches_record(path: BatchPath):
    """The permanent batch record: inputs, stages, operators, outputs, where it went, flags."""
    return jsonify(batch_record(path.code))


class StatusChangeOut(Out):
    from_: Literal[BATCH_STATUSES] = Field(alias="from")
    to: Literal[BATCH_STATUSES]
    by: str
    at: TimeOut
    reason: str


class StatusHistory(Out):
    batch: Code
    changes: list[StatusChangeOut]


@api.get("/batches/<code>/status-history", responses=answers((200, StatusHistory), 404))
def batches_status_history(path: BatchPath):
    """Who released, quarantined or blocked a batch, when and why; newest first."""
    return jsonify({"batch": path.code, "changes": batchview.status_history(path.code)})
