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


def central_database(workdir: Path, stations: list[str]) -> str:
    """A fresh migrated SQLite database with the stations registered; returns its URL."""
    from central.db import database, open_database
    from central.models import ReasonCode, Station
    from central.schema import migrate

    url = f"sqlite:///{workdir / 'central.db'}"
    open_database(url)
    database.connect(reuse_if_open=True)
    migrate()
    with database.atomic():
        for code in stations:
            Station.create(code=code, site="plant1", name=code)
        ReasonCode.create(code="DT-JAM", category="downtime")
    database.close()
    return url


def workdir() -> Path:
    """A temporary folder for one bench run."""
    return Path(tempfile.mkdtemp(prefix="shopfloor-bench-"))
