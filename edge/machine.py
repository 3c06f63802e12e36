"""The station state machine, a pure function: ``step(state, meaning, ctx) -> Result``.

A Result carries the new state, the events to store, the labels to print and the feedback
for the operator. Nothing here touches disks, sockets or clocks: the daemon passes the time
and an id source in ``Context`` and stores the Result in one outbox transaction.

Commands (``CMD:<name>``): START, DONE (stage completed), CLOSE (work order completed),
OUT / OUT-MAIN, OUT-CO, OUT-BY, OUT-SCRAP (report an output), SCRAP, PAUSE, RESUME, DELAY,
DOWN, UP, OK (accept the quantity offered), CANCEL, REPRINT, LOGOUT, RECEIVE (goods in at a
production station) and PRODUCE (back to production).
"""
from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable

from edge.cache import StationConfig
from edge.contract import ContractError, Event, make_event
from edge.interpret import Meaning
from edge.outbox import PrintJob

OUTPUT_COMMANDS = {"OUT": "main", "OUTPUT": "main", "OUT-MAIN": "main", "OUT-CO": "co", "OUT-BY": "by",
                   "OUT-SCRAP": "scrap"}
NO_OPERATOR_COMMANDS = ("DOWN", "UP", "CANCEL")


@dataclass(frozen=True)
class State:
    """Everything the station remembers between scans (kept in the outbox with the events)."""

    operator: str | None = None
    work_order: str | None = None
    stage: int | None = None
    stage_running: bool = False
    paused: bool = False
    machine_down: bool = False
    location: str | None = None
    pending: dict | None = None  # the question the station is asking, e.g. {"action": "issue", ...}
    seq: int = 0
    batch_day: str = ""
    batch_counter: int = 0
    last_label: dict | None = None  # {"batch", "template", "fields"} for CMD:REPRINT
    reprints: int = 0
    mode: str = ""  # "goods_in" after CMD:RECEIVE on a production station; "" = the station's kind
    repair: dict | None = None  # {"technician", "work_order", "machine", "codes"} while a technician repairs

    def to_dict(self) -> dict:
        """JSON-ready."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict | None) -> "State":
        """Back from ``to_dict`` (unknown keys ignored)."""
        if not raw:
            return cls()
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})


@dataclass(frozen=True)
class Feedback:
    """What the operator sees: ok, prompt (the station asks for more) or error."""

    level: str
    message: str


@dataclass(frozen=True)
class Context:
    """What a step needs besides the state: who we are, the cached config, the time, the rules."""

    site: str
    station: str
    kind: str = "production"
    config: StationConfig = field(default_factory=StationConfig)
    now: datetime = field(default_factory=lambda: datetime(2026, 1, 1))
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    online: bool = True  # False while the broker is unreachable: the config may miss what happened since
    unknown_batch: str = "refuse"
    not_in_recipe: str = "refuse"
    unknown_work_order: str = "refuse"
    template: str = "batch"
    goods_in_template: str = "goods_in"
    label_url: str = ""


@dataclass(frozen=True)
class Result:
    """The outcome of one scan."""

    state: State
    events: tuple[Event, ...] = ()
    jobs: tuple[PrintJob, ...] = ()
    feedback: Feedback = Feedback("ok", "")


class Refused(Exception):
    """A scan the station refuses, with the message for the operator."""


class _Step:
    """Collects events and jobs while one scan is handled."""

    def __init__(self, state: State, ctx: Context):
        self.state, self.ctx = state, ctx
        self.events: list[Event] = []
        self.jobs: list[PrintJob] = []

    def emit(self, type_name: str, data: dict, operator: str | None = "") -> None:
        seq = self.state.seq + 1
        who = self.state.operator if operator == "" else operator
        self.events.append(make_event(type_name, site=self.ctx.site, station=self.ctx.station, seq=seq,
                                      operator=who, data=data, at=self.ctx.now, event_id=self.ctx.new_id()))
        self.state = dataclasses.replace(self.state, seq=seq)

    def set(self, **changes) -> None:
        self.state = dataclasses.replace(self.state, **changes)

    def done(self, level: str, message: str) -> Result:
        return Result(self.state, tuple(self.events), tuple(self.jobs), Feedback(level, message))

    def mint_batch(self) -> str:
        day = self.ctx.now.strftime("%y%m%d")
        counter = self.state.batch_counter + 1 if self.state.batch_day == day else 1
        self.set(batch_day=day, batch_counter=counter)
        return f"{self.ctx.station}-{day}-{counter:04d}"

    def print_label(self, batch: str, fields: dict[str, Any], template: str) -> None:
        self.jobs.append(PrintJob(batch, batch, template, fields))
        self.set(last_label={"batch": batch, "template": template, "fields": fields})


def step(state: State, meaning: Meaning, ctx: Context) -> Result:
    """Handle one scan: new state, events, print jobs and the operator's feedback."""
    s = _Step(state, ctx)
    try:
        return _dispatch(s, meaning)
    except Refused as exc:
        return Result(state, feedback=Feedback("error", str(exc)))
    except ContractError as exc:
        return Result(state, feedback=Feedback("error", f"cannot record that: {exc}"))


