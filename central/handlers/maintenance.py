"""Station events of maintenance: breakdowns, machine counters, technicians' scans, and schedules
that the counters bring due."""
from __future__ import annotations

from central.flags import raise_flag
from central.maintenance import breakdowns, counters, schedules
from central.models import Asset, Machine, Station
from central.recorder import handles, handles_batch
from edge.contract import Event


@handles("machine.down")
def machine_down(event: Event) -> None:
    """Open the breakdown work order (or link to the open one)."""
    breakdowns.machine_down(event)


@handles_batch("machine.up")
def machine_up(events: list[Event]) -> None:
    """Close the downtime; the work order stays open until a technician finishes it."""
    breakdowns.machine_ups(events)


@handles("machine.counter")
def machine_counter(event: Event) -> None:
    """Add what the counter counted since its last reading."""
    counters.record_reading(event)


@handles("maintenance.started")
def repair_started(event: Event) -> None:
    """A technician scanned in at the station."""
    breakdowns.repair_started(event)


@handles("maintenance.finished")
def repair_finished(event: Event) -> None:
    """A technician scanned out at the station."""
    breakdowns.repair_finished(event)


@handles_batch("output.reported")
def count_outputs(events: list[Event]) -> None:
    """Add the outputs to their machines' cycles, then make the work those counts bring due."""
    touched = counters.add_output_cycles(events)
    _evaluate_machines(touched)


@handles_batch("machine.counter")
def evaluate_after_readings(events: list[Event]) -> None:
    """Counter readings added cycles: make the work they bring due. (Run-hours grow with time, not
    with events: the scheduler process brings them due.)"""
    machines = counters.station_machines({e.station for e in events if not e.data.get("machine")})
    ids = {m.id for e in events for m in machines.get(e.station, []) if not e.data.get("machine")}
    named = {e.data["machine"] for e in events if e.data.get("machine")}
    if named:
        ids |= {i for (i,) in Machine.select(Machine.id).where(Machine.code.in_(named)).tuples()}
    _evaluate_machines(ids)


def _evaluate_machines(machine_ids) -> None:
    if not machine_ids:
        return
    assets = [a for (a,) in Asset.select(Asset.id).where(Asset.machine.in_(list(machine_ids))).tuples()]
    if assets:
        schedules.evaluate(asset_ids=assets, by="ingest")


@handles_batch("stage.started")
def flag_blocked_starts(events: list[Event]) -> None:
    """A start on a machine whose safety-critical work is overdue (made offline, or before the config
    arrived) is recorded and flagged."""
    machines = counters.station_machines({e.station for e in events})
    if not machines:
        return
    by_machine = {a.machine_id: a.id for a in Asset.select(Asset.id, Asset.machine)
                  .where(Asset.machine.in_([m.id for ms in machines.values() for m in ms]))}
    if not by_machine:
        return
    blocked = {}
    for b in schedules.blocks(asset_ids=list(by_machine.values())):
        blocked.setdefault(b["asset"], []).append(b)
    if not blocked:
        return
    for e in events:
        station = Station.get_or_none(Station.code == e.station)
        for m in machines.get(e.station, []):
            asset = Asset.get_or_none(Asset.machine == m.id)
            for b in blocked.get(asset.code if asset else None, []):
                if b["since"] <= counters.naive(e.at):
                    raise_flag("maintenance_overdue", f"{e.operator} started {e.data['work_order']} at "
                                                      f"{station.code if station else e.station} on {m.code} with "
                                                      f"safety-critical schedule {b['schedule']} overdue",
                               event_id=e.id, subject=m.code)
