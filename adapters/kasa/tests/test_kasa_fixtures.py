"""Our recorded dumps, one per model: what each device and capability becomes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kasa_fixtures import document, fixture, fixture_files, load, write
from weaklink.model import Capability, CapabilityKind, HomeFragment, IdentifierKind, Role, Transport
from weaklink_kasa import KasaAdapter
from weaklink_kasa.document import protocol_of

FILES = fixture_files()


def by_suffix(fragment: HomeFragment) -> dict[str, Capability]:
    """Capabilities by what follows `kasa:<device id>/` (unique within one-device fragments)."""
    return {c.id.split("/", 1)[1]: c for c in fragment.capabilities}


def test_the_fixtures_cover_both_protocols_and_the_device_families() -> None:
    protocols = [protocol_of(document(p)) for p in FILES]
    assert protocols.count("iot") >= 2 and protocols.count("smart") >= 3
    models = {d.model for p in FILES for d in load(p).devices}
    assert len(models) >= 5
    kinds = {c.kind for p in FILES for c in load(p).capabilities}
    assert {CapabilityKind.SWITCH, CapabilityKind.LIGHT, CapabilityKind.SENSOR, CapabilityKind.MOTION,
            CapabilityKind.CONTACT, CapabilityKind.MOISTURE, CapabilityKind.BUTTON, CapabilityKind.CLIMATE} <= kinds


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_fixture_is_recognised_whatever_its_name(path: Path, tmp_path: Path) -> None:
    adapter = KasaAdapter()
    assert adapter.detect(path)
    renamed = tmp_path / "export (3).txt"
    shutil.copy(path, renamed)
    assert adapter.detect(renamed)
    assert [d.id for d in adapter.load(renamed).devices] == [d.id for d in adapter.load(path).devices]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_fixture_gives_unique_stable_ids_and_a_mac(path: Path) -> None:
    fragment = load(path)
    ids = [d.id for d in fragment.devices] + [c.id for c in fragment.capabilities]
    assert len(ids) == len(set(ids))
    assert ids == [d.id for d in load(path).devices] + [c.id for c in load(path).capabilities]
    assert all(any(i.kind is IdentifierKind.MAC for i in d.identifiers) for d in fragment.devices)
    assert all(d.brand == "TP-Link" and d.sw_version for d in fragment.devices)
    assert not fragment.log


def test_a_plug_with_an_energy_meter_iot() -> None:
    fragment = load(fixture("iot_KP115"))
    [plug] = fragment.devices
    assert (plug.name, plug.model, plug.transport, plug.role) == ("Coffee Maker", "KP115(US)", Transport.WIFI,
                                                                 Role.DEVICE)
    caps = by_suffix(fragment)
    assert set(caps) == {"switch", "energy"}
    assert (caps["switch"].kind, caps["switch"].state, caps["switch"].name) == (CapabilityKind.SWITCH, "on",
                                                                              "Coffee Maker")
    assert (caps["energy"].kind, caps["energy"].state, caps["energy"].device_class) == (CapabilityKind.SENSOR,
                                                                                      "138.41", "power")


def test_a_power_strip_has_one_switch_per_outlet_iot() -> None:
    fragment = load(fixture("iot_HS300"))
    [strip] = fragment.devices
    outlets = [c for c in fragment.capabilities if c.kind is CapabilityKind.SWITCH]
    assert [c.id for c in outlets] == [f"{strip.id}/outlet:{n}" for n in range(1, 7)]
    assert [(c.name, c.state) for c in outlets] == [("Monitor", "on"), ("Desk Lamp", "on"), ("Printer", "off"),
                                                    ("Router", "on"), ("Speakers", "off"), ("Phone Charger", "on")]
    assert all(c.device_id == strip.id for c in outlets)
    assert by_suffix(fragment)["energy"].state == "81.47"


def test_a_bulb_is_a_light_with_its_brightness_iot() -> None:
    fragment = load(fixture("iot_KL130"))
    [bulb] = fragment.devices
    assert bulb.identifiers[0].value == "1c:3b:f3:a4:b7:e2"  # `mic_mac`, written without separators
    light = by_suffix(fragment)["light"]
    assert (light.kind, light.state, light.attributes) == (CapabilityKind.LIGHT, "on", {"brightness": 64})


def test_a_dimmer_with_motion_and_light_sensors_iot() -> None:
    caps = by_suffix(load(fixture("iot_ES20M")))
    assert caps["light"].kind is CapabilityKind.LIGHT and caps["light"].state == "on"
    assert caps["motion"].kind is CapabilityKind.MOTION and caps["motion"].attributes == {"enabled": True}
    assert caps["ambient_light"].kind is CapabilityKind.SENSOR and caps["ambient_light"].state == "27"


def test_a_plug_with_an_energy_meter_smart() -> None:
    fragment = load(fixture("smart_P110"))
    [plug] = fragment.devices
    assert (plug.name, plug.model, plug.host) == ("Basement Dehumidifier", "P110", "127.0.0.41")
    caps = by_suffix(fragment)
    assert (caps["switch"].kind, caps["switch"].state) == (CapabilityKind.SWITCH, "on")
    assert caps["energy"].state == "212"


def test_a_power_strip_smart_numbers_its_outlets_by_position() -> None:
    fragment = load(fixture("smart_P300"))
    [strip] = fragment.devices
    outlets = [c for c in fragment.capabilities if c.kind is CapabilityKind.SWITCH]
    assert [(c.id, c.name, c.state) for c in outlets] == [
        (f"{strip.id}/outlet:1", "Kettle", "on"), (f"{strip.id}/outlet:2", "Toaster", "off"),
        (f"{strip.id}/outlet:3", "Radio", "on")]


def test_a_light_strip_and_a_wall_switch_smart() -> None:
    light = by_suffix(load(fixture("smart_L900")))["light"]
    assert (light.kind, light.state, light.name) == (CapabilityKind.LIGHT, "off", "TV Backlight")
    switch = by_suffix(load(fixture("smart_S505")))["switch"]
    assert (switch.kind, switch.state, switch.name) == (CapabilityKind.SWITCH, "on", "Porch Light")


def test_a_hub_and_the_sensors_paired_to_it() -> None:
    fragment = load(fixture("smart_H100"))
    hub, *paired = fragment.devices
    assert (hub.role, hub.transport, hub.name, hub.model) == (Role.HUB, Transport.WIFI, "Hallway Hub", "H100")
    assert fragment.hubs == [hub]
    assert all(d.hub_id == hub.id and d.transport is Transport.RF and d.role is Role.DEVICE for d in paired)
    kinds = {d.model: {c.id.rsplit("/", 1)[1]: c for c in fragment.capabilities if c.device_id == d.id}
             for d in paired}
    assert kinds["T310"]["temperature"].state == "21.4" and kinds["T310"]["humidity"].state == "48"
    assert kinds["T310"]["temperature"].attributes["unit"] == "°C"
    assert (kinds["T110"]["contact"].kind, kinds["T110"]["contact"].state) == (CapabilityKind.CONTACT, "on")
    assert (kinds["T300"]["water_leak"].kind, kinds["T300"]["water_leak"].state) == (CapabilityKind.MOISTURE, "off")
    assert kinds["S200B"]["button"].kind is CapabilityKind.BUTTON
    valve = kinds["KE100"]["climate"]
    assert (valve.kind, valve.state, valve.attributes["target_temperature"]) == (CapabilityKind.CLIMATE, "heat", 21.0)
    assert kinds["KE100"]["battery"].state == "67"
    # the motion sensor is offline: every capability of it is unavailable, with the weak radio link that explains it
    motion = kinds["T100"]
    assert motion["motion"].kind is CapabilityKind.MOTION and motion["battery_low"].state == "on"
    assert not any(c.available for c in motion.values()) and motion["motion"].attributes["rssi"] == -91
    assert all(c.available for d, caps in kinds.items() if d != "T100" for c in caps.values())
    [siren] = [c for c in fragment.capabilities if c.device_id == hub.id]
    assert (siren.kind, siren.state) == (CapabilityKind.SIREN, "off")


def test_a_hub_sensors_own_dump_is_the_same_device_behind_the_same_hub() -> None:
    hub_fragment = load(fixture("smart_H100"))
    [own] = load(fixture("smart_child_T310")).devices
    [listed] = [d for d in hub_fragment.devices if d.model == "T310"]
    assert own.id == listed.id and own.identifiers == listed.identifiers
    assert own.hub_id == hub_fragment.hubs[0].id and own.transport is Transport.RF and own.host is None


def test_an_iot_dump_with_its_discovery_answer_has_an_address(tmp_path: Path) -> None:
    # newer firmware is found by the SMART discovery, whose answer dump_devinfo adds to the dump
    doc = document(fixture("iot_HS300"))
    doc["discovery_result"] = {"error_code": 0, "result": {
        "device_id": "7E1C0F2A9B3D4E5F60718293A4B5C6D7", "device_model": "HS300(US)",
        "device_type": "IOT.SMARTPLUGSWITCH", "ip": "127.0.0.46", "mac": "B0-BE-76-12-5C-E8",
        "mgt_encrypt_schm": {"encrypt_type": "KLAP", "http_port": 80, "is_support_https": False, "lv": 2}}}
    [strip] = load(write(tmp_path / "strip.json", doc)).devices
    assert strip.host == "127.0.0.46" and strip.id == load(fixture("iot_HS300")).devices[0].id
