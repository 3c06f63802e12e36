"""The station state machine as a pure function: scans in, events, labels and feedback out."""
from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timezone

import pytest

from edge.cache import StationConfig
from edge.interpret import Patterns, interpret
from edge.machine import Context, State, step

CONFIG = {
    "station": "S01", "site": "plant1", "kind": "production", "work_centre": "WC-MIX",
    "required_skills": [{"skill": "MIXING", "min_level": 1}],
    "operators": [
        {"badge": "OP-17", "name": "Ada", "certifications": [{"skill": "MIXING", "level": 1, "issued": "2025-01-01", "expires": "2027-01-01"}]},
        {"badge": "OP-18", "name": "Bob", "certifications": [{"skill": "MIXING", "level": 1, "issued": "2024-01-01", "expires": "2025-06-30"}]},
        {"badge": "OP-19", "name": "Cy", "certifications": []},
    ],
    "reason_codes": [{"code": "DT-JAM", "category": "downtime"}, {"code": "DLY-MAT", "category": "delay"},
                     {"code": "SCR-DAMAGE", "category": "scrap"}],
    "items": [{"code": "RM-200", "name": "Flour", "unit": "kg", "gtin": "09501101530003"},
              {"code": "RM-300", "name": "Sugar", "unit": "kg"}, {"code": "FG-100", "name": "Cake", "unit": "pcs", "shelf_life_days": 10},
              {"code": "BY-1", "name": "Crumbs", "unit": "kg"}],
    "work_orders": [{"number": "WO-1", "status": "released", "item": "FG-100", "stages": [{"seq": 10}, {"seq": 20}],
                     "inputs": [{"item": "RM-200"}], "outputs": [{"item": "FG-100", "kind": "main"}, {"item": "BY-1", "kind": "by"},
                                                                 {"item": "BY-1", "kind": "scrap"}]}],
    "batches": [{"code": "GI1-260101-0001", "item": "RM-200", "status": "released"},
                {"code": "GI1-260101-0002", "item": "RM-300", "status": "released"}],
}


class Station:
    """Feeds scans through interpret + step like the daemon does, collecting everything."""

    def __init__(self, config=CONFIG, kind="production", **rules):
        ids = (str(uuid.UUID(int=i)) for i in itertools.count(1))
        self.ctx = Context(site="plant1", station="S01", kind=kind, config=StationConfig(config),
                           now=datetime(2026, 3, 5, 10, 0, tzinfo=timezone.utc), new_id=lambda: next(ids), **rules)
        self.state = State()
        self.events, self.jobs = [], []
        self.patterns = Patterns()

    def scan(self, text):
        cfg = self.ctx.config
        result = step(self.state, interpret(text, self.patterns, cfg.reason_codes(), cfg.item_codes()), self.ctx)
        self.state = result.state
        self.events += result.events
        self.jobs += result.jobs
        return result.feedback

    def types(self):
        return [e.type for e in self.events]


def test_full_production_flow():
    st = Station()
    assert st.scan("OP-17").message == "Welcome Ada"
    assert st.scan("WO-1").level == "ok"
    st.scan("CMD:START")
    assert st.scan("GI1-260101-0001").level == "prompt"
    assert st.scan("Q:12.5").message == "Issued 12.5 of GI1-260101-0001 to WO-1"
    assert st.scan("CMD:OUT").level == "prompt"
    fb = st.scan("40")
    assert "S01-260305-0001" in fb.message
    st.scan("CMD:OUT-BY")
    st.scan("3")
    st.scan("CMD:OUT-SCRAP")
    st.scan("1")
    st.scan("SCR-DAMAGE")
    st.scan("CMD:PAUSE"); st.scan("DLY-MAT"); st.scan("CMD:RESUME")
    st.scan("CMD:DELAY"); st.scan("RC:DLY-MAT")
    st.scan("CMD:SCRAP"); st.scan("2"); st.scan("SCR-DAMAGE")
    st.scan("CMD:DOWN"); st.scan("DT-JAM"); st.scan("CMD:UP")
    st.scan("CMD:DONE")
    assert st.state.stage == 20
    st.scan("CMD:CLOSE")
    st.scan("OP-17")
    assert st.types() == [
        "operator.signed_in", "stage.started", "material.issued", "output.reported", "output.reported",
        "output.reported", "work_order.paused", "work_order.resumed", "delay.reported", "scrap.reported",
        "machine.down", "machine.up", "stage.completed", "work_order.completed", "operator.signed_out"]
    assert [e.seq for e in st.events] == list(range(1, 16))
    outputs = [e.data for e in st.events if e.type == "output.reported"]
    assert [o["kind"] for o in outputs] == ["main", "by", "scrap"]
    assert outputs[2]["reason"] == "SCR-DAMAGE"
    assert [j.batch for j in st.jobs] == ["S01-260305-0001", "S01-260305-0002", "S01-260305-0003"]
    assert st.jobs[0].fields["expiry"] == "2026-03-15" and st.jobs[0].fields["item"] == "Cake"


def test_uncertified_operator_is_refused_with_a_clear_reason():
    st = Station()
    assert st.scan("OP-18").message == "Sign-in refused: Bob: certification for MIXING expired 2025-06-30"
    assert st.scan("OP-19").message == "Sign-in refused: Cy is not certified for MIXING"
    assert st.scan("OP-99").message == "Sign-in refused: badge OP-99 is not known at this station"
    assert st.events == [] and st.state.operator is None


def test_scans_before_sign_in_are_refused():
    st = Station()
    assert st.scan("WO-1").message == "Scan your badge to sign in first"


