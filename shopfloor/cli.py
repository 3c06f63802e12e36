"""The ``shopfloor`` command: every process of the system, and the admin's tools.

Errors a user can cause end in one line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import getpass
import logging
import os
import sys

import click

from shopfloor.label_cli import label
from shopfloor.settings import SettingsError

CONFIG_HELP = "TOML config file (default: $SHOPFLOOR_CONFIG, else built-in defaults)"


class UserError(click.ClickException):
    """A one-line error for the user; exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"shopfloor: error: {self.format_message()}", err=True)


def _user_errors():
    """Exception types whose message is fit for the user as it is."""
    from central.db import DatabaseError
    from central.errors import ShopfloorError
    from central.ingest import IngestError
    from edge.contract import ContractError
    from shopfloor.broker import BrokerError

    return (SettingsError, DatabaseError, ShopfloorError, ContractError, BrokerError, IngestError)


class Group(click.Group):
    """A click group that turns known errors into one line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130)
        except _user_errors() as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            raise UserError(f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}") from None


def setup_logging(level: str = "INFO") -> None:
    """Structured one-line logs on stderr, which journald collects."""
    logging.basicConfig(
        level=getattr(logging, str(level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shopfloor")
def main():
    """Shopfloor: barcode-driven work orders for the factory floor.

    Stations (edge) read scanners and print labels; central keeps stock, work orders and
    traceability; MQTT links them.
    """


# --- central -----------------------------------------------------------------------------

def open_central(config: str | None, *, migrated: bool = False):
    """Central's settings for a command's ``--config``, with its database opened and answering.

    With ``migrated`` the schema is brought up to date first; returns (settings, migrations applied).
    """
    from central.config import load_settings
    from central.db import check_connection, open_database
    from central.schema import migrate

    settings = load_settings(config)
    open_database(settings["database.url"])
    check_connection()
    return settings, (migrate() if migrated else [])


@main.group(cls=Group)
def central():
    """Central server: web admin and API, and the MQTT event ingest."""


@central.command("serve")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--host", help="listen address (default: web.host)")
@click.option("--port", type=int, help="listen port (default: web.port)")
def central_serve(config, host, port):
    """Serve the web admin and JSON API (development server; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    from central import create_app, settle
    from shopfloor.broker import check_port_free

    settings, _ = open_central(config, migrated=True)
    setup_logging(settings["log.level"])
    host, port = host or settings["web.host"], port or settings["web.port"]
    check_port_free(host, port)
    app = create_app(settings)
    settle()
    click.echo(f"central web on http://{host}:{port}/", err=True)
    from shopfloor.demo import plain_request_handler

    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=plain_request_handler())


@central.command("ingest")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def central_ingest(config):
    """Consume station events from MQTT, apply them and publish acks and station configs."""
    from central.ingest import run_ingest

    from central.schema import pending

    settings, _ = open_central(config)
    setup_logging(settings["log.level"])
    if pending():  # several workers may start at once: only `db migrate` changes the schema
        raise UserError("the database schema is not up to date: run `shopfloor db migrate` first")
    probe_broker(settings["mqtt.url"], settings["mqtt.connect_patience"])
    run_ingest(settings)


@central.command("scheduler")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--once", is_flag=True, help="one pass, then exit (from cron or by hand)")
def central_scheduler(config, once):
    """Open preventive maintenance work as it comes due (a pass every maintenance.scheduler_seconds)."""
    import signal
    import threading

    from central.maintenance.scheduler import Scheduler, run_pass
    from central.schema import pending

    settings, _ = open_central(config)
    setup_logging(settings["log.level"])
    if pending():
        raise UserError("the database schema is not up to date: run `shopfloor db migrate` first")
    if once:
        made = run_pass()
        click.echo("another scheduler holds the lock" if made is None else f"made {len(made)} work order(s)"
                   + (f": {', '.join(made)}" if made else ""))
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    Scheduler(interval=float(settings["maintenance.scheduler_seconds"])).run(stop)