def _dispatch(s: _Step, m: Meaning) -> Result:
    st = s.state
    if m.kind == "invalid":
        raise Refused(m.error)
    if m.kind == "badge":
        return _badge(s, m.value)
    if st.repair is not None and m.kind == "reason":
        return _repair_code(s, m.value)
    if st.repair is not None and m.kind == "command" and m.value == "OK":
        return _finish_repair(s)
    if m.kind == "command" and m.value in NO_OPERATOR_COMMANDS:
        return _command(s, m.value)
    if st.operator is None and st.pending and st.pending["action"] == "down" and m.kind in ("reason", "batch"):
        return _answer(s, m)
    if st.operator is None:
        raise Refused("Scan your badge to sign in first")
    if m.kind == "command":
        return _command(s, m.value)
    if st.pending is not None:
        return _answer(s, m)
    if m.kind == "location":
        s.set(location=m.value)
        return s.done("ok", f"Location {m.value}")
    if st.mode == "goods_in" or (s.ctx.config.kind or s.ctx.kind) == "goods_in":
        return _goods_in(s, m)
    if m.kind == "work_order":
        return _work_order(s, m.value)
    if m.kind in ("batch", "item", "gs1"):
        return _input(s, m)
    if m.kind == "reason":
        raise Refused(f"Reason {m.value}: first scan what it is for (PAUSE, DELAY, DOWN, SCRAP)")
    raise Refused(f"A {m.kind.replace('_', ' ')} was not expected now")


# --- operators -------------------------------------------------------------------------------

def _check_operator(s: _Step, badge: str) -> None:
    cfg = s.ctx.config
    if not cfg.received:
        return  # a brand-new station without a config yet: central checks and flags
    problem = cfg.certification_problem(badge, s.ctx.now.date())
    if problem:
        raise Refused(f"Sign-in refused: {problem}")


def recheck(state: State, ctx: Context) -> Result | None:
    """Check the signed-in operator against a config that changed; a sign-out Result when they may not stay."""
    if state.operator is None or not ctx.config.received:
        return None
    problem = ctx.config.certification_problem(state.operator, ctx.now.date())
    if problem is None and state.work_order and state.stage_running:
        problem = ctx.config.certification_problem(state.operator, ctx.now.date(),
                                                   ctx.config.stage_requirements(state.work_order, state.stage))
    if problem is None:
        return None
    s = _Step(state, ctx)
    s.emit("operator.signed_out", {})
    s.set(operator=None, pending=None, stage_running=False)
    return s.done("error", f"Signed out: {problem}")


