"""The unit files shipped in systemd/ as systemd itself reads them (`systemd-analyze verify`):
no unknown key, no key in the wrong section, every command one that the package installs."""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "systemd").glob("*.service"))
VENV_BIN = "/opt/shopfloor/venv/bin/"


def _commands(text: str) -> set[str]:
    return set(re.findall(r"^Exec\w+=[-@:+!]*" + re.escape(VENV_BIN) + r"(\S+)", text, re.M))


def _installed_commands() -> set[str]:
    """Commands `pip install 'shopfloor[server]'` puts in the venv's bin/."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = {re.split(r"[<>=\[ ]", dep)[0] for dep in project["optional-dependencies"]["server"]}
    return set(project["scripts"]) | extras


def test_every_command_a_unit_runs_is_installed_by_the_package():
    for unit in UNITS:
        missing = _commands(unit.read_text()) - _installed_commands()
        assert not missing, f"{unit.name} runs {missing}, which the package does not install"


def test_systemd_accepts_every_unit(tmp_path):
    analyze = require_tool(shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze", "systemd")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    names = []
    for unit in UNITS:
        text = unit.read_text()
        for command in _commands(text):  # stand-ins: systemd only checks that they are executable
            (bin_dir / command).write_text("#!/bin/sh\n")
            (bin_dir / command).chmod(0o755)
        name = unit.name.replace("@.", "@1.")  # a template is verified through an instance
        (tmp_path / name).write_text(text.replace(VENV_BIN, f"{bin_dir}/"))
        names.append(str(tmp_path / name))
    if not names:
        pytest.fail("no unit files in systemd/")
    done = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True, text=True, timeout=120)
    report = (done.stdout + done.stderr).strip()
    assert done.returncode == 0 and report == "", report
