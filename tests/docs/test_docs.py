"""Docs are part of the feature: every event type, field and configuration key is documented."""
import re
from pathlib import Path

import pytest

from edge.contract import EVENT_TYPES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n### ", start + len(heading))
    return text[start: nxt if nxt != -1 else len(text)]


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_every_event_type_and_field_is_in_events_md(type_name):
    text = (DOCS / "events.md").read_text()
    heading = f"### `{type_name}`"
    assert heading in text, f"docs/events.md has no section for {type_name}"
    section = _section(text, heading)
    for field in EVENT_TYPES[type_name].fields:
        assert f"| `{field.name}` |" in section, f"docs/events.md: {type_name} lacks field {field.name}"
    assert "```json" in section, f"docs/events.md: {type_name} has no example"


HEADINGS = {"central": "## Central keys", "edge": "## Station (edge) keys"}


def _documented_keys(side: str) -> dict[str, str]:
    text = (DOCS / "configuration.md").read_text()
    start = text.index(HEADINGS[side])
    end = text.find("\n## ", start + 5)
    text = text[start: end if end != -1 else len(text)]
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| ((?:[^|\\]|\\.)*) \|", text, flags=re.M)
    return {name: default.strip().replace("\\|", "|") for name, default in rows}


def _key_sets():
    from central.config import KEYS as central_keys

    sets = [("central", central_keys)]
    try:
        from edge.config import KEYS as edge_keys
    except ImportError:
        edge_keys = ()
    if edge_keys:
        sets.append(("edge", edge_keys))
    return sets


@pytest.mark.parametrize("side, keys", _key_sets(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_config_key_is_documented_with_its_default(side, keys):
    documented = _documented_keys(side)
    for key in keys:
        assert key.name in documented, f"docs/configuration.md lacks {side} key {key.name}"
        shown = documented[key.name]
        expected = f"`{key.default}`" if key.default != "" else "(empty)"
        if isinstance(key.default, bool):
            expected = f"`{str(key.default).lower()}`"
        assert shown == expected, f"docs/configuration.md: {key.name} default is {shown}, code says {expected}"


CONFIG_SECTIONS = {"head": "## Head", "operators": "## Operators", "items": "## Items", "reasons": "## Reasons",
                   "work_orders": "## Work orders", "batches": "## Batches"}


def _field_paths(value, prefix=""):
    """Every field of a JSON value as documented: ``a``, ``a.b`` for objects, ``a[].b`` for lists of objects."""
    paths = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= _field_paths(inner, path)
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, dict):
                paths |= _field_paths(inner, f"{prefix}[]")
    return paths


def test_every_station_config_field_is_in_station_config_md(db):
    """Build a small plant (every part and field present), then look each field up in its section of the doc."""
    import json

    from bench.plantdata import build_plant
    from central.stationconfig import build_parts

    build_plant(stations=2, operators=2, batches=3, work_orders=2, centres=2)
    text = (DOCS / "station-config.md").read_text()
    fields: dict[str, set[str]] = {}
    for topic, payload in build_parts().items():
        kind = "head" if topic.endswith("/config") else topic.split("/_config/")[1].split("/")[0]
        fields.setdefault(kind, set()).update(_field_paths(json.loads(payload)))
    assert set(fields) == set(CONFIG_SECTIONS), "a config part without a section in the doc"
    for kind, paths in fields.items():
        heading = CONFIG_SECTIONS[kind]
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        section = text[start: end if end != -1 else len(text)]
        for path in sorted(paths):
            assert f"| `{path}` |" in section, f"docs/station-config.md: {kind} lacks field {path}"
