"""Edge fixtures: a station daemon wired to a real mosquitto and a real ingest."""
from __future__ import annotations

import pytest

from central.db import database
from central.models import Operator, ReasonCode, Station as StationRow
from devices.printers import MemoryPrinter
from devices.scanners import MemoryScanner
from edge.daemon import Station
from tests.edge.support import edge_settings


@pytest.fixture
def registered(db):
    """Stations S01..S04 registered at central, with a few reason codes."""
    with database.atomic():
        for i in range(1, 5):
            StationRow.create(code=f"S0{i}", site="plant1", name=f"Line {i}")
        ReasonCode.create(code="DT-JAM", category="downtime")
        ReasonCode.create(code="DLY-MAT", category="delay")
        Operator.create(badge="OP-17", name="Ada")
    database.close()


@pytest.fixture
def central_ingest(start_ingest, registered):
    """A real ingest worker on the test broker and database, with stations S01..S04."""
    return start_ingest()


@pytest.fixture
def station_factory(tmp_path, mosquitto):
    """Start station daemons with a memory scanner and a memory printer; stopped after the test."""
    made = []

    def make(code="S01", broker=None, **overrides):
        scanner, printer = MemoryScanner(), MemoryPrinter("memory://")
        station = Station(edge_settings(tmp_path, broker or mosquitto, code, **overrides), scanners=[scanner],
                          printer=printer)
        station.scanner, station.memory_printer = scanner, printer
        made.append(station)
        return station.start()

    yield make
    for station in made:
        if not station._stop.is_set():
            station.stop()