def probe_broker(url: str, patience: float) -> None:
    """Wait up to ``patience`` seconds for the broker to accept connections, then fail with one line.

    A broker that restarts while the ingest restarts is normal; a broker that stays away
    (wrong address, not installed) must not leave a worker silently retrying forever.
    """
    import socket
    import time

    from shopfloor.broker import parse_broker_url

    address = parse_broker_url(url)
    host, port = address.host, address.port
    deadline = time.monotonic() + patience
    delay = 0.25
    while True:
        try:
            socket.create_connection((host, port), 5).close()
            return
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if time.monotonic() + delay > deadline:
                raise UserError(f"cannot reach the MQTT broker at {host}:{port}: {reason}") from None
            logging.getLogger("shopfloor.ingest").warning("waiting for the MQTT broker at %s:%d: %s", host, port, reason)
            time.sleep(delay)
            delay = min(delay * 2, 1.0)  # a broker that comes back is found within a second


# --- edge --------------------------------------------------------------------------------

@main.group(cls=Group)
def edge():
    """Station daemon: scanners, printers, the offline outbox and the MQTT link."""


@edge.command("run")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help="station TOML config (default: $SHOPFLOOR_EDGE_CONFIG)")
def edge_run(config):
    """Run the station daemon until SIGTERM; nothing confirmed to an operator is ever lost."""
    from edge.config import load_settings
    from edge.daemon import run_daemon

    settings = load_settings(config)
    setup_logging(settings["log.level"])
    run_daemon(settings)


# --- broker, database, users ---------------------------------------------------------------

@main.command("broker")
@click.option("--host", default="127.0.0.1", show_default=True, help="listen address")
@click.option("--port", default=1883, show_default=True, type=int, help="listen port")
def broker(host, port):
    """Run the embedded MQTT 3.1.1 broker (single machine; use mosquitto in production)."""
    import asyncio
    import signal

    from shopfloor.broker import serve

    setup_logging()

    async def run():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(host, port, stop)

    asyncio.run(run())


@main.group(cls=Group)
def db():
    """Central's database: create, upgrade, new migrations."""


@db.command("init")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def db_init(config):
    """Create the database schema (or upgrade it) and the reference data a new plant needs."""
    from pathlib import Path

    from central.seed import INITIAL_PASSWORD_FILE, seed_defaults

    settings, applied = open_central(config, migrated=True)
    login = seed_defaults(settings)
    click.echo(f"database ready ({len(applied)} migrations applied)")
    if login:
        click.echo(f"first login: {login[0]}; its password is in "
                   f"{Path(settings['data_dir']).resolve() / INITIAL_PASSWORD_FILE} until changed")


@db.command("migrate")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def db_migrate(config):
    """Upgrade the database schema in place to this version (never drops data)."""
    _, applied = open_central(config, migrated=True)
    click.echo("applied: " + ", ".join(applied) if applied else "database is up to date")


@db.command("makemigration")
@click.argument("name")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def db_makemigration(name, config):
    """Write a new migration for model changes not yet in a migration (for developers)."""
    from central.schema import make_migration

    open_central(config, migrated=True)
    made = make_migration(name)
    click.echo(f"wrote central/migrations/{made}.py" if made else "no changes")


@main.group(cls=Group)
def user():
    """Logins for people and tokens for machines."""


def _new_password(password: str | None) -> str:
    """The password given, or one typed twice at a prompt."""
    if password is not None:
        return password
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise UserError("the two passwords differ")
    return password


@user.command("create")
@click.argument("username")
@click.option("--role", default="viewer", show_default=True,
              type=click.Choice(["admin", "supervisor", "planner", "technician", "operator", "viewer"]))
