"""`shopfloor central ingest`: station events from MQTT, applied exactly once, then acked.

Several workers share the load through an MQTT 5 shared subscription
(``$share/{group}/shopfloor/v1/+/+/events``); with an MQTT 3.1.1 broker (the embedded one)
one worker uses a plain subscription. Messages are grouped per station and applied through
``central.recorder`` with many events per database transaction; acks are published only
after the commit, so an ack always means "on disk". Duplicates are accepted and never applied
twice; a message lost on the way is sent again by the station, which waits for the ack.

Station configs are rebuilt on a thread of their own, with its own database connection, so
a rebuild never sits between a commit and its ack. Domain code that reads central settings
(``current_app.config["SHOPFLOOR"]``) sees the ingest's settings: the applying thread runs
inside an application context built from them.

Who may publish under a station's topic is enforced by the broker's ACL (a station's user name
is its code, and it may write only ``shopfloor/v1/+/<its code>/#``); the ingest checks that
every event names the station of its topic.
"""
from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
import peewee as pw
from flask import Flask
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

from central.db import database, durable_commits, write_transaction
from central.models import Station, utcnow
from central.recorder import Outcome, lock_stations, record_raw
from central.stationconfig import CHANGED_BY_EVENTS, batch_watermark, build_parts, changed_batches, is_batch_topic
from edge.contract import (CENTRAL_ONLINE_TOPIC, CONFIG_TREE, EVENTS_FILTER, SHARED_EVENTS_FILTER, TOPIC_ROOT, ContractError,
                           decode_events, decode_status, encode_ack, parse_topic, raw_id, topic)
from shopfloor.broker import parse_broker_url

log = logging.getLogger("shopfloor.ingest")

RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS = 0.25, 1.0  # retrying a broker that is away
CONFIG_REFRESH_SECONDS = 5.0  # rebuild configs this often even when no event arrived (people's edits)
CONFIG_DEBOUNCE_SECONDS = 1.0  # after events were applied, rebuild at most this often
BATCHES_RECONCILE_SECONDS = 60.0  # every batch in stock read again this often (between, only those touched)
CONFIG_SETTLE_SECONDS = 0.5  # after (re)connecting, wait this long after the last retained part arrives
STATUS_FILTER = f"{TOPIC_ROOT}/+/+/status"  # every worker reads every station's retained status and last will
#: What the ingest reads once after connecting, to learn which config parts the broker holds.
RETAINED_CONFIG_FILTERS = (f"{TOPIC_ROOT}/+/+/config", f"{TOPIC_ROOT}/+/{CONFIG_TREE}/#")


class IngestError(Exception):
    """The ingest cannot start; the message says why."""


@dataclass
class Stats:
    """Counters for logs and benches."""

    messages: int = 0
    events_applied: int = 0
    events_accepted: int = 0
    events_rejected: int = 0
    transactions: int = 0
    config_builds: int = 0
    configs_published: int = 0
    database_retries: int = 0  # batches tried again after a database error (deadlock, lost connection)
    events_unanswered: int = 0  # events central could not apply for a reason of its own: sent again
    configs_published: int = 0  # config parts published (a removal counts as one)
    config_bytes: int = 0  # topic plus payload bytes of the config parts published
    config_seconds: float = 0.0  # time spent building and publishing config parts


@dataclass
class _Message:
    site: str
    station: str
    raws: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


