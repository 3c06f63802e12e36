"""Building blocks for declaring the API's bodies, queries and responses (pydantic models).

Each endpoint declares its path, query and body as pydantic models in the view's signature
(``path: ItemPath``, ``query: ItemQuery``, ``body: ItemCreate``) and its answers with
``responses=answers(...)`` on the route; flask-openapi3 validates the request with them and
builds the OpenAPI 3.1 document from them. The types here carry the API's formats once:
codes, decimal strings, dates, free text and pages. See docs/api.md and
/work/coord/api-convention.md.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any

from flask import has_request_context, request
from pydantic import AfterValidator, model_validator, BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from central.models.fields import SCALE
from central.quantities import QUANTUM

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$"
CODE_MESSAGE = "must be 1-64 letters, digits or . _ : - (starting with a letter or digit)"
MAX_INT = 2**63 - 1  # the largest id or count a database column holds
MAX_OFFSET = 10**9
DECIMAL_DIGITS = 12  # whole digits of a quantity or amount (below 10^12)
_DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_TIME_PATTERN = (r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                 r"[Tt ][0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?([Zz]|[+-][0-2][0-9]:[0-5][0-9])?$")


class Strict(BaseModel):
    """Base of request bodies: unknown fields and wrong JSON types are refused; no body reads as ``{}``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_body_is_empty(cls, data: Any) -> Any:
        if data is None and has_request_context() and not request.get_data(cache=True):
            return {}  # nothing sent at all; a body that is not JSON stays an error
        return data


class Query(BaseModel):
    """Base of query models: values come as strings and are converted; unknown parameters ignored."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """Base of response models (documentation and tests; views answer with plain dicts)."""

    model_config = ConfigDict(extra="forbid")


def _problem(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise _problem("text_nul", "must not contain the NUL character")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise _problem("text_surrogate", "must be valid Unicode text (no lone surrogates)")
    return value


Code = Annotated[str, Field(pattern=CODE_PATTERN, strict=True, description="a code: " + CODE_MESSAGE)]


def Text(max_length: int = 500, *, min_length: int = 0, description: str | None = None) -> Any:
    """Free text of at most ``max_length`` characters, without NUL characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=r"^[^\x00]*$", strict=True,
                                description=description), AfterValidator(_clean_text)]


def _decimal_type(sign: str, description: str) -> Any:
    """A quantity or amount: a decimal string (exact) or a JSON number (rounded to the stored places)."""
    top = Decimal(10) ** DECIMAL_DIGITS - 1
    low = {"positive": QUANTUM, "non_negative": Decimal(0), "signed": -top}[sign]
    grammar = re.compile(rf"{'-?' if sign == 'signed' else ''}[0-9]{{1,{DECIMAL_DIGITS}}}(\.[0-9]{{1,{SCALE}}})?")

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise _problem("decimal_type", "must be a number or a decimal string")
        if isinstance(raw, str):
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw):
                raise _problem("decimal_parsing", f"must be a decimal number like 12.5, got {raw[:40]!r}")
            if not grammar.fullmatch(raw.lstrip("-")) and not grammar.fullmatch(raw):
                whole, _, frac = raw.lstrip("-").partition(".")
                raise _problem("decimal_places", f"has more than {SCALE} decimal places" if len(frac) > SCALE
                               else f"must be below 10^{DECIMAL_DIGITS}")
            number = Decimal(raw)
        else:
            if raw != raw or raw in (float("inf"), float("-inf")):
                raise _problem("decimal_finite", "must be a finite number")
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if abs(number) > top:
            raise _problem("decimal_range", f"must be below 10^{DECIMAL_DIGITS}")
        if sign == "positive" and number < QUANTUM:
            raise _problem("decimal_positive", f"must be greater than zero, got {raw}")
        if sign == "non_negative" and number < 0:
            raise _problem("decimal_negative", f"must not be negative, got {raw}")
        if sign == "signed" and abs(number) < QUANTUM:
            raise _problem("decimal_zero", "must not be zero")
        if number < low:
            raise _problem("decimal_range", f"must be at least {low}")
        return number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN) if isinstance(raw, float) else number

    step, big = float(QUANTUM), float(top)
    numbers = {"positive": [{"minimum": step, "maximum": big}], "non_negative": [{"minimum": 0, "maximum": big}],
               "signed": [{"minimum": step, "maximum": big}, {"minimum": -big, "maximum": -step}]}[sign]
    string: dict = {"type": "string", "pattern": f"^{grammar.pattern}$"}
    if sign != "non_negative":
        string["not"] = {"pattern": r"^-?0+(\.0+)?$"}
    schema = {"anyOf": [string] + [{"type": "number", **n} for n in numbers],
              "description": description + f"; a decimal string (up to {SCALE} places) keeps it exact, "
                                           f"a JSON number is rounded to {SCALE} places"}
    return Annotated[Decimal, PlainValidator(parse), WithJsonSchema(schema)]


