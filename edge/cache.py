"""The station config central publishes (retained parts), cached on disk so the station works offline.

Central publishes a small *head* per station and *shared parts* per site, one retained message
per operator, item, open work order and batch in stock (docs/station-config.md). ``ConfigStore``
keeps what this station subscribed to in memory and in the outbox database (so it survives
restarts), applies each part as it arrives, and says which topics the head asks for.

``StationConfig`` answers the questions offline validation asks: is this badge known and
certified for the work centre, the stage and the machines today, is this batch known, is this
item in the work order's recipe, is this reason code valid for this kind of stop. Batches the
station minted itself (outputs, goods received) are known at once, before central has heard of
them, so a station that is offline can chain work orders through its own outputs.
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import date, datetime, timedelta, timezone
from typing import Any

from edge.contract import ContractError, config_filter, config_topic, parse_config_topic

log = logging.getLogger("shopfloor.edge.config")

#: Which reason categories each of the station's questions accepts until central says otherwise
#: (central's catalogue sends its own in the ``reasons`` part).
REASON_CATEGORIES = {"scrap": ("scrap", "quality"), "pause": ("delay", "downtime", "quality"), "delay": ("delay",),
                     "down": ("downtime",)}
#: A batch minted here is known locally this long, or until central publishes it.
MINTED_KEPT = timedelta(days=1)
_TABLE_KEYS = {"operators": "badge", "items": "code", "work_orders": "number", "batches": "code",
               "reason_codes": "code"}
_FLUSH_SECONDS = 0.5


class StationConfig:
    """A read-only view of one station config: the head's fields and indexed tables of parts."""

    def __init__(self, raw: dict[str, Any] | None = None, *, head: dict | None = None,
                 tables: dict[str, dict[str, dict]] | None = None, accepts: dict | None = None):
        raw = raw or {}
        self.head = head if head is not None else {k: v for k, v in raw.items() if k not in _TABLE_KEYS}
        if tables is None:
            tables = {name: {row[key]: row for row in raw.get(name, []) if isinstance(row, dict) and row.get(key)}
                      for name, key in _TABLE_KEYS.items()}
            tables["minted"] = {}
        self.tables = tables
        self.accepts = accepts if accepts is not None else dict(raw.get("accepts") or {})
        self.loaded: set[str] = {"reasons"} if raw else set()  # shared part kinds seen at least once

    @property
    def received(self) -> bool:
        """True once central's config is here: the head, and the reasons part, which the station
        subscribes to last, so the broker has sent every part subscribed before it."""
        return bool(self.head) and "reasons" in self.loaded

    @property
    def kind(self) -> str | None:
        """production or goods_in, when central said so."""
        return self.head.get("kind")

    def operator(self, badge: str) -> dict | None:
        """The operator with this badge."""
        return self.tables["operators"].get(badge)

    def certification_problem(self, badge: str, today: date, requirements: list[dict] | None = None) -> str | None:
        """Why this operator may not work here today (the station's skills, or ``requirements``), or None."""
        operator = self.operator(badge)
        if operator is None:
            return f"badge {badge} is not known at this station"
        who = operator.get("name") or badge
        for need in self.head.get("required_skills", []) if requirements is None else requirements:
            skill, level = need.get("skill"), need.get("min_level", 1)
            source = f" (required by {need['source']})" if requirements is not None and need.get("source") else ""
            certs = [c for c in operator.get("certifications", []) if c.get("skill") == skill]
            if not certs:
                return f"{who} is not certified for {skill}{source}"
            if not any(c.get("level", 1) >= level for c in certs):
                return f"{who} needs level {level} for {skill}{source}"
            valid = [c for c in certs if c.get("level", 1) >= level
                     and (not c.get("issued") or c["issued"] <= today.isoformat())
                     and (not c.get("expires") or c["expires"] >= today.isoformat())]
            if not valid:
                last = max((c.get("expires") or "" for c in certs), default="")
                return f"{who}: certification for {skill} expired {last}{source}".rstrip()
        return None

    def stage_requirements(self, work_order: str, seq: int | None) -> list[dict]:
        """What running a stage asks beyond the station's skills: the stage's own skill and the machines' skills."""
        needs = []
        for stage in (self.work_order(work_order) or {}).get("stages", []):
            if stage.get("seq") == seq and stage.get("skill"):
                needs.append({"skill": stage["skill"], "min_level": 1, "source": f"stage:{seq}"})
        for machine in self.head.get("machines", []):
            needs += machine.get("skills", [])
        return needs

    def is_technician(self, badge: str) -> bool:
        """True when central says this badge is an active technician's."""
        return bool((self.operator(badge) or {}).get("technician"))

    def breakdown(self) -> dict | None:
        """The open breakdown work order of one of the station's machines, with the machine's code."""
        for machine in self.head.get("machines", []):
            if machine.get("breakdown"):
                return dict(machine["breakdown"], machine=machine.get("code"))
        return None

    def blocks(self, now: datetime) -> list[dict]:
        """Safety-critical work that stops production on the station's machines at ``now`` (UTC)."""
        moment = now.replace(tzinfo=None).isoformat(timespec="seconds") + "Z" if now.tzinfo is None else \
            now.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
        return [dict(block, machine=machine.get("code")) for machine in self.head.get("machines", [])
                for block in machine.get("blocks", []) if block.get("from") and block["from"] <= moment]

    def reason(self, code: str) -> dict | None:
        """The reason code entry."""
        return self.tables["reason_codes"].get(code)

    def reason_codes(self):
        """Every reason code known here (a set-like view)."""
        return self.tables["reason_codes"].keys()

    def accepted_categories(self, question: str) -> tuple[str, ...]:
        """The reason categories a question (pause, delay, down, scrap) accepts, as central's catalogue says."""
        return tuple(self.accepts.get(question) or REASON_CATEGORIES[question])

    def item_codes(self):
        """Every item code known here (a set-like view)."""
        return self.tables["items"].keys()

    def item(self, code: str) -> dict | None:
        """The item with this code."""
        return self.tables["items"].get(code)

    def item_by_gtin(self, gtin: str) -> dict | None:
        """The item with this GTIN (any of GTIN-8/12/13/14 forms)."""
        wanted = gtin.lstrip("0")
        for row in self.tables["items"].values():
            if row.get("gtin") and str(row["gtin"]).lstrip("0") == wanted:
                return row
        return None

    def work_order(self, number: str) -> dict | None:
        """The open work order with this number."""
        return self.tables["work_orders"].get(number)

    def batch(self, code: str) -> dict | None:
        """A batch in stock with this code, or one this station minted itself."""
        return self.tables["batches"].get(code) or self.tables["minted"].get(code)


