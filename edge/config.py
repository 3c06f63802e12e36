"""The station's configuration keys (TOML file + ``SHOPFLOOR_EDGE_*`` environment overrides).

Every key here is documented in docs/configuration.md.
"""
from __future__ import annotations

import os

from shopfloor.settings import Key, Settings, load

ENV_PREFIX = "SHOPFLOOR_EDGE_"

KEYS: tuple[Key, ...] = (
    Key("site.code", "plant1", "site code: the {site} part of the station's MQTT topics"),
    Key("station.code", "S01", "station code: its MQTT user name and the {station} part of its topics"),
    Key("station.kind", "production", "production or goods_in; the station config from central overrides it"),
    Key("data_dir", "var/edge", "folder for the outbox database and the station config cache"),
    Key("mqtt.url", "mqtt://127.0.0.1:1883", "broker URL: mqtt://host:port or mqtts://host:port"),
    Key("mqtt.username", "", "broker user name; empty = the station code"),
    Key("mqtt.password", "", "broker password"),
    Key("mqtt.client_id", "", "MQTT client id; empty = shopfloor-edge-{site}-{station}"),
    Key("mqtt.tls_ca", "", "CA file for mqtts:// (empty = system CAs)"),
    Key("mqtt.tls_cert", "", "client certificate file for mutual TLS (optional)"),
    Key("mqtt.tls_key", "", "client key file for mutual TLS (optional)"),
    Key("mqtt.tls_insecure", False, "skip the broker host name check (test benches only)", bool),
    Key("mqtt.keepalive", 30, "seconds between MQTT keepalive pings", int),
    Key("mqtt.reconnect_min", 0.5, "first reconnect delay in seconds (doubles on each failure)", float),
    Key("mqtt.reconnect_max", 2.0, "longest reconnect delay in seconds", float),
    Key("sync.batch_size", 500, "events in one MQTT message at most when replaying the backlog", int),
    Key("sync.window", 8, "messages sent and not yet acked at most", int),
    Key("sync.ack_timeout", 10.0, "seconds to wait for central's ack before sending an event again", float),
    Key("scanner.urls", "stdin://", "comma-separated scanner URLs: serial:///dev/ttyACM0?baudrate=9600, hid:///dev/input/by-id/...-event-kbd, stdin://, memory://"),
    Key("scanner.max_length", 4096, "longest scan accepted, in characters; longer ones are refused", int),
    Key("printer.url", "", "label printer URL: zpl+tcp://host:9100, cups://Queue, serial:///dev/ttyUSB0, file:///folder, memory://; empty = file://{data_dir}/labels"),
    Key("printer.format", "zpl", "job format sent to the printer: zpl or pdf", str),
    Key("printer.dpi", 203, "printer resolution in dots per inch", int),
    Key("printer.template", "batch", "label template for output batches"),
    Key("printer.goods_in_template", "goods_in", "label template for batches received at goods in"),
    Key("printer.retry_seconds", 5.0, "seconds between attempts when the printer refused a job before taking any of it", float),
    Key("labels.base_url", "", "address printed in label QR codes, e.g. https://central.example/batches/; empty = no link"),
    Key("scan.badge_pattern", r"^(OP|BADGE)-[A-Za-z0-9._-]+$", "regular expression of an operator badge"),
    Key("scan.work_order_pattern", r"^WO-[A-Za-z0-9._-]+$", "regular expression of a work order number"),
    Key("scan.location_pattern", r"^LOC-[A-Za-z0-9._-]+$", "regular expression of a location code"),
    Key("scan.quantity_prefix", "Q:", "prefix of a quantity barcode, e.g. Q:12.5 (bare numbers count too when one is asked)"),
    Key("scan.command_prefix", "CMD:", "prefix of a command barcode, e.g. CMD:START"),
    Key("scan.reason_prefix", "RC:", "prefix of a reason code barcode; codes in the catalogue also match without it"),
    Key("scan.item_prefix", "ITEM:", "prefix of an item code barcode; item codes in the station config also match without it"),
    Key("validate.unknown_batch", "refuse", "an input batch the station does not know: refuse, or flag (accept, central flags it); offline always accepted"),
    Key("validate.not_in_recipe", "refuse", "an item not in the work order's recipe: refuse or flag"),
    Key("validate.unknown_work_order", "refuse", "a work order not in the station config: refuse or flag; offline always accepted"),
    Key("screen.host", "127.0.0.1", "address of the station screen's web page"),
    Key("screen.port", 8080, "port of the station screen's web page; 0 = no screen", int),
    Key("log.level", "INFO", "log level: DEBUG, INFO, WARNING or ERROR"),
)

VALIDATION_MODES = ("refuse", "flag")


def load_settings(path: str | os.PathLike | None = None, overrides: dict | None = None,
                  env: dict | None = None) -> Settings:
    """The station's settings from an optional TOML file and ``SHOPFLOOR_EDGE_*`` variables."""
    env = os.environ if env is None else env
    path = path or env.get("SHOPFLOOR_EDGE_CONFIG") or None
    settings = load(KEYS, path=path, env=env, prefix=ENV_PREFIX, overrides=overrides)
    check(settings)
    return settings


def check(settings: Settings) -> None:
    """Reject values no station can run with, naming the key."""
    from edge.contract import code
    from shopfloor.settings import SettingsError

    for name in ("site.code", "station.code"):
        try:
            code(settings[name])
        except ValueError as exc:
            raise SettingsError(f"{name} {exc}") from None
    for name in ("validate.unknown_batch", "validate.not_in_recipe", "validate.unknown_work_order"):
        if settings[name] not in VALIDATION_MODES:
            raise SettingsError(f"{name} must be refuse or flag, got {settings[name]!r}")
    if settings["station.kind"] not in ("production", "goods_in"):
        raise SettingsError(f"station.kind must be production or goods_in, got {settings['station.kind']!r}")
    if settings["printer.format"] not in ("zpl", "pdf"):
        raise SettingsError(f"printer.format must be zpl or pdf, got {settings['printer.format']!r}")
    for name in ("sync.batch_size", "sync.window"):
        if settings[name] < 1:
            raise SettingsError(f"{name} must be 1 or more")
