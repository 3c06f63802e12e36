"""The station config central publishes (retained), cached on disk so the station works offline.

``StationConfig`` answers the questions offline validation asks: is this badge known and
certified for the work centre today, is this batch known, is this item in the work order's
recipe, is this reason code valid for this kind of stop. The raw config is kept in the
outbox database, so it survives restarts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

CONFIG_KEY = "station_config"

#: Which reason categories each kind of question accepts.
REASON_CATEGORIES = {"scrap": ("scrap", "quality"), "pause": ("delay",), "delay": ("delay",),
                     "down": ("downtime",)}


@dataclass(frozen=True)
class StationConfig:
    """A read-only view of one station config dict."""

    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def received(self) -> bool:
        """True once a config from central has been seen."""
        return bool(self.raw)

    @property
    def kind(self) -> str | None:
        """production or goods_in, when central said so."""
        return self.raw.get("kind")

    def _index(self, name: str, key: str) -> dict[str, dict]:
        cache = self.__dict__.setdefault("_indexes", {})
        if name not in cache:
            cache[name] = {row[key]: row for row in self.raw.get(name, []) if isinstance(row, dict) and row.get(key)}
        return cache[name]

    def operator(self, badge: str) -> dict | None:
        """The operator with this badge."""
        return self._index("operators", "badge").get(badge)

    def certification_problem(self, badge: str, today: date) -> str | None:
        """Why this operator may not work here today, or None when they may."""
        operator = self.operator(badge)
        if operator is None:
            return f"badge {badge} is not known at this station"
        for need in self.raw.get("required_skills", []):
            skill, level = need.get("skill"), need.get("min_level", 1)
            certs = [c for c in operator.get("certifications", []) if c.get("skill") == skill]
            if not certs:
                return f"{operator.get('name') or badge} is not certified for {skill}"
            if not any(c.get("level", 1) >= level for c in certs):
                return f"{operator.get('name') or badge} needs level {level} for {skill}"
            valid = [c for c in certs if c.get("level", 1) >= level
                     and (not c.get("issued") or c["issued"] <= today.isoformat())
                     and (not c.get("expires") or c["expires"] >= today.isoformat())]
            if not valid:
                last = max((c.get("expires") or "" for c in certs), default="")
                return f"{operator.get('name') or badge}: certification for {skill} expired {last}".rstrip()
        return None

    def reason(self, code: str) -> dict | None:
        """The reason code entry."""
        return self._index("reason_codes", "code").get(code)

    def reason_codes(self) -> frozenset[str]:
        """Every reason code known here."""
        return frozenset(self._index("reason_codes", "code"))

    def item_codes(self) -> frozenset[str]:
        """Every item code known here."""
        return frozenset(self._index("items", "code"))

    def item(self, code: str) -> dict | None:
        """The item with this code."""
        return self._index("items", "code").get(code)

    def item_by_gtin(self, gtin: str) -> dict | None:
        """The item with this GTIN (any of GTIN-8/12/13/14 forms)."""
        wanted = gtin.lstrip("0")
        for row in self.raw.get("items", []):
            if row.get("gtin") and str(row["gtin"]).lstrip("0") == wanted:
                return row
        return None

    def work_order(self, number: str) -> dict | None:
        """The open work order with this number."""
        return self._index("work_orders", "number").get(number)

    def batch(self, code: str) -> dict | None:
        """A batch in stock with this code."""
        return self._index("batches", "code").get(code)


def load_config(outbox) -> StationConfig:
    """The cached config (empty before central ever sent one)."""
    return StationConfig(outbox.get_meta(CONFIG_KEY, {}) or {})


def save_config(outbox, raw: dict) -> StationConfig:
    """Keep a config from central on disk and return its view."""
    outbox.put_meta(CONFIG_KEY, raw)
    return StationConfig(raw)
