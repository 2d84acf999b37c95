"""A CLIP v2 bridge's resources as a home fragment (names and states: see `naming`)."""

from __future__ import annotations

from collections.abc import Sequence

from weaklink.model import Area, Capability, Device, HomeFragment, Identifier, IdentifierKind, Transport

from .config import BridgeConfig
from .naming import PLATFORM, V2_KINDS, brand_of, bridge_device, bridge_device_id, capability_id, ieee
from .readings import reading
from .resources import Bridge, Device as DeviceResource, Resource, Room, ZigbeeConnectivity


def device_id(rid: str) -> str:
    """The id of the device with CLIP v2 rid `rid`."""
    return f"hue:device/{rid}"


def links_by_device(resources: Sequence[Resource]) -> dict[str, ZigbeeConnectivity]:
    """Each device's Zigbee link, by the device's rid."""
    return {r.owner.rid: r for r in resources if isinstance(r, ZigbeeConnectivity) and r.owner is not None}


def fragment_v2(resources: Sequence[Resource], config: BridgeConfig, bridge_id: str, address: str | None,
                source: str) -> HomeFragment:
    """The bridge, its devices and their capabilities, from `GET /clip/v2/resource`."""
    bridge = next((r for r in resources if isinstance(r, Bridge)), None)
    bridge_rid = bridge.owner.rid if bridge is not None and bridge.owner is not None else None
    devices = [r for r in resources if isinstance(r, DeviceResource)]
    own = next((d for d in devices if d.id == bridge_rid), None)
    hub = bridge_device(bridge_id, config.name or (own.metadata.name if own and own.metadata else None),
                        config.modelid or (own.product_data.model_id if own and own.product_data else None),
                        config.mac, address,
                        own.product_data.software_version if own and own.product_data else config.swversion)
    links = links_by_device(resources)
    rooms = [r for r in resources if isinstance(r, Room) and r.type == "room"]
    area_of = {child.rid: f"hue:room/{room.id}" for room in rooms for child in room.children if child.rtype == "device"}
    fragment = HomeFragment(
        source=source, platform=PLATFORM,
        time_zone=bridge.time_zone.time_zone if bridge is not None and bridge.time_zone else None,
        devices=[hub] + [_device(d, links.get(d.id), area_of.get(d.id), bridge_id) for d in devices if d is not own],
        areas=[Area(id=f"hue:room/{room.id}", name=room.metadata.name if room.metadata and room.metadata.name
                    else room.id) for room in rooms],
    )
    names = {d.id: d.metadata.name for d in devices if d.metadata and d.metadata.name}
    fragment.capabilities = [_capability(r, links, names) for r in resources if r.type in V2_KINDS]
    return fragment


def _device(resource: DeviceResource, link: ZigbeeConnectivity | None, area: str | None, bridge_id: str) -> Device:
    product = resource.product_data
    identifiers = [Identifier(kind=IdentifierKind.VENDOR, value=f"hue:{resource.id}")]
    if link is not None and (zigbee := ieee(link.mac_address)) is not None:
        identifiers.insert(0, zigbee)
    return Device(
        id=device_id(resource.id), name=resource.metadata.name if resource.metadata and resource.metadata.name
        else resource.id, brand=brand_of(product.manufacturer_name if product else None),
        model=product.model_id if product else None, area=area,
        transport=Transport.ZIGBEE if link is not None else Transport.UNKNOWN, identifiers=identifiers,
        hub_id=bridge_device_id(bridge_id), sw_version=product.software_version if product else None,
    )


def _capability(resource: Resource, links: dict[str, ZigbeeConnectivity], names: dict[str, str]) -> Capability:
    owner = resource.owner.rid if resource.owner is not None and resource.owner.rtype == "device" else None
    link = links.get(owner) if owner else None
    state, attributes = reading(resource)
    if resource.id_v1:
        attributes["id_v1"] = resource.id_v1
    if link is not None:
        attributes["zigbee_status"] = link.status
    own_name = getattr(resource, "metadata", None)
    return Capability(
        id=capability_id(resource.type, resource.id), kind=V2_KINDS[resource.type],
        name=own_name.name if own_name is not None and own_name.name else names.get(owner or ""),
        device_id=device_id(owner) if owner else None, platform=PLATFORM, unique_id=resource.id, state=state,
        available=link is None or link.status == "connected", attributes=attributes,
    )
