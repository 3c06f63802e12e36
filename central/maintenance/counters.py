"""Which machine a station event is about, and each machine's running totals: cycles from outputs,
cycles from counter readings, and run time from machine up and down.

Totals are kept per machine and changed by one UPDATE per machine per batch of events, so a
schedule reads one row whatever the machine's history.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from central.flags import raise_flag
from central.models import Asset, Machine, MachineCounter, Station, utcnow
from edge.contract import Event

ZERO = Decimal(0)
#: Outputs that count as machine cycles (by-products and co-products come from the same cycle).
CYCLE_KINDS = ("main", "scrap")


def naive(moment: datetime) -> datetime:
    """UTC without tzinfo, as the database keeps it."""
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def station_machines(station_codes) -> dict[str, list[Machine]]:
    """The active machines of each station's work centre."""
    rows = (Station.select(Station.code, Machine).join(Machine, on=(Machine.work_centre == Station.work_centre))
            .where(Station.code.in_(list(set(station_codes))), Machine.active == True)  # noqa: E712
            .order_by(Machine.code))
    result: dict[str, list[Machine]] = defaultdict(list)
    for row in rows:
        result[row.code].append(row.machine)
    return result


def machine_of(event: Event, machines: dict[str, list[Machine]] | None = None) -> tuple[Machine | None, str]:
    """The machine an event names, or the station's one machine; (None, why) when it cannot be told."""
    named = event.data.get("machine")
    if named:
        machine = Machine.get_or_none(Machine.code == named)
        return (machine, "") if machine is not None else (None, f"machine {named} is not known")
    own = (machines if machines is not None else station_machines([event.station])).get(event.station, [])
    if len(own) == 1:
        return own[0], ""
    if not own:
        return None, f"station {event.station} has no machine (no work centre with an active machine) and the event names none"
    return None, f"station {event.station} has {len(own)} machines ({', '.join(m.code for m in own)}) and the event names none"


def asset_of(machine: Machine | None) -> Asset | None:
    """The asset linked to a machine."""
    return Asset.get_or_none(Asset.machine == machine.id) if machine is not None else None


def ensure_counters(machine_ids, at: datetime | None = None) -> dict[int, MachineCounter]:
    """The counter rows of these machines, made when missing (a new machine runs from ``at``)."""
    ids = set(machine_ids)
    found = {c.machine_id: c for c in MachineCounter.select().where(MachineCounter.machine.in_(ids))} if ids else {}
    for machine_id in ids - set(found):
        found[machine_id] = MachineCounter.create(machine=machine_id, running_since=naive(at or utcnow()))
    return found


def add_output_cycles(events: list[Event]) -> set[int]:
    """Add the quantities of reported outputs to the cycles of the stations' machines; returns the machines touched.

    An output counts for every active machine of the station's work centre (a line's machines
    each run the cycle).
    """
    counted = [e for e in events if e.data.get("kind") in CYCLE_KINDS]
    if not counted:
        return set()
    machines = station_machines({e.station for e in counted})
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for e in counted:
        for m in machines.get(e.station, []):
            totals[m.id] += Decimal(e.data["qty"])
    if not totals:
        return set()
    ensure_counters(totals)
    field = MachineCounter.output_cycles
    for machine_id, qty in totals.items():
        (MachineCounter.update(output_cycles=field + qty, changed_at=utcnow())
         .where(MachineCounter.machine == machine_id).execute())
    return set(totals)


def record_reading(event: Event) -> Machine | None:
    """A ``machine.counter`` reading: add what it counted since the last one.

    A reading below the last one is a counter reset (flagged, info): the new reading counts from
    zero and nothing is subtracted. A reading older than the last one applied changes nothing.
    """
    machine, why = machine_of(event)
    if machine is None:
        raise_flag("unknown_machine", f"machine.counter at {event.station}: {why}", event_id=event.id,
                   subject=event.data.get("machine") or event.station)
        return None
    at = naive(event.at)
    counter = ensure_counters([machine.id], at)[machine.id]
    reading = Decimal(event.data["counter"])
    if counter.last_reading_at is not None and at < counter.last_reading_at:
        return machine
    added, resets = reading, counter.resets
    if counter.last_reading is not None:
        if reading >= counter.last_reading:
            added = reading - counter.last_reading
        else:
            resets += 1
            raise_flag("counter_reset", f"counter of {machine.code} went from {counter.last_reading.normalize():f} "
                                        f"to {reading.normalize():f} at {event.station}: counted as a reset",
                       event_id=event.id, subject=machine.code, severity="info")
    field = MachineCounter.counter_cycles
    (MachineCounter.update(counter_cycles=field + added, last_reading=reading, last_reading_at=at,
                           resets=resets, changed_at=utcnow())
     .where(MachineCounter.machine == machine.id).execute())
    return machine


def mark_down(machine: Machine, at: datetime) -> None:
    """The machine stopped at ``at``: the run time up to then is banked."""
    at = naive(at)
    counter = ensure_counters([machine.id], at)[machine.id]
    if counter.down:
        return
    run = max(int((at - counter.running_since).total_seconds()), 0) if counter.running_since else 0
    (MachineCounter.update(run_seconds=MachineCounter.run_seconds + run, running_since=None, down=True,
                           changed_at=utcnow()).where(MachineCounter.machine == machine.id).execute())


def mark_up(machine: Machine, at: datetime) -> None:
    """The machine runs again from ``at``."""
    at = naive(at)
    counter = ensure_counters([machine.id], at)[machine.id]
    if not counter.down:
        return
    (MachineCounter.update(running_since=at, down=False, changed_at=utcnow())
     .where(MachineCounter.machine == machine.id).execute())


def run_hours(counter, now: datetime) -> Decimal:
    """Run-hours on the counter (a row, or anything with its fields) at ``now``."""
    seconds = counter.run_seconds
    if counter.running_since is not None and not counter.down:
        seconds += max(int((naive(now) - counter.running_since).total_seconds()), 0)
    return (Decimal(seconds) / 3600).quantize(Decimal("0.001"))


def value(counter: MachineCounter | None, trigger: str, source: str, now: datetime) -> Decimal:
    """The counter a schedule reads: cycles (from outputs or readings) or run-hours."""
    if counter is None:
        return ZERO
    if trigger == "run_hours":
        return run_hours(counter, now)
    return counter.counter_cycles if source == "counter" else counter.output_cycles


def counter_dict(counter: MachineCounter | None, now: datetime) -> dict:
    """The JSON shape of a machine's counters."""
    if counter is None:
        return {"output_cycles": "0", "counter_cycles": "0", "last_reading": None, "resets": 0, "run_hours": "0",
                "down": False}
    return {"output_cycles": f"{counter.output_cycles.normalize():f}",
            "counter_cycles": f"{counter.counter_cycles.normalize():f}",
            "last_reading": f"{counter.last_reading.normalize():f}" if counter.last_reading is not None else None,
            "resets": counter.resets, "run_hours": f"{run_hours(counter, now).normalize():f}", "down": counter.down}


def counters_by_asset(asset_ids) -> dict[int, MachineCounter]:
    """Counter rows keyed by asset id (assets without a machine or counter are left out)."""
    rows = (MachineCounter.select(MachineCounter, Asset.id.alias("asset_id"))
            .join(Asset, on=(Asset.machine == MachineCounter.machine)).where(Asset.id.in_(list(asset_ids))))
    return {r.asset_id: r for r in rows.objects()} if asset_ids else {}

