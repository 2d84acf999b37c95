"""Dumps of Shellies that are not relays: each variation real dumps show, as the smallest dump that has it.

Bulbs (Gen1 `lights`, Gen2+ `light`/`cct`), rollers and covers, energy meters, gas, door and
presence sensors, a circuit breaker, and the Shelly-platform devices of other makers (XT1
thermostats and irrigation controllers, Cury) whose ids do not start with `shelly`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from weaklink.errors import ExportError
from weaklink.model import CapabilityKind, HomeFragment
from weaklink_shelly import ShellyAdapter

MAC = "A1B2C3D4E5F6"


def gen1(model: str, status: dict[str, Any], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Gen1 dump: `/shelly`, `/status`, `/settings`."""
    return {"shelly": {"type": model, "mac": MAC, "auth": False, "fw": "20230913-111730/v1.14.0-gcb84623"},
            "status": {"mac": MAC, "wifi_sta": {"connected": True, "ip": "192.0.2.10", "ssid": "HIDDEN-NET"},
                       **status},
            "settings": {"name": "Test", "lat": 45.47, "lng": 9.19, **(settings or {})}}


def gen2(device_id: str, status: dict[str, Any], config: dict[str, Any] | None = None,
         **shelly: Any) -> dict[str, Any]:
    """A Gen2+ dump: `Shelly.GetDeviceInfo`, `Shelly.GetStatus`, `Shelly.GetConfig`."""
    return {"shelly": {"id": device_id, "mac": MAC, "gen": 3, "model": "S3XX-0000", "ver": "1.6.1", **shelly},
            "status": {"sys": {"mac": MAC}, "wifi": {"sta_ip": "192.0.2.11", "ssid": "HIDDEN-NET"}, **status},
            # some firmware writes the Wi-Fi config as the bare network name
            "config": {"wifi": "HIDDEN-NET", "sys": {"location": {"lat": 45.47, "lon": 9.19}}, **(config or {})}}


def load(tmp_path: Path, document: dict[str, Any]) -> HomeFragment:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(document))
    adapter = ShellyAdapter()
    assert adapter.detect(path)
    return adapter.load(path)


def by_element(fragment: HomeFragment) -> dict[str, tuple[CapabilityKind, str | None]]:
    return {c.id.partition("/")[2]: (c.kind, c.state) for c in fragment.capabilities}


def test_a_gen1_bulb_is_its_light_and_its_meter(tmp_path: Path) -> None:
    fragment = load(tmp_path, gen1("SHVIN-1", {"lights": [{"ison": True, "brightness": 40}],
                                               "meters": [{"power": 7.5}]},
                                   {"lights": [{"name": "Porch bulb"}]}))
    assert by_element(fragment) == {"light:0": (CapabilityKind.LIGHT, "on"), "meter:0": (CapabilityKind.SENSOR, "7.5")}
    [light] = [c for c in fragment.capabilities if c.kind is CapabilityKind.LIGHT]
    assert light.name == "Porch bulb" and light.attributes["brightness"] == 40


def test_a_gen1_roller_is_a_cover_not_its_motors_relays(tmp_path: Path) -> None:
    status = {"rollers": [{"state": "close", "current_pos": 0}],
              "relays": [{"ison": False}, {"ison": False}], "meters": [{"power": 0}, {"power": 0}]}
    fragment = load(tmp_path, gen1("SHSW-25", status, {"mode": "roller"}))
    assert by_element(fragment) == {"cover:0": (CapabilityKind.COVER, "close")}
    relay_mode = load(tmp_path, gen1("SHSW-25", {"relays": [{"ison": True}, {"ison": False}]}, {"mode": "relay"}))
    assert by_element(relay_mode) == {"switch:0": (CapabilityKind.SWITCH, "on"),
                                      "switch:1": (CapabilityKind.SWITCH, "off")}


def test_a_gen1_gas_sensor_alarms(tmp_path: Path) -> None:
    fragment = load(tmp_path, gen1("SHGS-1", {"gas_sensor": {"alarm_state": "mild", "sensor_state": "normal"},
                                              "concentration": {"is_valid": True, "ppm": 120}}))
    assert by_element(fragment) == {"gas": (CapabilityKind.SMOKE, "on"),
                                    "gas_concentration": (CapabilityKind.SENSOR, "120")}


def test_a_gen1_door_sensor_reports_contact_and_battery(tmp_path: Path) -> None:
    fragment = load(tmp_path, gen1("SHDW-2", {"sensor": {"state": "open", "is_valid": True},
                                              "tmp": {"tC": 21.5, "is_valid": True}, "bat": {"value": 88}}))
    found = by_element(fragment)
    assert found["contact"] == (CapabilityKind.CONTACT, "on")
    assert found["temperature"] == (CapabilityKind.SENSOR, "21.5") and found["battery"] == (CapabilityKind.SENSOR, "88")


