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


def test_security_md_names_every_role_scope_and_header():
    from central.headers import POLICY
    from central.models.users import ROLES, SCOPES

    text = (DOCS / "security.md").read_text()
    for role in ROLES:
        assert f"| `{role}` |" in text, f"docs/security.md: role {role} missing from the roles table"
    for scope in SCOPES:
        assert f"| `{scope}` |" in text, f"docs/security.md: scope {scope} missing from the scopes table"
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security"):
        assert f"| `{header}` |" in text, f"docs/security.md: header {header} not described"
    assert POLICY.format(nonce=" ['nonce-…']") in text, "docs/security.md shows another content security policy"


def _event_schema() -> dict:
    from edge.contract import json_schema

    return {branch["properties"]["type"]["const"]: branch for branch in json_schema()["oneOf"]}


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_events_md_agrees_with_the_published_json_schema(type_name):
    """Each type's table in docs/events.md lists exactly the schema's data fields, required as the
    schema says, and its example is valid against the schema served at /api/v1/events/schema.json."""
    import json

    import jsonschema

    from edge.contract import json_schema

    branch = _event_schema()[type_name]["properties"]["data"]
    section = _section((DOCS / "events.md").read_text(), f"### `{type_name}`")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", section, flags=re.M))
    assert set(rows) == set(branch["properties"]), f"docs/events.md fields of {type_name} differ from the schema"
    assert {n for n, req in rows.items() if req == "yes"} == set(branch["required"]), type_name
    example = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    jsonschema.Draft202012Validator(json_schema(), format_checker=jsonschema.FormatChecker()).validate(example)


def test_the_event_schema_refuses_what_the_contract_refuses():
    import jsonschema

    from edge.contract import json_schema

    validator = jsonschema.Draft202012Validator(json_schema(), format_checker=jsonschema.FormatChecker())
    good = {"id": "0b6c7e1e-8c1f-4a55-9d1e-3f6f2a0c9b11", "type": "material.issued", "site": "plant1",
            "station": "S01", "seq": 1, "at": "2026-11-21T10:15:30.123Z", "operator": "OP-17",
            "data": {"work_order": "WO-1", "batch": "B1", "qty": "12.5"}}
    assert validator.is_valid(good)
    for bad_data in ({"work_order": "WO-1", "qty": "12.5"}, {"work_order": "WO-1", "batch": "B1", "qty": "0"}, {"work_order": "WO-1", "batch": "B1", "qty": "1", "x": 1}):
        assert not validator.is_valid({**good, "data": bad_data}), bad_data
    assert not validator.is_valid({**good, "operator": None})


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
