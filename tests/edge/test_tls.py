"""Stations and the ingest over TLS (mqtts://) to a real mosquitto that requires client certificates."""
from __future__ import annotations

import getpass
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from central.config import load_settings as central_settings
from central.db import database
from central.ingest import Ingest, IngestError
from central.models import EventRecord
from tests.conftest import free_port
from tests.edge.support import edge_settings, wait_for

trustme = pytest.importorskip("trustme")


@dataclass
class TlsBroker:
    url: str
    ca: str
    station_cert: str
    station_key: str
    central_cert: str
    central_key: str
    log: Path

    def said(self, text: str) -> bool:
        """The broker's log has this line (why it turned a client away)."""
        return text in self.log.read_text()


@pytest.fixture
def tls_broker(tmp_path, mosquitto_factory) -> TlsBroker:
    """A mosquitto with a second listener on mqtts that only takes clients with a certificate of our CA."""
    ca = trustme.CA()
    folder = tmp_path / "pki"
    folder.mkdir()

    def write(name, blob):
        path = folder / name
        blob.write_to_path(str(path))
        return str(path)

    server = ca.issue_cert("127.0.0.1")
    station, central = ca.issue_cert("S01"), ca.issue_cert("central")
    port = free_port()
    paths = {"ca": write("ca.pem", ca.cert_pem),
             "server_cert": write("server.pem", server.cert_chain_pems[0]),
             "server_key": write("server.key", server.private_key_pem)}
    # mosquitto started by root drops to user "mosquitto", who cannot read the test's files: stay us
    broker = mosquitto_factory(f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\ncafile {paths['ca']}\ncertfile {paths['server_cert']}\n"
                      f"keyfile {paths['server_key']}\nrequire_certificate true\n")
    return TlsBroker(f"mqtts://127.0.0.1:{port}", paths["ca"],
                     write("s01.pem", station.cert_chain_pems[0]), write("s01.key", station.private_key_pem),
                     write("central.pem", central.cert_chain_pems[0]), write("central.key", central.private_key_pem),
                     broker.workdir / "mosquitto.log")


def _machine_down(station) -> None:
    assert station.handle_text("CMD:DOWN").level == "prompt"
    assert station.handle_text("DT-JAM").level == "ok"


def _ingest(db_url, tmp_path, broker: TlsBroker, **overrides) -> Ingest:
    values = {"database.url": db_url, "data_dir": str(tmp_path / "central"), "mqtt.url": broker.url,
              "mqtt.username": "", "mqtt.tls_ca": broker.ca, "mqtt.tls_cert": broker.central_cert,
              "mqtt.tls_key": broker.central_key}
    values.update(overrides)
    return Ingest(central_settings(overrides=values))


def test_station_and_ingest_work_over_mutual_tls(db_url, tmp_path, tls_broker, registered, station_factory):
    worker = _ingest(db_url, tmp_path, tls_broker).start()
    try:
        assert worker.connected.wait(10)
        station = station_factory("S01", broker=tls_broker, **{
            "mqtt.tls_ca": tls_broker.ca, "mqtt.tls_cert": tls_broker.station_cert,
            "mqtt.tls_key": tls_broker.station_key})
        wait_for(lambda: station.link.online, what="the station online over TLS")
        _machine_down(station)
        wait_for(lambda: station.outbox.depth() == 0, what="the event acked over TLS")
        with database.connection_context():
            assert EventRecord.select().where(EventRecord.type == "machine.down").count() == 1
    finally:
        worker.stop()


def test_a_station_that_does_not_trust_the_broker_stays_offline_and_keeps_its_events(
        tmp_path, tls_broker, station_factory):
    other = trustme.CA()  # a CA the broker's certificate does not come from
    wrong_ca = tmp_path / "other-ca.pem"
    other.cert_pem.write_to_path(str(wrong_ca))
    station = station_factory("S01", broker=tls_broker, **{
        "mqtt.tls_ca": str(wrong_ca), "mqtt.tls_cert": tls_broker.station_cert,
        "mqtt.tls_key": tls_broker.station_key})
    _machine_down(station)
    wait_for(lambda: tls_broker.said("unknown ca"), what="the broker turning the station away")
    assert not station.link.online and station.link.sent_messages == 0
    assert station.outbox.depth() == 1  # kept for when the broker is trusted


def test_a_station_without_a_client_certificate_is_turned_away(tmp_path, tls_broker, station_factory):
    station = station_factory("S01", broker=tls_broker, **{"mqtt.tls_ca": tls_broker.ca})
    _machine_down(station)
    wait_for(lambda: tls_broker.said("peer did not return a certificate"), what="the broker turning the station away")
    assert not station.link.online and station.outbox.depth() == 1


def test_unreadable_tls_files_are_a_one_line_error(db_url, tmp_path, tls_broker):
    with pytest.raises(IngestError, match="mqtt TLS"):
        _ingest(db_url, tmp_path, tls_broker, **{"mqtt.tls_ca": str(tmp_path / "missing.pem")})
    config = tmp_path / "edge.toml"
    config.write_text(f'[station]\ncode = "S01"\n[mqtt]\nurl = "{tls_broker.url}"\n'
                      f'tls_ca = "{tmp_path / "missing.pem"}"\n[screen]\nport = 0\n')
    result = subprocess.run([sys.executable, "-m", "shopfloor.cli", "edge", "run", "--config", str(config)],
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "SHOPFLOOR_EDGE_DATA_DIR": str(tmp_path / "edge")})
    assert result.returncode == 2
    assert result.stderr.startswith("shopfloor: error: mqtt TLS:") and "Traceback" not in result.stderr
