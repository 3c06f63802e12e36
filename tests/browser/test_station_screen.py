"""The station screen in a real Chromium: the operator's view updates live, without a reload,
from scans, from central's config arriving over MQTT, and from the broker going away."""
import paho.mqtt.client as mqtt
import pytest

from central import catalog
from central.models import Operator, Station as StationRow
from central.stationconfig import build_parts
from devices.scanners import MemoryScanner
from edge.config import load_settings
from edge.daemon import Station
from tests.conftest import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def station(db, mosquitto, tmp_path):
    catalog.create_location({"code": "FG", "name": "Finished goods", "role": "finished"})
    Operator.create(badge="OP-17", name="Ann Example")
    StationRow.create(code="S01", site="plant1", name="Mixer 1")
    parts = build_parts()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="central-test")
    publisher.connect(mosquitto.host, mosquitto.port)
    publisher.loop_start()
    for name, payload in parts.items():
        publisher.publish(name, payload, qos=1, retain=True).wait_for_publish(5)
    publisher.loop_stop()
    publisher.disconnect()
    settings = load_settings(env={}, overrides={
        "site.code": "plant1", "station.code": "S01", "data_dir": str(tmp_path / "edge"),
        "mqtt.url": mosquitto.url, "scanner.urls": "memory://", "printer.url": "memory://",
        "screen.port": free_port(), "mqtt.reconnect_min": 0.2, "mqtt.reconnect_max": 0.5})
    scanner = MemoryScanner()
    running = Station(settings, scanners=[scanner]).start()
    yield running, scanner, f"http://127.0.0.1:{settings['screen.port']}/"
    running.stop()


def test_screen_follows_scans_and_the_link_live(phone, station, mosquitto):
    running, scanner, url = station
    phone.goto(url)
    phone.wait_for_function("document.getElementById('link').textContent === 'online'", timeout=10_000)
    assert phone.inner_text("#station").startswith("plant1/S01") or "S01" in phone.inner_text("#station")
    scanner.scan("OP-17")
    phone.wait_for_function("document.getElementById('operator').textContent.includes('OP-17')", timeout=10_000)
    assert "Ann Example" in phone.inner_text("#scan")
    assert "ok" in phone.get_attribute("#scan", "class")
    scanner.scan("\x01\x02garbage")
    phone.wait_for_function("document.getElementById('scan').className.includes('error')", timeout=10_000)
    mosquitto.stop()
    phone.wait_for_function("document.getElementById('link').textContent === 'offline'", timeout=15_000)
    before = int(phone.inner_text("#depth"))
    scanner.scan("OP-17")  # signing out while offline: one more event waits in the outbox
    phone.wait_for_function(f"Number(document.getElementById('depth').textContent) === {before + 1}", timeout=10_000)
    phone.wait_for_function("document.getElementById('operator').textContent === '-'", timeout=10_000)
    mosquitto.start()
    phone.wait_for_function("document.getElementById('link').textContent === 'online'", timeout=15_000)