def test_gen2_covers_lights_meters_and_breakers(tmp_path: Path) -> None:
    status = {"cover:0": {"state": "stopped", "current_pos": 30}, "cct:0": {"output": False, "brightness": 5},
              "em:0": {"total_act_power": 2530.977}, "cb:0": {"output": True},
              "presencezone:200": {"value": True, "num_objects": 1}, "input:0": {"state": False}}
    fragment = load(tmp_path, gen2("shelly2pmg3-a1b2c3d4e5f6", status, {"cct:0": {"name": "Lamp"}}))
    assert by_element(fragment) == {
        "cover:0": (CapabilityKind.COVER, "stopped"), "cct:0": (CapabilityKind.LIGHT, "off"),
        "em:0": (CapabilityKind.SENSOR, "2530.98"), "cb:0": (CapabilityKind.SWITCH, "on"),
        "presencezone:200": (CapabilityKind.MOTION, "on")}
    assert {c.name for c in fragment.capabilities if c.kind is CapabilityKind.LIGHT} == {"Lamp"}


def test_a_shelly_platform_thermostat_of_another_maker(tmp_path: Path) -> None:
    config = {"number:201": {"role": "current_temperature", "name": "Current temperature"},
              "number:203": {"role": "target_temperature"}, "boolean:201": {"role": "enable"},
              "enum:201": {"role": "working_mode"}}
    status = {"number:201": {"value": 25.1}, "number:203": {"value": 20.5}, "boolean:201": {"value": True},
              "enum:201": {"value": "heat"}}
    fragment = load(tmp_path, gen2("st-802-a1b2c3d4e5f6", status, config, app="XT1",
                                   jwt={"p": "ST-802", "n": "Smart Thermostat"}))
    [device] = fragment.devices
    assert device.id == "shelly:st-802-a1b2c3d4e5f6"
    found = by_element(fragment)
    assert found["thermostat"] == (CapabilityKind.CLIMATE, "heat")
    assert found["number:201"] == (CapabilityKind.SENSOR, "25.1")


def test_an_irrigation_controllers_zones_are_valves(tmp_path: Path) -> None:
    config = {f"boolean:{200 + i}": {"role": f"zone{i}", "name": f"Zone {i + 1}"} for i in range(2)}
    status = {"boolean:200": {"value": True}, "boolean:201": {"value": False}}
    fragment = load(tmp_path, gen2("irrigation-a1b2c3d4e5f6", status, config, app="XT1", jwt={"p": "Irrigation"}))
    assert by_element(fragment) == {"boolean:200": (CapabilityKind.VALVE, "on"),
                                    "boolean:201": (CapabilityKind.VALVE, "off")}


def test_a_product_prefixed_id_is_accepted_only_for_the_product_it_names(tmp_path: Path) -> None:
    status = {"cury:0": {"slots": {"left": {"on": False, "intensity": 70}, "right": {"on": True}}}}
    fragment = load(tmp_path, gen2("cury-a1b2c3d4e5f6", status, app="Cury"))
    assert by_element(fragment) == {"cury:0/left": (CapabilityKind.SWITCH, "off"),
                                    "cury:0/right": (CapabilityKind.SWITCH, "on")}
    with pytest.raises(ExportError, match="not a Shelly Gen2"):
        load(tmp_path, gen2("printer-a1b2c3d4e5f6", {}, app="Cury"))
    with pytest.raises(ExportError, match="does not end in its MAC"):
        load(tmp_path, gen2("cury-112233445566", {}, app="Cury"))


@pytest.mark.parametrize("document", [
    gen1("SHVIN-1", {"lights": [{"ison": True}]}),
    gen2("shellyplus1-a1b2c3d4e5f6", {"cover:0": {"state": "open"}}),
])
def test_component_dumps_keep_their_secrets_out(tmp_path: Path, document: dict[str, Any]) -> None:
    text = load(tmp_path, document).model_dump_json()
    assert "HIDDEN-NET" not in text and "45.47" not in text


def test_an_unreadable_component_is_left_out_not_fatal(tmp_path: Path) -> None:
    fragment = load(tmp_path, gen2("shellyplus1-a1b2c3d4e5f6", {"light:0": "garbage", "em:0": {"total_act_power": "x"},
                                                                "switch:0": {"output": True}}))
    assert by_element(fragment) == {"switch:0": (CapabilityKind.SWITCH, "on")}


def test_every_kind_these_dumps_give_is_declared_in_the_manifest(tmp_path: Path) -> None:
    documents = [gen1("SHVIN-1", {"lights": [{"ison": True}], "meters": [{"power": 1.0}]}),
                 gen1("SHGS-1", {"gas_sensor": {"alarm_state": "none"}}),
                 gen1("SHDW-2", {"sensor": {"state": "close", "motion": False}, "flood": False}),
                 gen2("shellyx-a1b2c3d4e5f6", {"cover:0": {"state": "open"}, "thermostat:0": {"enable": True},
                                               "boolean:200": {"value": True}}, {"boolean:200": {"role": "zone0"}})]
    used = {c.kind for document in documents for c in load(tmp_path, document).capabilities}
    assert len(used) >= 8 and used <= set(ShellyAdapter.manifest.capabilities)
