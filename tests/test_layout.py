"""The dependency direction of DESIGN.md, checked on the source: devices and labels import no
framework and nothing of edge or central; central imports only the wire contract from edge."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports_of(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path.relative_to(ROOT), alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path.relative_to(ROOT), node.module


FORBIDDEN = {
    "devices": ("edge", "central", "flask", "paho", "labels", "shopfloor"),
    "labels": ("edge", "central", "flask", "paho", "shopfloor"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_drivers_and_labels_import_no_framework(package):
    bad = [f"{path}: {name}" for path, name in imports_of(package)
           if name.split(".")[0] in FORBIDDEN[package]]
    assert bad == []


def test_central_imports_only_the_contract_from_edge():
    bad = [f"{path}: {name}" for path, name in imports_of("central")
           if name.split(".")[0] == "edge" and name != "edge.contract"]
    assert bad == []


def test_edge_does_not_import_central():
    bad = [f"{path}: {name}" for path, name in imports_of("edge") if name.split(".")[0] == "central"]
    assert bad == []
