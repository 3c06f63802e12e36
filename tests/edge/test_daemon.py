"""The station daemon end to end: memory scanner → outbox → real mosquitto → real ingest."""
from __future__ import annotations

from central.db import database
from central.models import EventRecord
from tests.edge.support import wait_for


def _records():
    with database.connection_context():
        return list(EventRecord.select().order_by(EventRecord.seq))


def test_scans_reach_central_once_and_leave_the_outbox(central_ingest, station_factory):
    station = station_factory()
    wait_for(lambda: station.config.received, what="station config")
    for text in ["CMD:DOWN", "DT-JAM", "CMD:UP"]:
        station.handle_text(text)
    wait_for(lambda: station.outbox.depth() == 0 and len(_records()) == 2, what="acks")
    assert [r.type for r in _records()] == ["machine.down", "machine.up"]


def test_offline_scans_are_kept_and_replayed_after_the_broker_returns(central_ingest, station_factory, mosquitto):
    station = station_factory()
    wait_for(lambda: station.link.online)
    mosquitto.stop()
    wait_for(lambda: not station.link.online)
    for _ in range(3):
        assert station.handle_text("CMD:DOWN").level == "prompt"
        assert station.handle_text("DT-JAM").level == "ok"
        assert station.handle_text("CMD:UP").level == "ok"
    assert station.outbox.depth() == 6
    assert station.view()["online"] is False and station.view()["queue_depth"] == 6
    mosquitto.start()
    wait_for(lambda: station.outbox.depth() == 0, timeout=30, what="replay")
    wait_for(lambda: len(_records()) == 6)
    assert [r.seq for r in _records()] == [1, 2, 3, 4, 5, 6]


def test_rejected_events_go_to_the_dead_letters_on_screen(central_ingest, station_factory):
    station = station_factory(code="S09")  # not registered at central
    station.handle_text("CMD:DOWN")
    station.handle_text("DT-JAM")
    wait_for(lambda: station.outbox.dead_count() == 1, what="dead letter")
    assert station.outbox.depth() == 0
    assert "not a registered" in station.view()["errors"][0]


def test_bad_scanner_input_is_shown_and_nothing_is_recorded(central_ingest, station_factory):
    station = station_factory()
    station.scanner.feed(b"\xff\xfe\x00garbage\r")
    station.scanner.feed(b"X" * 10_000 + b"\r")
    station.scanner.feed(b"OP-1")
    station.scanner.unplug()
    wait_for(lambda: len(station.errors) == 3, what="three refusals")
    assert "incomplete scan" in station.errors[0]
    assert "too long" in station.errors[1]
    assert "unreadable" in station.errors[2]
    assert station.outbox.depth() == 0 and station.state.seq == 0


def test_state_survives_a_restart(central_ingest, station_factory, tmp_path):
    station = station_factory()
    station.handle_text("CMD:DOWN")
    station.stop()
    again = station_factory()
    assert again.state.pending == {"action": "down"}
    again.handle_text("DT-JAM")
    assert again.state.machine_down and again.state.seq == 1


def test_an_output_prints_its_label_once_and_a_reprint_is_explicit(central_ingest, station_factory):
    station = station_factory(**{"validate.unknown_work_order": "flag", "validate.not_in_recipe": "flag"})
    wait_for(lambda: station.config.received, what="station config")
    for text in ["OP-17", "WO-X1", "CMD:OUT", "ITEM:FG-1", "Q:5"]:
        station.handle_text(text)
    wait_for(lambda: len(station.memory_printer.jobs) == 1, what="label")
    station.handle_text("CMD:REPRINT")
    wait_for(lambda: len(station.memory_printer.jobs) == 2, what="reprint")
    assert [j.job_id for j in station.memory_printer.jobs] == [station.state.last_label["batch"],
                                                              station.state.last_label["batch"] + "-R1"]
    wait_for(lambda: station.outbox.depth() == 0, what="acks")
    printed = [r for r in _records() if r.type == "label.printed"]
    assert len(printed) == 2 and '"reprint":true' in printed[1].payload
