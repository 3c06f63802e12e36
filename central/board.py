"""The live board: every work order in flight, the machines and the stations, as one query set.

A read model, not a cache: ``read_board`` reads the tables the ingest and the pages write, in
a handful of set-based queries whatever the number of work orders, and works out each work
order's state, its expected completion and whether it will be on time. The board page, its
live stream and the benchmarks all call it.

Expected completion (the method is shown on the page):

* **observed rate** — once a work order has at least ``MIN_REPORTS`` main-output reports and
  ``MIN_MINUTES`` minutes of work behind them, its remaining quantity is divided by the rate
  it has shown (good quantity per minute worked since its start, pauses left out), counted
  from its last report (and never earlier than now);
* **standard minutes** — otherwise, from the routing: the running stage ends at its start
  plus its standard minutes (plus pauses since its start), the stages not yet done add theirs.

A work order is **late** when the expected completion falls after the end of its due day (in
the site's time zone), **at risk** when it falls less than ``RISK_SHARE`` of the remaining
time (at least ``RISK_MINUTES`` minutes) before it, **on time** otherwise.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import peewee as pw

from central.db import database
from central.lifecycle import RUNNING
from central.models import (Item, Machine, ReasonCode, ReasonEvent, Recipe, Station, StopMark, WorkCentre, WorkOrder,
                            WorkOrderOutput, WorkOrderStage, utcnow)

MIN_REPORTS = 2  # main-output reports before the observed rate is trusted
MIN_MINUTES = Decimal(5)  # minutes worked before the observed rate is trusted
RISK_SHARE = Decimal("0.2")  # slack below this share of the remaining time is a risk
RISK_MINUTES = 30  # ... and below this many minutes always
GAP_WINDOW = 1000  # a station's sequence numbers looked at for gaps (events central has not received)
WO_EVENT_TYPES = ("stage.started", "stage.completed", "material.issued", "output.reported", "scrap.reported",
                  "work_order.paused", "work_order.resumed", "delay.reported", "work_order.completed")
STATES = ("not_started", "running", "waiting", "paused", "down")
STATE_NAMES = {"not_started": "not started", "running": "running", "waiting": "between stages",
               "paused": "paused", "down": "machine down"}
RISKS = ("late", "at_risk", "on_time", "unknown")
RISK_NAMES = {"late": "late", "at_risk": "at risk", "on_time": "on time", "unknown": "no due date"}
SORTS = ("risk", "due")


@dataclass(frozen=True)
class Stop:
    """An open stop: a pause of a work order or a machine down, with its reason, since when."""

    reason: str
    description: str
    since: datetime


@dataclass(frozen=True)
class WorkOrderRow:
    """One work order in flight as the board shows it."""

    number: str
    item: str
    item_name: str
    unit: str
    planned: Decimal
    good: Decimal
    scrap: Decimal
    status: str
    priority: int
    stage: int | None  # seq of the current stage
    stages_done: int
    stages: int
    work_centre: str | None
    machines: tuple[str, ...]
    stations: tuple[str, ...]
    operators: tuple[tuple[str, str], ...]  # (badge, name)
    state: str
    stop: Stop | None
    due: date | None
    expected: datetime | None
    method: str | None  # "rate", "standard" or None (nothing to go by)
    rate_per_hour: Decimal | None
    risk: str
    slack_minutes: int | None  # due end minus expected completion

    @property
    def percent(self) -> int:
        """Good quantity as a whole percentage of planned (capped at 100 for the bar)."""
        if not self.planned:
            return 0
        return int(min(Decimal(100), self.good * 100 / self.planned))

    @property
    def late(self) -> bool:
        return self.risk == "late"

    def sort_key(self, by: str) -> tuple:
        """Order on the board: by risk (late first, least slack first) or by due date."""
        due = self.due or date.max
        if by == "due":
            return (due, self.priority, self.number)
        slack = self.slack_minutes if self.slack_minutes is not None else 10**9
        return (RISKS.index(self.risk), slack, due, self.priority, self.number)


@dataclass(frozen=True)
class MachineRow:
    """A machine (or a station's machine not in the machine list) and what it does now."""

    key: str
    code: str | None  # None: the unnamed machine of a station
    name: str
    work_centre: str | None
    state: str  # running, idle, down
    stop: Stop | None
    station: str | None = None
    since: datetime | None = None
    work_orders: tuple[str, ...] = ()


@dataclass(frozen=True)
class StationRow:
    """A station: online or offline by its retained status, who is signed in, what it works on."""

    code: str
    name: str
    kind: str
    work_centre: str | None
    status: str  # online, offline, unknown
    status_at: datetime | None
    last_seen_at: datetime | None
    operator: str | None
    operator_name: str
    work_order: str | None
    queue_depth: int | None  # events in its outbox not yet acked, as its retained status last said
    waiting: int | None  # events numbered by the station that central has not received


@dataclass
class Board:
    """Everything the board shows, read at ``at``."""

    at: datetime
    work_orders: list[WorkOrderRow] = field(default_factory=list)
    machines: list[MachineRow] = field(default_factory=list)
    stations: list[StationRow] = field(default_factory=list)
    work_centres: list[tuple[str, str]] = field(default_factory=list)  # (code, name)

    def counts(self) -> dict[str, int]:
        """How many work orders are in each state and risk."""
        out = {s: 0 for s in STATES + RISKS}
        for row in self.work_orders:
            out[row.state] += 1
            out[row.risk] += 1
        return out


@dataclass(frozen=True)
class BoardFilter:
    """What a viewer asked to see: a work centre, a state, late only; and the order."""

    work_centre: str = ""
    state: str = ""
    late: bool = False
    sort: str = "risk"

    def keeps(self, row: WorkOrderRow) -> bool:
        """True when ``row`` passes the filter."""
        return ((not self.work_centre or row.work_centre == self.work_centre)
                and (not self.state or row.state == self.state)
                and (not self.late or row.risk == "late"))

    def query_args(self) -> dict:
        """The filter as URL query arguments."""
        out = {"work_centre": self.work_centre, "state": self.state, "late": "1" if self.late else "",
               "sort": self.sort if self.sort != "risk" else ""}
        return {k: v for k, v in out.items() if v}


def board_filter(args) -> BoardFilter:
    """Read a filter from query arguments; unknown values are ignored rather than refused (a link kept from before)."""
    state = args.get("state", "")
    sort = args.get("sort", "risk")
    return BoardFilter(work_centre=(args.get("work_centre") or "")[:64], state=state if state in STATES else "",
                       late=args.get("late", "") in ("1", "on", "true", "yes"), sort=sort if sort in SORTS else "risk")


def shown(board: Board, flt: BoardFilter) -> list[WorkOrderRow]:
    """The work orders a filter keeps, in its order."""
    return sorted((r for r in board.work_orders if flt.keeps(r)), key=lambda r: r.sort_key(flt.sort))


# --- reading ------------------------------------------------------------------------------------

def read_board(zone: ZoneInfo, now: datetime | None = None) -> Board:
    """Read the whole board (needs an open connection)."""
    now = now or utcnow()
    board = Board(at=now)
    # Plain reads, no transaction: on SQLite a transaction would begin IMMEDIATE and take the write lock.
    stations, sign_ins = _stations()
    machines = list(Machine.select(Machine.code, Machine.name, WorkCentre.code)
                    .join(WorkCentre, pw.JOIN.LEFT_OUTER).where(Machine.active == True)  # noqa: E712
                    .order_by(Machine.code).tuples())
    stops = _machine_stops(stations, machines)
    wos = _work_orders(now, zone, stations, sign_ins, machines, stops)
    centres = list(WorkCentre.select(WorkCentre.code, WorkCentre.name).order_by(WorkCentre.code).tuples())
    board.work_orders = wos
    board.stations = [s for s in stations.values()]
    board.machines = _machine_rows(stations, machines, stops, wos)
    board.work_centres = centres
    return board


def _stations() -> tuple[dict[str, StationRow], dict[str, str]]:
    """Active stations with who is signed in, the work order they work on and the events missing."""
    q = database.quote
    ev, st = "event_record".join(q), "station".join(q)
    p = database.param
    types = ", ".join([p] * len(WO_EVENT_TYPES))
    sql = f"""
        SELECT s.code, s.name, s.kind, w.code, s.status, s.status_at, s.last_seen_at, s.last_seq, s.queue_depth,
          (SELECT e.seq FROM {ev} e WHERE e.station = s.code AND e.type = {p} ORDER BY e.seq DESC LIMIT 1),
          (SELECT e.operator FROM {ev} e WHERE e.station = s.code AND e.type = {p} ORDER BY e.seq DESC LIMIT 1),
          (SELECT e.seq FROM {ev} e WHERE e.station = s.code AND e.type = {p} ORDER BY e.seq DESC LIMIT 1),
          (SELECT e.payload FROM {ev} e WHERE e.station = s.code AND e.type IN ({types}) ORDER BY e.seq DESC LIMIT 1),
          (SELECT MIN(e.seq) FROM {ev} e WHERE e.station = s.code),
          (SELECT COUNT(*) FROM {ev} e WHERE e.station = s.code AND e.seq > s.last_seq - {GAP_WINDOW})
        FROM {st} s LEFT OUTER JOIN {"work_centre".join(q)} w ON w.id = s.work_centre_id
        WHERE s.active = {p} ORDER BY s.code"""
    params = ["operator.signed_in", "operator.signed_in", "operator.signed_out", *WO_EVENT_TYPES, True]
    rows = database.execute_sql(sql, params).fetchall()
    badges = {r[10] for r in rows if r[10]}
    names = dict(_operator_names(badges))
    out: dict[str, StationRow] = {}
    sign_ins: dict[str, str] = {}
    for (code, name, kind, centre, status, status_at, seen, last_seq, depth, in_seq, in_op, out_seq, payload,
         first_seq, recent) in rows:
        operator = in_op if in_seq is not None and (out_seq is None or in_seq > out_seq) else None
        work_order = None
        if payload:
            try:
                work_order = json.loads(payload).get("data", {}).get("work_order")
            except (ValueError, AttributeError):
                work_order = None
        waiting = None
        if first_seq is not None and last_seq:
            low = max(last_seq - GAP_WINDOW, first_seq - 1)
            waiting = max(0, last_seq - low - int(recent or 0))
        out[code] = StationRow(code=code, name=name or "", kind=kind, work_centre=centre,
                               status=status if status in ("online", "offline") else "unknown",
                               status_at=_dt(status_at), last_seen_at=_dt(seen), operator=operator,
                               operator_name=names.get(operator, "") if operator else "",
                               work_order=work_order, queue_depth=depth, waiting=waiting)
        if operator:
            sign_ins[code] = operator
    return out, sign_ins


def _operator_names(badges: set[str]):
    from central.models import Operator

    if not badges:
        return []
    return Operator.select(Operator.badge, Operator.name).where(Operator.badge.in_(sorted(badges))).tuples()


def _raw(query) -> list[tuple]:
    """The rows of a peewee query as the driver returns them."""
    return database.execute_sql(*query.sql()).fetchall()


def _units(value) -> Decimal | None:
    """A FixedDecimalField's stored integer as its Decimal (six places)."""
    return None if value is None else Decimal(int(value)).scaleb(-6)


def _day(value):
    """A date from raw SQL: SQLite gives text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dt(value):
    """A timestamp from raw SQL: SQLite gives text."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _station_machine(station: StationRow, machines_by_centre: dict[str | None, list[str]]) -> str | None:
    """The machine a station's unnamed ``machine.down`` means: the only machine of its work centre."""
    found = machines_by_centre.get(station.work_centre, []) if station.work_centre else []
    return found[0] if len(found) == 1 else None


def _machine_stops(stations: dict[str, StationRow], machines: list[tuple]) -> dict[str, tuple[Stop | None, str | None, str]]:
    """Open machine stops by scope: scope -> (Stop, machine code or None, station)."""
    by_centre: dict[str | None, list[str]] = {}
    for code, _, centre in machines:
        by_centre.setdefault(centre, []).append(code)
    scopes: dict[str, tuple[str | None, str]] = {}
    for s in stations.values():
        scopes[f"machine:{s.code}/"] = (_station_machine(s, by_centre), s.code)
        for m in by_centre.get(s.work_centre, []) if s.work_centre else []:
            scopes[f"machine:{s.code}/{m}"] = (m, s.code)
    latest = _latest_marks(list(scopes))
    open_ids = [event for scope, (kind, at, event) in latest.items() if kind == "stop"]
    reasons = {}
    if open_ids:
        for event_id, code, description in (ReasonEvent.select(ReasonEvent.event, ReasonCode.code, ReasonCode.description)
                                            .join(ReasonCode).where(ReasonEvent.event.in_(open_ids)).tuples()):
            reasons[str(event_id)] = (code, description)
    out = {}
    for scope, (kind, at, event) in latest.items():
        if kind != "stop":
            continue
        code, description = reasons.get(str(event), ("", ""))
        machine, station = scopes[scope]
        out[scope] = (Stop(code, description, at), machine, station)
    return out


def _latest_marks(scopes: list[str]) -> dict[str, tuple[str, datetime, str]]:
    """The latest stop/start mark of each scope (one indexed lookup per scope, one statement per chunk)."""
    out = {}
    q = database.quote
    table = "stop_mark".join(q)
    for start in range(0, len(scopes), 300):
        chunk = scopes[start:start + 300]
        parts = [f"SELECT * FROM (SELECT scope, kind, at, event_id FROM {table} WHERE scope = {database.param} "
                 f"ORDER BY at DESC, seq DESC LIMIT 1) AS m{i}" for i in range(len(chunk))]
        for scope, kind, at, event in database.execute_sql(" UNION ALL ".join(parts), chunk).fetchall():
            out[scope] = (kind, _dt(at), str(event).replace("-", ""))
    # ReasonEvent.event is a UUID column: compare in the form the database returns
    return {s: (k, a, _uuid(e)) for s, (k, a, e) in out.items()}


def _uuid(hex32: str) -> str:
    h = hex32.replace("-", "")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _work_orders(now: datetime, zone: ZoneInfo, stations: dict[str, StationRow], sign_ins: dict[str, str],
                 machines: list[tuple], stops: dict) -> list[WorkOrderRow]:
    in_flight = WorkOrder.select(WorkOrder.id).where(WorkOrder.status.in_(RUNNING))
    numbers_in_flight = WorkOrder.select(WorkOrder.number).where(WorkOrder.status.in_(RUNNING))
    # The two largest reads (a row per work order, one per stage) skip peewee's per-value
    # conversion: the few columns that need one are converted here.
    head = [(wo_id, number, _units(planned), _day(due), priority, status, _dt(started_at), item_id, item, name, unit)
            for wo_id, number, planned, due, priority, status, started_at, item_id, item, name, unit in _raw(
                WorkOrder.select(WorkOrder.id, WorkOrder.number, WorkOrder.planned_qty, WorkOrder.due,
                                 WorkOrder.priority, WorkOrder.status, WorkOrder.started_at, Item.id, Item.code,
                                 Item.name, Item.unit)
                .join(Recipe).join(Item, on=(Recipe.item == Item.id))
                .where(WorkOrder.status.in_(RUNNING)).order_by(WorkOrder.number))]
    if not head:
        return []
    stages: dict[int, list[tuple]] = {}
    for wo_id, seq, centre, std, started, completed in _raw(
            WorkOrderStage.select(WorkOrderStage.work_order, WorkOrderStage.seq, WorkCentre.code,
                                  WorkOrderStage.standard_minutes, WorkOrderStage.started_at,
                                  WorkOrderStage.completed_at)
            .join(WorkCentre).where(WorkOrderStage.work_order.in_(in_flight)).order_by(WorkOrderStage.seq)):
        stages.setdefault(wo_id, []).append((seq, centre, _units(std), _dt(started), _dt(completed)))
    outputs: dict[int, dict] = {}
    total, count = pw.fn.SUM(WorkOrderOutput.qty), pw.fn.COUNT(WorkOrderOutput.id)
    for wo_id, kind, item_id, units, n, last in (
            WorkOrderOutput.select(WorkOrderOutput.work_order, WorkOrderOutput.kind, WorkOrderOutput.item, total, count,
                                   pw.fn.MAX(WorkOrderOutput.at))
            .where(WorkOrderOutput.work_order.in_(in_flight))
            .group_by(WorkOrderOutput.work_order, WorkOrderOutput.kind, WorkOrderOutput.item).tuples()):
        outputs.setdefault(wo_id, []).append((kind, item_id, WorkOrderOutput.qty.from_units(units), n, _dt(last)))
    scrapped: dict[tuple[str, str | None], Decimal] = {}
    for number, item, units in (ReasonEvent.select(ReasonEvent.work_order, ReasonEvent.item, pw.fn.SUM(ReasonEvent.qty))
                                .where(ReasonEvent.event_type == "scrap.reported",
                                       ReasonEvent.work_order.in_(numbers_in_flight))
                                .group_by(ReasonEvent.work_order, ReasonEvent.item).tuples()):
        scrapped[(number, item)] = ReasonEvent.qty.from_units(units) or Decimal(0)
    pauses: dict[str, list[tuple]] = {}
    for number, at, minutes, code, description in (
            ReasonEvent.select(ReasonEvent.work_order, ReasonEvent.at, ReasonEvent.minutes, ReasonCode.code,
                               ReasonCode.description).join(ReasonCode)
            .where(ReasonEvent.event_type == "work_order.paused", ReasonEvent.work_order.in_(numbers_in_flight))
            .order_by(ReasonEvent.at).tuples()):
        pauses.setdefault(number, []).append((_dt(at), minutes, code, description))

    by_centre: dict[str | None, list[str]] = {}
    for code, _, centre in machines:
        by_centre.setdefault(centre, []).append(code)
    working: dict[str, list[StationRow]] = {}
    for s in stations.values():
        if s.work_order:
            working.setdefault(s.work_order, []).append(s)
    rows = []
    due_ends: dict[date, datetime | None] = {}
    for wo_id, number, planned, due, priority, status, started_at, item_id, item, item_name, unit in head:
        own = stages.get(wo_id, [])
        good = Decimal(0)
        scrap = scrapped.get((number, item), Decimal(0)) + scrapped.get((number, None), Decimal(0))
        reports, last_report = 0, None
        for kind, out_item, qty, n, last in outputs.get(wo_id, []):
            if kind == "main":
                good += qty
                reports += n
                last_report = max(last_report, last) if last_report else last
            elif kind == "scrap" and out_item == item_id:
                scrap += qty
        current = next((s for s in own if s[3] is not None and s[4] is None), None) \
            or next((s for s in own if s[4] is None), None)
        done = sum(1 for s in own if s[4] is not None)
        at_stations = sorted(working.get(number, []), key=lambda s: s.code)
        operators = tuple((sign_ins[s.code], s.operator_name) for s in at_stations if s.code in sign_ins)
        wo_machines = []
        machine_stop = None
        for s in at_stations:
            m = _station_machine(s, by_centre)
            if m:
                wo_machines.append(m)
            for scope, (stop, stop_machine, stop_station) in stops.items():
                if stop_station == s.code and (machine_stop is None or stop.since < machine_stop.since):
                    machine_stop = stop
        wo_pauses = pauses.get(number, [])
        stop = None
        if status == "paused":
            state = "paused"
            if wo_pauses:
                at, _, code, description = wo_pauses[-1]
                stop = Stop(code, description, at)
        elif machine_stop is not None and status == "in_progress":
            state, stop = "down", machine_stop
        elif status == "released" and not any(s[3] for s in own):
            state = "not_started"
        elif current is not None and current[3] is not None and current[4] is None:
            state = "running"
        elif status == "released":
            state = "not_started"
        else:
            state = "waiting" if own else "running"
        start = started_at or min((s[3] for s in own if s[3] is not None), default=None)
        expected, method, rate = _expected(now, state, stop, planned, good, reports, last_report, start, wo_pauses,
                                           own, current)
        if due not in due_ends:
            due_ends[due] = _due_end(due, zone)
        due_end = due_ends[due]
        risk, slack = _risk(now, due_end, expected)
        rows.append(WorkOrderRow(
            number=number, item=item, item_name=item_name or "", unit=unit or "", planned=planned, good=good,
            scrap=scrap, status=status, priority=priority, stage=current[0] if current else None, stages_done=done,
            stages=len(own), work_centre=current[1] if current else (own[-1][1] if own else None),
            machines=tuple(dict.fromkeys(wo_machines)), stations=tuple(s.code for s in at_stations),
            operators=operators, state=state, stop=stop, due=due, expected=expected, method=method,
            rate_per_hour=rate, risk=risk, slack_minutes=slack))
    return rows


def _minutes(delta: timedelta) -> Decimal:
    return Decimal(int(delta.total_seconds())) / 60


def _expected(now, state, stop, planned, good, reports, last_report, start, pauses, stages, current):
    """(expected completion, method, rate per hour) by the observed rate or the routing's standard minutes."""
    remaining = max(planned - good, Decimal(0))
    stopped = state in ("paused", "down")
    if reports >= MIN_REPORTS and start is not None and last_report is not None:
        paused = sum((m for at, m, _, _ in pauses if m is not None and start <= at <= last_report), Decimal(0))
        worked = _minutes(last_report - start) - paused
        if worked >= MIN_MINUTES and good > 0:
            rate = good / worked  # per minute
            need = timedelta(minutes=float(remaining / rate))
            # counted from the last report, which is when the rate was last seen; a stopped order waits for now
            expected = now + need if stopped else max(now, last_report + need)
            return _to_minute(expected), "rate", (rate * 60).quantize(Decimal("0.1"))
    if not stages:
        return None, None, None
    later = [s for s in stages if s[4] is None and (current is None or s[0] > current[0])]
    rest = sum((s[2] for s in later), Decimal(0))
    end = now
    if current is not None and current[4] is None:
        if current[3] is not None:
            paused = sum((m if m is not None else _minutes(now - at) for at, m, _, _ in pauses if at >= current[3]),
                         Decimal(0))
            end = max(now, current[3] + timedelta(minutes=float(current[2] + paused)))
        else:
            rest += current[2]
    return _to_minute(end + timedelta(minutes=float(rest))), "standard", None


def _to_minute(moment: datetime) -> datetime:
    """Rounded up to the whole minute: the board shows minutes, and a row changes once a minute at most."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment


def _due_end(due: date | None, zone: ZoneInfo) -> datetime | None:
    """The end of the due day in the site's zone, as naive UTC."""
    if due is None:
        return None
    end = datetime.combine(due + timedelta(days=1), time(), tzinfo=zone)
    return end.astimezone(timezone.utc).replace(tzinfo=None)


def _risk(now: datetime, due_end: datetime | None, expected: datetime | None) -> tuple[str, int | None]:
    """late, at_risk, on_time or unknown (no due date), and the slack in minutes."""
    if due_end is None:
        return "unknown", None
    if expected is None:
        return ("late", int(_minutes(due_end - now))) if now > due_end else ("on_time", None)
    slack = int(_minutes(due_end - expected))
    if slack < 0:
        return "late", slack
    margin = max(Decimal(RISK_MINUTES), _minutes(expected - now) * RISK_SHARE)
    return ("at_risk" if slack < margin else "on_time"), slack


def _machine_rows(stations: dict[str, StationRow], machines: list[tuple], stops: dict,
                  wos: list[WorkOrderRow]) -> list[MachineRow]:
    running_at: dict[str, list[str]] = {}
    for wo in wos:
        if wo.state in ("running", "down") and wo.work_centre:
            running_at.setdefault(wo.work_centre, []).append(wo.number)
    down: dict[str, Stop] = {}
    unnamed: list[MachineRow] = []
    for scope, (stop, machine, station) in sorted(stops.items()):
        if machine is None:
            s = stations[station]
            unnamed.append(MachineRow(key=f"station-{station}", code=None, name=f"machine at {station}",
                                      work_centre=s.work_centre, state="down", stop=stop, station=station,
                                      since=stop.since, work_orders=(s.work_order,) if s.work_order else ()))
        elif machine not in down or stop.since < down[machine].since:
            down[machine] = stop
    rows = []
    for code, name, centre in machines:
        numbers = tuple(sorted(w.number for w in wos if code in w.machines)) or tuple(running_at.get(centre, ()))
        if code in down:
            rows.append(MachineRow(key=code, code=code, name=name or "", work_centre=centre, state="down",
                                   stop=down[code], since=down[code].since, work_orders=numbers))
        elif numbers and any(w.state == "running" for w in wos if w.number in numbers):
            rows.append(MachineRow(key=code, code=code, name=name or "", work_centre=centre, state="running",
                                   stop=None, work_orders=numbers))
        else:
            rows.append(MachineRow(key=code, code=code, name=name or "", work_centre=centre, state="idle", stop=None))
    return rows + unnamed
