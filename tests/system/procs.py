"""Real processes for system tests: `shopfloor central ingest` and `shopfloor edge run` subprocesses."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port


class Proc:
    """A shopfloor subprocess that can be killed and started again with the same settings."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, stdin: bool = False):
        self.args, self.env, self.log, self.stdin = args, env, log, stdin
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Proc":
        """Start (again)."""
        env = dict(os.environ, **self.env)
        env.pop("SHOPFLOOR_CONFIG", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "shopfloor.cli", *self.args], env=env,
                                     stdin=subprocess.PIPE if self.stdin else subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"))
        return self

    def write(self, text: str) -> None:
        """Type lines on the process's stdin (a stdin:// scanner)."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def kill(self) -> None:
        """SIGKILL: no clean-up at all."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait(10)
        return self.proc.returncode if self.proc else 0


def ingest_proc(tmp_path: Path, db_url: str, broker, name: str = "ingest", **env) -> Proc:
    """`shopfloor central ingest` on the test database and broker."""
    values = {"SHOPFLOOR_DATABASE_URL": db_url, "SHOPFLOOR_DATA_DIR": str(tmp_path / "central"),
              "SHOPFLOOR_MQTT_URL": broker.url, "SHOPFLOOR_MQTT_USERNAME": "central", "DATABASE_URL": db_url,
              "SHOPFLOOR_LOG_LEVEL": "WARNING"}
    values.update(env)
    return Proc(["central", "ingest"], values, tmp_path / f"{name}.log")


class EdgeProc(Proc):
    """`shopfloor edge run` with a stdin:// scanner and its station screen on a free port."""

    def __init__(self, tmp_path: Path, broker, code: str, **env):
        self.screen_port = free_port()
        values = {"SHOPFLOOR_EDGE_STATION_CODE": code, "SHOPFLOOR_EDGE_DATA_DIR": str(tmp_path / f"edge-{code}"),
                  "SHOPFLOOR_EDGE_MQTT_URL": broker.url, "SHOPFLOOR_EDGE_SCANNER_URLS": "stdin://",
                  "SHOPFLOOR_EDGE_PRINTER_URL": "memory://", "SHOPFLOOR_EDGE_SCREEN_PORT": str(self.screen_port),
                  "SHOPFLOOR_EDGE_SYNC_ACK_TIMEOUT": "3", "SHOPFLOOR_EDGE_MQTT_RECONNECT_MIN": "0.1",
                  "SHOPFLOOR_EDGE_MQTT_RECONNECT_MAX": "0.5", "SHOPFLOOR_EDGE_LOG_LEVEL": "WARNING"}
        values.update(env)
        super().__init__(["edge", "run"], values, tmp_path / f"edge-{code}.log", stdin=True)

    def view(self) -> dict | None:
        """The station screen's state, or None while it is not up."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.screen_port}/state", timeout=2) as resp:
                return json.loads(resp.read())
        except OSError:
            return None

    def wait_view(self, predicate, timeout: float = 60.0, what: str = "station") -> dict:
        """Poll the screen until ``predicate(view)``; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        view = None
        while time.monotonic() < deadline:
            view = self.view()
            if view is not None and predicate(view):
                return view
            if self.proc.poll() is not None:
                raise AssertionError(f"edge exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; last view {view}; log {self.log.read_text()[-2000:]}")
