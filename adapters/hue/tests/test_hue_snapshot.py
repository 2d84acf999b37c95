"""Snapshots: the bridge as a hub, its Zigbee devices and capabilities, from CLIP v2 and from v1."""

from __future__ import annotations

import json
from pathlib import Path

from hue_sim import RecordingBridge, host_of

from weaklink.model import CapabilityKind, IdentifierKind, Role, Transport
from weaklink_hue import HueAdapter, HueSession
from weaklink_hue.client import BridgeConfig
from weaklink_hue.fragment_v2 import fragment_v2
from weaklink_hue.resources import parse_resources

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "hue" / "aiohue_v2_resources.json"


def identifiers(device: object, kind: IdentifierKind) -> list[str]:
    return [i.value for i in device.identifiers if i.kind is kind]  # type: ignore[attr-defined]


async def test_v2_snapshot(session: HueSession, bridge: RecordingBridge) -> None:
    fragment = await session.snapshot()
    assert fragment.platform == "hue" and fragment.time_zone == "Europe/Amsterdam"
    assert bridge.bridge_id in fragment.source
    [hub] = fragment.hubs
    assert (hub.id, hub.role, hub.transport, hub.host) == (f"hue:bridge/{bridge.bridge_id}", Role.HUB,
                                                           Transport.ETHERNET, bridge.address)
    assert identifiers(hub, IdentifierKind.MAC) == [bridge.spec.mac]
    assert identifiers(hub, IdentifierKind.VENDOR) == [f"hue:{bridge.bridge_id}"]
    behind = {device.name: device for device in fragment.devices if device is not hub}
    assert set(behind) == {"Driveway", "Hall", "Drive motion", "Garage side door"}
    for node in bridge.nodes:
        device = behind[node.name]
        assert device.id == f"hue:device/{node.device_rid}" and device.hub_id == hub.id
        assert device.transport is Transport.ZIGBEE and device.brand == "Philips Hue"
        assert identifiers(device, IdentifierKind.ZIGBEE) == [node.mac]  # what HA's Hue integration registers too
        assert identifiers(device, IdentifierKind.VENDOR) == [f"hue:{node.device_rid}"]
    outside = {area.id: area.name for area in fragment.areas}
    assert outside[behind["Driveway"].area or ""] == "Outside" and behind["Hall"].area is None

    capabilities = {c.id: c for c in fragment.capabilities}
    driveway, hall = bridge.node("light", "1"), bridge.node("light", "2")
    light = capabilities[f"hue:light/{hall.service_rid}"]
    assert (light.kind, light.state, light.available, light.name) == (CapabilityKind.LIGHT, "on", True, "Hall")
    assert light.attributes == {"brightness": 50.0, "id_v1": "/lights/2", "zigbee_status": "connected"}
    assert light.device_id == f"hue:device/{hall.device_rid}" and light.unique_id == hall.service_rid
    assert capabilities[f"hue:light/{driveway.service_rid}"].state == "off"
    motion = capabilities[f"hue:motion/{bridge.node('sensor', '5').service_rid}"]
    assert (motion.kind, motion.state, motion.name) == (CapabilityKind.MOTION, "off", "Drive motion")
    contact = capabilities[f"hue:contact/{bridge.node('sensor', '6').service_rid}"]
    assert (contact.kind, contact.state, contact.attributes["contact_report"]) == (CapabilityKind.CONTACT, "off",
                                                                                    "contact")
    assert len(capabilities) == 4


async def test_v1_snapshot_of_an_older_bridge(v1_session: HueSession, old_bridge: RecordingBridge) -> None:
    fragment = await v1_session.snapshot()
    assert not any("/clip/v2" in line for line in old_bridge.requests)  # API 1.46: v2 never tried
    [hub] = fragment.hubs
    assert hub.id == f"hue:bridge/{old_bridge.bridge_id}" and identifiers(hub, IdentifierKind.MAC) == [old_bridge.spec.mac]
    capabilities = {c.id: c for c in fragment.capabilities}
    assert set(capabilities) == {"hue:lights/1", "hue:lights/2", "hue:sensors/5"}  # v1 has no contact sensors
    hall = capabilities["hue:lights/2"]
    assert (hall.state, hall.available, hall.attributes["brightness"]) == ("on", True, 50.0)
    assert capabilities["hue:sensors/5"].kind is CapabilityKind.MOTION
    devices = {device.id: device for device in fragment.devices}
    for node in old_bridge.nodes:
        if node.kind != "contact":
            device = devices[f"hue:zigbee/{node.mac}"]
            assert identifiers(device, IdentifierKind.ZIGBEE) == [node.mac] and device.hub_id == hub.id
    assert devices[capabilities["hue:lights/1"].device_id or ""].area in {a.id for a in fragment.areas}


async def test_the_same_bridge_reads_the_same_devices_in_v1_and_v2(session: HueSession, adapter: HueAdapter,
                                                                   bridge: RecordingBridge) -> None:
    v1 = await adapter.connect(host_of(bridge, api="v1"), timeout=2)  # `api` forces the older protocol
    try:
        old, new = await v1.snapshot(), await session.snapshot()
    finally:
        await v1.close()
    assert {i.value for d in old.devices for i in d.identifiers if i.kind is IdentifierKind.ZIGBEE} <= \
        {i.value for d in new.devices for i in d.identifiers if i.kind is IdentifierKind.ZIGBEE}
    assert {c.attributes["id_v1"] for c in new.capabilities if "id_v1" in c.attributes} == \
        {c.attributes["id_v1"] for c in old.capabilities}


def test_a_real_bridges_resources_read_whole() -> None:
    """aiohue's recorded bridge (166 resources, 36 types): nothing unreadable, every reference resolves."""
    resources, unreadable = parse_resources(json.loads(REFERENCE.read_text()))
    assert unreadable == [] and len(resources) == 166
    config = BridgeConfig(name="Real", bridgeid="ecb5fafffe84fdc7", mac="ec:b5:fa:84:fd:c7", modelid="BSB002")
    fragment = fragment_v2(resources, config, "ecb5fafffe84fdc7", "192.0.2.1", "reference")
    devices = {device.id for device in fragment.devices}
    assert len(fragment.hubs) == 1 and len(devices) == 46  # the bridge's own device resource is the hub
    kinds = [c.kind for c in fragment.capabilities]
    assert kinds.count(CapabilityKind.LIGHT) == 8 and kinds.count(CapabilityKind.BUTTON) == 4
    assert kinds.count(CapabilityKind.CONTACT) == 1 and kinds.count(CapabilityKind.MOTION) == 4
    assert all(c.device_id in devices for c in fragment.capabilities)
    # every reading has a state, but a button never pressed since pairing
    assert all(c.state is not None for c in fragment.capabilities if c.kind is not CapabilityKind.BUTTON)
    assert {c.state for c in fragment.capabilities if c.kind is CapabilityKind.CONTACT} == {"on"}  # no_contact: open
