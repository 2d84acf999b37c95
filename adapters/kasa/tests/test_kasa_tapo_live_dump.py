"""Recording a live Tapo device as a fixture: python-kasa's SMART fixture format, masked as
python-kasa masks its fixtures, read back by the offline reader as the very device the live
snapshot sees; and `weaklink dump` on a simulated P110, from a home file."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from kasa_fixtures import REFERENCE, require_reference
from kasa_live_support import weaklink
from tapo_live_support import ConnectTapo, MakeTapo, tapo_host
from weaklink_kasa import KasaAdapter

from weaklink.homefolder import import_home
from weaklink.live.dump import dump_hosts
from weaklink.sim.addresses import next_loopback
from weaklink.sim.process import sim_process

MASKED_NAME = base64.b64encode(b"#MASKED_NAME#").decode()
MASKED_SSID = base64.b64encode(b"#MASKED_SSID#").decode()


@pytest.mark.parametrize("model", ["P110(EU)", "P300(EU)"])
async def test_the_dump_reads_back_as_the_live_snapshot(make_tapo: MakeTapo, connect_tapo: ConnectTapo, model: str,
                                                        tmp_path: Path) -> None:
    device = await make_tapo(model=model, name="Garage", on=True)
    live = await (await connect_tapo(device)).snapshot()
    [outcome] = await dump_hosts([tapo_host(device)], {"kasa": KasaAdapter()}, tmp_path, timeout=2.0)
    assert outcome.error is None and outcome.path is not None and outcome.devices == 1
    renamed = outcome.path.rename(tmp_path / "garage plug (1).txt")  # read by its content, whatever its name
    adapter = KasaAdapter()
    assert adapter.detect(renamed)
    offline = adapter.load(renamed)
    assert [d.id for d in offline.devices] == [d.id for d in live.devices]
    assert [(c.id, c.kind, c.state, c.unique_id) for c in offline.capabilities] == \
        [(c.id, c.kind, c.state, c.unique_id) for c in live.capabilities]
    assert offline.devices[0].host == live.devices[0].host == device.address


async def test_the_dump_is_in_python_kasas_smart_fixture_format_and_masked_as_python_kasa_masks(
        make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    require_reference()
    plug = await make_tapo(model="P110(EU)", name="Dehumidifier", on=True)
    dump = await (await connect_tapo(plug)).dump()
    assert (dump.model, dump.firmware) == ("P110(EU)", "1.2.3")  # the model with its region, from discovery
    document = dump.document
    reference = json.loads((REFERENCE / "smart_P110(AU)_1.0_1.3.1.json").read_text())
    for method in ("component_nego", "get_device_info", "get_device_time", "get_current_power", "get_energy_usage",
                   "get_emeter_data", "discovery_result"):
        assert set(document[method]) == set(reference[method]), method
    info = document["get_device_info"]
    assert info["nickname"] == MASKED_NAME and info["ssid"] == MASKED_SSID  # python-kasa's own masks
    assert info["mac"] == plug.mac_dashed[:8] + "-00-00-00" and (info["latitude"], info["longitude"]) == (0, 0)
    assert info["device_id"] == plug.spec.device_id and info["ip"] == plug.address  # which device, where: kept
    found = document["discovery_result"]["result"]
    assert found["owner"] == "0" * 32 and found["mac"] == info["mac"]
    assert found["mgt_encrypt_schm"] == {"encrypt_type": "KLAP", "http_port": plug.port, "is_support_https": False,
                                         "lv": 2}


async def test_a_strips_outlets_are_masked_too(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    strip = await make_tapo(model="P300(EU)", outlets=["Kettle", "Toaster", "Radio"])
    document = (await (await connect_tapo(strip)).dump()).document
    outlets = document["get_child_device_list"]["child_device_list"]
    assert [o["nickname"] for o in outlets] == [MASKED_NAME] * 3
    assert [o["device_id"] for o in outlets] == [strip.child_id(n) for n in (1, 2, 3)]
    assert all(o["mac"].endswith("000000") for o in outlets)
    assert "Kettle" not in json.dumps(document)


async def test_a_device_that_does_not_answer_discovery_is_dumped_all_the_same(make_tapo: MakeTapo,
                                                                              connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(discovery_port=20102)  # it answers discovery elsewhere: nothing does on UDP 20002
    dump = await (await connect_tapo(plug)).dump()
    assert dump.model == "P110"  # without discovery, the model get_device_info gives
    result = dump.document["discovery_result"]["result"]
    assert result["ip"] == plug.address and result["mgt_encrypt_schm"]["encrypt_type"] == "KLAP"


HOME = """\
name: Tapo corner (simulated)
hosts:
  - kind: tapo
    name: Dehumidifier plug
    address: {plug}
    port: 18080
    model: P110(EU)
    on: true
    username: {username}
    password: {password}
  - kind: tapo
    name: Kitchen strip
    address: {strip}
    port: 18080
    model: P300(EU)
    outlets: [Kettle, Toaster, Radio]
    username: {username}
    password: {password}
"""


def test_weaklink_dump_records_a_simulated_p110_and_p300_that_read_back(tmp_path: Path) -> None:
    username, password = "dump-canary-3KX@example.com", "dump-canary-pw-8RZ"
    home = tmp_path / "home.yaml"
    home.write_text(HOME.format(plug=next_loopback(), strip=next_loopback(), username=username, password=password))
    live_home, out = tmp_path / "live-home.yaml", tmp_path / "fixtures"
    with sim_process(home, live_home):
        assert username in live_home.read_text()  # the simulator's throwaway account, written literally
        done = weaklink("dump", live_home, "--out", out, "--timeout", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["kasa/P110-EU_1.2.3.json", "kasa/P300-EU_1.0.15.json"]
    assert "Dehumidifier plug" in done.stdout and "Kitchen strip" in done.stdout
    imported = import_home(out)  # the folder is a home weaklink reads
    assert sorted(d.model or "" for f in imported.fragments for d in f.devices) == ["P110", "P300"]
    kinds = sorted(c.id.rpartition("/")[2] for f in imported.fragments for c in f.capabilities)
    assert kinds == ["energy", "outlet:1", "outlet:2", "outlet:3", "switch"]
    for path in out.rglob("*.json"):
        text = path.read_text()
        info = json.loads(text)["get_device_info"]
        assert info["ssid"] == info["latitude"] == "**REDACTED**"  # weaklink's own key table, on top
        assert username not in text and password not in text
    assert username not in done.stdout + done.stderr and password not in done.stdout + done.stderr