def _badge(s: _Step, badge: str) -> Result:
    st = s.state
    cfg = s.ctx.config
    if st.repair is not None and st.repair["technician"] == badge:
        return _finish_repair(s)
    if st.repair is None and cfg.is_technician(badge) and (st.machine_down or cfg.breakdown()):
        return _start_repair(s, badge)
    if st.operator == badge:
        s.emit("operator.signed_out", {})
        s.set(operator=None, pending=None, stage_running=False)
        return s.done("ok", f"Signed out {badge}")
    _check_operator(s, badge)
    if st.operator is not None:
        s.emit("operator.signed_out", {})
    s.set(operator=badge, pending=None)
    s.emit("operator.signed_in", {})
    who = (s.ctx.config.operator(badge) or {}).get("name") or badge
    return s.done("ok", f"Welcome {who}")


# --- maintenance at the station ---------------------------------------------------------------------

REPAIR_CODES = ("failure", "cause", "remedy")


def _start_repair(s: _Step, badge: str) -> Result:
    """A technician's badge while the machine is down: the repair starts (offline too)."""
    known = s.ctx.config.breakdown() or {}
    data = {k: v for k, v in (("machine", known.get("machine")), ("work_order", known.get("work_order"))) if v}
    s.emit("maintenance.started", data, operator=badge)
    s.set(repair={"technician": badge, "codes": {}, **data}, pending=None)
    who = (s.ctx.config.operator(badge) or {}).get("name") or badge
    on = f" on {data['work_order']}" if data.get("work_order") else ""
    return s.done("ok", f"Repair started by {who}{on}. Scan failure, cause and remedy codes, then your badge to finish")


def _repair_code(s: _Step, code: str) -> Result:
    """A failure, cause or remedy code scanned during the repair."""
    entry = s.ctx.config.reason(code)
    category = (entry or {}).get("category")
    if category not in REPAIR_CODES:
        raise Refused(f"{code} is not a failure, cause or remedy code" if entry else f"Reason {code} is not in the catalogue")
    repair = dict(s.state.repair, codes={**s.state.repair.get("codes", {}), category: code})
    s.set(repair=repair)
    return s.done("prompt", f"{category.capitalize()} {code}: scan more codes, or your badge to finish")


def _finish_repair(s: _Step) -> Result:
    """The technician's badge again (or OK): the repair is finished; the operator scans UP when it runs."""
    repair = s.state.repair
    data = {k: repair[k] for k in ("machine", "work_order") if repair.get(k)}
    data.update(repair.get("codes", {}))
    s.emit("maintenance.finished", data, operator=repair["technician"])
    s.set(repair=None)
    return s.done("ok", "Repair finished" + (f" ({', '.join(repair['codes'].values())})" if repair.get("codes") else "")
                  + ": scan UP when the machine runs")


def _check_blocks(s: _Step) -> None:
    """Safety-critical maintenance overdue on one of the station's machines refuses the start."""
    blocked = s.ctx.config.blocks(s.ctx.now) if s.ctx.config.received else []
    if blocked:
        b = blocked[0]
        work = f" ({b['work_order']})" if b.get("work_order") else ""
        raise Refused(f"Start refused: {b.get('machine')} is overdue for safety maintenance '{b.get('name') or b['schedule']}'"
                      f"{work} since {b['from'][:16].replace('T', ' ')} UTC. A technician must finish it, "
                      f"or a supervisor override it")


# --- work orders and stages ---------------------------------------------------------------------

def _unknown_refused(s: _Step, mode: str) -> bool:
    """Refuse what the config does not know only when the config can be trusted to know it.

    Offline, the config misses whatever happened since the link went down (a work order
    released, goods received at another station), so the scan is accepted and central checks it.
    """
    return s.ctx.config.received and mode == "refuse" and s.ctx.online


def _check_stage(s: _Step, wo: str, seq: int | None) -> None:
    """The operator must hold the station's skills today, the stage's own skill and the machines' skills."""
    cfg = s.ctx.config
    if not cfg.received:
        return
    today = s.ctx.now.date()
    problem = (cfg.certification_problem(s.state.operator, today)
               or cfg.certification_problem(s.state.operator, today, cfg.stage_requirements(wo, seq)))
    if problem:
        raise Refused(f"Start refused: {problem}")


