"""The station's MQTT link: sends the outbox to central, removes what central acks, receives the config.

paho-mqtt keeps its session in memory only and the broker may drop messages (mosquitto's
default queue is 1,000 per client), so PUBACK means nothing here: an event leaves the outbox
only on central's application ack. Unacked events are sent again after ``ack_timeout``, after
every reconnect and when a central worker announces it has subscribed (after a broker outage
the station may be back before central); central accepts a duplicate again and never applies
it twice.

The station config arrives as retained parts (docs/station-config.md): the link subscribes to
the station's head and to the shared parts the config store asks for, and follows the head as it
changes (a new work order, a new input item) by subscribing and unsubscribing.
"""
from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Callable

import paho.mqtt.client as mqtt

from edge.contract import CENTRAL_ONLINE_TOPIC, config_digest, decode_ack, encode_status, topic
from edge.outbox import Outbox
from shopfloor.broker import parse_broker_url

log = logging.getLogger("shopfloor.edge.link")


class LinkError(ValueError):
    """A broker URL or TLS option that cannot work; the message says why."""


@dataclass
class _Flight:
    ids: set[str]
    sent_at: float


class Link:
    """Publishes the outbox in batches, applies acks, receives the retained station config."""

    def __init__(self, outbox: Outbox, *, site: str, station: str, url: str, username: str = "",
                 password: str = "", client_id: str = "", tls_ca: str = "", tls_cert: str = "",
                 tls_key: str = "", tls_insecure: bool = False, keepalive: int = 30,
                 reconnect_min: float = 0.5, reconnect_max: float = 2.0, batch_size: int = 500,
                 window: int = 8, ack_timeout: float = 10.0, status_every: float = 5.0,
                 on_ack: Callable[[list[str], list[dict]], None] | None = None,
                 config=None, on_config: Callable[[], None] | None = None,
                 on_state: Callable[[bool], None] | None = None):
        self.outbox = outbox
        self.site, self.station = site, station
        self.address = parse_broker_url(url)
        self.batch_size, self.window, self.ack_timeout = batch_size, window, ack_timeout
        self.on_ack, self.on_config, self.on_state = on_ack, on_config, on_state
        self.config = config  # an edge.cache.ConfigStore, or None for a link that only sends
        self._config_subs: list[str] = []
        self.keepalive = keepalive
        self.status_every = status_every  # at most one status update this often, and only when it changed
        self._status_sent: tuple[bytes, float] = (b"", 0.0)
        self.t_events = topic(site, station, "events")
        self.t_ack = topic(site, station, "ack")
        self.t_config = topic(site, station, "config")
        self.t_status = topic(site, station, "status")
        self.online = False
        self._unreachable_said = False  # the "cannot reach the broker" line is logged once per outage
        self.sent_messages = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flights: dict[int, _Flight] = {}  # message number -> ids not yet acked
        self._cursor = 0  # highest seq sent since the last reset
        self._next_msg = 0
        self._sender: threading.Thread | None = None

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                             client_id=client_id or f"shopfloor-edge-{site}-{station}",
                             protocol=mqtt.MQTTv311, clean_session=True)
        client.username_pw_set(username or station, password or None)
        if self.address.tls:
            try:
                client.tls_set(ca_certs=tls_ca or None, certfile=tls_cert or None, keyfile=tls_key or None,
                               cert_reqs=ssl.CERT_REQUIRED)
            except (OSError, ssl.SSLError) as exc:
                raise LinkError(f"mqtt TLS: {exc}") from None
            client.tls_insecure_set(tls_insecure)
        client.will_set(self.t_status, b"offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=reconnect_min, max_delay=reconnect_max)
        client.max_inflight_messages_set(max(20, window * 2))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_message = self._on_message
        self.client = client

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> "Link":
        """Connect in the background (retrying with backoff) and start sending."""
        self.client.connect_async(self.address.host, self.address.port, keepalive=self.keepalive)
        self.client.loop_start()
        self._sender = threading.Thread(target=self._send_loop, name="edge-link", daemon=True)
        self._sender.start()
        return self

    def stop(self) -> None:
        """Say offline (retained), disconnect and stop the threads; the outbox keeps the rest."""
        self._stop.set()
        self._wake.set()
        if self._sender is not None:
            self._sender.join(5)
        if self.online:
            try:
                self.client.publish(self.t_status, b"offline", qos=1, retain=True).wait_for_publish(2)
            except (RuntimeError, ValueError):
                pass
        self.client.disconnect()
        self.client.loop_stop()

    def kick(self) -> None:
        """New events are in the outbox: send them now."""
        self._wake.set()

    # --- paho callbacks (network thread) --------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties=None):
        if reason_code.is_failure:
            log.warning("broker refused the connection: %s", reason_code)
            return
        _no_delay(client)
        with self._lock:
            self._config_subs = self.config.filters() if self.config is not None else []
            client.subscribe([(self.t_ack, 1), (self.t_config, 1), (CENTRAL_ONLINE_TOPIC, 1),
                              *((f, 1) for f in self._config_subs)])
        self._publish_status(client)
        with self._lock:
            self._flights.clear()
            self._cursor = 0
        self.online = True
        self._unreachable_said = False
        log.info("connected to %s:%d", self.address.host, self.address.port)
        if self.on_state:
            self.on_state(True)
        self._wake.set()

    def _on_connect_fail(self, client, userdata):
        # Said once per outage, not on every retry: the station works offline meanwhile.
        if not self._unreachable_said and not self._stop.is_set():
            log.warning("cannot reach the broker at %s:%d; working offline, events wait in the outbox",
                        self.address.host, self.address.port)
            self._unreachable_said = True

    def _on_disconnect(self, client, userdata, flags, reason_code, properties=None):
        if self.online and not self._stop.is_set():
            log.warning("disconnected from the broker (%s); events stay in the outbox", reason_code)
        self.online = False
        if self.on_state:
            self.on_state(False)

    def _on_message(self, client, userdata, message):
        try:
            if message.topic == self.t_ack:
                self._handle_ack(message.payload)
            elif message.topic == CENTRAL_ONLINE_TOPIC:
                self._send_again()
            elif self.config is None:
                return
            elif message.topic == self.t_config:
                if self.config.apply_head(message.payload):
                    self._follow_head()
                    if self.on_config:
                        self.on_config()
            else:
                self.config.apply_part(message.topic, message.payload)
                if self.on_config:
                    self.on_config()
        except Exception:  # a bad message must not stop the network thread
            log.exception("could not handle a message on %s", message.topic)

    def _follow_head(self) -> None:
        """Subscribe to the parts the new head asks for and leave those it no longer does."""
        wanted = self.config.filters()
        with self._lock:
            new = [f for f in wanted if f not in self._config_subs]
            gone = [f for f in self._config_subs if f not in wanted]
            self._config_subs = wanted
        if gone:
            self.client.unsubscribe(gone)
        if new:
            self.client.subscribe([(f, 1) for f in new])

    def _handle_ack(self, payload: bytes) -> None:
        try:
            accepted, rejected = decode_ack(payload)
        except (ValueError, AttributeError, TypeError):
            log.warning("ignoring a malformed ack (%d bytes)", len(payload))
            return
        self.outbox.ack(accepted, rejected)
        done = set(accepted) | {r.get("id") for r in rejected if isinstance(r, dict)}
        with self._lock:
            for number in list(self._flights):
                flight = self._flights[number]
                flight.ids -= done
                if not flight.ids:
                    del self._flights[number]
        if self.on_ack:
            self.on_ack(accepted, rejected)
        self._wake.set()

    def _send_again(self) -> None:
        """A central worker has just subscribed: what was sent before it may have had no reader."""
        with self._lock:
            self._flights.clear()
            self._cursor = 0
        self._wake.set()

    # --- the retained status --------------------------------------------------------------

    def status(self) -> bytes:
        """The retained status payload: online, with the outbox's depth, dead letters and config version."""
        head = self.config.view.head if self.config is not None else None
        return encode_status(True, queue_depth=self.outbox.depth(), dead_letters=self.outbox.dead_count(),
                             config_version=config_digest(head))

    def _publish_status(self, client=None) -> None:
        payload = self.status()
        (client or self.client).publish(self.t_status, payload, qos=1, retain=True)
        self._status_sent = (payload, time.monotonic())

    def _refresh_status(self) -> None:
        """Say the figures again when they changed, at most once per ``status_every`` seconds."""
        last, at = self._status_sent
        if time.monotonic() - at < self.status_every:
            return
        payload = self.status()
        if payload != last:
            self._publish_status()
        else:
            self._status_sent = (last, time.monotonic())

    # --- sender thread --------------------------------------------------------------------

    def in_flight(self) -> int:
        """Messages sent and not yet fully acked."""
        with self._lock:
            return len(self._flights)

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.2)
            self._wake.clear()
            if not self.online:
                continue
            try:
                self._send_some()
                self._refresh_status()
            except Exception:  # keep the sender alive; the outbox is the truth
                log.exception("sending the outbox failed; retrying")
                time.sleep(0.5)

    def _send_some(self) -> None:
        now = time.monotonic()
        with self._lock:
            if self._flights and min(f.sent_at for f in self._flights.values()) < now - self.ack_timeout:
                log.info("no ack within %.1fs: sending the unacked events again", self.ack_timeout)
                self._flights.clear()
                self._cursor = 0
        while self.online and not self._stop.is_set():
            with self._lock:
                if len(self._flights) >= self.window:
                    return
                cursor = self._cursor
            rows = self.outbox.pending(cursor, self.batch_size)
            if not rows:
                return
            payload = b'{"events":[' + b",".join(r.payload.encode() for r in rows) + b"]}"
            with self._lock:
                self._next_msg += 1
                self._flights[self._next_msg] = _Flight({r.id for r in rows}, time.monotonic())
                self._cursor = rows[-1].seq
            info = self.client.publish(self.t_events, payload, qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                return  # not connected any more; the reconnect resets the cursor
            self.sent_messages += 1


def _no_delay(client) -> None:
    """Small acks and events must not wait for Nagle's algorithm (40 ms with delayed ACKs)."""
    sock = client.socket()
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass  # a TLS or unusual socket: latency only