@click.option("--name", "full_name", default="", help="full name")
@click.option("--password", envvar="SHOPFLOOR_NEW_PASSWORD", help="password (default: prompt)")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def user_create(username, role, full_name, password, config):
    """Create a login with a role; the password must be 10+ characters and hard to guess."""
    from central.auth import create_user
    from central.db import database

    open_central(config, migrated=True)
    password = _new_password(password)
    with database.connection_context():
        create_user(username, password, role, full_name)
    click.echo(f"created {role} {username}")


def _for_user(config, username: str, action):
    """Open central's database and return ``action(user, settings)`` for the user named."""
    from central.auth import get_user
    from central.db import database

    settings, _ = open_central(config)
    with database.connection_context():
        return action(get_user(username), settings)


@user.command("password")
@click.argument("username")
@click.option("--password", envvar="SHOPFLOOR_NEW_PASSWORD", help="new password (default: prompt)")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def user_password(username, password, config):
    """Set a user's password; every web session of the user ends."""
    from central.auth import set_password

    password = _new_password(password)
    _for_user(config, username, lambda account, _: set_password(account, password))
    click.echo(f"password of {username} changed; their sessions have ended")


def _activation_command(name: str, active: bool, help_text: str) -> None:
    """Register `user deactivate` / `user activate`: the same steps with the opposite flag."""
    @user.command(name, help=help_text)
    @click.argument("username")
    @click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
    def command(username, config):
        from central.auth import set_active

        _for_user(config, username, lambda account, _: set_active(account, active))
        click.echo(f"{username} {name}d")


_activation_command("deactivate", False, "Deactivate a user: they cannot sign in, their sessions end and their tokens are revoked.")
_activation_command("activate", True, "Let a deactivated user sign in again (their old tokens stay revoked).")


@user.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="what the token is for")
@click.option("--scope", "scope", default="read", show_default=True,
              help="'full', or some of read, moves, cost, override, write (comma-separated)")
@click.option("--days", type=int, default=None, help="days it is valid; 0 = no expiry (default: api.token_days)")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def user_token(username, name, scope, days, config):
    """Issue an API bearer token for a user; it is shown once."""
    from central.auth import issue_token

    click.echo(_for_user(config, username, lambda account, settings: issue_token(
        account, name, scope, settings["api.token_days"] if days is None else days)))


@user.command("tokens")
@click.argument("username")
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def user_tokens(username, config):
    """List a user's tokens: id, name, scopes, expiry, last use and state."""
    from central.auth import list_tokens, token_state

    for t in _for_user(config, username, lambda account, _: list_tokens(account)):
        expires = t.expires_at.isoformat(timespec="minutes") if t.expires_at else "never"
        used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "-"
        click.echo(f"{t.id}\t{t.name}\t{t.scopes}\texpires {expires}\tused {used}\t{token_state(t)}")


@user.command("revoke-token")
@click.argument("username")
@click.argument("token_id", type=int)
@click.option("-c", "--config", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def user_revoke_token(username, token_id, config):
    """Revoke one of a user's tokens by its id (see `user tokens`); it stops working at once."""
    from central.auth import revoke_token

    token = _for_user(config, username, lambda account, _: revoke_token(token_id, account))
    click.echo(f"token {token.id} ({token.name}) revoked")


@main.command("demo")
@click.option("--port", default=8000, show_default=True, type=int, help="web port")
@click.option("--mqtt-port", default=0, type=int, help="embedded broker port (default: 1883 if free, else any free port)")
@click.option("--data-dir", default="var/demo", show_default=True, help="where the demo keeps its databases and labels")
@click.option("--no-shift", is_flag=True, help="start everything but do not replay the scripted shift")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="where the web server listens; 0.0.0.0 lets a phone on the same network open it")
def demo(port, mqtt_port, data_dir, no_shift, host):
    """Run everything on embedded defaults: broker, central, ingest and a simulated station."""
    from shopfloor.demo import run_demo

    setup_logging("WARNING")
    run_demo(port=port, mqtt_port=mqtt_port, data_dir=data_dir, shift=not no_shift, host=host)


main.add_command(label)

if __name__ == "__main__":
    main()
