"""The embedded MQTT 3.1.1 broker (amqtt) for a single machine; production uses mosquitto."""
from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger("shopfloor.broker")


class BrokerError(Exception):
    """The embedded broker could not start; the message says why."""


@dataclass(frozen=True)
class BrokerAddress:
    """Where a broker is and whether to use TLS."""

    host: str
    port: int
    tls: bool


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://host:port`` or ``mqtts://host:port`` (ports default to 1883 / 8883)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise BrokerError(f"mqtt.url {url!r} must look like mqtt://host:1883 or mqtts://host:8883")
    tls = parts.scheme == "mqtts"
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise BrokerError(f"mqtt.url {url!r} has a bad port") from None
    return BrokerAddress(parts.hostname, port, tls)


def check_port_free(host: str, port: int) -> None:
    """Raise BrokerError when ``host:port`` cannot be bound (already taken, or not ours)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise BrokerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def broker_config(host: str, port: int) -> dict:
    """amqtt configuration: one TCP listener, anonymous clients allowed (loopback only by default)."""
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 1000}},
        "timeout_disconnect_delay": 0,
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    """Run the broker until ``stop`` is set."""
    from amqtt.broker import Broker

    check_port_free(host, port)
    broker = Broker(broker_config(host, port))
    await broker.start()
    log.info("embedded MQTT broker listening on %s:%d", host, port)
    try:
        await stop.wait()
    finally:
        await broker.shutdown()


class BrokerThread:
    """The embedded broker on its own event loop in a background thread (used by ``demo``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883):
        self.host, self.port = host, port
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mqtt-broker", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main():
            self._stop = asyncio.Event()
            from amqtt.broker import Broker

            broker = Broker(broker_config(self.host, self.port))
            try:
                await broker.start()
            except BaseException as exc:  # reported to start(), which raises it as a BrokerError
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            await self._stop.wait()
            await broker.shutdown()

        self._loop.run_until_complete(main())

    def start(self) -> "BrokerThread":
        """Start and wait until the listener accepts connections."""
        check_port_free(self.host, self.port)
        self._thread.start()
        self._ready.wait(15)
        if self._error is not None or not self._ready.is_set():
            raise BrokerError(f"embedded broker did not start on {self.host}:{self.port}: {self._error}")
        return self

    def stop(self) -> None:
        """Shut the broker down and wait for its thread."""
        if self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)
