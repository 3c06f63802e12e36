"""What the benches share: a real mosquitto on a free port, a migrated central database."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """mosquitto in its default configuration (plus a loopback listener) on a free port."""

    def __init__(self, workdir: Path, extra: str = ""):
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        conf = workdir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n{extra}")
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the broker."""
        self.proc.terminate()
        self.proc.wait(10)


def mqtt_client(broker: Broker, name: str):
    """A started paho client on the bench broker (100 messages in flight)."""
    import paho.mqtt.client as mqtt

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=name)
    c.max_inflight_messages_set(100)
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    return c


def central_database(workdir: Path, stations: list[str], *, url: str = "", certified: bool = False) -> str:
    """A migrated central database with the stations registered (and reason code DT-JAM); returns its URL.

    SQLite in ``workdir``, or the PostgreSQL database at ``url``, whose every table is emptied
    first (give it a database of its own). With ``certified`` the stations belong to work centre
    WC-MIX, which requires skill MIX, and operator OP-1 holds it: events with an operator then
    go through the full certification check.
    """
    from datetime import date

    from central.db import database, open_database
    from central.models import (Certification, Operator, ReasonCode, Skill, Station, WorkCentre,
                                WorkCentreSkill)
    from central.schema import migrate

    url = url or f"sqlite:///{workdir / 'central.db'}"
    open_database(url)
    database.connect(reuse_if_open=True)
    migrate()
    if url.startswith("postgres"):
        tables = ", ".join(f'"{t}"' for t in database.get_tables() if t != "migratehistory")
        database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    with database.atomic():
        centre = None
        if certified:
            skill = Skill.create(code="MIX", name="Mixing")
            centre = WorkCentre.create(code="WC-MIX")
            WorkCentreSkill.create(work_centre=centre, skill=skill, min_level=1)
            operator = Operator.create(badge="OP-1", name="Ann")
            Certification.create(operator=operator, skill=skill, level=2, issued=date(2020, 1, 1))
        for code in stations:
            Station.create(code=code, site="plant1", name=code, work_centre=centre)
        ReasonCode.create(code="DT-JAM", category="downtime")
    database.close()
    return url


def workdir() -> Path:
    """A temporary folder for one bench run."""
    return Path(tempfile.mkdtemp(prefix="shopfloor-bench-"))