class Ingest:
    """One ingest worker: MQTT consumer, batch applier, ack and station-config publisher."""

    def __init__(self, settings, *, client_id: str | None = None):
        self.settings = settings
        address = parse_broker_url(settings["mqtt.url"])
        self.host, self.port = address.host, address.port
        protocol = str(settings["mqtt.protocol"]).strip()
        if protocol not in ("5", "3.1.1"):
            raise IngestError(f"mqtt.protocol must be 5 or 3.1.1, got {protocol!r}")
        self.mqtt5 = protocol == "5"
        self.batch_size = max(1, int(settings["ingest.batch_size"]))
        self.max_payload = int(settings["ingest.max_payload_bytes"])
        self.stats = Stats()
        self.connected = threading.Event()
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._published: dict[str, bytes] = {}  # config part topic -> payload; only the config thread touches it
        self._retained: dict[str, bytes] = {}  # config parts the broker holds, read after (re)connecting
        self._reading_retained = False
        self._batch_mark: tuple[int, int] | None = None  # where the last batch read stood (None: read them all)
        self._batches_read_at = 0.0
        self._statuses: dict[tuple[str, str], dict] = {}  # station statuses read and not yet stored
        self._status_lock = threading.Lock()
        self._config_due = 0.0
        self._config_lock = threading.Lock()  # publish_configs from the config thread, or a caller
        self.config_refresh = CONFIG_REFRESH_SECONDS  # seconds between rebuilds when nothing asked for one
        self._dirty = True
        self._said: set[str] = set()  # durability warnings already logged
        self._thread: threading.Thread | None = None
        self._config_thread: threading.Thread | None = None
        self.app = Flask("shopfloor.ingest")  # domain code reads settings from current_app.config
        self.app.config["SHOPFLOOR"] = settings
        cid = client_id or settings["mqtt.client_id"] or f"central-{socket.gethostname()}-{os.getpid()}"
        if self.mqtt5:
            client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv5)
        else:
            client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv311,
                                 clean_session=True)
        if settings["mqtt.username"]:
            client.username_pw_set(settings["mqtt.username"], settings["mqtt.password"] or None)
        if address.tls:
            try:
                client.tls_set(ca_certs=settings["mqtt.tls_ca"] or None, certfile=settings["mqtt.tls_cert"] or None,
                               keyfile=settings["mqtt.tls_key"] or None, cert_reqs=ssl.CERT_REQUIRED)
            except (OSError, ssl.SSLError) as exc:
                raise IngestError(f"mqtt TLS: {exc}") from None
        # A broker that comes back must find the ingest within a second: stations are back as
        # fast, and what they send before the ingest subscribes waits for their ack timeout.
        client.reconnect_delay_set(RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS)
        client.max_inflight_messages_set(100)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        self.client = client

    # --- MQTT (network thread) --------------------------------------------------------------

    def _subscription(self) -> str:
        if self.mqtt5:
            return SHARED_EVENTS_FILTER.format(group=self.settings["mqtt.shared_group"])
        return EVENTS_FILTER

    def _on_connect(self, client, userdata, flags, reason_code, properties=None):
        if reason_code.is_failure:
            log.error("broker refused the ingest: %s", reason_code)
            return
        _no_delay(client)
        client.subscribe([(self._subscription(), 1), (STATUS_FILTER, 1)])
        # Learn which config parts the broker holds (its retained messages), so the first
        # publish after a (re)connect sends only what differs and removes what is stale.
        self._retained = {}
        self._reading_retained = True
        self._config_due = time.monotonic() + 2 * CONFIG_SETTLE_SECONDS
        client.subscribe([(name, 1) for name in RETAINED_CONFIG_FILTERS])
        self._dirty = True

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties=None):
        # Only now do events reach this worker: it counts as connected, and tells the stations,
        # which send again whatever is still unacked.
        if any(getattr(code, "is_failure", False) for code in reason_codes):
            log.error("broker refused the subscription %s: %s", self._subscription(), reason_codes)
            return
        self.connected.set()
        log.info("ingest connected to %s:%d, subscribed to %s", self.host, self.port, self._subscription())
        client.publish(CENTRAL_ONLINE_TOPIC, b"online", qos=1)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties=None):
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("ingest lost the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        if message.topic.endswith("/status"):
            self._note_status(message.topic, message.payload)
            return
        if not message.topic.endswith("/events"):
            if self._reading_retained and message.retain and message.payload:
                self._retained[message.topic] = message.payload
                self._config_due = max(self._config_due, time.monotonic() + CONFIG_SETTLE_SECONDS)
            return
        self._queue.put((message.topic, message.payload))

    def _note_status(self, name: str, payload: bytes) -> None:
        try:
            site, station, _ = parse_topic(name)
        except ContractError:
            return
        status = decode_status(payload)
        if status is not None:
            with self._status_lock:
                self._statuses[(site, station)] = status

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> "Ingest":
        """Connect (retrying in the background) and start the applying and config threads."""
        if self.mqtt5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 0
            self.client.connect_async(self.host, self.port, keepalive=30, clean_start=True, properties=props)
        else:
            self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)
        self._thread.start()
        self._config_thread = threading.Thread(target=self._run_configs, name="ingest-configs", daemon=True)
        self._config_thread.start()
        return self

    def stop(self) -> None:
        """Finish the batch in hand, then disconnect."""
        self._stop.set()
        for thread in (self._thread, self._config_thread):
            if thread is not None:
                thread.join(30)
        self.client.disconnect()
        self.client.loop_stop()

    def wait(self, stop: threading.Event) -> None:
        """Block until ``stop`` is set, then stop."""
        while not stop.wait(0.5):
            if self._thread is not None and not self._thread.is_alive():
                break
        self.stop()

    # --- applying ---------------------------------------------------------------------------

    def _connect(self) -> None:
        database.connect(reuse_if_open=True)
        for problem in durable_commits():
            if problem not in self._said:
                self._said.add(problem)
                log.warning("%s", problem)

    def _run(self) -> None:
        self._connect()
        try:
            with self.app.app_context():
                while not self._stop.is_set():
                    batch = self._take_batch()
                    if batch:
                        self._apply_batch(batch)
                    self._store_statuses()
        finally:
            if not database.is_closed():
                database.close()

    def _take_batch(self) -> list[_Message]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        messages = [self._parse(*first)]
        total = len(messages[0].raws) if messages[0] else 0
        while total < self.batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            parsed = self._parse(*item)
            messages.append(parsed)
            total += len(parsed.raws) if parsed else 0
        return [m for m in messages if m is not None]

    def _parse(self, name: str, payload: bytes) -> _Message | None:
        self.stats.messages += 1
        try:
            site, station, leaf = parse_topic(name)
            topic(site, station, "ack")
        except (ContractError, ValueError):
            log.warning("ignoring a message on %r: not a station events topic", name[:120])
            return None
        message = _Message(site, station)
        try:
            message.raws = decode_events(payload, self.max_payload)
        except ContractError as exc:
            log.warning("rejected a message from %s/%s: %s", site, station, exc)
            message.rejected.append({"id": None, "error": str(exc)})
        return message

    def _apply_batch(self, messages: list[_Message]) -> None:
        by_station: dict[tuple[str, str], list] = {}
        for m in messages:
            by_station.setdefault((m.site, m.station), []).extend(m.raws)
        acks: dict[tuple[str, str], tuple[list, list]] = {(m.site, m.station): ([], []) for m in messages}
        for m in messages:
            acks[(m.site, m.station)][1].extend(m.rejected)
        applied_types: set[str] = set()
        while True:
            try:
                with write_transaction():
                    lock_stations(station for (_, station), raws in by_station.items() if raws)
                    for key in sorted(by_station):  # one order on every worker
                        if by_station[key]:
                            applied_types |= self._record(key, by_station[key], acks[key])
                break
            except (pw.OperationalError, pw.InterfaceError) as exc:
                # The database is away, or it broke a deadlock or a lock wait: nothing of the
                # batch was committed and nothing is acked. Try the whole batch again; what
                # another worker recorded meanwhile comes back as duplicates.
                self.stats.database_retries += 1
                log.error("database error, retrying the batch: %s", str(exc).strip().splitlines()[0])
                for accepted, rejected in acks.values():
                    accepted.clear()
                    rejected[:] = [r for r in rejected if r["id"] is None]
                applied_types.clear()
                if self._stop.wait(1.0):
                    return
                try:
                    database.close()
                except pw.PeeweeException:
                    pass
                self._connect()
        self.stats.transactions += 1
        if applied_types & CHANGED_BY_EVENTS:
            self._dirty = True  # only now, after the commit, can a rebuild see what changed
        for (site, station), (accepted, rejected) in acks.items():
            if accepted or rejected:
                self.client.publish(topic(site, station, "ack"), encode_ack(accepted, rejected), qos=1)

    def _store_statuses(self) -> None:
        """Write the stations' statuses (and the figures they carry) read since the last turn (one small update each)."""
        with self._status_lock:
            pending, self._statuses = self._statuses, {}
        if not pending:
            return
        now = utcnow()
        for (site, code), status in sorted(pending.items()):
            try:  # one short transaction per station: never holds one station's row while waiting for another
                with database.atomic():
                    Station.update(**status, status_at=now).where(Station.code == code,
                                                                  Station.site == site).execute()
            except pw.PeeweeException as exc:
                log.error("cannot store the status of %s/%s, trying again: %s", site, code, exc)
                with self._status_lock:
                    self._statuses.setdefault((site, code), status)

    def _record(self, key: tuple[str, str], raws: list, ack: tuple[list, list]) -> set[str]:
        """Apply one station's events in a savepoint and note the answers; returns the types applied.

        A rejection is only ever for an event's own content. When applying fails for another
        reason (a fault in central, a constraint the database enforces) the events are applied
        again one by one, and the one that fails on its own gets no answer at all: the station
        keeps it and sends it again, so it is applied once central can, and is never lost.
        """
        site, station = key
        try:
            with database.atomic():
                outcome = record_raw(raws, site=site, station=station)
        except (pw.OperationalError, pw.InterfaceError):
            raise  # the batch is tried again
        except Exception:  # noqa: BLE001  (a domain bug must not take the worker down or lose the others)
            log.exception("applying %d events from %s/%s failed; applying them one by one", len(raws), site, station)
            outcome = Outcome()
            for raw in raws:
                try:
                    with database.atomic():
                        one = record_raw([raw], site=site, station=station)
                except (pw.OperationalError, pw.InterfaceError):
                    raise
                except Exception:  # noqa: BLE001
                    log.exception("event %s from %s/%s cannot be applied now; it stays with the station",
                                  raw_id(raw), site, station)
                    self.stats.events_unanswered += 1
                    continue
                outcome.accepted += one.accepted
                outcome.rejected += one.rejected
                outcome.applied += one.applied
                outcome.applied_types |= one.applied_types
        ack[0].extend(outcome.accepted)
        ack[1].extend(outcome.rejected)
        self.stats.events_accepted += len(outcome.accepted)
        self.stats.events_rejected += len(outcome.rejected)
        self.stats.events_applied += outcome.applied
        for r in outcome.rejected:
            log.warning("rejected event %s from %s/%s: %s", r["id"], site, station, r["error"])
        return outcome.applied_types

    # --- station configs (own thread, own connection) -------------------------------------------

    def _run_configs(self) -> None:
        try:
            while not self._stop.wait(0.2):
                self._maybe_publish_configs()
        finally:
            if not database.is_closed():
                database.close()

    def _maybe_publish_configs(self) -> None:
        now = time.monotonic()
        if not self.connected.is_set() or now < self._config_due:
            return
        if not self._dirty and now < self._config_due - CONFIG_DEBOUNCE_SECONDS + self.config_refresh:
            return  # nothing applied that a config holds, and the last rebuild is recent
        self._config_due = now + CONFIG_DEBOUNCE_SECONDS
        self._dirty = False
        self.publish_configs()

    def publish_configs(self) -> int:
        """Publish (retained) every config part that changed, and remove parts no longer there.

        Returns how many parts were published. A receipt publishes one batch part; nothing is
        sent again that the broker already holds.
        """
        with self._config_lock:
            return self._publish_configs()

    def _publish_configs(self) -> int:
        if self._reading_retained:
            self._reading_retained = False
            self.client.unsubscribe(list(RETAINED_CONFIG_FILTERS))
            self._published = dict(self._retained)
            self._retained = {}
            self._batch_mark = None
        started = time.perf_counter()
        all_batches = self._batch_mark is None or time.monotonic() - self._batches_read_at > BATCHES_RECONCILE_SECONDS
        try:
            database.connect(reuse_if_open=True)
            with database.atomic():
                if all_batches:
                    mark = batch_watermark()
                    parts, batch_changes = build_parts(with_batches=True), {}
                else:
                    parts = build_parts(with_batches=False)
                    batch_changes, mark = changed_batches(self._batch_mark)
        except pw.PeeweeException as exc:
            log.error("cannot build station configs: %s", exc)
            self._dirty = True  # try again at the next turn
            try:
                database.close()
            except pw.PeeweeException:
                pass
            return 0
        self.stats.config_builds += 1
        changes = [(name, payload) for name, payload in parts.items() if self._published.get(name) != payload]
        changes += [(name, b"") for name in self._published
                    if name not in parts and (all_batches or not is_batch_topic(name))]
        changes += [(name, payload or b"") for name, payload in batch_changes.items()
                    if self._published.get(name) != payload and (payload or name in self._published)]
        for name, payload in changes:
            self.client.publish(name, payload, qos=1, retain=True)
            if payload:
                self._published[name] = payload
            else:
                del self._published[name]
            self.stats.config_bytes += len(name.encode()) + len(payload)
        self._batch_mark = mark
        if all_batches:
            self._batches_read_at = time.monotonic()
        self.stats.configs_published += len(changes)
        self.stats.config_seconds += time.perf_counter() - started
        return len(changes)


def run_ingest(settings, stop: threading.Event | None = None) -> None:
    """Run one ingest worker until SIGTERM/SIGINT (or ``stop``); the handlers only set a flag."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    ingest = Ingest(settings).start()
    log.info("ingest started (%s)", "MQTT 5 shared subscription" if ingest.mqtt5 else "MQTT 3.1.1")
    ingest.wait(stop)
    log.info("ingest stopped: %d events applied, %d rejected", ingest.stats.events_applied,
             ingest.stats.events_rejected)


def _no_delay(client) -> None:
    """Small acks and events must not wait for Nagle's algorithm (40 ms with delayed ACKs)."""
    sock = client.socket()
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass  # a TLS or unusual socket: latency only
