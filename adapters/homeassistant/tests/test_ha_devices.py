"""Devices, entities and config entries mapped into the weaklink model."""

from __future__ import annotations

import json

import pytest
from ha_fixtures import HOME, STORAGE_VERSIONS
from weaklink.model import CapabilityKind, IdentifierKind, IntegrationHealth, Role, Transport
from weaklink_homeassistant.devices import (
    capability_kind,
    map_areas,
    map_capabilities,
    map_deleted,
    map_devices,
    map_integrations,
)
from weaklink_homeassistant.registries import (
    DEVICE_REGISTRY,
    ConfigEntries,
    ConfigEntry,
    DeviceRegistry,
    Registries,
    load_registries,
    parse_store,
)

REGISTRIES = load_registries(HOME)
DEVICES = {device.name: device for device in map_devices(REGISTRIES)}
CAPABILITIES = {capability.id: capability for capability in map_capabilities(REGISTRIES)}


@pytest.mark.parametrize(
    ("name", "role", "transport"),
    [
        ("Hue Bridge", Role.HUB, Transport.ETHERNET),
        ("Driveway Light", Role.DEVICE, Transport.ZIGBEE),
        ("Nabu Casa SkyConnect v1.0", Role.HUB, Transport.ZIGBEE),
        ("Garage Motion", Role.DEVICE, Transport.ZIGBEE),
        ("Z-Stick 7", Role.HUB, Transport.ZWAVE),
        ("Front Door Lock", Role.DEVICE, Transport.ZWAVE),
        ("Porch Light Relay", Role.DEVICE, Transport.WIFI),
        ("Pixel 8", Role.PHONE, Transport.CLOUD),
        ("Garage Door", Role.DEVICE, Transport.CLOUD),
        ("SimpliSafe 3", Role.DEVICE, Transport.CLOUD),
        ("Sun", Role.SERVICE, Transport.VIRTUAL),
        ("Forecast Home", Role.SERVICE, Transport.VIRTUAL),
    ],
)
def test_role_and_transport(name: str, role: Role, transport: Transport) -> None:
    assert (DEVICES[name].role, DEVICES[name].transport) == (role, transport)


def test_device_fields() -> None:
    light = DEVICES["Driveway Light"]
    bridge = DEVICES["Hue Bridge"]
    assert light.hub_id == bridge.id
    assert light.area == "Driveway"  # the area's name, not its id
    assert light.brand == "Signify Netherlands B.V."
    assert light.integration_ids == ["01HT3V8Q0K6YJ2N5W9C4D7R1AB"]
    assert {str(i) for i in light.identifiers} == {
        "zigbee:00:17:88:01:0b:5e:77:12",
        "vendor:hue:3f2e6a1c-9b8d-4e7f-a6c5-d4e3f2a1b0c9",
    }
    assert {str(i) for i in bridge.identifiers} == {"mac:00:17:88:6a:1b:2c", "vendor:hue:001788fffe6a1b2c"}
    assert bridge.host == "192.168.1.20"
    assert DEVICES["Forecast Home"].host is None  # a vendor's website is not the device's address
    assert DEVICES["Garage Motion"].name == "Garage Motion"  # name_by_user wins over name
    assert DEVICES["Hallway"].disabled


def test_zwave_and_zigbee_identifiers() -> None:
    lock = DEVICES["Front Door Lock"]
    assert [(i.kind, i.value) for i in lock.identifiers if i.kind is IdentifierKind.ZWAVE] == [
        (IdentifierKind.ZWAVE, "3967834535-5")
    ]
    motion = DEVICES["Garage Motion"]
    assert [str(i) for i in motion.identifiers] == ["zigbee:00:15:8d:00:02:b5:c6:d7"]


def test_serial_and_other_identifiers() -> None:
    new = parse_store((STORAGE_VERSIONS / "core.device_registry/1.12.json").read_text(), DEVICE_REGISTRY, source="x")
    registries = Registries(devices=new)
    bridge = next(d for d in map_devices(registries) if d.name == "Hue Bridge")
    assert "serial:001788FFFE6A1B2C" in {str(i) for i in bridge.identifiers}


def test_device_without_name_is_named_by_make_and_model() -> None:
    data = {"devices": [{"id": "abc", "manufacturer": "IKEA of Sweden", "model": "TRADFRI bulb",
                         "identifiers": [["mqtt", "zigbee2mqtt_0x000d6ffffe1a2b3c"]]}]}
    (device,) = map_devices(Registries(devices=DeviceRegistry.model_validate(data)))
    assert device.name == "IKEA of Sweden TRADFRI bulb"
    assert [str(i) for i in device.identifiers] == ["zigbee:00:0d:6f:ff:fe:1a:2b:3c"]
    assert device.transport is Transport.ZIGBEE


def test_old_cloud_connection_class_means_cloud() -> None:
    entries = ConfigEntries(entries=[ConfigEntry(entry_id="e1", domain="someclouddevice", connection_class="cloud_poll")])
    devices = DeviceRegistry.model_validate({"devices": [{"id": "d1", "config_entries": ["e1"], "name": "Opener"}]})
    (device,) = map_devices(Registries(devices=devices, config_entries=entries))
    assert device.transport is Transport.CLOUD


