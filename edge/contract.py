"""The station ↔ central wire contract, version 1: topics, event types and their fields.

This is the one module of ``edge`` that central imports. Both sides validate with it, so
a station cannot emit what central would call malformed. Every event type is declared in
``EVENT_TYPES``; ``docs/events.md`` documents each one (a test keeps the two in step).
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

VERSION = "v1"
TOPIC_ROOT = f"shopfloor/{VERSION}"
MAX_PAYLOAD_BYTES = 1_000_000
MAX_EVENTS_PER_MESSAGE = 5_000

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
OUTPUT_KINDS = ("main", "co", "by", "scrap")
STAGE_DOC = ("stage sequence number in the routing; left out by a station that does not know the work order "
             "(released while it was offline): central takes the first stage not yet completed at the "
             "station's work centre")


class ContractError(ValueError):
    """Malformed input. ``field`` is the path of the offending field (``error_path``) or ''."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


# --- field kinds -------------------------------------------------------------------------

def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def code(value: Any) -> str:
    """An identifier: letters, digits and ``. _ : -``, 1..64 characters, no spaces."""
    if not isinstance(value, str):
        raise ValueError(f"must be a code string, got {type(value).__name__}")
    if not _CODE.fullmatch(value):
        raise ValueError(
            f"must be 1-64 letters, digits or . _ : - (starting with a letter or digit), got {_describe(value)}"
        )
    return value


def text(value: Any) -> str:
    """Free text up to 500 characters."""
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {type(value).__name__}")
    if len(value) > 500:
        raise ValueError(f"must be at most 500 characters, got {len(value)}")
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must be valid Unicode text without NUL characters")
    return value


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'must be a decimal string like "12.5", got {type(value).__name__} {_describe(value)}')
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"must be a decimal number, got {_describe(value)}") from None
    if not number.is_finite():
        raise ValueError(f"must be a finite number, got {_describe(value)}")
    if len(value) > 32:
        raise ValueError("must be at most 32 characters")
    return number


def positive(value: Any) -> Decimal:
    """A decimal string greater than zero."""
    number = _decimal(value)
    if number <= 0:
        raise ValueError(f"must be greater than zero, got {value}")
    return number


def non_negative(value: Any) -> Decimal:
    """A decimal string zero or greater."""
    number = _decimal(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {value}")
    return number


def iso_date(value: Any) -> date:
    """A calendar date, ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        raise ValueError(f"must be a date string YYYY-MM-DD, got {type(value).__name__}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be an existing date YYYY-MM-DD, got {_describe(value)}") from None


def utc_time(value: Any) -> datetime:
    """A UTC timestamp in ISO 8601 with ``Z`` or ``+00:00``."""
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 UTC time string, got {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be an ISO 8601 time like 2026-11-21T10:15:30.123Z, got {_describe(value)}") from None
    if moment.tzinfo is None or moment.utcoffset().total_seconds() != 0:
        raise ValueError(f"must be UTC (end in Z), got {_describe(value)}")
    return moment.astimezone(timezone.utc)


def count(value: Any) -> int:
    """A whole number 1 or greater."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number >= 1, got {_describe(value)}")
    return value


def boolean(value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_describe(value)}")
    return value


def one_of(*choices: str) -> Callable[[Any], str]:
    """A string from a fixed list."""
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {_describe(value)}")
        return value
    check.__doc__ = f"one of {', '.join(choices)}"
    check.json_schema = {"type": "string", "enum": list(choices)}
    return check


# --- event types ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """One field of an event's ``data``."""

    name: str
    kind: Callable[[Any], Any]
    required: bool = True
    doc: str = ""


@dataclass(frozen=True)
class EventType:
    """A named kind of fact, with its data fields and any rule across fields."""

    name: str
    doc: str
    fields: tuple[Field, ...] = ()
    needs_operator: bool = True
    rule: Callable[[dict], None] | None = None
    example: dict = field(default_factory=dict)


def _batch_or_item(data: dict) -> None:
    if "batch" not in data and "item" not in data:
        raise ContractError("data.batch", "either batch or item is required")


