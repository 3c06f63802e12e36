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