Qty = _decimal_type("positive", "a quantity greater than zero")
Money = _decimal_type("non_negative", "an amount of zero or more")
SignedQty = _decimal_type("signed", "a signed quantity, not zero")
DecimalOut = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]+$", description="a decimal number as a string")]


def _parse_date(raw: Any) -> date:
    if not isinstance(raw, str) or not re.fullmatch(_DATE_PATTERN[1:-1], raw):
        raise _problem("date_format", f"must be a date YYYY-MM-DD between 1900 and 2999, got {str(raw)[:40]!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _problem("date_value", f"is not a calendar date: {raw!r}") from None


def _parse_time(raw: Any) -> datetime:
    if not isinstance(raw, str) or not re.fullmatch(_TIME_PATTERN[1:-1], raw):
        raise _problem("time_format", f"must be an ISO 8601 time between 1900 and 2999, got {str(raw)[:40]!r}")
    try:
        return datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise _problem("time_value", f"is not a valid time: {raw!r}") from None


Date = Annotated[date, PlainValidator(_parse_date),
                 WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_PATTERN,
                                 "description": "a date YYYY-MM-DD (years 1900-2999)"})]
DateTime = Annotated[datetime, PlainValidator(_parse_time),
                     WithJsonSchema({"type": "string", "format": "date-time", "pattern": _TIME_PATTERN,
                                     "description": "an ISO 8601 time; without an offset it is UTC"})]
DateOut = Annotated[str, Field(json_schema_extra={"format": "date"})]
TimeOut = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]


class PageQuery(Query):
    """``limit`` and ``offset`` of every list."""

    limit: int = Field(50, ge=1, le=500, description="page size")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="rows to skip")


def page_of(name: str, row: type[BaseModel], *, title: str | None = None) -> type[BaseModel]:
    """A page of a list: ``{name: [row, ...], "total", "limit", "offset"}``."""
    return create_model(title or f"{row.__name__}Page", __base__=Out,
                        **{name: (list[row], ...), "total": (int, Field(ge=0)),
                           "limit": (int, Field(ge=1, le=500)), "offset": (int, Field(ge=0))})


class Error(BaseModel):
    """Every error answer: the problem, and the field it is about when there is one."""

    error: str = Field(description="field and problem in one line")
    field: str | None = Field(None, description="the field (body, query or path) the problem is about")
    message: str | None = Field(None, description="the problem without the field name")
    errors: list[dict[str, str]] | None = Field(
        None, description="validation errors only: every problem found, as {field, message}")


ERROR_TEXT = {400: "malformed input; the field is named", 401: "no login", 403: "not allowed for this role",
              404: "a code or id that names nothing", 409: "a rule refused the request (stock, status, ...)",
              405: "method not allowed (see the Allow header)"}


def answers(*statuses: int | tuple[int, type[BaseModel] | None], **_unused) -> dict:
    """A route's ``responses``: ``(200, Model)`` or ``(201, Model)`` for success, error codes as ints.

    400, 401 and 403 are declared for every operation by the blueprint; list 404 and 409 where
    the operation can give them.
    """
    out: dict = {}
    for status in statuses:
        if isinstance(status, tuple):
            code, model = status
            out[code] = model
        else:
            out[status] = Error
    return out


def link(operation_id: str, description: str = "", *, parameters: dict | None = None,
         body: dict | None = None) -> dict:
    """One OpenAPI link from a response to another operation (for generated clients and stateful tests)."""
    out: dict = {"operationId": operation_id}
    if parameters:
        out["parameters"] = parameters
    if body:
        out["requestBody"] = body
    if description:
        out["description"] = description
    return out


def with_links(**links: dict) -> ConfigDict:
    """``model_config`` of a response model whose answers link to other operations."""
    return ConfigDict(extra="forbid", openapi_extra={"links": links})
