"""The rows of the live board as HTML, written in Python rather than a template.

The board page renders every row and the live feed renders each row that changed, 500 and more
at a time; a Jinja macro per row and per link costs about a millisecond a row, this a few
dozen microseconds. The markup is the same as the other pages' (``_links.html`` paths, the
``when`` and ``qty`` filters of ``central/web/format.py``); every value is escaped.
"""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape as _escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from markupsafe import Markup

from central.board import RISK_NAMES, RISKS, STATE_NAMES, Board, MachineRow, StationRow, Stop, WorkOrderRow
from central.web.format import number, qty, readable, readable_date


def escape(value) -> str:
    """HTML-escaped text of any value (quotes too: values go into attributes)."""
    return _escape(str(value), quote=True)


class Rows:
    """Renders rows for one script root and time zone (links start with the root)."""

    def __init__(self, root: str, zone: ZoneInfo):
        self.root = root
        self.zone = zone

    def link(self, path: str, code: str | None, label: str | None = None) -> str:
        """Like ``_links.html``: the code as a link to its record, or a muted dash."""
        if not code:
            return '<span class="muted">—</span>'
        return f'<a href="{escape(self.root)}{path}{escape(quote(str(code), safe=""))}">{escape(label or code)}</a>'

    def when(self, moment: datetime | None, now: datetime) -> str:
        """Like the ``when`` filter: a <time> in the site's zone with the exact moment as its title."""
        if moment is None:
            return '<span class="muted">—</span>'
        aware = moment.replace(tzinfo=timezone.utc)
        exact = aware.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %Z")
        return (f'<time datetime="{aware:%Y-%m-%dT%H:%M:%SZ}" title="{escape(exact)}">'
                f'{escape(readable(moment, self.zone, now.replace(tzinfo=timezone.utc)))}</time>')

    @staticmethod
    def since(moment: datetime, now: datetime) -> str:
        """Minutes since ``moment``; the page's script keeps counting."""
        minutes = int((now - moment).total_seconds() // 60) if now > moment else 0
        return f'<span class="since" data-since="{moment:%Y-%m-%dT%H:%M:%SZ}">{minutes} min</span>'

    def stop(self, stop: Stop, now: datetime) -> str:
        text = escape(stop.reason) + (f" ({escape(stop.description)})" if stop.description else "")
        return f"{text}, for {self.since(stop.since, now)}"

    def work_order(self, r: WorkOrderRow, now: datetime) -> str:
        """One work order's row."""
        number_ = escape(r.number)
        if r.stage is not None:
            stage = f'stage {r.stage} <span class="muted">({r.stages_done} of {r.stages} done)</span>'
        elif r.stages:
            stage = f"all {r.stages} done"
        else:
            stage = '<span class="muted">no routing</span>'
        machines = "".join(f" · {self.link('/machines/', m)}" for m in r.machines)
        operators = ", ".join(self.link("/operators/", badge, name or badge) for badge, name in r.operators) \
            or '<span class="muted">none signed in</span>'
        scrap = f' · <span class="bad-text">{escape(qty(r.scrap, r.unit))} scrap</span>' if r.scrap else ""
        state = f'<span class="chip state-{r.state}">{STATE_NAMES[r.state]}</span>'
        if r.stop:
            state += "<br>" + self.stop(r.stop, now)
        due = escape(readable_date(r.due)) if r.due else '<span class="muted">—</span>'
        if r.expected:
            how = "observed rate" if r.method == "rate" else "standard minutes"
            if r.rate_per_hour:
                how += f": {escape(number(r.rate_per_hour))} {escape(r.unit)}/h"
            expected = f'{self.when(r.expected, now)} <span class="muted small">({how})</span>'
        else:
            expected = '<span class="muted">unknown</span>'
        slack = r.slack_minutes if r.slack_minutes is not None else 1_000_000_000
        shown_value = min(r.good, r.planned)
        return (
            f'<tr id="wo-{number_}" class="wo risk-row-{r.risk}" data-wc="{escape(r.work_centre or "")}" '
            f'data-state="{r.state}" data-risk="{r.risk}" data-rank="{RISKS.index(r.risk)}" data-slack="{slack}" '
            f'data-due="{r.due.isoformat() if r.due else "9999-12-31"}" data-priority="{r.priority}" '
            f'data-number="{number_}">'
            f'<td data-label="Work order"><strong>{self.link("/work-orders/", r.number)}</strong><br>'
            f'<span class="muted">{self.link("/items/", r.item)} {escape(r.item_name)}</span><br>'
            f'<a href="{escape(self.root)}/work-orders/{escape(quote(r.number, safe=""))}/timeline" class="small">'
            f'timeline<span class="visually-hidden"> of {number_}</span></a></td>'
            f'<td data-label="Stage">{stage}<br>{self.link("/work-centres/", r.work_centre)}{machines}</td>'
            f'<td data-label="Operators">{operators}</td>'
            f'<td data-label="Progress" class="progress-cell"><progress max="{r.planned}" value="{shown_value}" '
            f'aria-label="{number_}: {r.percent}% of planned made good">{r.percent}%</progress>'
            f'<span>{escape(qty(r.good))} of {escape(qty(r.planned, r.unit))} good</span>{scrap}</td>'
            f'<td data-label="State">{state}</td>'
            f'<td data-label="Due">{due}</td>'
            f'<td data-label="Expected">{expected}</td>'
            f'<td data-label="On time"><span class="chip risk-{r.risk}">{RISK_NAMES[r.risk]}</span></td></tr>')

    def machine(self, m: MachineRow, now: datetime) -> str:
        """One machine's row."""
        if m.code:
            name = f"{self.link('/machines/', m.code)} {escape(m.name)}"
        else:
            name = f"{escape(m.name)} ({self.link('/stations/', m.station)})"
        state = f'<span class="chip machine-{m.state}">{m.state}</span>'
        if m.stop:
            state += "<br>" + self.stop(m.stop, now)
        orders = ", ".join(self.link("/work-orders/", n) for n in m.work_orders) or '<span class="muted">—</span>'
        return (f'<tr id="machine-{escape(m.key)}" data-wc="{escape(m.work_centre or "")}" data-state="{m.state}">'
                f'<td data-label="Machine">{name}</td>'
                f'<td data-label="Work centre">{self.link("/work-centres/", m.work_centre)}</td>'
                f'<td data-label="State">{state}</td><td data-label="Work orders">{orders}</td></tr>')

    def station(self, s: StationRow, now: datetime) -> str:
        """One station's row."""
        status = "never connected" if s.status == "unknown" else s.status
        queue = str(s.queue_depth) if s.queue_depth is not None else '<span class="muted">—</span>'
        if s.waiting:
            queue += f' <span class="bad-text small">({s.waiting} missing)</span>'
        operator = self.link("/operators/", s.operator, s.operator_name or s.operator) if s.operator \
            else '<span class="muted">none</span>'
        return (f'<tr id="station-{escape(s.code)}" data-wc="{escape(s.work_centre or "")}" data-state="{s.status}">'
                f'<td data-label="Station">{self.link("/stations/", s.code)} {escape(s.name)}</td>'
                f'<td data-label="Work centre">{self.link("/work-centres/", s.work_centre)}</td>'
                f'<td data-label="Status"><span class="chip station-{s.status}">{status}</span></td>'
                f'<td data-label="Operator">{operator}</td>'
                f'<td data-label="Work order">{self.link("/work-orders/", s.work_order)}</td>'
                f'<td data-label="Last event">{self.when(s.last_seen_at, now)}</td>'
                f'<td data-label="Queue" class="num">{queue}</td></tr>')

    @staticmethod
    def counts(c: dict[str, int]) -> str:
        """The line of counts above the work orders."""
        total = c["running"] + c["waiting"] + c["not_started"] + c["paused"] + c["down"]
        late = f'<span class="{"bad-text" if c["late"] else ""}">{c["late"]} late</span>'
        return (f"<strong>{total}</strong> in flight: {c['running']} running, {c['waiting']} between stages, "
                f"{c['not_started']} not started, {c['paused']} paused, {c['down']} machine down · "
                f"{late}, {c['at_risk']} at risk, {c['on_time']} on time")

    def render(self, table: str, row, now: datetime) -> str:
        """A row of ``table`` (wo, machine, station)."""
        if table == "wo":
            return self.work_order(row, now)
        return self.machine(row, now) if table == "machine" else self.station(row, now)

    def board(self, board: Board, rows: list[WorkOrderRow]) -> dict[str, Markup]:
        """Everything the page puts in: the work orders given (filtered, in order), machines, stations, counts."""
        now = board.at
        return {"wo": Markup("".join(self.work_order(r, now) for r in rows)),
                "machines": Markup("".join(self.machine(m, now) for m in board.machines)),
                "stations": Markup("".join(self.station(s, now) for s in board.stations)),
                "counts": Markup(self.counts(board.counts()))}