class ConfigStore:
    """The station's copy of its config parts: applied as they arrive, kept on disk, read as a StationConfig.

    Changes happen under ``lock`` (the station's lock, which every scan also holds), so a scan
    sees a config either before or after a part, never half of it. Writes to disk are grouped:
    the retained parts arriving after a reconnect are stored a few hundred at a time.
    """

    def __init__(self, outbox, site: str, station: str, lock: threading.RLock | None = None):
        self.outbox, self.site, self.station = outbox, site, station
        self.lock = lock or threading.RLock()
        self._unsaved: dict[str, str | None] = {}
        self._timer: threading.Timer | None = None
        self.view = StationConfig(head={}, tables={name: {} for name in (*_TABLE_KEYS, "minted")}, accepts={})
        for name, payload in outbox.config_parts().items():
            self._load(name, payload)

    # --- what to subscribe to --------------------------------------------------------------

    def filters(self) -> list[str]:
        """The shared parts the head asks for, in the order to subscribe (the head's own topic is separate).

        The reasons part comes last: a broker sends the retained messages of a subscription's
        filters in order, so once it arrives, everything before it has too.
        """
        reasons = config_filter(self.site, "reasons")
        return sorted(self._filters() - {reasons}) + [reasons]

    def _filters(self) -> set[str]:
        head = self.view.head
        wanted = {config_filter(self.site, "operators"), config_filter(self.site, "items"),
                  config_filter(self.site, "reasons")}
        wanted |= {config_filter(self.site, "work_orders", n) for n in head.get("work_orders", [])}
        wanted |= {config_filter(self.site, "batches", i) for i in head.get("batch_items", [])}
        return wanted

    # --- applying parts ----------------------------------------------------------------------

    def apply_head(self, payload: bytes) -> bool:
        """A head from central; True when it changed. Parts it no longer asks for are dropped."""
        if not payload:
            return False  # central removed this station: keep working with what we have
        head = json.loads(payload)
        if not isinstance(head, dict) or head.get("station") not in (None, self.station):
            log.warning("ignoring a config head for station %r", head.get("station") if isinstance(head, dict) else None)
            return False
        with self.lock:
            if head == self.view.head:
                return False
            self.view.head = head
            self._save("head", json.dumps(head))
            keep = set(head.get("work_orders", []))
            for number in [n for n in self.view.tables["work_orders"] if n not in keep]:
                self._drop("work_orders", number)
            items = set(head.get("batch_items", []))
            for code in [c for c, b in self.view.tables["batches"].items() if b.get("item") not in items]:
                self._drop("batches", code)
        return True

    def apply_part(self, name: str, payload: bytes) -> None:
        """A shared part from central (an empty payload removes it)."""
        try:
            site, kind, keys = parse_config_topic(name)
        except ContractError:
            return
        with self.lock:
            if not payload:
                self._remove(kind, keys)
                self._save(name, None)
            elif self._put(kind, keys, json.loads(payload)):
                self._save(name, payload.decode())

    def remember_minted(self, code: str, item: str, expiry: str | None, at: datetime) -> None:
        """A batch this station just minted: known here at once, until central publishes it or a day passes."""
        with self.lock:
            minted = self.view.tables["minted"]
            cutoff = (at - MINTED_KEPT).isoformat()
            for old in [c for c, row in minted.items() if row.get("minted_at", "") < cutoff]:
                del minted[old]
                self._save(f"minted/{old}", None)
            if code in self.view.tables["batches"]:
                return
            row = {"code": code, "item": item, "expiry": expiry, "status": "released", "minted_at": at.isoformat()}
            minted[code] = row
            self._save(f"minted/{code}", json.dumps(row))

    def _load(self, name: str, payload: str) -> None:
        try:
            if name == "head":
                self.view.head = json.loads(payload)
            elif name.startswith("minted/"):
                row = json.loads(payload)
                self.view.tables["minted"][row["code"]] = row
            else:
                _, kind, keys = parse_config_topic(name)
                self._put(kind, keys, json.loads(payload))
        except (ValueError, KeyError, ContractError):
            log.warning("ignoring an unreadable cached config part %r", name)

    def _put(self, kind: str, keys: tuple[str, ...], row: Any) -> bool:
        """Apply one part; False when the head no longer asks for it."""
        if kind == "reasons":
            self.view.loaded.add("reasons")
            self.view.accepts.clear()
            self.view.accepts.update(row.get("accepts") or {})
            table = self.view.tables["reason_codes"]
            table.clear()
            table.update({r["code"]: r for r in row.get("reason_codes", [])})
            return True
        head = self.view.head
        if head and ((kind == "work_orders" and keys[-1] not in head.get("work_orders", ()))
                     or (kind == "batches" and keys[0] not in head.get("batch_items", ()))):
            return False  # still in flight when the head stopped asking for it
        if kind == "batches" and self.view.tables["minted"].pop(keys[-1], None) is not None:
            self._save(f"minted/{keys[-1]}", None)
        self.view.tables[kind][keys[-1]] = row
        return True

    def _remove(self, kind: str, keys: tuple[str, ...]) -> None:
        if kind == "reasons":
            self.view.tables["reason_codes"].clear()
            self.view.accepts.clear()
        else:
            self.view.tables[kind].pop(keys[-1], None)

    def _drop(self, kind: str, key: str) -> None:
        row = self.view.tables[kind].pop(key)
        keys = (row["item"], key) if kind == "batches" else (key,)
        self._save(config_topic(self.site, kind, *keys), None)

    # --- disk --------------------------------------------------------------------------------

    def _save(self, name: str, payload: str | None) -> None:
        self._unsaved[name] = payload
        if self._timer is None:
            self._timer = threading.Timer(_FLUSH_SECONDS, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        """Write the parts received since the last flush (the daemon also calls it when it stops)."""
        with self.lock:
            changes, self._unsaved = self._unsaved, {}
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if changes:
            self.outbox.put_config_parts(changes)

