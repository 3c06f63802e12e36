"""A work order's timeline: each stage from start to end against its standard time, its pauses
and the downtime of its work centres' stations with their reasons, and its outputs, laid out
for a server-rendered SVG (and a table that says the same in words)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from central.lifecycle import get_work_order
from central.models import (Batch, Item, ReasonCode, ReasonEvent, Recipe, Station, StopMark, WorkCentre,
                            WorkOrderOutput, WorkOrderStage, utcnow)
from central.models.people import Machine

WIDTH, LEFT, RIGHT, TOP, LANE, AXIS = 820, 110, 16, 8, 30, 34
KIND_COLOURS = {"main": "#1e7b34", "co": "#0b5cad", "by": "#6a4fb3", "scrap": "#b3261e"}


@dataclass
class Span:
    """A stretch of time with a reason (a pause or a machine stop)."""

    start: datetime
    end: datetime | None  # None: still open
    reason: str
    description: str
    where: str = ""
    x: float = 0
    w: float = 0

    @property
    def minutes(self) -> Decimal | None:
        return None if self.end is None else (Decimal(int((self.end - self.start).total_seconds())) / 60).quantize(
            Decimal("0.1"))


@dataclass
class StageBar:
    """One routing stage: when it ran, against its standard minutes."""

    seq: int
    work_centre: str
    standard: Decimal
    started: datetime | None
    completed: datetime | None
    started_by: str | None
    y: float = 0
    x: float = 0
    w: float = 0  # actual, up to the standard
    over_x: float = 0
    over_w: float = 0  # beyond the standard
    std_w: float = 0

    @property
    def minutes(self) -> Decimal | None:
        if self.started is None:
            return None
        end = self.completed or utcnow()
        return (Decimal(int((end - self.started).total_seconds())) / 60).quantize(Decimal("0.1"))

    @property
    def over(self) -> bool:
        return self.minutes is not None and self.minutes > self.standard


@dataclass
class Tick:
    """An output reported."""

    at: datetime
    kind: str
    qty: Decimal
    unit: str
    item: str
    batch: str
    x: float = 0
    colour: str = ""


@dataclass
class Timeline:
    """Everything the timeline page shows."""

    number: str
    item: str
    status: str
    planned: Decimal
    unit: str
    start: datetime | None
    end: datetime
    stages: list[StageBar] = field(default_factory=list)
    pauses: list[Span] = field(default_factory=list)
    downtime: list[Span] = field(default_factory=list)
    delays: list[tuple] = field(default_factory=list)  # (at, stage, reason, description, minutes)
    outputs: list[Tick] = field(default_factory=list)
    axis: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    left: int = LEFT
    right: int = WIDTH - RIGHT
    lanes: dict[str, float] = field(default_factory=dict)
    lane: int = LANE

    def summary(self) -> str:
        """The picture in one paragraph, for the SVG's description."""
        done = sum(1 for s in self.stages if s.completed)
        over = [str(s.seq) for s in self.stages if s.over]
        made = sum((t.qty for t in self.outputs if t.kind == "main"), Decimal(0))
        parts = [f"Work order {self.number}: {done} of {len(self.stages)} stages done"]
        if over:
            parts.append(f"stage {', '.join(over)} ran over its standard time")
        parts.append(f"{len(self.pauses)} pause(s), {len(self.downtime)} machine stop(s)")
        parts.append(f"{len(self.outputs)} output(s) reported, {made.normalize():f} {self.unit} of the main item "
                     f"of {self.planned.normalize():f} planned")
        return "; ".join(parts) + "."


def read_timeline(number: str, zone: ZoneInfo, now: datetime | None = None) -> Timeline:
    """The timeline of work order ``number`` (NotFound when there is none)."""
    now = now or utcnow()
    wo = get_work_order(number, "number")
    item = Item.select(Item.code, Item.unit).join(Recipe, on=(Recipe.item == Item.id)).where(
        Recipe.id == wo.recipe_id).tuples().first()
    stages = [StageBar(seq, centre, std, started, completed, by) for seq, centre, std, started, completed, by in
              WorkOrderStage.select(WorkOrderStage.seq, WorkCentre.code, WorkOrderStage.standard_minutes,
                                    WorkOrderStage.started_at, WorkOrderStage.completed_at, WorkOrderStage.started_by)
              .join(WorkCentre).where(WorkOrderStage.work_order == wo.id).order_by(WorkOrderStage.seq).tuples()]
    outputs = [Tick(at, kind, qty, unit or "", code, batch) for at, kind, qty, unit, code, batch in
               WorkOrderOutput.select(WorkOrderOutput.at, WorkOrderOutput.kind, WorkOrderOutput.qty, Item.unit, Item.code,
                                      Batch.code)
               .join(Item, on=(WorkOrderOutput.item == Item.id)).switch(WorkOrderOutput)
               .join(Batch, on=(WorkOrderOutput.batch == Batch.id))
               .where(WorkOrderOutput.work_order == wo.id).order_by(WorkOrderOutput.at).tuples()]
    times = [t for s in stages for t in (s.started, s.completed) if t] + [t.at for t in outputs]
    start = min(times + ([wo.started_at] if wo.started_at else []), default=None)
    closed = wo.status in ("done", "cancelled")
    end = max(times + [wo.completed_at] if wo.completed_at else times, default=None) if closed else now
    end = end or now
    tl = Timeline(number=wo.number, item=item[0] if item else "", status=wo.status, planned=wo.planned_qty,
                  unit=item[1] if item else "", start=start, end=end, stages=stages, outputs=outputs)
    if start is not None:
        tl.pauses = _spans(f"wo:{wo.number}", start, end)
        tl.downtime = _downtime({s.work_centre for s in stages}, start, end)
        tl.delays = list(ReasonEvent.select(ReasonEvent.at, ReasonEvent.stage, ReasonCode.code, ReasonCode.description,
                                            ReasonEvent.minutes).join(ReasonCode)
                         .where(ReasonEvent.work_order == wo.number, ReasonEvent.event_type == "delay.reported")
                         .order_by(ReasonEvent.at).tuples())
    _layout(tl, zone)
    return tl


