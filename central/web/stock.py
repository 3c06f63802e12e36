"""Stock pages: on hand by item, batch and location with value and cost layers; the stock ledger."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template, request

from central.errors import ShopfloorError
from central.models import CostLayer, StockBalance, StockMove
from central.models.ledger import MOVE_KINDS
from central.models.stock import BATCH_STATUSES
from central.stockview import cost_layers, item_totals, ledger_rows, on_hand_rows, open_layers_total, with_values
from central.catalog import get_item
from central.web.blueprint import web
from central.web.paging import keyset
from central.workorderview import parse_day

STOCK_FILTERS = ("item", "batch", "location", "status", "zero")
LEDGER_FILTERS = ("item", "batch", "location", "work_order", "event", "kind", "since", "until")


def filter_args(names) -> dict[str, str]:
    """The page's filters as typed (kept in the form and across pages)."""
    return {k: request.args.get(k, "").strip() for k in names}


def day_bounds(since: str, until: str) -> tuple[datetime | None, datetime | None]:
    """A range of calendar days in the site's zone as UTC moments: from the first day's start to the
    end of the last day (both days included)."""
    zone = current_app.extensions["shopfloor.zone"]
    start, end = parse_day("since", since), parse_day("until", until)
    if start and end and end < start:
        from central.errors import ValidationError
        raise ValidationError("until", "is before the start of the range")

    def utc(day):
        return datetime.combine(day, time(), zone).astimezone(timezone.utc).replace(tzinfo=None)

    return (utc(start) if start else None), (utc(end + timedelta(days=1)) if end else None)


def _error(errors: dict, exc: ShopfloorError) -> None:
    errors[(exc.field or "").split(".")[0]] = exc.message


@web.get("/stock")
def stock_page():
    """Stock on hand by item, batch and location, with value; totals for the items on the page."""
    filters = filter_args(STOCK_FILTERS)
    errors: dict[str, str] = {}
    page, rows, totals = None, [], []
    if filters["status"] and filters["status"] not in BATCH_STATUSES:
        errors["status"] = f"must be one of {', '.join(BATCH_STATUSES)}"
    else:
        try:
            query = on_hand_rows(item=filters["item"] or None, batch=filters["batch"] or None,
                                 location=filters["location"] or None, status=filters["status"] or None,
                                 include_zero=bool(filters["zero"]))
        except ShopfloorError as exc:
            _error(errors, exc)
        else:
            page = keyset(query, [StockBalance.item, StockBalance.id])
            rows = with_values(page.rows)
            totals = item_totals(r.item_id for r in page.rows)
    return render_template("stock.html", page=page, rows=rows, totals=totals, filters=filters, errors=errors,
                           statuses=BATCH_STATUSES)


@web.get("/stock/layers")
def stock_layers():
    """The cost layers behind an item's (or a batch's) value: what FIFO takes next, at what cost."""
    item = get_item(request.args.get("item", ""))
    batch = request.args.get("batch") or None
    closed = bool(request.args.get("closed"))
    page = keyset(cost_layers(item.code, batch, closed=closed), [CostLayer.id])
    qty, value = open_layers_total(item.code, batch)
    return render_template("stock_layers.html", item=item, batch=batch, page=page, closed=closed, open_qty=qty,
                           open_value=value)


@web.get("/ledger")
def ledger_page():
    """The stock ledger, newest first (by when each change happened): filter by item, batch, location, work
    order, event, kind, days."""
    filters = filter_args(LEDGER_FILTERS)
    errors: dict[str, str] = {}
    page = None
    try:
        since, until = day_bounds(filters["since"], filters["until"])
        query = ledger_rows(item=filters["item"] or None, batch=filters["batch"] or None,
                            location=filters["location"] or None, work_order=filters["work_order"] or None,
                            event=filters["event"] or None, kind=filters["kind"] or None, since=since, until=until)
    except ShopfloorError as exc:
        _error(errors, exc)
    else:
        page = keyset(query, [StockMove.at, StockMove.id], descending=True)
    return render_template("ledger.html", page=page, filters=filters, errors=errors, kinds=MOVE_KINDS)
