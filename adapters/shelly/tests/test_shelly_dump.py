"""Whole-device dumps read offline: the reference devices, and the same device a live snapshot sees."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
from shelly_fixtures import PORT, Connect, Make

from weaklink.errors import ExportError
from weaklink.model import CapabilityKind, IdentifierKind, Transport
from weaklink_shelly import ShellyAdapter

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference"
DUMPS = sorted((REFERENCE / "shelly").glob("*.json"))
# What each generation answers, and the key the dump keeps it under.
ASKED = {1: {"shelly": "/shelly", "status": "/status", "settings": "/settings"},
         2: {"shelly": "/rpc/Shelly.GetDeviceInfo", "status": "/rpc/Shelly.GetStatus", "config": "/rpc/Shelly.GetConfig"}}


def test_the_reference_dumps_are_there() -> None:
    assert len(DUMPS) >= 7, f"the reference dumps are missing from {REFERENCE / 'shelly'}"


# without the reference folder the set would be empty, which pytest skips: a missing file fails instead
@pytest.mark.parametrize("path", DUMPS or [REFERENCE / "shelly" / "MISSING.json"],
                         ids=[(p.stem.split("_") + ["", "", "MISSING"])[2] for p in DUMPS] or ["MISSING"])
def test_every_reference_dump_is_one_wifi_device_with_a_switch_per_output(path: Path) -> None:
    adapter = ShellyAdapter()
    assert adapter.detect(path)
    fragment = adapter.load(path)
    raw = json.loads(path.read_text())
    [device] = fragment.devices
    assert device.transport is Transport.WIFI and device.model in path.name
    mac = [i.value for i in device.identifiers if i.kind is IdentifierKind.MAC]
    assert mac == [":".join(raw["shelly"]["mac"][i:i + 2] for i in range(0, 12, 2)).lower()]
    outputs = (len(raw["status"].get("relays", [])) if "gen" not in raw["shelly"]
               else sum(1 for key in raw["status"] if key.startswith("switch:")))
    switches = [c for c in fragment.capabilities if c.id.rpartition("/")[2].startswith("switch:")]
    assert len(switches) == outputs and all(c.kind is CapabilityKind.SWITCH for c in switches)
    # every other capability is one of the status's other components (a thermostat, a sensor)
    others = {c.id.rpartition("/")[2] for c in fragment.capabilities} - {c.id.rpartition("/")[2] for c in switches}
    assert all(part.split(".")[0] in raw["status"] or part.split(":")[0] in raw["status"] for part in others), others
    assert all(c.device_id == device.id and c.state in ("on", "off") for c in switches)
    assert [d.id for d in adapter.load(path).devices] == [device.id]  # stable


@pytest.mark.parametrize("model, generation", [("SHSW-25", 1), ("SNSW-102P16EU", 2)], ids=["gen1", "gen2"])
async def test_a_dump_of_what_the_device_answers_reads_as_its_live_snapshot(make: Make, connect: Connect, model: str,
                                                                            generation: int, tmp_path: Path) -> None:
    device = await make(model=model, name="Garage relays")
    device.set_relay(1, True)
    live = await (await connect(device)).snapshot()
    async with aiohttp.ClientSession() as client:
        dump = {}
        for key, path in ASKED[generation].items():
            async with client.get(f"http://{device.address}:{PORT}{path}") as answer:
                dump[key] = await answer.json()
    saved = tmp_path / "garage.dump"  # any name
    saved.write_text(json.dumps(dump))
    adapter = ShellyAdapter()
    assert adapter.detect(saved)
    offline = adapter.load(saved)
    assert offline.devices == live.devices and offline.capabilities == live.capabilities


@pytest.mark.parametrize("change, field", [
    (lambda d: d["shelly"].update(mac="not-a-mac"), "shelly"),
    (lambda d: d["status"].update(relays=[{"ison": "perhaps"}]), "status"),
])
def test_a_dump_that_cannot_be_read_names_the_file_and_part(tmp_path: Path, change, field: str) -> None:  # type: ignore[no-untyped-def]
    raw = json.loads(next(p for p in DUMPS if "SHPLG-S" in p.name).read_text())
    change(raw)
    path = tmp_path / "plug.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ExportError) as raised:
        ShellyAdapter().load(path)
    assert (raised.value.source, raised.value.field) == (str(path), field)


def test_wifi_names_and_passwords_in_a_dump_never_reach_the_model(tmp_path: Path) -> None:
    raw = json.loads(next(p for p in DUMPS if "SHPLG-S" in p.name).read_text())
    raw["settings"]["wifi_sta"] = {"ssid": "CANARY-SSID-7731", "ipv4_method": "dhcp"}
    raw["settings"]["login"] = {"enabled": True, "username": "admin", "password": "CANARY-PASSWORD-7731"}
    raw["status"]["wifi_sta"]["ssid"] = "CANARY-SSID-7731"
    path = tmp_path / "plug.json"
    path.write_text(json.dumps(raw))
    assert "CANARY" not in ShellyAdapter().load(path).model_dump_json()


def test_other_files_are_not_taken_for_a_shelly() -> None:
    adapter = ShellyAdapter()
    others = [p for p in REFERENCE.rglob("*.json") if p.parent.name != "shelly"]
    assert others and not any(adapter.detect(p) for p in others)
