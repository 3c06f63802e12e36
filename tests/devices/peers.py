"""Printer peers for tests: a socket playing a Zebra, and a real CUPS scheduler of the test's own
(its own configuration, spool and logs in a temporary folder and a free loopback port, so it
touches nothing of the machine's CUPS)."""
from __future__ import annotations

import grp
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.conftest import free_port, require_tool

class FakeZebra:
    """Accepts connections on 127.0.0.1 and keeps what each one sent."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        # A short accept timeout lets close() stop the thread promptly.
        self.server.settimeout(0.05)
        self.stopping = threading.Event()
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
                self.jobs.append(b"".join(chunks))
                self.done.set()

    def wait(self, count: int) -> list[bytes]:
        while len(self.jobs) < count:
            assert self.done.wait(5), "the printer got nothing"
            self.done.clear()
        return self.jobs

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.server.close()


CUPSD_CONF = """\
Listen 127.0.0.1:{port}
LogLevel warn
WebInterface No
Browsing Off
DefaultAuthType None
MaxJobTime 60
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/tmp
CacheDir {root}/cache
StateDir {root}/state
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
SystemGroup root {group}
"""


class Cupsd:
    """``cupsd -f`` on a free port with a private configuration; ``lpadmin`` adds raw queues."""

    def __init__(self):
        self.binary = require_tool(shutil.which("cupsd") or "/usr/sbin/cupsd", "cups")
        self.lpadmin = require_tool(shutil.which("lpadmin") or "/usr/sbin/lpadmin", "cups-client")
        self.lp = require_tool(shutil.which("lp") or "/usr/bin/lp", "cups-client")
        # A folder of its own, readable by others: when cupsd runs as root, the backends run as
        # CUPS's own user and must reach the spool (pytest's tmp_path is private to its user).
        root = Path(tempfile.mkdtemp(prefix="shopfloor-cupsd-"))
        root.chmod(0o755)
        self.root = root
        self.port = free_port()
        for sub in ("etc", "spool", "tmp", "cache", "state", "log"):
            (root / sub).mkdir()
        (root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(port=self.port))
        group = grp.getgrgid(os.getgid()).gr_name
        (root / "etc" / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root, group=group))
        self.proc: subprocess.Popen | None = None

    @property
    def server(self) -> str:
        """``host:port`` for ``lp -h`` and the ``server`` parameter of a ``cups://`` URL."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> "Cupsd":
        """Start the scheduler in the foreground of a child process and wait until it listens."""
        self.proc = subprocess.Popen(
            [self.binary, "-f", "-c", str(self.root / "etc" / "cupsd.conf"),
             "-s", str(self.root / "etc" / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=open(self.root / "log" / "stderr", "ab"))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"cupsd exited: {self.log()}")
                time.sleep(0.05)
        raise RuntimeError(f"cupsd did not start: {self.log()}")

    def add_raw_queue(self, name: str, device_uri: str) -> None:
        """A queue without a driver: jobs reach the device as they were sent (what a ZPL printer wants)."""
        subprocess.run([self.lpadmin, "-h", self.server, "-p", name, "-E", "-v", device_uri],
                       check=True, capture_output=True, timeout=30)

    def pause(self) -> None:
        """Freeze the scheduler (SIGSTOP): it still accepts connections but answers nothing."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused scheduler go on."""
        self.proc.send_signal(signal.SIGCONT)

    def log(self) -> str:
        """The scheduler's error log and stderr, for failure messages."""
        text = ""
        for name in ("stderr", "error_log"):
            path = self.root / "log" / name
            if path.exists():
                text += path.read_text(errors="replace")[-3000:]
        return text

    def stop(self) -> None:
        """Stop it (resumed first if paused) and wait."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)