def _work_order(s: _Step, number: str) -> Result:
    wo = s.ctx.config.work_order(number)
    if wo is None and _unknown_refused(s, s.ctx.unknown_work_order):
        raise Refused(f"Work order {number} is not open at this station")
    stages = [st["seq"] for st in (wo or {}).get("stages", [])]
    # A work order unknown here: its routing is unknown too, so stage events name no stage and
    # central takes the work order's stage at this station's work centre.
    first = None if wo is None else stages[0] if stages else 1
    s.set(work_order=number, stage=first, stage_running=False, paused=False)
    if wo is None and s.ctx.config.received:
        return s.done("ok", f"Work order {number} selected (not in the station config yet; central checks it): scan START")
    return s.done("ok", f"Work order {number} selected: scan START")


def _need_wo(s: _Step) -> str:
    if s.state.work_order is None:
        raise Refused("Scan a work order first")
    return s.state.work_order


def _next_stage(s: _Step) -> int | None:
    wo = s.ctx.config.work_order(s.state.work_order or "") or {}
    later = [st["seq"] for st in wo.get("stages", []) if st["seq"] > (s.state.stage or 0)]
    return min(later) if later else None


def _command(s: _Step, name: str) -> Result:
    st = s.state
    if name == "CANCEL":
        if st.pending is None and st.repair is not None:  # finished elsewhere (the technician's phone)
            s.set(repair=None)
            return s.done("ok", "Repair left to its work order: finish it there")
        s.set(pending=None)
        return s.done("ok", "Cancelled")
    if name == "LOGOUT":
        return _badge(s, st.operator)
    if name == "DOWN":
        if st.machine_down:
            raise Refused("The machine is already down: scan UP when it runs")
        s.set(pending={"action": "down"})
        return s.done("prompt", "Machine down: scan the reason")
    if name == "UP":
        if not st.machine_down:
            raise Refused("The machine is not down")
        s.emit("machine.up", {}, operator=st.operator)
        s.set(machine_down=False)
        return s.done("ok", "Machine running")
    if name == "REPRINT":
        return _reprint(s)
    if name == "OK":
        return _accept_offer(s)
    if name == "RECEIVE":
        s.set(mode="goods_in", pending=None)
        return s.done("ok", "Goods in: scan the supplier's label")
    if name == "PRODUCE":
        s.set(mode="", pending=None)
        return s.done("ok", "Production: scan a work order")
    wo = _need_wo(s)
    stage = {"stage": st.stage} if st.stage is not None else {}
    named = f"stage {st.stage}" if st.stage is not None else "its stage here"
    if name == "START":
        if st.stage_running:
            raise Refused(f"{named.capitalize()} is already running")
        _check_stage(s, wo, st.stage)
        _check_blocks(s)
        s.emit("stage.started", {"work_order": wo, **stage})
        s.set(stage_running=True, pending=None)
        return s.done("ok", f"Started {wo} {named}")
    if name == "DONE":
        if not st.stage_running:
            raise Refused("No stage is running: scan START first")
        s.emit("stage.completed", {"work_order": wo, **stage})
        following = _next_stage(s)
        s.set(stage_running=False, stage=following or st.stage, pending=None)
        return s.done("ok", f"Completed {named}" + (f"; next stage {following}" if following else ""))
    if name == "CLOSE":
        s.emit("work_order.completed", {"work_order": wo})
        s.set(work_order=None, stage=None, stage_running=False, paused=False, pending=None)
        return s.done("ok", f"Work order {wo} completed")
    if name in OUTPUT_COMMANDS:
        kind = OUTPUT_COMMANDS[name]
        outputs = [o for o in (s.ctx.config.work_order(wo) or {}).get("outputs", []) if o.get("kind") == kind]
        item = outputs[0]["item"] if len(outputs) == 1 else None
        s.set(pending={"action": "output", "kind": kind, "item": item})
        return s.done("prompt", f"{kind} output of {item}: scan the quantity" if item else f"{kind} output: scan the item")
    if name == "SCRAP":
        s.set(pending={"action": "scrap"})
        return s.done("prompt", "Scrap: scan the quantity (and the batch, if any)")
    if name == "PAUSE":
        if st.paused:
            raise Refused(f"{wo} is already paused: scan RESUME")
        s.set(pending={"action": "pause"})
        return s.done("prompt", "Pause: scan the reason")
    if name == "RESUME":
        if not st.paused:
            raise Refused(f"{wo} is not paused")
        s.emit("work_order.resumed", {"work_order": wo})
        s.set(paused=False)
        return s.done("ok", f"{wo} resumed")
    if name == "DELAY":
        s.set(pending={"action": "delay"})
        return s.done("prompt", "Delay: scan the reason")
    raise Refused(f"Unknown command {name}")


