"""Settings: declared keys with defaults, read from a TOML file, overridden by environment.

Central and the edge each declare their keys as a tuple of :class:`Key`; this module
knows nothing of either. A key ``mqtt.url`` is read from the TOML table ``[mqtt]``,
key ``url``, and overridden by the environment variable ``<PREFIX>MQTT_URL``.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


class SettingsError(Exception):
    """A configuration file or value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Key:
    """One configuration key: dotted name, default, type and a line of documentation."""

    name: str
    default: Any
    doc: str
    type: type = str
    aliases: tuple[str, ...] = ()  # extra environment variables honoured, e.g. DATABASE_URL

    def env_name(self, prefix: str) -> str:
        """The environment variable that overrides this key."""
        return prefix + self.name.replace(".", "_").upper()

    def coerce(self, value: Any, source: str) -> Any:
        """Convert a raw value to this key's type, or raise SettingsError naming the source."""
        try:
            if self.type is bool:
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text in ("1", "true", "yes", "on"):
                    return True
                if text in ("0", "false", "no", "off", ""):
                    return False
                raise ValueError(value)
            if self.type in (int, float):
                if isinstance(value, bool):
                    raise ValueError(value)
                return self.type(value)
            if self.type is str:
                if isinstance(value, (dict, list)):
                    raise ValueError(value)
                return str(value)
            return self.type(value)
        except (TypeError, ValueError):
            raise SettingsError(
                f"{source}: {self.name} must be {self.type.__name__}, got {value!r}"
            ) from None


class Settings(Mapping[str, Any]):
    """Read-only mapping of dotted key → value, with where each value came from."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str]):
        self._values = values
        self.sources = sources

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def section(self, name: str) -> dict[str, Any]:
        """All keys under ``name.`` with the prefix stripped."""
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self._values.items() if k.startswith(prefix)}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def read_toml(path: str | os.PathLike) -> dict[str, Any]:
    """Read a TOML file into a flat dict of dotted keys, with a one-line error on failure."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return _flatten(tomllib.load(fh))
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except PermissionError:
        raise SettingsError(f"config file {path} is not readable") from None
    except IsADirectoryError:
        raise SettingsError(f"config file {path} is a directory") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path} is not UTF-8 text") from None


def load(
    keys: tuple[Key, ...],
    *,
    path: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    prefix: str = "SHOPFLOOR_",
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve every key: default, then the TOML file, then environment, then ``overrides``.

    Unknown keys in the file are an error (a typo must not silently fall back to a default).
    """
    env = os.environ if env is None else env
    by_name = {k.name: k for k in keys}
    values = {k.name: k.default for k in keys}
    sources = {k.name: "default" for k in keys}
    if path is not None:
        for name, raw in read_toml(path).items():
            if name not in by_name:
                raise SettingsError(f"config file {path}: unknown key {name!r}")
            values[name] = by_name[name].coerce(raw, f"config file {path}")
            sources[name] = str(path)
    for key in keys:
        for var in (*key.aliases, key.env_name(prefix)):
            if var in env:
                values[key.name] = key.coerce(env[var], f"environment {var}")
                sources[key.name] = f"env {var}"
    for name, raw in (overrides or {}).items():
        if name not in by_name:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = by_name[name].coerce(raw, "override")
        sources[name] = "override"
    return Settings(values, sources)