def _scrap_needs_reason(data: dict) -> None:
    if data.get("kind") == "scrap" and "reason" not in data:
        raise ContractError("data.reason", "is required when kind is scrap")


WO = Field("work_order", code, doc="work order number")
REASON = Field("reason", code, doc="reason code from the catalogue")
NOTE = Field("note", text, required=False, doc="free text from the operator")

_TYPES = (
    EventType("operator.signed_in", "An operator scanned their badge and signed in at the station."),
    EventType("operator.signed_out", "The operator signed out (or was signed out by the next badge)."),
    EventType(
        "stage.started", "Work started on a routing stage of a work order.",
        (WO, Field("stage", count, False, STAGE_DOC)),
        example={"work_order": "WO-2026-0001", "stage": 10},
    ),
    EventType(
        "stage.completed", "Work finished on a routing stage.",
        (WO, Field("stage", count, False, STAGE_DOC)),
        example={"work_order": "WO-2026-0001", "stage": 10},
    ),
    EventType(
        "material.issued", "A batch (or an item, picked FIFO/FEFO by central) was put into a work order.",
        (WO, Field("batch", code, False, "batch code scanned"), Field("item", code, False, "item code when no batch was scanned"),
         Field("qty", positive, doc="quantity in the item's unit"), Field("unit", code, False, "unit of measure, checked against the item")),
        rule=_batch_or_item,
        example={"work_order": "WO-2026-0001", "batch": "S01-261121-0007", "qty": "12.5"},
    ),
    EventType(
        "output.reported", "The work order produced a batch of an output (main, co-product, by-product or scrap); the station minted the batch code.",
        (WO, Field("kind", one_of(*OUTPUT_KINDS), doc="main, co, by or scrap"), Field("item", code, doc="output item code"),
         Field("batch", code, doc="batch code minted at the station"), Field("qty", positive, doc="quantity produced"),
         Field("unit", code, False, "unit of measure"), Field("location", code, False, "where the batch was put"),
         Field("reason", code, False, "reason code, required when kind is scrap")),
        rule=_scrap_needs_reason,
        example={"work_order": "WO-2026-0001", "kind": "main", "item": "FG-100", "batch": "S01-261121-0008", "qty": "40"},
    ),
    EventType(
        "scrap.reported", "Material or product was scrapped, with a reason.",
        (WO, Field("qty", positive, doc="quantity scrapped"), REASON, Field("item", code, False, "item scrapped"),
         Field("batch", code, False, "batch scrapped"), NOTE),
        example={"work_order": "WO-2026-0001", "qty": "2", "reason": "SCR-DAMAGE", "batch": "S01-261121-0008"},
    ),
    EventType(
        "work_order.paused", "Work on a work order stopped for a reason.",
        (WO, REASON, NOTE), example={"work_order": "WO-2026-0001", "reason": "DLY-MATERIAL"},
    ),
    EventType("work_order.resumed", "Work on a paused work order resumed.", (WO,), example={"work_order": "WO-2026-0001"}),
    EventType(
        "delay.reported", "A stage ran past its standard time; the operator gave the reason.",
        (WO, Field("stage", count, doc="stage sequence number"), REASON, Field("minutes", non_negative, False, "minutes over standard"), NOTE),
        example={"work_order": "WO-2026-0001", "stage": 10, "reason": "DLY-SETUP", "minutes": "12"},
    ),
    EventType(
        "machine.down", "The station's machine stopped.",
        (REASON, Field("machine", code, False, "machine code, default the station's"), NOTE),
        needs_operator=False, example={"reason": "DT-JAM"},
    ),
    EventType(
        "machine.up", "The station's machine runs again.",
        (Field("machine", code, False, "machine code, default the station's"),),
        needs_operator=False, example={},
    ),
    EventType(
        "work_order.completed", "The operator closed the work order at the station; central backflushes unscanned inputs.",
        (WO,), example={"work_order": "WO-2026-0001"},
    ),
    EventType(
        "goods.received", "Goods arrived at a goods-in station; the station minted the batch code.",
        (Field("item", code, doc="item code"), Field("batch", code, doc="batch code minted at the station"),
         Field("qty", positive, doc="quantity received"), Field("unit", code, False, "unit of measure"),
         Field("supplier", code, False, "supplier code"), Field("supplier_lot", text, False, "supplier's lot number"),
         Field("expiry", iso_date, False, "expiry date"), Field("gtin", code, False, "GTIN from the supplier label"),
         Field("location", code, False, "receiving location"), Field("unit_cost", non_negative, False, "cost per unit"),
         Field("purchase_order", code, False, "purchase order number")),
        example={"item": "RM-200", "batch": "GI1-261121-0001", "qty": "500", "supplier_lot": "L88213", "expiry": "2027-05-01"},
    ),
    EventType(
        "machine.counter", "The machine's cycle counter as the station read it (a reading below the last one is a counter reset).",
        (Field("counter", non_negative, doc="the counter's reading"),
         Field("machine", code, False, "machine code, default the station's")),
        needs_operator=False, example={"counter": "184520", "machine": "M-7"},
    ),
    EventType(
        "maintenance.started", "A technician scanned their badge at the station and started the repair of its machine.",
        (Field("machine", code, False, "machine code, default the station's"),
         Field("work_order", code, False, "maintenance work order number, when the station knows it")),
        example={"machine": "M-7", "work_order": "MWO-000012"},
    ),
    EventType(
        "maintenance.finished", "The technician scanned their badge again: the repair is finished, with failure, cause and remedy codes if scanned.",
        (Field("machine", code, False, "machine code, default the station's"),
         Field("work_order", code, False, "maintenance work order number, when the station knows it"),
         Field("failure", code, False, "failure code from the catalogue"), Field("cause", code, False, "cause code"),
         Field("remedy", code, False, "remedy code"), NOTE),
        example={"machine": "M-7", "work_order": "MWO-000012", "failure": "F-BEARING", "remedy": "R-REPLACE"},
    ),
    EventType(
        "label.printed", "A label was printed at the station.",
        (Field("batch", code, doc="batch the label is for"), Field("template", code, doc="label template"),
         Field("copies", count, doc="number of copies"), Field("reprint", boolean, False, "true for an explicit reprint")),
        needs_operator=False, example={"batch": "S01-261121-0008", "template": "batch", "copies": 1},
    ),
)

