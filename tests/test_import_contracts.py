"""The layering of DESIGN.md as import-linter contracts (pyproject.toml): web and API above the
domain above the models above the database; maintenance may use stock and people, not the
reverse; devices and labels independent; central imports only the edge's wire contract."""
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept(capsys):
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0, \
        capsys.readouterr().out


def test_the_contracts_cover_the_layers_of_the_design():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")
    assert layers["layers"][0].startswith("web | api") and layers["layers"][-2:] == ["models", "db"]
    forbidden = {tuple(c["source_modules"]): set(c["forbidden_modules"]) for c in contracts if c["type"] == "forbidden"}
    assert any("central.inventory" in src and "central.maintenance" in bad for src, bad in forbidden.items())
    assert {"edge", "central", "flask"} <= forbidden[("devices",)] and {"edge", "central"} <= forbidden[("labels",)]
