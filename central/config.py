"""Central's configuration keys. Every key here is documented in docs/configuration.md."""
from __future__ import annotations

import os

from shopfloor.settings import Key, Settings, load

KEYS: tuple[Key, ...] = (
    Key("database.url", "sqlite:///var/central.db", "peewee database URL: sqlite:///path or postgresql://user@host/db", aliases=("DATABASE_URL",)),
    Key("web.db_pool", 10, "PostgreSQL: connections each web process keeps open and reuses (about 3 ms less per request); 0 = a new one per request", int),
    Key("site.name", "Plant 1", "site name shown in the web admin's header and page titles"),
    Key("site.timezone", "UTC", "IANA time zone in which pages show times, e.g. Europe/Berlin (times are stored in UTC)"),
    Key("web.host", "127.0.0.1", "address `shopfloor central serve` listens on"),
    Key("web.port", 8000, "port `shopfloor central serve` listens on", int),
    Key("web.secret_key", "", "session signing key; empty = generated once and kept in var/secret_key"),
    Key("web.base_url", "", "public address of the web admin, used in label QR codes; empty = http://{web.host}:{web.port}"),
    Key("web.session_hours", 12, "hours a web login stays valid at most, however busy (absolute expiry)", int),
    Key("web.session_idle_minutes", 120, "minutes without a request after which a web login ends (idle expiry)", int),
    Key("web.https", False, "central is reached over HTTPS (through a TLS proxy): Secure session cookie and HSTS; turn on in production", bool),
    Key("web.proxy_hops", 0, "reverse proxies in front of central whose X-Forwarded-For/-Proto/-Host are trusted (1 behind one TLS proxy)", int),
    Key("web.login_limit_user", "5 per minute;30 per hour", "failed sign-ins allowed per user name (Flask-Limiter syntax)"),
    Key("web.login_limit_client", "20 per minute;200 per hour", "sign-in attempts allowed per client address (Flask-Limiter syntax)"),
    Key("web.rate_limit_storage", "database://", "where sign-in attempts are counted: database:// (central's database, shared by all workers), memory:// (each process) or redis://host:6379"),
    Key("api.token_days", 365, "days a new API token is valid unless told otherwise; 0 = no expiry", int),
    Key("mqtt.url", "mqtt://127.0.0.1:1883", "broker URL: mqtt://host:port or mqtts://host:port"),
    Key("mqtt.username", "central", "broker user name of central"),
    Key("mqtt.password", "", "broker password of central"),
    Key("mqtt.tls_ca", "", "CA file for mqtts:// (empty = system CAs)"),
    Key("mqtt.tls_cert", "", "client certificate file for mutual TLS (optional)"),
    Key("mqtt.tls_key", "", "client key file for mutual TLS (optional)"),
    Key("mqtt.client_id", "", "client id; empty = central-<hostname>-<pid>"),
    Key("mqtt.connect_patience", 30.0, "seconds `central ingest` waits at start for the broker before it gives up", float),
    Key("mqtt.shared_group", "central", "MQTT 5 shared-subscription group of the ingest workers"),
    Key("mqtt.protocol", "5", "MQTT protocol: 5, or 3.1.1 for a broker without MQTT 5 (one ingest worker only)"),
    Key("ingest.batch_size", 500, "events applied in one database transaction at most", int),
    Key("ingest.max_payload_bytes", 1_000_000, "largest events message accepted; larger ones are rejected", int),
    Key("reasons.delay_margin_percent", 20, "how far past its standard minutes (in %) a stage may run before a delay reason is due", int),
    Key("labels.gs1_company_prefix", "", "your GS1 company prefix (4 to 12 digits); needed to print SSCC pallet labels"),
    Key("labels.sscc_extension", "0", "SSCC extension digit (0-9) put before the company prefix"),
    Key("maintenance.request_limit", "5 per minute;50 per day", "how many work requests one client address may send through the public form"),
    Key("maintenance.limit_storage", "memory://", "where the public form's rate limits are counted: memory:// counts per web worker; a shared store such as redis://host:6379 (with the redis package) counts for all"),
    Key("maintenance.scheduler_seconds", 60.0, "seconds between passes of `shopfloor central scheduler` over the preventive schedules", float),
    Key("log.level", "INFO", "log level: DEBUG, INFO, WARNING or ERROR"),
    Key("data_dir", "var", "folder for the SQLite database, secret key and generated files"),
)


def load_settings(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Settings:
    """Central's settings from an optional TOML file, ``SHOPFLOOR_*`` and ``DATABASE_URL``."""
    path = path or os.environ.get("SHOPFLOOR_CONFIG") or None
    return load(KEYS, path=path, overrides=overrides)
