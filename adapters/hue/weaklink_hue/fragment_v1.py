"""A v1 bridge (firmware older than API 1.48) as a home fragment, from `GET /api/<key>`.

v1 knows lights and sensors, each by a small number; a physical sensor appears as several
v1 sensors (presence, temperature, light level) sharing the IEEE address in their
`uniqueid`, so devices are keyed by that address. v1 has one bit of link health,
`reachable`; software sensors (the daylight sensor, CLIP sensors) have no `uniqueid` and no
device, and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from weaklink.model import Area, Capability, CapabilityKind, Device, HomeFragment, Identifier, Transport

from .config import BridgeConfig
from .naming import PLATFORM, brand_of, bridge_device, bridge_device_id, capability_id, ieee, on_off

SENSOR_KINDS: dict[str, CapabilityKind] = {
    "ZLLPresence": CapabilityKind.MOTION,
    "ZHAPresence": CapabilityKind.MOTION,
    "ZLLSwitch": CapabilityKind.BUTTON,
    "ZGPSwitch": CapabilityKind.BUTTON,
    "ZLLTemperature": CapabilityKind.SENSOR,
    "ZLLLightLevel": CapabilityKind.SENSOR,
    "ZHAOpenClose": CapabilityKind.CONTACT,
}


class V1Item(BaseModel):
    """A v1 light or sensor, read shape."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    type: str
    modelid: str | None = None
    manufacturername: str | None = None
    uniqueid: str | None = None
    swversion: str | None = None
    state: dict[str, Any] = {}
    config: dict[str, Any] = {}

    @property
    def reachable(self) -> bool:
        """v1's one bit of link health (lights keep it in `state`, sensors in `config`)."""
        value = self.state.get("reachable", self.config.get("reachable", True))
        return value is not False


class V1Group(BaseModel):
    """A v1 group (a room is one of type `Room`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    type: str = ""
    lights: list[str] = []
    sensors: list[str] = []


def items(collection: object) -> dict[str, V1Item]:
    """The readable items of a v1 `lights` or `sensors` collection, by v1 id."""
    found: dict[str, V1Item] = {}
    for key, value in (collection.items() if isinstance(collection, dict) else []):
        try:
            found[str(key)] = V1Item.model_validate(value)
        except ValidationError:
            continue  # one unreadable item does not hide the others; probe() reports it
    return found


def _rooms(collection: object) -> Iterator[tuple[str, V1Group]]:
    for key, value in (collection.items() if isinstance(collection, dict) else []):
        if isinstance(value, dict) and value.get("type") == "Room":
            try:
                yield str(key), V1Group.model_validate(value)
            except ValidationError:
                continue


def zigbee_of(item: V1Item) -> Identifier | None:
    """The IEEE address a v1 `uniqueid` starts with (`00:17:88:01:…-0b`), if it has one."""
    return ieee(item.uniqueid.split("-")[0] if item.uniqueid else None)


def zigbee_device_id(item: V1Item) -> str | None:
    """The device id of a v1 light or sensor with an IEEE address in its `uniqueid`."""
    identifier = zigbee_of(item)
    return f"hue:zigbee/{identifier.value}" if identifier is not None else None


def reading(collection: str, item: V1Item) -> tuple[str | None, dict[str, object]]:
    """The state and attributes of a v1 light or sensor."""
    state = item.state
    if collection == "lights":
        bri = state.get("bri")
        attributes: dict[str, object] = {"brightness": round(bri / 2.54, 2)} if isinstance(bri, int | float) else {}
        return (on_off(state["on"]) if isinstance(state.get("on"), bool) else None), attributes
    for key in ("presence", "open"):
        if isinstance(state.get(key), bool):
            return on_off(state[key]), {}
    for key in ("buttonevent", "temperature", "lightlevel"):
        if state.get(key) is not None:
            return str(state[key]), {}
    return None, {}


def fragment_v1(everything: dict[str, Any], config: BridgeConfig, bridge_id: str, address: str,
                source: str) -> HomeFragment:
    """The bridge, its lights and Zigbee sensors, from `GET /api/<key>`."""
    full = everything.get("config") if isinstance(everything.get("config"), dict) else {}
    hub = bridge_device(bridge_id, config.name, config.modelid, config.mac, address, config.swversion)
    groups = dict(_rooms(everything.get("groups")))
    area_of = {(collection, member): f"hue:groups/{key}" for key, group in groups.items()
               for collection, members in (("lights", group.lights), ("sensors", group.sensors)) for member in members}
    fragment = HomeFragment(source=source, platform=PLATFORM, time_zone=full.get("timezone"), devices=[hub],
                            areas=[Area(id=f"hue:groups/{key}", name=group.name) for key, group in groups.items()])
    devices: dict[str, Device] = {}
    for collection in ("lights", "sensors"):
        for key, item in items(everything.get(collection)).items():
            zigbee, device = zigbee_of(item), zigbee_device_id(item)
            kind = CapabilityKind.LIGHT if collection == "lights" else SENSOR_KINDS.get(item.type)
            if zigbee is None or device is None or kind is None:
                continue
            if device not in devices:
                devices[device] = Device(
                    id=device, name=item.name, brand=brand_of(item.manufacturername), model=item.modelid,
                    area=area_of.get((collection, key)), transport=Transport.ZIGBEE, identifiers=[zigbee],
                    hub_id=bridge_device_id(bridge_id), sw_version=item.swversion)
            state, attributes = reading(collection, item)
            fragment.capabilities.append(Capability(
                id=capability_id(collection, key), kind=kind, name=item.name, device_id=device, platform=PLATFORM,
                unique_id=item.uniqueid, state=state, available=item.reachable,
                attributes=attributes | {"id_v1": f"/{collection}/{key}", "reachable": item.reachable}))
    fragment.devices += devices.values()
    return fragment