# --- answers to the station's questions ---------------------------------------------------------

def _answer(s: _Step, m: Meaning) -> Result:
    p = dict(s.state.pending)
    action = p["action"]
    if m.kind == "location":
        p["location"] = m.value
        s.set(pending=p)
        return s.done("prompt", f"Location {m.value}: now scan the quantity")
    if m.kind in ("quantity", "number") and action in ("issue", "output", "scrap", "receive"):
        return _quantity(s, p, m.value)
    awaits_reason = action in ("pause", "delay", "down") or (action in ("scrap", "output") and "qty" in p)
    if (m.kind == "reason" and action in ("pause", "delay", "down", "scrap", "output")) or (m.kind == "batch" and awaits_reason):
        return _reason(s, p, m.value)
    if action == "output" and p.get("item") is None and m.kind == "item":
        _check_output_item(s, m.value, p["kind"])
        p["item"] = m.value
        s.set(pending=p)
        return s.done("prompt", f"{p['kind']} output of {m.value}: scan the quantity")
    if action == "scrap" and m.kind == "batch":
        p["batch"] = m.value
        s.set(pending=p)
        return s.done("prompt", f"Scrap of batch {m.value}: scan the quantity")
    if m.kind in ("batch", "item", "gs1", "work_order") and action == "issue":
        s.set(pending=None)  # a new input replaces an unanswered one
        return _dispatch(s, m)
    wanted = {"issue": "a quantity", "output": "the item or a quantity", "scrap": "a quantity",
              "receive": "a quantity", "pause": "a reason code", "delay": "a reason code",
              "down": "a reason code"}.get(action, "an answer")
    raise Refused(f"Waiting for {wanted} (or CANCEL)")


def _accept_offer(s: _Step) -> Result:
    p = s.state.pending
    if not p or not p.get("offered_qty"):
        raise Refused("Nothing to confirm")
    return _quantity(s, dict(p), p["offered_qty"])


def _quantity(s: _Step, p: dict, qty: str) -> Result:
    action = p["action"]
    if action == "issue":
        wo = _need_wo(s)
        data = {"work_order": wo, "qty": qty}
        data.update({k: p[k] for k in ("batch", "item") if p.get(k)})
        if p.get("unit"):
            data["unit"] = p["unit"]
        s.emit("material.issued", data)
        s.set(pending=None)
        return s.done("ok", f"Issued {qty} of {p.get('batch') or p.get('item')} to {wo}")
    if action == "output":
        if p.get("item") is None:
            raise Refused("Scan the output item first")
        if p["kind"] == "scrap":
            p["qty"] = qty
            s.set(pending=p)
            return s.done("prompt", "Scrap output: scan the reason")
        return _report_output(s, p, qty)
    if action == "scrap":
        p["qty"] = qty
        s.set(pending=p)
        return s.done("prompt", f"Scrap {qty}: scan the reason")
    if action == "receive":
        return _receive(s, p, qty)
    raise Refused("A quantity was not expected now")


