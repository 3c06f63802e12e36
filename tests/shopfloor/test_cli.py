"""The command line: help on every level, and one-line errors with a non-zero exit."""
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def shopfloor(*args, env=None, cwd=None):
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPFLOOR_", "DATABASE_URL"))}
    full_env.update(env or {})
    full_env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "shopfloor", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=60)


@pytest.mark.parametrize("args", [[], ["central"], ["edge"], ["db"], ["user"], ["demo"], ["broker"],
                                  ["central", "serve"], ["central", "ingest"], ["edge", "run"],
                                  ["db", "init"], ["db", "migrate"], ["user", "create"], ["label"], ["label", "preview"], ["label", "print"]])
def test_help_on_every_level(args):
    result = shopfloor(*args, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout and len(result.stdout.splitlines()) > 3


def one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "rror" in line]
    assert errors, result.stderr
    return result.stderr


def test_unknown_subcommand_and_flag():
    assert "No such command" in one_line_error(shopfloor("frobnicate"))
    assert "No such option" in one_line_error(shopfloor("db", "migrate", "--frob"))


def test_bad_config_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[database\nurl=1")
    assert "not valid TOML" in one_line_error(shopfloor("db", "migrate", "-c", str(bad)))
    assert "does not exist" in one_line_error(shopfloor("db", "migrate", "-c", str(tmp_path / "none.toml")))


def test_bad_database_url(tmp_path):
    err = one_line_error(shopfloor("db", "migrate", env={"DATABASE_URL": "mysql://x/y"}, cwd=tmp_path))
    assert "scheme must be sqlite:// or postgresql://" in err
    err = one_line_error(shopfloor("db", "migrate", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"}, cwd=tmp_path))
    assert "cannot open the database" in err


def test_port_already_taken(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        err = one_line_error(shopfloor("broker", "--port", str(port), cwd=tmp_path))
        assert f"127.0.0.1:{port}" in err
        env = {"DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "SHOPFLOOR_DATA_DIR": str(tmp_path)}
        err = one_line_error(shopfloor("central", "serve", "--port", str(port), env=env, cwd=tmp_path))
        assert "cannot listen" in err


def test_db_init_creates_admin_then_user_create(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "SHOPFLOOR_DATA_DIR": str(tmp_path)}
    first = shopfloor("db", "init", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "initial-admin-password").exists()
    assert f"first login: admin; its password is in {tmp_path.resolve() / 'initial-admin-password'}" in first.stdout
    again = shopfloor("db", "migrate", env=env, cwd=tmp_path)
    assert "up to date" in again.stdout
    made = shopfloor("user", "create", "ann", "--role", "supervisor", "--password", "long enough pw", env=env, cwd=tmp_path)
    assert made.returncode == 0 and "created supervisor ann" in made.stdout
    dup = shopfloor("user", "create", "ann", "--password", "long enough pw", env=env, cwd=tmp_path)
    assert "already exists" in one_line_error(dup)


def test_ingest_needs_a_migrated_database_and_a_reachable_broker(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "SHOPFLOOR_DATA_DIR": str(tmp_path),
           "SHOPFLOOR_MQTT_URL": "mqtt://127.0.0.1:1", "SHOPFLOOR_MQTT_CONNECT_PATIENCE": "1"}
    assert "run `shopfloor db migrate` first" in one_line_error(shopfloor("central", "ingest", env=env, cwd=tmp_path))
    assert shopfloor("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    err = one_line_error(shopfloor("central", "ingest", env=env, cwd=tmp_path))
    assert "cannot reach the MQTT broker at 127.0.0.1:1" in err
    env["SHOPFLOOR_MQTT_URL"] = "http://broker"
    assert "must look like mqtt://host:1883" in one_line_error(shopfloor("central", "ingest", env=env, cwd=tmp_path))
