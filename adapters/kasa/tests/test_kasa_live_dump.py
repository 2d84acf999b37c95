"""Recording a live Kasa device as a fixture: the dump is python-kasa's format, the offline reader
loads it as the very device the live snapshot sees, and `weaklink dump` writes it from a home file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kasa_fixtures import REFERENCE, require_reference
from kasa_live_support import Connect, Make, host_for, weaklink

from weaklink.homefolder import import_home
from weaklink.live.dump import dump_hosts
from weaklink.sim.addresses import next_loopback
from weaklink.sim.process import sim_process
from weaklink_kasa import KasaAdapter


@pytest.mark.parametrize("model", ["HS110(EU)", "HS103(US)", "HS300(US)", "KP400(US)"])
async def test_the_dump_reads_back_as_the_live_snapshot(make: Make, connect: Connect, model: str,
                                                        tmp_path: Path) -> None:
    device = await make(model=model, name="Garage", on=True)
    live = await (await connect(device)).snapshot()
    [outcome] = await dump_hosts([host_for(device)], {"kasa": KasaAdapter()}, tmp_path, timeout=2.0)
    assert outcome.error is None and outcome.path is not None and outcome.devices == 1
    renamed = outcome.path.rename(tmp_path / "garage plug (1).txt")  # read by its content, whatever its name
    adapter = KasaAdapter()
    assert adapter.detect(renamed)
    offline = adapter.load(renamed)
    assert offline.devices == live.devices and offline.capabilities == live.capabilities
    assert live.devices[0].host == device.address  # the dump says where it answered, as the snapshot does


async def test_the_dump_is_in_python_kasas_fixture_format(make: Make, connect: Connect, tmp_path: Path) -> None:
    require_reference()
    plug = await make(model="HS110(EU)", on=True)
    dump = await (await connect(plug)).dump()
    assert (dump.model, dump.firmware) == ("HS110(EU)", "1.0.4")
    document = dump.document
    reference = json.loads((REFERENCE / "iot_HS110(EU)_4.0_1.0.4.json").read_text())
    assert set(reference["system"]["get_sysinfo"]) <= set(document["system"]["get_sysinfo"])
    assert set(document["emeter"]["get_realtime"]) == set(reference["emeter"]["get_realtime"])
    # what the plug does not have is recorded as refused, as dump_devinfo records it
    assert document["smartlife.iot.dimmer"] == {"err_code": -1, "err_msg": "module not support"}
    assert document["discovery_result"]["result"]["ip"] == plug.address
    assert document["discovery_result"]["result"]["mgt_encrypt_schm"]["encrypt_type"] == "XOR"


async def test_the_recorded_file_is_redacted(make: Make, tmp_path: Path) -> None:
    plug = await make(name="Attic plug")
    [outcome] = await dump_hosts([host_for(plug)], {"kasa": KasaAdapter()}, tmp_path, timeout=2.0)
    assert outcome.path is not None and outcome.path.relative_to(tmp_path).as_posix() == "kasa/HS110-EU_1.0.4.json"
    written = json.loads(outcome.path.read_text())
    info = written["system"]["get_sysinfo"]
    assert info["latitude_i"] == info["longitude_i"] == "**REDACTED**"  # where the app placed it
    assert info["deviceId"] == plug.spec.device_id and info["mac"] == plug.spec.mac  # which device it is: kept


HOME = """\
name: Kasa corner (simulated)
hosts:
  - kind: kasa
    name: Kettle plug
    address: {plug}
    port: 19999
    model: KP125(US)
    on: true
  - kind: kasa
    name: Media strip
    address: {strip}
    port: 19999
    model: HS300(US)
    outlets: [TV, Console, Soundbar, Lamp, Router, Spare]
"""


def test_weaklink_dump_records_the_simulated_devices_of_a_live_home_file(tmp_path: Path) -> None:
    home = tmp_path / "home.yaml"
    home.write_text(HOME.format(plug=next_loopback(), strip=next_loopback()))
    live_home, out = tmp_path / "live-home.yaml", tmp_path / "fixtures"
    with sim_process(home, live_home):
        done = weaklink("dump", live_home, "--out", out, "--timeout", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["kasa/HS300-US_1.0.21.json", "kasa/KP125-US_1.0.6.json"]
    assert "Kettle plug" in done.stdout and "Media strip" in done.stdout
    imported = import_home(out)  # the folder is a home weaklink reads
    devices = {d.name: d for f in imported.fragments for d in f.devices}
    assert set(devices) == {"Kettle plug", "Media strip"}
    outlets = [c.name for f in imported.fragments for c in f.capabilities if "/outlet:" in c.id]
    assert outlets == ["TV", "Console", "Soundbar", "Lamp", "Router", "Spare"]
    assert all("**REDACTED**" in p.read_text() for p in out.rglob("*.json"))