def test_unknown_batch_and_item_outside_the_recipe_are_refused_or_flagged():
    st = Station()
    st.scan("OP-17"); st.scan("WO-1")
    assert st.scan("NOPE-1").message == "Batch NOPE-1 is not known here"
    assert st.scan("GI1-260101-0002").message == "RM-300 is not in the recipe of WO-1"
    lenient = Station(unknown_batch="flag", not_in_recipe="flag")
    lenient.scan("OP-17"); lenient.scan("WO-1")
    assert lenient.scan("NOPE-1").level == "prompt"
    lenient.scan("5")
    assert lenient.events[-1].data["batch"] == "NOPE-1"


def test_next_badge_signs_the_previous_operator_out():
    st = Station(config=dict(CONFIG, required_skills=[]))
    st.scan("OP-17"); st.scan("OP-19")
    assert st.types() == ["operator.signed_in", "operator.signed_out", "operator.signed_in"]
    assert [e.operator for e in st.events] == ["OP-17", "OP-17", "OP-19"]


def test_reason_of_the_wrong_category_is_refused():
    st = Station()
    st.scan("OP-17"); st.scan("WO-1"); st.scan("CMD:DELAY")
    assert "is a downtime reason" in st.scan("DT-JAM").message


def test_the_reasons_a_question_accepts_come_from_centrals_catalogue():
    st = Station()  # no ``accepts`` from central yet: central's own rule (a pause may be downtime)
    st.scan("OP-17"); st.scan("WO-1"); st.scan("CMD:PAUSE")
    assert st.scan("DT-JAM").message == "WO-1 paused: DT-JAM"
    strict = Station(config=dict(CONFIG, accepts={"pause": ["delay"]}))
    strict.scan("OP-17"); strict.scan("WO-1"); strict.scan("CMD:PAUSE")
    assert "is a downtime reason, not delay" in strict.scan("DT-JAM").message
    assert strict.scan("DLY-MAT").message == "WO-1 paused: DLY-MAT"


def test_goods_receipt_from_a_gs1_label_mints_a_batch_and_prints():
    st = Station(config=dict(CONFIG, kind="goods_in", required_skills=[]), kind="goods_in")
    st.scan("OP-17")
    fb = st.scan("]C101095011015300031727050110L88213\x1d3103001250")
    assert fb.level == "ok", fb
    event = st.events[-1]
    assert event.type == "goods.received"
    assert event.to_wire()["data"] == {"item": "RM-200", "batch": "S01-260305-0001", "qty": "1.250", "unit": "kg",
                                       "supplier_lot": "L88213", "expiry": "2027-05-01", "gtin": "09501101530003"}
    assert st.jobs[0].fields["expiry"] == "2027-05-01"


def test_reprint_is_explicit_and_has_its_own_job_id():
    st = Station()
    st.scan("OP-17"); st.scan("WO-1"); st.scan("CMD:OUT"); st.scan("5")
    st.scan("CMD:REPRINT")
    assert [(j.job_id, j.reprint) for j in st.jobs] == [("S01-260305-0001", False), ("S01-260305-0001-R1", True)]


def test_garbage_is_refused_and_the_state_is_unchanged():
    st = Station()
    st.scan("OP-17")
    before = st.state
    assert "unreadable" in st.scan("\x00\x07\x1b[A").message
    assert st.state == before


def test_state_round_trips_through_json():
    st = Station()
    st.scan("OP-17"); st.scan("WO-1"); st.scan("CMD:OUT")
    assert State.from_dict(st.state.to_dict()) == st.state


def test_offline_unknown_batches_and_work_orders_are_accepted_for_central_to_check():
    online = Station()
    online.scan("OP-17")
    assert online.scan("WO-NEW").level == "error"
    offline = Station(online=False)
    offline.scan("OP-17")
    assert "central checks it" in offline.scan("WO-NEW").message
    assert offline.state.stage is None  # its routing is unknown: the stage is left to central
    offline.scan("CMD:START")
    assert offline.events[-1].data == {"work_order": "WO-NEW"}
    assert "central checks it" in offline.scan("GI1-999999-0001").message
    assert offline.scan("Q:2").level == "ok"


def test_a_stage_start_needs_the_stages_own_skill_and_the_machines():
    config = dict(CONFIG, machines=[{"code": "M-1", "skills": [{"skill": "PRESS", "min_level": 1, "source": "machine:M-1"}]}],
                  work_orders=[dict(CONFIG["work_orders"][0], stages=[{"seq": 10, "skill": "OVEN"}])])
    st = Station(config=config)
    st.scan("OP-17"); st.scan("WO-1")
    assert "Ada is not certified for OVEN (required by stage:10)" in st.scan("CMD:START").message
    ada = dict(CONFIG["operators"][0], certifications=CONFIG["operators"][0]["certifications"] + [
        {"skill": "OVEN", "level": 1, "issued": "2025-01-01", "expires": None}])
    st = Station(config=dict(config, operators=[ada]))
    st.scan("OP-17"); st.scan("WO-1")
    assert "not certified for PRESS (required by machine:M-1)" in st.scan("CMD:START").message


def test_recheck_signs_out_an_operator_the_config_no_longer_allows():
    from edge.machine import recheck

    st = Station()
    st.scan("OP-17")
    assert recheck(st.state, st.ctx) is None
    withdrawn = Station(config=dict(CONFIG, operators=[dict(CONFIG["operators"][0], certifications=[])]))
    result = recheck(st.state, withdrawn.ctx)
    assert result.state.operator is None and [e.type for e in result.events] == ["operator.signed_out"]
    assert result.feedback.message == "Signed out: Ada is not certified for MIXING"
