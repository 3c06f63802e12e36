"""bench_shift --quick end to end (a real mosquitto, the real ingest), so the bench cannot rot unseen.

Only correctness figures are checked: every event acked and applied, rows counted, the history
built to each level. Times are printed by the bench, never asserted.
"""
from __future__ import annotations

import shutil

import pytest

from bench.bench_shift import GENEALOGY, LEDGER, LOG, QUICK, main
from tests.conftest import PG_URL, require_tool

pytestmark = pytest.mark.system


def test_quick_shift_is_applied_counted_and_printed(capsys):
    require_tool(shutil.which("mosquitto") or "/usr/sbin/mosquitto", "mosquitto")
    args = ["--quick"] + (["--no-sqlite", "--postgres", PG_URL] if PG_URL else [])
    [result] = main(args)
    shape = QUICK
    events = shape.events
    assert result.sent == events
    assert result.rejected == []
    assert result.accepted == result.applied == events
    assert result.tables[LOG] == events
    assert result.flags == 0  # a clean shift breaks no rule

    steps = {}
    for step in result.steps:
        steps.setdefault(step.type, []).append(step)
        assert step.seconds > 0
        assert set(step.rows) == {LOG, LEDGER, *result.genealogy_tables}
        assert step.rows[LOG] == len(step.events)
    assert {t: sum(len(s.events) for s in ss) for t, ss in steps.items()} == {
        "goods.received": shape.work_orders * shape.issues, "stage.started": shape.work_orders * shape.stages,
        "material.issued": shape.work_orders * shape.issues, "output.reported": shape.work_orders * shape.outputs,
        "stage.completed": shape.work_orders * shape.stages, "work_order.completed": shape.work_orders}
    # every receipt, issue and output moves stock: at least one ledger row each
    for kind in ("goods.received", "material.issued", "output.reported"):
        assert sum(s.rows[LEDGER] for s in steps[kind]) >= sum(len(s.events) for s in steps[kind])
    assert sum(s.rows[LEDGER] for s in result.steps) == result.tables[LEDGER]
    assert set(result.genealogy_tables) <= set(GENEALOGY) and result.genealogy_tables
    assert sum(result.tables[t] for t in result.genealogy_tables) > 0
    if "work_order_output" in result.genealogy_tables:
        assert result.tables["work_order_output"] == shape.work_orders * shape.outputs

    assert result.raw_rows == result.tables[LOG] + result.tables[LEDGER]
    assert [level for level, _ in result.history] == list(shape.levels)
    assert all(len(samples) == shape.samples for _, samples in result.history)
    assert result.history_outputs == {level: level for level in shape.levels}
    assert "batch" in result.copied_tables

    printed = capsys.readouterr().out
    for kind in steps:
        assert kind in printed
    assert "all (end to end)" in printed and "raw insert of the same rows" in printed
    for level in shape.levels:
        assert f"{level:,} outputs (counted {level:,})" in printed