def test_via_device_pointing_nowhere_is_not_a_hub_link() -> None:
    devices = DeviceRegistry.model_validate({"devices": [{"id": "d1", "name": "Orphan", "via_device_id": "gone"}]})
    (device,) = map_devices(Registries(devices=devices))
    assert device.hub_id is None


@pytest.mark.parametrize(
    ("domain", "device_class", "kind"),
    [
        ("light", None, CapabilityKind.LIGHT),
        ("switch", "outlet", CapabilityKind.SWITCH),
        ("lock", None, CapabilityKind.LOCK),
        ("cover", "garage", CapabilityKind.COVER),
        ("alarm_control_panel", None, CapabilityKind.ALARM),
        ("valve", "water", CapabilityKind.VALVE),
        ("climate", None, CapabilityKind.CLIMATE),
        ("camera", None, CapabilityKind.CAMERA),
        ("person", None, CapabilityKind.PRESENCE),
        ("device_tracker", None, CapabilityKind.PRESENCE),
        ("binary_sensor", "motion", CapabilityKind.MOTION),
        ("binary_sensor", "occupancy", CapabilityKind.MOTION),
        ("binary_sensor", "garage_door", CapabilityKind.CONTACT),
        ("binary_sensor", "window", CapabilityKind.CONTACT),
        ("binary_sensor", "moisture", CapabilityKind.MOISTURE),
        ("binary_sensor", "co", CapabilityKind.SMOKE),
        ("binary_sensor", "battery", CapabilityKind.BINARY_SENSOR),
        ("event", "doorbell", CapabilityKind.BUTTON),
        ("event", None, CapabilityKind.EVENT),
        ("button", None, CapabilityKind.BUTTON),
        ("input_button", None, CapabilityKind.BUTTON),
        ("automation", None, CapabilityKind.AUTOMATION),
        ("script", None, CapabilityKind.SCRIPT),
        ("input_boolean", None, CapabilityKind.HELPER),
        ("timer", None, CapabilityKind.HELPER),
        ("counter", None, CapabilityKind.HELPER),
        ("sensor", "temperature", CapabilityKind.SENSOR),
        ("update", None, CapabilityKind.OTHER),
    ],
)
def test_capability_kind(domain: str, device_class: str | None, kind: CapabilityKind) -> None:
    assert capability_kind(domain, device_class) is kind


def test_capabilities_from_entity_registry() -> None:
    motion = CAPABILITIES["binary_sensor.garage_motion"]
    assert motion.kind is CapabilityKind.MOTION  # from original_device_class
    assert motion.name == "Garage Motion Motion"  # has_entity_name: device name + entity name
    assert motion.platform == "zha"
    assert motion.integration_id == "01HT3V9B2M4XK7P1S3E6G8T0CD"
    assert motion.device_id == DEVICES["Garage Motion"].id
    assert motion.unique_id == "00:15:8d:00:02:b5:c6:d7-1-1030"
    assert CAPABILITIES["light.driveway"].name == "Driveway Light"  # has_entity_name without a name
    assert CAPABILITIES["lock.front_door"].name == "Front door"  # the user's name wins
    assert CAPABILITIES["climate.hallway"].disabled
    assert CAPABILITIES["sensor.garage_motion_battery"].attributes == {"entity_category": "diagnostic", "unit_of_measurement": "%"}


def test_persons_with_their_trackers() -> None:
    alex, sam = CAPABILITIES["person.alex"], CAPABILITIES["person.sam"]
    assert (alex.name, alex.kind, alex.attributes["device_trackers"]) == ("Alex", CapabilityKind.PRESENCE, ["device_tracker.pixel_8"])
    assert (sam.name, sam.unique_id, sam.attributes["device_trackers"]) == ("Sam", "sam", [])


def test_deleted_entities_and_areas() -> None:
    (deleted,) = map_deleted(REGISTRIES)
    assert (deleted.id, deleted.platform, deleted.integration_id) == ("light.hallway_bulb", "hue", "01HT3V8Q0K6YJ2N5W9C4D7R1AB")
    assert {area.id: area.name for area in map_areas(REGISTRIES)}["front_door"] == "Front Door"


def test_integrations_from_config_entries() -> None:
    integrations = {i.domain: i for i in map_integrations(REGISTRIES)}
    assert integrations["hue"].id == "01HT3V8Q0K6YJ2N5W9C4D7R1AB"
    assert integrations["hue"].platform == "homeassistant"
    assert integrations["hue"].title == "Hue Bridge"
    assert integrations["hue"].health is IntegrationHealth.UNKNOWN  # HA does not persist whether it loaded
    assert (integrations["ecobee"].health, integrations["ecobee"].disabled_by) == (IntegrationHealth.DISABLED, "user")
    assert integrations["roku"].health is IntegrationHealth.NOT_LOADED  # ignored discovery


def test_no_credential_reaches_the_model() -> None:
    dumped = json.dumps([d.model_dump(mode="json") for d in DEVICES.values()])
    dumped += json.dumps([c.model_dump(mode="json") for c in CAPABILITIES.values()])
    dumped += json.dumps([i.model_dump(mode="json") for i in map_integrations(REGISTRIES)])
    assert "CANARY" not in dumped