def _reason(s: _Step, p: dict, code: str) -> Result:
    action = p["action"]
    cfg = s.ctx.config
    entry = cfg.reason(code)
    if cfg.received and entry is None:
        raise Refused(f"Reason {code} is not in the catalogue")
    allowed = cfg.accepted_categories("scrap" if action == "output" else action)
    if entry is not None and entry.get("category") not in allowed:
        raise Refused(f"Reason {code} is a {entry.get('category')} reason, not {' or '.join(allowed)}")
    st = s.state
    if action == "down":
        s.emit("machine.down", {"reason": code}, operator=st.operator)
        s.set(machine_down=True, pending=None)
        return s.done("ok", f"Machine down: {code}")
    wo = _need_wo(s)
    if action == "pause":
        s.emit("work_order.paused", {"work_order": wo, "reason": code})
        s.set(paused=True, pending=None)
        return s.done("ok", f"{wo} paused: {code}")
    if action == "delay":
        s.emit("delay.reported", {"work_order": wo, "stage": st.stage or 1, "reason": code})
        s.set(pending=None)
        return s.done("ok", f"Delay recorded: {code}")
    if action == "scrap":
        if "qty" not in p:
            raise Refused("Scan the scrapped quantity first")
        data = {"work_order": wo, "qty": p["qty"], "reason": code}
        data.update({k: p[k] for k in ("batch", "item") if p.get(k)})
        s.emit("scrap.reported", data)
        s.set(pending=None)
        return s.done("ok", f"Scrap {p['qty']} recorded: {code}")
    if action == "output":
        return _report_output(s, dict(p, reason=code), p["qty"])
    raise Refused("A reason was not expected now")


# --- inputs and outputs ------------------------------------------------------------------------

def _check_input_item(s: _Step, item: str | None) -> None:
    wo = s.ctx.config.work_order(s.state.work_order or "")
    if wo is None or item is None or s.ctx.not_in_recipe != "refuse":
        return
    if item not in {i["item"] for i in wo.get("inputs", [])}:
        raise Refused(f"{item} is not in the recipe of {wo['number']}")


def _check_output_item(s: _Step, item: str, kind: str) -> None:
    wo = s.ctx.config.work_order(s.state.work_order or "")
    if wo is None or s.ctx.not_in_recipe != "refuse":
        return
    if item not in {o["item"] for o in wo.get("outputs", [])}:
        raise Refused(f"{item} is not an output of {wo['number']}")


def _input(s: _Step, m: Meaning) -> Result:
    _need_wo(s)
    cfg = s.ctx.config
    pending: dict[str, Any] = {"action": "issue"}
    if m.kind == "item":
        _check_input_item(s, m.value)
        pending["item"] = m.value
        label = m.value
    else:
        code = m.fields.get("batch") if m.kind == "gs1" else m.value
        if not code:
            raise Refused("This label has no batch: scan the batch or the item")
        batch = cfg.batch(code)
        if batch is None and _unknown_refused(s, s.ctx.unknown_batch):
            raise Refused(f"Batch {code} is not known here")
        if batch is not None:
            if batch.get("status") not in (None, "released"):
                raise Refused(f"Batch {code} is {batch['status']}")
            _check_input_item(s, batch.get("item"))
        pending["batch"] = code
        label = code
        if m.kind == "gs1" and m.fields.get("qty"):
            pending["offered_qty"] = m.fields["qty"]
    s.set(pending=pending)
    if m.kind != "item" and cfg.received and cfg.batch(label) is None:
        label += " (not in the station config; central checks it)"
    if pending.get("offered_qty"):
        return s.done("prompt", f"{label}: scan the quantity, or OK for {pending['offered_qty']}")
    return s.done("prompt", f"{label}: scan the quantity")


def _label_fields(s: _Step, item: dict | None, item_code: str, batch: str, qty: str, expiry: str | None) -> dict:
    """Fields of the batch label template (``labels/templates/batch.toml``)."""
    item = item or {}
    fields = {"item": (item.get("name") or item_code)[:28], "item_code": item_code, "batch": batch, "qty": qty,
              "unit": item.get("unit") or "pcs", "produced": s.ctx.now.date().isoformat(),
              "work_order": s.state.work_order or "-", "operator": s.state.operator or "-",
              "url": (s.ctx.label_url + batch) if s.ctx.label_url else batch}
    if item.get("gtin"):
        fields["gtin"] = item["gtin"]
    if expiry:
        fields["expiry"] = expiry
    return fields


