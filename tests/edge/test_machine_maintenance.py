"""At the station: a breakdown's repair by a technician's badge, and safety-critical maintenance that blocks a start."""
from __future__ import annotations

import copy

from tests.edge.test_machine import CONFIG, Station


def config(**machine):
    raw = copy.deepcopy(CONFIG)
    raw["operators"].append({"badge": "OP-T1", "name": "Tess", "technician": True, "certifications": []})
    raw["reason_codes"] += [{"code": "F-BEARING", "category": "failure"}, {"code": "R-REPLACE", "category": "remedy"}]
    raw["machines"] = [{"code": "M-7", "name": "Mixer", "skills": [], "breakdown": None, "blocks": [], **machine}]
    return raw


def test_technician_badge_starts_and_finishes_the_repair_offline():
    st = Station(config())
    st.scan("OP-17")
    st.scan("CMD:DOWN")
    st.scan("DT-JAM")
    assert "Repair started by Tess" in st.scan("OP-T1").message
    assert st.state.operator == "OP-17"  # the operator stays signed in
    assert st.scan("F-BEARING").level == "prompt"
    st.scan("R-REPLACE")
    assert st.scan("DT-JAM").level == "error"  # a downtime reason is no repair code
    assert "Repair finished" in st.scan("OP-T1").message
    started, finished = [e for e in st.events if e.type.startswith("maintenance.")]
    assert started.operator == finished.operator == "OP-T1"
    assert finished.data == {"failure": "F-BEARING", "remedy": "R-REPLACE"}
    st.scan("CMD:UP")
    assert st.types()[-1] == "machine.up"


def test_the_repair_names_the_breakdown_work_order_the_config_shows():
    st = Station(config(breakdown={"work_order": "MWO-000003", "title": "Breakdown", "status": "assigned"}))
    st.scan("OP-T1")
    assert st.events[-1].data == {"machine": "M-7", "work_order": "MWO-000003"}


def test_a_technician_badge_signs_in_when_nothing_is_broken():
    st = Station(config())
    assert st.scan("OP-T1").message.startswith("Sign-in refused")  # an ordinary sign-in, checked as ever
    assert not [e for e in st.events if e.type.startswith("maintenance.")]


def test_overdue_safety_work_refuses_the_start_until_overridden():
    block = {"schedule": "GUARD", "name": "Guard check", "from": "2026-03-05T09:00:00Z", "work_order": "MWO-000009"}
    st = Station(config(blocks=[block]))
    st.scan("OP-17")
    st.scan("WO-1")
    fb = st.scan("CMD:START")
    assert fb.level == "error" and "Guard check" in fb.message and "MWO-000009" in fb.message
    later = Station(config(blocks=[dict(block, **{"from": "2026-03-05T11:00:00Z"})]))  # not due yet by the clock
    later.scan("OP-17")
    later.scan("WO-1")
    assert later.scan("CMD:START").level == "ok"


def test_cancel_leaves_a_repair_finished_elsewhere():
    st = Station(config())
    st.scan("CMD:DOWN")
    st.scan("DT-JAM")
    st.scan("OP-T1")
    assert "finish it there" in st.scan("CMD:CANCEL").message
    assert st.state.repair is None and st.types()[-1] == "maintenance.started"
