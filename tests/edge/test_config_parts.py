"""The station's config cache against a real ingest and mosquitto: its parts only, following its
head, kept across restarts, re-checking the operator, and the offline rules."""
from __future__ import annotations

from datetime import date

from central.catalog import create_item, create_location
from central.certification import issue_certification
from central.models import Station as StationRow, WorkCentre
from central.operators import create_skill
from central.production import create_work_order
from central.recipes import create_recipe
from central.requirements import create_machine, set_work_centre_skills
from tests.edge.support import central_write, wait_for


def _recipe(code, item, inputs, centre="WC-A", skill=None):
    create_recipe({"code": code, "item": item, "inputs": [{"item": i, "qty_per_unit": "1"} for i in inputs],
                   "outputs": [{"item": item, "kind": "main", "cost_share": "100"}],
                   "stages": [{"seq": 10, "work_centre": centre, "standard_minutes": "10", "skill": skill}]})


def _plant():
    """S01 at WC-A (skill MIX), machine M-1 (skill PRESS); WO-A at WC-A, WO-B at WC-B."""
    with central_write():
        for code, role in (("RECV", "receiving"), ("FG", "finished")):
            create_location({"code": code, "role": role})
        for centre in ("WC-A", "WC-B"):
            WorkCentre.create(code=centre)
        for skill in ("MIX", "PRESS", "OVEN"):
            create_skill(skill)
        set_work_centre_skills("WC-A", [{"skill": "MIX", "min_level": 1}])
        create_machine("M-1", work_centre="WC-A", skills=[{"skill": "PRESS", "min_level": 1}])
        for item in ("RM-A", "RM-B", "RM-C", "FG-A", "FG-B"):
            create_item({"code": item, "unit": "kg"})
        _recipe("R-A", "FG-A", ["RM-A"], skill="OVEN")
        _recipe("R-B", "FG-B", ["RM-B"], centre="WC-B")
        create_work_order({"number": "WO-A", "recipe": "R-A", "planned_qty": "10", "status": "released"})
        create_work_order({"number": "WO-B", "recipe": "R-B", "planned_qty": "10", "status": "released"})
        StationRow.update(work_centre=WorkCentre.get(WorkCentre.code == "WC-A")).where(StationRow.code == "S01").execute()
        issue_certification("OP-17", "MIX", issued=date(2026, 1, 1))


def _receive(station, item):
    """Goods received at this station (CMD:RECEIVE): returns the batch code it minted."""
    for text in ("CMD:RECEIVE", f"ITEM:{item}", "Q:10", "CMD:PRODUCE"):
        station.handle_text(text)
    return station.state.last_label["batch"]


def test_a_station_holds_only_its_parts_and_follows_its_head(central_ingest, station_factory):
    _plant()
    station = station_factory(**{"validate.not_in_recipe": "flag"})
    wait_for(lambda: station.config.work_order("WO-A") is not None, what="WO-A at S01")
    assert station.config.work_order("WO-B") is None  # another work centre's work order
    assert station.config.head["batch_items"] == ["RM-A"]
    station.handle_text("OP-17")
    a, b = _receive(station, "RM-A"), _receive(station, "RM-B")
    wait_for(lambda: station.config.tables["batches"].get(a) is not None, what="central's part for the RM-A batch")
    assert b not in station.config.tables["batches"]  # RM-B is no input here: central's part is not received
    assert station.config.batch(b)["item"] == "RM-B"  # ... but the station minted it, so it knows it
    with central_write():
        _recipe("R-C", "FG-A", ["RM-C"])
        create_work_order({"number": "WO-C", "recipe": "R-C", "planned_qty": "5", "status": "released"})
    central_ingest.publish_configs()  # an edit in the web pages: the periodic rebuild, at once
    wait_for(lambda: station.config.work_order("WO-C") is not None, what="the new work order")
    assert station.config.head["batch_items"] == ["RM-A", "RM-C"]
    station.stop()
    again = station_factory(**{"mqtt.url": "mqtt://127.0.0.1:1"})  # no broker: the cache alone
    assert again.config.work_order("WO-C") is not None and again.config.batch(a) is not None
    assert again.config.batch(b) is not None