def _spans(scope_or_scopes, start: datetime, end: datetime, where: dict[str, str] | None = None) -> list[Span]:
    """Stops of these scopes that overlap [start, end], each to the next start of its scope (or still open)."""
    scopes = [scope_or_scopes] if isinstance(scope_or_scopes, str) else list(scope_or_scopes)
    if not scopes:
        return []
    lookback = start - timedelta(days=1)  # a stop that began before the work order still counts
    marks = list(StopMark.select(StopMark.scope, StopMark.kind, StopMark.at, StopMark.seq, StopMark.event)
                 .where(StopMark.scope.in_(scopes), StopMark.at >= lookback, StopMark.at <= end)
                 .order_by(StopMark.scope, StopMark.at, StopMark.seq).tuples())
    ids = [str(event) for _, kind, _, _, event in marks if kind == "stop"]
    reasons = {}
    if ids:
        reasons = {str(e): (c, d) for e, c, d in ReasonEvent.select(ReasonEvent.event, ReasonCode.code,
                                                                    ReasonCode.description)
                   .join(ReasonCode).where(ReasonEvent.event.in_(ids)).tuples()}
    spans = []
    for i, (scope, kind, at, _, event) in enumerate(marks):
        if kind != "stop":
            continue
        following = next((m for m in marks[i + 1:] if m[0] == scope and m[1] == "start"), None)
        stop_end = following[2] if following else None
        if (stop_end or end) < start:
            continue
        code, description = reasons.get(str(event), ("", ""))
        spans.append(Span(at, stop_end, code, description, (where or {}).get(scope, "")))
    return spans


def _downtime(centres: set[str], start: datetime, end: datetime) -> list[Span]:
    """Machine stops at the stations of these work centres while the work order ran."""
    if not centres:
        return []
    stations = list(Station.select(Station.code, WorkCentre.code).join(WorkCentre)
                    .where(WorkCentre.code.in_(sorted(centres))).tuples())
    machines: dict[str, list[str]] = {}
    for code, centre in Machine.select(Machine.code, WorkCentre.code).join(WorkCentre).where(
            WorkCentre.code.in_(sorted(centres))).tuples():
        machines.setdefault(centre, []).append(code)
    where = {}
    for station, centre in stations:
        where[f"machine:{station}/"] = f"{station}"
        for m in machines.get(centre, []):
            where[f"machine:{station}/{m}"] = f"{station} {m}"
    return _spans(list(where), start, end, where)


def _layout(tl: Timeline, zone: ZoneInfo) -> None:
    """Place every bar, span and tick on the SVG."""
    y = TOP
    for stage in tl.stages:
        stage.y = y
        y += LANE
    for name in ("pauses", "downtime", "outputs"):
        tl.lanes[name] = y
        y += LANE
    tl.height = int(y + AXIS)
    if tl.start is None:
        return
    std_total = sum((s.standard for s in tl.stages), Decimal(0))
    last_std_end = max((s.started + timedelta(minutes=float(s.standard)) for s in tl.stages if s.started), default=tl.end)
    span_end = max(tl.end, last_std_end, tl.start + timedelta(minutes=max(1, float(std_total) if not tl.stages else 1)))
    seconds = max((span_end - tl.start).total_seconds(), 60.0)
    plot = tl.right - tl.left

    def x(moment: datetime) -> float:
        offset = (moment - tl.start).total_seconds()
        return round(tl.left + max(0.0, min(1.0, offset / seconds)) * plot, 1)

    for stage in tl.stages:
        if stage.started is None:
            continue
        std_end = stage.started + timedelta(minutes=float(stage.standard))
        actual_end = stage.completed or tl.end
        stage.x = x(stage.started)
        stage.std_w = round(x(std_end) - stage.x, 1)
        stage.w = round(x(min(actual_end, std_end)) - stage.x, 1)
        if actual_end > std_end:
            stage.over_x = x(std_end)
            stage.over_w = round(x(actual_end) - stage.over_x, 1)
    for span in tl.pauses + tl.downtime:
        span.x = x(max(span.start, tl.start))
        span.w = max(2.0, round(x(span.end or tl.end) - span.x, 1))
    for tick in tl.outputs:
        tick.x = x(tick.at)
        tick.colour = KIND_COLOURS.get(tick.kind, "#5b6470")
    marks = 5
    for i in range(marks + 1):
        moment = tl.start + timedelta(seconds=seconds * i / marks)
        local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        tl.axis.append((round(tl.left + plot * i / marks, 1), local.strftime("%H:%M")))