def _goods_in_fields(s: _Step, item: dict | None, item_code: str, batch: str, qty: str, expiry: str | None,
                     p: dict) -> dict:
    """Fields of the goods-in label template (``labels/templates/goods_in.toml``)."""
    fields = _label_fields(s, item, item_code, batch, qty, expiry)
    for key in ("produced", "work_order", "operator"):
        fields.pop(key)
    fields.update(received=s.ctx.now.date().isoformat(), supplier_lot=(p.get("supplier_lot") or "-")[:20],
                  supplier=(p.get("supplier") or "-")[:30])
    return fields


def _expiry(item: dict | None, today: date) -> str | None:
    days = (item or {}).get("shelf_life_days")
    return (today + timedelta(days=days)).isoformat() if days else None


def _report_output(s: _Step, p: dict, qty: str) -> Result:
    wo = _need_wo(s)
    item_code = p["item"]
    item = s.ctx.config.item(item_code)
    batch = s.mint_batch()
    data = {"work_order": wo, "kind": p["kind"], "item": item_code, "batch": batch, "qty": qty}
    if item and item.get("unit"):
        data["unit"] = item["unit"]
    if p.get("location") or s.state.location:
        data["location"] = p.get("location") or s.state.location
    if p.get("reason"):
        data["reason"] = p["reason"]
    s.emit("output.reported", data)
    s.set(pending=None)
    s.print_label(batch, _label_fields(s, item, item_code, batch, qty, _expiry(item, s.ctx.now.date())),
                  s.ctx.template)
    return s.done("ok", f"Reported {qty} {item_code} as batch {batch}: label printing")


def _reprint(s: _Step) -> Result:
    last = s.state.last_label
    if not last:
        raise Refused("No label to reprint yet")
    number = s.state.reprints + 1
    s.set(reprints=number)
    s.jobs.append(PrintJob(f"{last['batch']}-R{number}", last["batch"], last["template"], last["fields"], reprint=True))
    return s.done("ok", f"Reprinting the label of {last['batch']}")


# --- goods in --------------------------------------------------------------------------------

def _goods_in(s: _Step, m: Meaning) -> Result:
    cfg = s.ctx.config
    if m.kind == "gs1":
        gtin = m.fields.get("gtin")
        item = cfg.item_by_gtin(gtin) if gtin else None
        if item is None:
            raise Refused(f"No item with GTIN {gtin} in the station config" if gtin else "This label has no GTIN")
        p = {"action": "receive", "item": item["code"], "gtin": gtin}
        if m.fields.get("batch"):
            p["supplier_lot"] = m.fields["batch"]
        if m.fields.get("expiry"):
            p["expiry"] = m.fields["expiry"]
        if m.fields.get("qty"):
            return _receive(s, p, m.fields["qty"])
        s.set(pending=p)
        return s.done("prompt", f"{item['code']}: scan the quantity received")
    if m.kind in ("item", "batch") and (cfg.item(m.value) or not cfg.received):
        s.set(pending={"action": "receive", "item": m.value})
        return s.done("prompt", f"{m.value}: scan the quantity received")
    raise Refused("Goods in: scan the supplier's GS1 label or an item code")


def _receive(s: _Step, p: dict, qty: str) -> Result:
    item = s.ctx.config.item(p["item"])
    batch = s.mint_batch()
    data = {"item": p["item"], "batch": batch, "qty": qty}
    for key in ("supplier_lot", "expiry", "gtin", "location"):
        if p.get(key):
            data[key] = p[key]
    if item and item.get("unit"):
        data["unit"] = item["unit"]
    if "location" not in data and s.state.location:
        data["location"] = s.state.location
    s.emit("goods.received", data)
    s.set(pending=None)
    expiry = p.get("expiry") or _expiry(item, s.ctx.now.date())
    s.print_label(batch, _goods_in_fields(s, item, p["item"], batch, qty, expiry, p), s.ctx.goods_in_template)
    return s.done("ok", f"Received {qty} {p['item']} as batch {batch}: label printing")