def test_a_stage_needs_its_own_skill_and_the_machines_and_sign_in_is_checked_again(central_ingest,
                                                                                    station_factory):
    _plant()
    station = station_factory()
    wait_for(lambda: station.config.work_order("WO-A") is not None, what="WO-A at S01")
    assert station.handle_text("OP-17").level == "ok"
    station.handle_text("WO-A")
    refused = station.handle_text("CMD:START")
    assert refused.level == "error" and "not certified for OVEN (required by stage:10)" in refused.message
    with central_write():
        issue_certification("OP-17", "OVEN", issued=date(2026, 1, 1))
    central_ingest.publish_configs()
    wait_for(lambda: len(station.config.operator("OP-17")["certifications"]) == 2, what="the new certification")
    refused = station.handle_text("CMD:START")
    assert "not certified for PRESS (required by machine:M-1)" in refused.message
    with central_write():
        issue_certification("OP-17", "PRESS", issued=date(2026, 1, 1))
    central_ingest.publish_configs()
    wait_for(lambda: len(station.config.operator("OP-17")["certifications"]) == 3, what="PRESS")
    assert station.handle_text("CMD:START").level == "ok"
    with central_write():  # MIX withdrawn while OP-17 works: signed out as soon as the part arrives
        from central.models import Certification, Skill
        Certification.delete().where(Certification.skill == Skill.get(Skill.code == "MIX")).execute()
    central_ingest.publish_configs()
    wait_for(lambda: station.state.operator is None, what="the sign-out")
    assert "Signed out: Ada is not certified for MIX" in station.view()["last"]["message"]
    assert station.outbox.pending(0, 100)[-1].payload.count("operator.signed_out") == 1


def test_an_operator_signed_in_before_the_first_config_is_checked_when_it_arrives(central_ingest, station_factory):
    station = station_factory(**{"mqtt.url": "mqtt://127.0.0.1:1"})  # a brand-new station, no broker yet
    assert not station.config.received
    assert station.handle_text("OP-99").level == "ok"  # nobody to ask: central will flag it
    station.stop()
    station = station_factory()
    wait_for(lambda: station.config.received, what="the first config")
    wait_for(lambda: station.state.operator is None, what="OP-99 signed out")
    assert "badge OP-99 is not known" in station.view()["last"]["message"]


def test_offline_a_station_chains_work_orders_through_its_own_outputs(central_ingest, station_factory, mosquitto):
    _plant()
    station = station_factory()
    wait_for(lambda: station.config.work_order("WO-A") is not None, what="WO-A at S01")
    station.handle_text("OP-17")
    assert station.handle_text("UNKNOWN-BATCH").level == "error"  # online: the config is trusted
    mosquitto.stop()
    wait_for(lambda: not station.link.online, what="offline")
    received = _receive(station, "RM-A")
    assert station.handle_text("WO-A").level == "ok"
    assert station.handle_text(received).level == "prompt"  # minted here, offline: known
    assert station.handle_text("Q:4").level == "ok"
    fb = station.handle_text("UNKNOWN-BATCH")  # received elsewhere during the outage, perhaps
    assert fb.level == "prompt" and "central checks it" in fb.message
    station.handle_text("CMD:CANCEL")
    fb = station.handle_text("WO-NEW")  # released during the outage, perhaps
    assert fb.level == "ok" and "central checks it" in fb.message


def test_the_stations_own_label_templates_are_used_for_outputs_and_goods_in(central_ingest, station_factory):
    _plant()
    station = station_factory(**{"printer.template": "goods_in", "printer.goods_in_template": "batch"})
    wait_for(lambda: station.config.work_order("WO-A") is not None, what="WO-A at S01")
    station.handle_text("OP-17")
    _receive(station, "RM-A")
    assert station.state.last_label["template"] == "batch"
    for text in ("WO-A", "CMD:OUT", "Q:3"):
        station.handle_text(text)
    assert station.state.last_label["template"] == "goods_in"