EVENT_TYPES: dict[str, EventType] = {t.name: t for t in _TYPES}


@dataclass(frozen=True)
class Event:
    """A validated event: envelope plus typed ``data`` (Decimals, dates)."""

    id: str
    type: str
    site: str
    station: str
    seq: int
    at: datetime
    operator: str | None
    data: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict, quantities as decimal strings and times as UTC ISO 8601."""
        return {
            "id": self.id, "type": self.type, "site": self.site, "station": self.station,
            "seq": self.seq, "at": format_time(self.at), "operator": self.operator,
            "data": {k: _wire_value(v) for k, v in self.data.items()},
        }


def _wire_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def format_time(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and ``Z``."""
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _envelope_field(raw: dict, name: str, kind: Callable[[Any], Any], required: bool = True) -> Any:
    if name not in raw or raw[name] is None:
        if required:
            raise ContractError(name, "is required")
        return None
    try:
        return kind(raw[name])
    except ValueError as exc:
        raise ContractError(name, str(exc)) from None


def _uuid(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a UUID string, got {type(value).__name__}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"must be a UUID, got {_describe(value)}") from None


def _seq(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value >= 2**63:
        raise ValueError(f"must be a whole number >= 1, got {_describe(value)}")
    return value


def validate_event(raw: Any) -> Event:
    """Check one event dict against the contract; raise ContractError naming the field."""
    if not isinstance(raw, dict):
        raise ContractError("", f"an event must be a JSON object, got {type(raw).__name__}")
    event_id = _envelope_field(raw, "id", _uuid)
    type_name = _envelope_field(raw, "type", text)
    spec = EVENT_TYPES.get(type_name)
    if spec is None:
        raise ContractError("type", f"unknown event type {_describe(type_name)}")
    site = _envelope_field(raw, "site", code)
    station = _envelope_field(raw, "station", code)
    seq = _envelope_field(raw, "seq", _seq)
    at = _envelope_field(raw, "at", utc_time)
    operator = _envelope_field(raw, "operator", code, required=spec.needs_operator)
    extra = set(raw) - {"id", "type", "site", "station", "seq", "at", "operator", "data"}
    if extra:
        raise ContractError(sorted(extra)[0], "is not an envelope field")
    data_raw = raw.get("data", {})
    if not isinstance(data_raw, dict):
        raise ContractError("data", f"must be a JSON object, got {type(data_raw).__name__}")
    known = {f.name: f for f in spec.fields}
    for name in data_raw:
        if name not in known:
            raise ContractError(f"data.{name}", f"is not a field of {spec.name}")
    data: dict[str, Any] = {}
    for f in spec.fields:
        if f.name not in data_raw or data_raw[f.name] is None:
            if f.required:
                raise ContractError(f"data.{f.name}", "is required")
            continue
        try:
            data[f.name] = f.kind(data_raw[f.name])
        except ValueError as exc:
            raise ContractError(f"data.{f.name}", str(exc)) from None
    if spec.rule is not None:
        spec.rule(data)
    return Event(event_id, spec.name, site, station, seq, at, operator, data)


def make_event(type_name: str, *, site: str, station: str, seq: int, operator: str | None,
               data: dict[str, Any], at: datetime | None = None, event_id: str | None = None) -> Event:
    """Build and validate a new event at the station (fresh UUID, station clock now)."""
    raw = {
        "id": event_id or str(uuid.uuid4()), "type": type_name, "site": site, "station": station,
        "seq": seq, "at": format_time(at or datetime.now(timezone.utc)), "operator": operator,
        "data": {k: _wire_value(v) for k, v in data.items()},
    }
    return validate_event(raw)


# --- rejections ------------------------------------------------------------------------------

#: The envelope's fields: named as they are in a rejection.
ENVELOPE_FIELDS = ("id", "type", "site", "station", "seq", "at", "operator", "data")


def error_path(type_name: str, name: str) -> str:
    """The one rule for the field a rejection names: its path in the event as published.

    Envelope fields go by their name (``seq``, ``operator``); fields of ``data`` as
    ``data.<name>`` (``data.qty``, ``data.work_order``), deeper parts appended
    (``data.lines[2].qty``); a problem of the whole message has no field, or ``events``. A name
    that is neither (a checker of central's own naming something the event does not carry)
    becomes no field at all: the message then says what is wrong in words.
    """
    if not name or name == "events" or name in ENVELOPE_FIELDS or name.startswith("data."):
        return name
    spec = EVENT_TYPES.get(type_name)
    head = re.split(r"[.\[]", name, maxsplit=1)[0]
    if spec is not None and any(f.name == head for f in spec.fields):
        return f"data.{name}"
    return ""


def rejection(type_name: str, name: str, problem: str) -> str:
    """The text of a rejection: ``<path>: <problem>`` by ``error_path``, or the problem alone."""
    path = error_path(type_name, name)
    return f"{path}: {problem}" if path else problem


# --- messages and topics ---------------------------------------------------------------------

def encode_events(events: list[Event]) -> bytes:
    """The payload of one events message."""
    return json.dumps({"events": [e.to_wire() for e in events]}, separators=(",", ":")).encode()


def decode_events(payload: bytes, max_bytes: int = MAX_PAYLOAD_BYTES) -> list[Any]:
    """Split an events message into raw event dicts; ContractError if the message itself is bad."""
    if len(payload) > max_bytes:
        raise ContractError("", f"message is {len(payload)} bytes, more than the limit of {max_bytes}")
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError("", f"message is not JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise ContractError("events", "message must be an object with a list 'events'")
    if not 1 <= len(body["events"]) <= MAX_EVENTS_PER_MESSAGE:
        raise ContractError("events", f"must hold 1 to {MAX_EVENTS_PER_MESSAGE} events, got {len(body['events'])}")
    return body["events"]


def raw_id(raw: Any) -> str | None:
    """The id of a raw event if it has a usable one, for naming it in a rejection."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and len(raw["id"]) <= 64:
        return raw["id"]
    return None


def encode_ack(accepted: list[str], rejected: list[dict[str, Any]]) -> bytes:
    """The payload of an ack: ids accepted, and ``{"id", "error"}`` for each rejected."""
    return json.dumps({"accepted": accepted, "rejected": rejected}, separators=(",", ":")).encode()


def decode_ack(payload: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """Parse an ack payload into (accepted ids, rejected entries)."""
    body = json.loads(payload)
    return list(body.get("accepted", [])), list(body.get("rejected", []))


def topic(site: str, station: str, leaf: str) -> str:
    """``shopfloor/v1/{site}/{station}/{leaf}`` with leaf events, ack, config or status."""
    return f"{TOPIC_ROOT}/{code(site)}/{code(station)}/{leaf}"


# --- the contract as JSON Schema -------------------------------------------------------------

_DECIMAL = r"^[0-9]+(\.[0-9]+)?$"
_KIND_SCHEMAS: dict[Callable[[Any], Any], dict] = {
    code: {"type": "string", "pattern": _CODE.pattern, "description": "a code"},
    text: {"type": "string", "maxLength": 500, "pattern": "^[^\\x00]*$", "description": "free text"},
    positive: {"type": "string", "pattern": _DECIMAL, "maxLength": 32, "not": {"pattern": r"^0+(\.0+)?$"},
               "description": "a decimal string greater than zero"},
    non_negative: {"type": "string", "pattern": _DECIMAL, "maxLength": 32, "description": "a decimal string >= 0"},
    iso_date: {"type": "string", "format": "date"},
    utc_time: {"type": "string", "format": "date-time", "pattern": "(Z|\\+00:00)$"},
    count: {"type": "integer", "minimum": 1},
    boolean: {"type": "boolean"},
    _uuid: {"type": "string", "format": "uuid"},
    _seq: {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
}
_RULE_SCHEMAS: dict[Callable[[dict], None], dict] = {
    _batch_or_item: {"anyOf": [{"required": ["batch"]}, {"required": ["item"]}]},
    _scrap_needs_reason: {"anyOf": [{"properties": {"kind": {"enum": [k for k in OUTPUT_KINDS if k != "scrap"]}}},
                                    {"required": ["reason"]}]},
}


def _kind_schema(kind: Callable[[Any], Any]) -> dict:
    return dict(getattr(kind, "json_schema", None) or _KIND_SCHEMAS[kind])


def _type_schema(spec: EventType) -> dict:
    data: dict = {"type": "object", "additionalProperties": False,
                  "properties": {f.name: {**_kind_schema(f.kind), **({"description": f.doc} if f.doc else {})}
                                 for f in spec.fields},
                  "required": [f.name for f in spec.fields if f.required]}
    if spec.rule is not None:
        data.update(_RULE_SCHEMAS[spec.rule])
    out: dict = {"title": spec.name, "description": spec.doc,
                 "properties": {"type": {"const": spec.name}, "data": data}}
    if spec.needs_operator:
        out["required"] = ["operator"]
        out["properties"]["operator"] = _kind_schema(code)
    if spec.example:
        out["examples"] = [{"data": spec.example}]
    return out


def json_schema() -> dict:
    """The event contract as a JSON Schema (2020-12): the envelope, and per type its ``data``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"shopfloor/{VERSION}/event",
        "title": f"Shopfloor station event, contract {VERSION}",
        "type": "object", "additionalProperties": False,
        "required": ["id", "type", "site", "station", "seq", "at"],
        "properties": {
            "id": _kind_schema(_uuid), "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
            "site": _kind_schema(code), "station": _kind_schema(code), "seq": _kind_schema(_seq),
            "at": _kind_schema(utc_time), "operator": {"anyOf": [_kind_schema(code), {"type": "null"}]},
            "data": {"type": "object"},
        },
        "oneOf": [_type_schema(t) for t in _TYPES],
    }


EVENTS_FILTER = f"{TOPIC_ROOT}/+/+/events"
#: Each ingest worker publishes ``online`` here (not retained) once it is subscribed: a station
#: that sent into a broker with no subscriber yet sends its unacked events again right away.
CENTRAL_ONLINE_TOPIC = f"{TOPIC_ROOT}/central/online"
SHARED_EVENTS_FILTER = "$share/{group}/" + EVENTS_FILTER


def parse_topic(name: str) -> tuple[str, str, str]:
    """Split a topic into (site, station, leaf); ContractError if it is not ours."""
    parts = name.split("/")
    if len(parts) != 5 or f"{parts[0]}/{parts[1]}" != TOPIC_ROOT:
        raise ContractError("topic", f"not a {TOPIC_ROOT} station topic: {name!r}")
    return parts[2], parts[3], parts[4]


# --- the station config: a small head per station and shared parts per site (docs/station-config.md) ---

CONFIG_TREE = "_config"  # not a valid station code, so no station's topics can collide with it
#: The kinds of shared config part and how many key levels their topics carry after the kind.
CONFIG_PART_KEYS = {"operators": 1, "items": 1, "work_orders": 1, "batches": 2, "reasons": 0}


def config_topic(site: str, kind: str, *keys: str) -> str:
    """``shopfloor/v1/{site}/_config/{kind}[/{key}...]``: one retained part of the station config."""
    if CONFIG_PART_KEYS.get(kind) != len(keys):
        raise ValueError(f"config part {kind!r} takes {CONFIG_PART_KEYS.get(kind)} keys, got {len(keys)}")
    return "/".join([TOPIC_ROOT, code(site), CONFIG_TREE, kind, *(code(k) for k in keys)])


def config_filter(site: str, kind: str, *keys: str) -> str:
    """The subscription that receives every part of ``kind`` under ``keys`` (``+`` for the rest)."""
    wildcards = ["+"] * (CONFIG_PART_KEYS[kind] - len(keys))
    return "/".join([TOPIC_ROOT, code(site), CONFIG_TREE, kind, *(code(k) for k in keys), *wildcards])


def parse_config_topic(name: str) -> tuple[str, str, tuple[str, ...]]:
    """Split a shared config part's topic into (site, kind, keys); ContractError if it is not one."""
    parts = name.split("/")
    if (len(parts) < 5 or f"{parts[0]}/{parts[1]}" != TOPIC_ROOT or parts[3] != CONFIG_TREE
            or CONFIG_PART_KEYS.get(parts[4]) != len(parts) - 5):
        raise ContractError("topic", f"not a {TOPIC_ROOT} config part: {name!r}")
    return parts[2], parts[4], tuple(parts[5:])


# --- the station's retained status (docs/events.md) ------------------------------------------

STATION_STATUSES = ("online", "offline")


def config_digest(head: Any) -> str | None:
    """The version of a config head: the first 12 hex digits of the SHA-256 of its canonical JSON.

    Central encodes heads the same way (sorted keys, no spaces), so both sides get the same digest.
    """
    if not isinstance(head, dict) or not head:
        return None
    return hashlib.sha256(json.dumps(head, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]


def encode_status(online: bool, *, queue_depth: int, dead_letters: int, config_version: str | None) -> bytes:
    """A station's retained status: ``online`` or ``offline`` with its outbox and config figures."""
    return json.dumps({"status": "online" if online else "offline", "queue_depth": queue_depth,
                       "dead_letters": dead_letters, "config_version": config_version},
                      separators=(",", ":")).encode()


def decode_status(payload: bytes) -> dict[str, Any] | None:
    """A status payload as a dict with ``status`` and whatever figures it carries; None if it is not one.

    The plain words ``online`` and ``offline`` (the last will, older stations) carry no figures.
    """
    text_ = payload.decode("utf-8", "replace").strip()
    if text_ in STATION_STATUSES:
        return {"status": text_}
    try:
        raw = json.loads(text_)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("status") not in STATION_STATUSES:
        return None
    out: dict[str, Any] = {"status": raw["status"]}
    for name in ("queue_depth", "dead_letters"):
        value = raw.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 31:
            out[name] = value
    version = raw.get("config_version")
    if isinstance(version, str) and 0 < len(version) <= 64:
        out["config_version"] = version
    return out
