"""Shared fixtures: a real database (SQLite, or PostgreSQL when SHOPFLOOR_TEST_DATABASE_URL is
set), the central app with logged-in clients, and a real mosquitto on a free port."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from central.db import database, open_database

PG_URL = os.environ.get("SHOPFLOOR_TEST_DATABASE_URL", "")
STRICT = os.environ.get("SHOPFLOOR_TEST_STRICT") == "1"
CHROMIUM = os.environ.get("SHOPFLOOR_CHROMIUM", "/usr/bin/chromium")


def require_tool(path: str | None, name: str) -> str:
    """The tool's path; skip the test when it is missing (fail instead under SHOPFLOOR_TEST_STRICT=1)."""
    if path and os.path.exists(path):
        return path
    message = f"{name} is not installed (apt-get install {name})"
    if STRICT:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _all_tables(db) -> list[str]:
    return [t for t in db.get_tables() if t != "migratehistory"]


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """Build the schema once by running every migration; per-test databases start from it."""
    from central.schema import migrate

    if PG_URL:
        db = open_database(PG_URL)
        db.connect(reuse_if_open=True)
        for table in db.get_tables():
            db.execute_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        migrate()
        db.close()
        return PG_URL
    path = tmp_path_factory.mktemp("schema") / "template.db"
    db = open_database(f"sqlite:///{path}")
    db.connect()
    migrate()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def db_url(schema_template, tmp_path) -> str:
    """A database URL with the full schema and no rows, private to this test."""
    if PG_URL:
        db = open_database(PG_URL)
        db.connect(reuse_if_open=True)
        tables = ", ".join(f'"{t}"' for t in _all_tables(db))
        if tables:
            db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.close()
        return PG_URL
    path = tmp_path / "central.db"
    shutil.copyfile(schema_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url):
    """The central database bound to the proxy and connected, with an empty schema."""
    handle = open_database(db_url)
    handle.connect(reuse_if_open=True)
    yield handle
    if not handle.is_closed():
        handle.close()


@pytest.fixture
def settings_overrides(db_url, tmp_path) -> dict:
    """Central settings for a test: its own database and data folder."""
    # no connection pool: a test process makes hundreds of apps, and each pool would keep its connections
    return {"database.url": db_url, "data_dir": str(tmp_path / "data"), "web.secret_key": "test-secret", "web.db_pool": 0}


@pytest.fixture
def app(settings_overrides):
    """The central Flask app on the test database."""
    from central import create_app

    return create_app(settings_overrides)


@pytest.fixture
def admin_user(app):
    """An admin login: (username, password)."""
    from central.auth import create_user

    with database.connection_context():
        create_user("boss", "correct horse", "admin", "The Boss")
    return "boss", "correct horse"


@pytest.fixture
def client(app):
    """An anonymous browser-like client."""
    return app.test_client()


@pytest.fixture
def api(app, admin_user):
    """A JSON API client authenticated with an admin bearer token."""
    from central.auth import issue_token
    from central.models import User

    with database.connection_context():
        token = issue_token(User.get(User.username == admin_user[0]), "tests")
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return test_client


class Mosquitto:
    """A real mosquitto broker on a free loopback port, stoppable and restartable by tests."""

    def __init__(self, workdir: Path, extra_config: str = ""):
        self.host = "127.0.0.1"
        self.port = free_port()
        self.workdir = workdir
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n{extra_config}"
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self) -> "Mosquitto":
        """Start it and wait until it accepts connections."""
        binary = require_tool(shutil.which("mosquitto") or "/usr/sbin/mosquitto", "mosquitto")
        self.proc = subprocess.Popen([binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                     stderr=open(self.workdir / "mosquitto.log", "ab"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"mosquitto exited: {(self.workdir / 'mosquitto.log').read_text()}")
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        """Stop it (SIGTERM) and wait."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def mosquitto_factory(tmp_path):
    """Make brokers (optionally with extra config lines); all are stopped after the test."""
    made: list[Mosquitto] = []

    def make(extra_config: str = "") -> Mosquitto:
        workdir = tmp_path / f"mosquitto{len(made)}"
        workdir.mkdir()
        broker = Mosquitto(workdir, extra_config)
        made.append(broker)
        return broker.start()

    yield make
    for broker in made:
        broker.stop()


@pytest.fixture
def mosquitto(mosquitto_factory) -> Mosquitto:
    """A fresh real mosquitto for this test."""
    return mosquitto_factory()


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium driven by Playwright (never a downloaded browser)."""
    require_tool(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A fresh browser page with a phone's viewport and touch."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    """A fresh browser page with a desktop's viewport (1280x800)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


class LiveServer:
    """The central app served by werkzeug on a free port in a background thread."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    """The test app on a real port, for Chromium."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def start_ingest(db_url, tmp_path, mosquitto):
    """Start a real ingest worker on the test broker and database (stopped after the test)."""
    from central.config import load_settings
    from central.ingest import Ingest

    workers = []

    def start():
        settings = load_settings(overrides={"database.url": db_url, "data_dir": str(tmp_path / "central"),
                                            "mqtt.url": mosquitto.url, "mqtt.username": ""})
        worker = Ingest(settings).start()
        workers.append(worker)
        assert worker.connected.wait(10)
        return worker

    yield start
    for worker in workers:
        worker.stop()
