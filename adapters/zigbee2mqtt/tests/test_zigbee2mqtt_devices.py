"""The bridge/devices payload: devices, hubs, identifiers and the capabilities worth tracing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from z2m_fixtures import (
    COORDINATOR,
    ENTRY_FILES,
    HOME_DEVICES,
    INTERVIEW_FAILED,
    OLD_PLUG,
    device_id,
    document,
    load,
    write,
)

from weaklink.model import CapabilityKind as K
from weaklink.model import Identifier, IdentifierKind, Role, Transport

# Every entry fixture and the capabilities it must give: feature key -> kind.
EXPECTED: dict[str, dict[str, K]] = {
    "coordinator_zStack3x0.json": {},
    "IKEA_LED1836G9.json": {"light": K.LIGHT},
    "Philips_9290012573A.json": {"light": K.LIGHT},
    "IKEA_E1603-E1702-E1708.json": {"switch": K.SWITCH},
    "SONOFF_S26R2ZB.json": {"switch": K.SWITCH},
    "IKEA_E2007.json": {"fan": K.FAN, "pm25": K.SENSOR},
    "Danalock_V3-BTZB.json": {"lock": K.LOCK, "battery": K.SENSOR},
    "IKEA_E1757.json": {"cover": K.COVER, "battery": K.SENSOR},
    "Eurotronic_SPZB0001.json": {"climate": K.CLIMATE, "battery": K.SENSOR},
    "Aqara_RTCGQ11LM.json": {"occupancy": K.MOTION, "illuminance": K.SENSOR, "battery": K.SENSOR},
    "Aqara_MCCGQ11LM.json": {"contact": K.CONTACT, "battery": K.SENSOR},
    "Aqara_SJCGQ11LM.json": {"water_leak": K.MOISTURE, "battery_low": K.BINARY_SENSOR, "battery": K.SENSOR},
    "HEIMAN_HS1SA.json": {"smoke": K.SMOKE, "battery_low": K.BINARY_SENSOR, "battery": K.SENSOR},
    "Xiaomi_WSDCGQ01LM.json": {"temperature": K.SENSOR, "humidity": K.SENSOR, "battery": K.SENSOR},
    "IKEA_E1743.json": {"action": K.BUTTON, "battery": K.SENSOR},
    "Tuya_TS0601_unsupported.json": {"device": K.OTHER},
    "interview-failed_unknown.json": {"device": K.OTHER},
}


def by_name(name: str) -> Path:
    return next(path for path in ENTRY_FILES if path.name == name)


def test_every_entry_fixture_is_checked() -> None:
    assert sorted(p.name for p in ENTRY_FILES) == sorted(EXPECTED)


def test_the_home_payload_is_the_entry_fixtures_assembled() -> None:
    home = sorted(document(HOME_DEVICES), key=lambda entry: entry["ieee_address"])
    entries = sorted((document(path) for path in ENTRY_FILES), key=lambda entry: entry["ieee_address"])
    assert home == entries


@pytest.mark.parametrize("fixture", ENTRY_FILES, ids=lambda p: p.name)
def test_an_entry_gives_one_zigbee_device_and_its_capabilities(fixture: Path) -> None:
    entry = document(fixture)
    fragment = load(fixture)
    [device] = fragment.devices
    assert device.id == device_id(entry["ieee_address"]) and device.transport is Transport.ZIGBEE
    assert device.identifiers == [Identifier(kind=IdentifierKind.ZIGBEE, value=entry["ieee_address"])]
    assert device.name == entry["friendly_name"]
    assert device.role is (Role.HUB if entry["type"] == "Coordinator" else Role.DEVICE)
    got = {c.id.removeprefix(f"{device.id}/"): c.kind for c in fragment.capabilities}
    assert got == EXPECTED[fixture.name]
    assert all(c.device_id == device.id and c.platform == "zigbee2mqtt" for c in fragment.capabilities)


def test_the_ieee_address_is_the_identifier_other_sources_share() -> None:
    [device] = load(by_name("Aqara_RTCGQ11LM.json")).devices
    assert [str(i) for i in device.identifiers] == ["zigbee:00:15:8d:00:01:e1:a2:b3"]


def test_the_coordinator_is_the_hub_every_other_device_hangs_off() -> None:
    fragment = load(HOME_DEVICES)
    [hub] = fragment.hubs
    assert hub.id == device_id(COORDINATOR) and hub.hub_id is None and hub.name == "Coordinator"
    assert len(fragment.devices) == 17
    assert {d.hub_id for d in fragment.devices if d is not hub} == {hub.id}


def test_ids_are_unique_and_the_same_in_an_entry_file_and_the_home_payload() -> None:
    home = load(HOME_DEVICES)
    ids = [d.id for d in home.devices]
    assert len(ids) == len(set(ids)) and ids == [d.id for d in load(HOME_DEVICES).devices]
    devices = {d.id: d for d in home.devices}
    capabilities = {c.id: c for c in home.capabilities}
    for fixture in ENTRY_FILES:
        alone = load(fixture)
        [device] = alone.devices
        # alone, a device's coordinator is unknown; everything else is the same
        assert device.model_dump(exclude={"hub_id"}) == devices[device.id].model_dump(exclude={"hub_id"})
        assert all(capabilities[c.id] == c for c in alone.capabilities)


def test_brand_model_and_version_come_from_the_definition() -> None:
    [lamp] = load(by_name("Philips_9290012573A.json")).devices
    assert (lamp.brand, lamp.model, lamp.sw_version) == ("Philips", "9290012573A", "1.88.1")
    [sensor] = load(by_name("Xiaomi_WSDCGQ01LM.json")).devices
    assert (sensor.brand, sensor.model) == ("Xiaomi", "WSDCGQ01LM")  # not the radio's "LUMI" / "lumi.sensor_ht"


def test_without_a_definition_brand_and_model_are_the_radio_s_own(tmp_path: Path) -> None:
    entry = document(by_name("Aqara_MCCGQ11LM.json"))
    entry.update(definition=None, supported=False)  # how 1.x publishes a device it has no definition for
    fragment = load(write(tmp_path / "entry.json", entry))
    [device] = fragment.devices
    assert (device.brand, device.model) == ("LUMI", "lumi.sensor_magnet.aq2")
    [capability] = fragment.capabilities
    assert capability.kind is K.OTHER and capability.attributes["supported"] is False and capability.available


def test_a_device_whose_interview_failed_stays_visible_and_unavailable() -> None:
    fragment = load(HOME_DEVICES)
    device = next(d for d in fragment.devices if d.id == device_id(INTERVIEW_FAILED))
    assert (device.name, device.brand, device.model, device.hub_id) == (INTERVIEW_FAILED, None, None,
                                                                       device_id(COORDINATOR))
    [capability] = [c for c in fragment.capabilities if c.device_id == device.id]
    assert capability.id == f"{device.id}/device" and capability.available is False
    assert capability.attributes == {"interview": "failed", "supported": False}


@pytest.mark.parametrize(("fields", "status"), [
    ({"interview_completed": False, "interviewing": False}, "failed"),
    ({"interview_completed": False, "interviewing": True}, "in_progress"),
    ({"interview_completed": True, "interviewing": False}, "successful"),
], ids=["failed", "in progress", "completed"])
def test_a_1x_entry_says_how_its_interview_went_without_interview_state(
        fields: dict[str, bool], status: str, tmp_path: Path) -> None:
    entry = {key: value for key, value in document(by_name("Aqara_RTCGQ11LM.json")).items() if key != "interview_state"}
    entry["definition"].pop("source")
    capabilities = load(write(tmp_path / "entry.json", {**entry, **fields})).capabilities
    assert {c.kind for c in capabilities} == {K.MOTION, K.SENSOR}
    assert all(c.available is (status == "successful") for c in capabilities)
    assert all(c.attributes.get("interview", "successful") == status for c in capabilities)


def test_an_interview_state_this_release_does_not_know_is_kept_and_not_trusted(tmp_path: Path) -> None:
    entry = {**document(by_name("IKEA_LED1836G9.json")), "interview_state": "RE_INTERVIEWING"}
    [light] = load(write(tmp_path / "entry.json", entry)).capabilities
    assert light.attributes["interview"] == "re_interviewing" and light.available is False


def test_an_unsupported_device_says_so_and_keeps_what_zigbee2mqtt_generated() -> None:
    fragment = load(by_name("Tuya_TS0601_unsupported.json"))
    [device] = fragment.devices
    assert (device.brand, device.model) == ("_TZE204_qasjif9e", "TS0601")
    [capability] = fragment.capabilities
    assert capability.attributes == {"supported": False, "power_source": "Mains (single phase)"}
    assert capability.available  # it was interviewed: Zigbee2MQTT talks to it, without a converter


def test_a_disabled_device_and_its_capabilities_are_disabled() -> None:
    fragment = load(HOME_DEVICES)
    plug = next(d for d in fragment.devices if d.id == device_id(OLD_PLUG))
    assert plug.disabled
    assert [c.disabled for c in fragment.capabilities if c.device_id == plug.id] == [True]
    assert not any(c.disabled for c in fragment.capabilities if c.device_id != plug.id)


def test_diagnostics_and_settings_are_not_capabilities() -> None:
    fragment = load(HOME_DEVICES)
    keys = {c.id.rsplit("/", 1)[1] for c in fragment.capabilities}
    assert not keys & {"linkquality", "voltage", "device_temperature", "power_outage_count", "trigger_count",
                       "child_lock", "led_enable", "power_on_behavior", "identify", "effect", "filter_age",
                       "local_temperature", "occupied_heating_setpoint", "brightness", "state"}


def test_readings_carry_their_property_unit_and_class() -> None:
    capabilities = {c.id.rsplit("/", 1)[1]: c for c in load(by_name("Xiaomi_WSDCGQ01LM.json")).capabilities}
    temperature = capabilities["temperature"]
    assert temperature.device_class == "temperature" and temperature.name == "Garage temperature temperature"
    assert temperature.attributes == {"property": "temperature", "unit": "°C", "power_source": "Battery"}
    assert capabilities["battery"].attributes["unit"] == "%"


def _two_gang_switch() -> dict[str, Any]:
    state = {"access": 7, "label": "State", "name": "state", "type": "binary", "value_off": "OFF", "value_on": "ON"}
    return {
        "ieee_address": "0xa4c1380b2c3d4e5f", "friendly_name": "Stairs switch", "type": "Router",
        "network_address": 4321, "interview_completed": True, "interviewing": False, "supported": True,
        "disabled": False, "power_source": "Mains (single phase)", "model_id": "TS0012", "manufacturer": "_TZ3000_xxx",
        "definition": {"model": "TS0012", "vendor": "Tuya", "description": "Wall switch", "options": [],
                       "supports_ota": False, "exposes": [
                           {"type": "switch", "endpoint": "left",
                            "features": [{**state, "endpoint": "left", "property": "state_left"}]},
                           {"type": "switch", "endpoint": "right",
                            "features": [{**state, "endpoint": "right", "property": "state_right"}]},
                           {"access": 1, "name": "action", "property": "action", "type": "enum",
                            "values": ["single", "double"]},
                           {"access": 1, "name": "temperature", "property": "temperature", "type": "numeric",
                            "unit": "°C", "some_future_field": {"x": 1}},
                           {"access": 7, "name": "temperature", "property": "temperature", "type": "numeric"},
                       ]},
        "a_field_from_a_later_release": [1, 2, 3],
    }


def test_each_endpoint_of_a_multi_gang_device_is_its_own_capability(tmp_path: Path) -> None:
    fragment = load(write(tmp_path / "entry.json", _two_gang_switch()))
    assert {c.id.rsplit("/", 1)[1]: c.kind for c in fragment.capabilities} == {
        "switch_left": K.SWITCH, "switch_right": K.SWITCH, "action": K.BUTTON, "temperature": K.SENSOR}


@pytest.mark.parametrize("kind", ["GreenPower", "Unknown", "SomethingNew"])
def test_device_types_other_than_the_coordinator_are_devices(kind: str, tmp_path: Path) -> None:
    [device] = load(write(tmp_path / "entry.json", {**_two_gang_switch(), "type": kind})).devices
    assert device.role is Role.DEVICE and device.transport is Transport.ZIGBEE


def test_an_address_written_otherwise_is_the_same_device(tmp_path: Path) -> None:
    entry = {**_two_gang_switch(), "ieee_address": "0xA4C1380B2C3D4E5F"}
    [device] = load(write(tmp_path / "entry.json", entry)).devices
    assert device.id == device_id("0xa4c1380b2c3d4e5f")


def test_a_device_listed_twice_is_read_once_with_a_warning(tmp_path: Path) -> None:
    switch = _two_gang_switch()
    fragment = load(write(tmp_path / "devices.json", [switch, {**switch, "friendly_name": "again"}]))
    assert [d.name for d in fragment.devices] == ["Stairs switch"]
    assert [entry.message for entry in fragment.log] == ["0xa4c1380b2c3d4e5f is listed twice: entry 1 is left out"]
