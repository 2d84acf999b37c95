"""A simulated Philips Hue bridge: CLIP v2 over HTTPS, its event stream, the v1 API, `_hue._tcp`.

The bridge serves, on one HTTPS port with a self-signed certificate whose common name is its
bridge id (as real bridges do):

- CLIP v2 under `/clip/v2/resource[/<type>[/<rid>]]`, every answer in the `{"errors": [...],
  "data": [...]}` envelope, every path behind the `hue-application-key` header (403 otherwise,
  before any routing, which is how clients tell a v2 bridge from a v1 one);
- the v2 event stream `/eventstream/clip/v2` (server-sent events: a `: hi` comment, then
  `id:`/`data:` frames whose data is a list of `add`/`update`/`delete` events);
- the v1 API under `/api`: `/api/config` without a user, `/api/<user>/...` with the
  `unauthorized user` error list for a user it does not know (always HTTP 200, as v1 does).

The application key and the v1 username are the same string on a real bridge, and here.

Brand faults (their `target` is a Zigbee device: its name, a light's v1 id such as `3` or
`lights/3`, or a sensor's `sensors/<id>`; no target means every device):

- `light_unreachable`: zigbee_connectivity `disconnected`, v1 `reachable: false`, commands
  answered 207 "has communication issues" and without effect, reports from it lost;
- `connectivity_issue`: zigbee_connectivity `connectivity_issue`, v1 `reachable: false`,
  commands answered 207 but carried out;
- `key_revoked` (target: one key, or none for every key): v2 403, v1 `unauthorized user`,
  open event streams of that key closed.

Both link faults push a `zigbee_connectivity` update on the event stream when they change.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind
from .http import Handler, HttpHost
from .mdns import Advertiser, service_info
from .tls import self_signed_context

SERVICE_TYPE = "_hue._tcp.local."
KEY_HEADER = "hue-application-key"
MANUFACTURER = "Signify Netherlands B.V."
LINK_BUTTON_SECONDS = 30.0  # how long a pressed link button lets `POST /api` create a user

ConnectivityStatus = Literal["connected", "disconnected", "connectivity_issue", "unidirectional_incoming"]

# model id -> (product name, v1 light type or sensor type); the few models the simulator knows.
PRODUCTS: dict[str, tuple[str, str]] = {
    "LWB010": ("Hue white lamp", "Dimmable light"),
    "LTA009": ("Hue ambiance lamp", "Color temperature light"),
    "LCT015": ("Hue color lamp", "Extended color light"),
    "LCA001": ("Hue color lamp", "Extended color light"),
    "1746430P7": ("Hue Resonate outdoor wall", "Color temperature light"),
    "SML001": ("Hue motion sensor", "ZLLPresence"),
    "SML002": ("Hue outdoor motion sensor", "ZLLPresence"),
    "SML003": ("Hue motion sensor", "ZLLPresence"),
    "SOC001": ("Hue secure contact sensor", "contact"),
}

# Resource types a real bridge lists (empty here) though the simulator has none of them.
EMPTY_TYPES = frozenset({
    "scene", "grouped_light", "zone", "button", "device_power", "light_level", "temperature",
    "entertainment", "entertainment_configuration", "behavior_instance", "behavior_script",
    "geofence_client", "bridge_home", "smart_scene", "device_software_update",
})


# ------------------------------------------------------------------ the YAML description


class HueLightSpec(BaseModel):
    """One light paired with the bridge."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[0-9]+$", description="Its v1 id (`/lights/<id>`).")
    name: str
    model: str = "LWB010"
    archetype: str = "classic_bulb"
    on: bool = False
    brightness: float = Field(default=100.0, ge=0, le=100, description="Percent, as CLIP v2 has it.")
    room: str | None = None
    mac: str | None = Field(default=None, description="Zigbee IEEE address; derived when omitted.")


class HueSensorSpec(BaseModel):
    """One motion or contact sensor paired with the bridge."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[0-9]+$", description="Its v1 id (`/sensors/<id>`); contact sensors have none in v1.")
    name: str
    type: Literal["motion", "contact"]
    model: str | None = None
    motion: bool = False
    closed: bool = True
    room: str | None = None
    mac: str | None = None

    @model_validator(mode="after")
    def _default_model(self) -> HueSensorSpec:
        if self.model is None:
            self.model = "SML001" if self.type == "motion" else "SOC001"
        return self


class HueBridgeSpec(BaseModel):
    """A Philips Hue bridge as the home's YAML describes it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["hue_bridge"] = "hue_bridge"
    name: str = "Hue Bridge"
    address: str
    port: int = Field(default=443, ge=1, le=65535)
    bridge_id: str = Field(default="001788fffe1a2b3c", description="16 hex digits, lower case.")
    model: str = "BSB002"
    api_version: str = "1.65.0"
    sw_version: str = "1965111030"
    mac: str | None = Field(default=None, description="Ethernet MAC; derived from the bridge id when omitted.")
    app_key: str = Field(default="weaklink-sim-app-key-0000000000000000000",
                         description="The authorised application key, also the v1 username.")
    time_zone: str = "Europe/Amsterdam"
    lights: list[HueLightSpec] = Field(default_factory=list)
    sensors: list[HueSensorSpec] = Field(default_factory=list)

    @field_validator("bridge_id")
    @classmethod
    def _bridge_id(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{16}", value):
            raise ValueError("a Hue bridge id is 16 hexadecimal digits")
        return value.lower()

    @model_validator(mode="after")
    def _consistent(self) -> HueBridgeSpec:
        if self.mac is None:  # a bridge id is its MAC with fffe in the middle
            octets = self.bridge_id[:6] + self.bridge_id[10:]
            self.mac = ":".join(octets[i:i + 2] for i in range(0, 12, 2))
        for what, ids in (("light", [light.id for light in self.lights]),
                          ("sensor", [sensor.id for sensor in self.sensors])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {what} ids: {ids}")
        if "1" in {sensor.id for sensor in self.sensors}:
            raise ValueError("sensor 1 is the bridge's built-in daylight sensor")
        return self


# ------------------------------------------------------------------ runtime state


def _now() -> str:
    """A CLIP v2 timestamp: UTC, milliseconds, `Z`."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _v1_time(stamp: str) -> str:
    """The v1 form of a timestamp: seconds, no zone."""
    return stamp[:19]


@dataclass
class ZigbeeNode:
    """A light or sensor on the bridge's Zigbee network, with its v2 resource ids."""

    kind: Literal["light", "motion", "contact"]
    id: str
    name: str
    model: str
    archetype: str
    room: str | None
    mac: str
    device_rid: str
    service_rid: str
    zigbee_rid: str
    on: bool = False
    brightness: float = 100.0
    motion: bool = False
    closed: bool = True
    changed: str = field(default_factory=_now)

    @property
    def id_v1(self) -> str | None:
        """Its v1 address; the v1 API does not know contact sensors."""
        if self.kind == "contact":
            return None
        return f"/{'lights' if self.kind == 'light' else 'sensors'}/{self.id}"

    @property
    def targets(self) -> set[str]:
        """The names a fault's `target` may use for it."""
        collection = "lights" if self.kind == "light" else "sensors"
        names = {self.name, f"{collection}/{self.id}"}
        if self.kind == "light":
            names.add(self.id)
        return names

    @property
    def product(self) -> tuple[str, str]:
        """Its product name and v1 type."""
        default = ("Hue light", "Dimmable light") if self.kind == "light" else ("Hue sensor", "ZLLPresence")
        return PRODUCTS.get(self.model, default)


class HueBridge(HttpHost):
    """A Hue bridge on loopback, answering CLIP v2, the event stream and the v1 API over HTTPS."""

    brand: ClassVar[str] = "hue"
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset({
        FaultKind.LIGHT_UNREACHABLE, FaultKind.CONNECTIVITY_ISSUE, FaultKind.KEY_REVOKED})

    def __init__(self, spec: HueBridgeSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec.name, spec.address, spec.port, advertiser,
                         tls=self_signed_context(spec.bridge_id, spec.address))
        self.spec = spec
        self.bridge_id = spec.bridge_id
        self._keys: dict[str, str] = {spec.app_key: "weaklink#sim"}  # key -> device type that created it
        self._link_pressed_at: float | None = None
        self._nodes = [self._light(light) for light in spec.lights] + [self._sensor(sensor) for sensor in spec.sensors]
        self._streams: dict[asyncio.Queue[dict[str, Any] | None], str] = {}
        self._reported = {node.zigbee_rid: self.connectivity(node) for node in self._nodes}
        self._event_clock = (0, 0)
        self.faults.on_change(self._fault_changed)

    # ------------------------------------------------------------ ids

    def _rid(self, *parts: str) -> str:
        """A stable resource id, as a real bridge keeps its rids across restarts."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(("hue", self.bridge_id, *parts))))

    def _zigbee_mac(self, role: str, number: str) -> str:
        tail = uuid.UUID(self._rid("mac", role, number)).hex[:8]
        return "00:17:88:01:" + ":".join(tail[i:i + 2] for i in range(0, 8, 2))

    def _light(self, spec: HueLightSpec) -> ZigbeeNode:
        return ZigbeeNode(
            kind="light", id=spec.id, name=spec.name, model=spec.model, archetype=spec.archetype, room=spec.room,
            mac=spec.mac or self._zigbee_mac("light", spec.id), device_rid=self._rid("device", "light", spec.id),
            service_rid=self._rid("light", spec.id), zigbee_rid=self._rid("zigbee", "light", spec.id),
            on=spec.on, brightness=spec.brightness,
        )

    def _sensor(self, spec: HueSensorSpec) -> ZigbeeNode:
        assert spec.model is not None
        return ZigbeeNode(
            kind=spec.type, id=spec.id, name=spec.name, model=spec.model, archetype="unknown_archetype",
            room=spec.room, mac=spec.mac or self._zigbee_mac("sensor", spec.id),
            device_rid=self._rid("device", "sensor", spec.id), service_rid=self._rid(spec.type, spec.id),
            zigbee_rid=self._rid("zigbee", "sensor", spec.id), motion=spec.motion, closed=spec.closed,
        )

    # ------------------------------------------------------------ state API

    @property
    def nodes(self) -> list[ZigbeeNode]:
        """Every light and sensor on the bridge."""
        return list(self._nodes)

    def node(self, kind: str, node_id: str) -> ZigbeeNode:
        """The light (`kind="light"`) or sensor (`"sensor"`) with this v1 id; KeyError if none."""
        for node in self._nodes:
            if node.id == node_id and (node.kind == "light") == (kind == "light"):
                return node
        raise KeyError(f"no {kind} {node_id} on bridge {self.bridge_id}")

    def connectivity(self, node: ZigbeeNode) -> ConnectivityStatus:
        """The node's Zigbee link as the bridge reports it, given the faults now active."""
        if self._faulted(FaultKind.LIGHT_UNREACHABLE, node):
            return "disconnected"
        if self._faulted(FaultKind.CONNECTIVITY_ISSUE, node):
            return "connectivity_issue"
        return "connected"

    def reachable(self, node: ZigbeeNode) -> bool:
        """v1's one bit of link health."""
        return self.connectivity(node) == "connected"

    def set_light(self, light_id: str, on: bool | None = None, brightness: float | None = None) -> bool:
        """The light reports a new state (switched at the wall, by a remote): False if its link is down."""
        return self._report(self.node("light", light_id), on=on, brightness=brightness)

    def set_motion(self, sensor_id: str, motion: bool) -> bool:
        """A motion sensor reports motion (or its end): False if its link is down and the report is lost."""
        return self._report(self._sensor_of("motion", sensor_id), motion=motion)

    def set_contact(self, sensor_id: str, closed: bool) -> bool:
        """A contact sensor reports closed / open: False if its link is down and the report is lost."""
        return self._report(self._sensor_of("contact", sensor_id), closed=closed)

    def _sensor_of(self, kind: str, sensor_id: str) -> ZigbeeNode:
        node = self.node("sensor", sensor_id)
        if node.kind != kind:
            raise KeyError(f"sensor {sensor_id} is a {node.kind} sensor, not a {kind} sensor")
        return node

    def press_link_button(self) -> None:
        """Press the button on the bridge: `POST /api` creates a user for the next 30 seconds."""
        self._link_pressed_at = time.monotonic()

    def key_accepted(self, key: str | None) -> bool:
        """Whether this application key / v1 username is authorised now."""
        if key is None or key not in self._keys:
            return False
        return not any(fault.kind is FaultKind.KEY_REVOKED and fault.target in (None, key) for fault in self.faults)

    def _faulted(self, kind: FaultKind, node: ZigbeeNode) -> bool:
        return any(fault.kind is kind and (fault.target is None or fault.target in node.targets)
                   for fault in self.faults)

    def _report(self, node: ZigbeeNode, **changes: Any) -> bool:
        """Apply a change the device itself reports, and push it on the event stream."""
        if self.connectivity(node) == "disconnected":
            return False
        changed = {name: value for name, value in changes.items()
                   if value is not None and getattr(node, name) != value}
        for name, value in changed.items():
            setattr(node, name, value)
        if changed:
            node.changed = _now()
            self._publish("update", [self._delta(node, changed)])
            self._changed()
        return True

    def command_light(self, node: ZigbeeNode, changes: dict[str, Any]) -> tuple[int, list[str]]:
        """A CLIP v2 light PUT the bridge accepted: (HTTP status, error descriptions). Carried out
        when the light is connected (200) or has a connectivity issue (207); not when disconnected (207)."""
        status = self.connectivity(node)
        if status == "connected":
            self._report(node, **changes)
            return 200, []
        if status != "disconnected":  # the bridge sends it anyway and warns
            self._report(node, **changes)
        fields = [{"on": "on", "brightness": "dimming"}[name] for name in changes]
        return 207, [f"device (light) has communication issues, command (.{name}) may not have effect"
                     for name in fields]

    def device_resource(self, node: ZigbeeNode) -> dict[str, Any]:
        """The CLIP v2 `device` resource of a light or sensor."""
        return self._device(node)

    @property
    def bridge_device_rid(self) -> str:
        """The rid of the bridge's own `device` resource."""
        return self._rid("device", "bridge")

    @property
    def software_version(self) -> str:
        """The bridge's software version as CLIP v2 reports it (`1.65.1965111030`)."""
        return _bridge_software(self.spec)

    def _delta(self, node: ZigbeeNode, changed: dict[str, Any]) -> dict[str, Any]:
        """The partial resource an `update` event carries for these changes."""
        item = _owned(node, node.service_rid, node.kind)
        if "on" in changed:
            item["on"] = {"on": node.on}
        if "brightness" in changed:
            item["dimming"] = {"brightness": node.brightness}
        if "motion" in changed:
            item["motion"] = {"motion": node.motion, "motion_report": {"changed": node.changed, "motion": node.motion},
                              "motion_valid": True}
        if "closed" in changed:
            item["contact_report"] = {"changed": node.changed, "state": "contact" if node.closed else "no_contact"}
        return item

    # ------------------------------------------------------------ faults

    def _fault_changed(self, fault: Fault, on: bool) -> None:
        if fault.kind in (FaultKind.LIGHT_UNREACHABLE, FaultKind.CONNECTIVITY_ISSUE):
            self._push_connectivity()
        elif fault.kind is FaultKind.KEY_REVOKED and on:
            for queue, key in list(self._streams.items()):
                if not self.key_accepted(key):
                    queue.put_nowait(None)  # the bridge drops the revoked key's stream

    def _push_connectivity(self) -> None:
        changed = []
        for node in self._nodes:
            status = self.connectivity(node)
            if self._reported[node.zigbee_rid] != status:
                self._reported[node.zigbee_rid] = status
                changed.append(self._zigbee_resource(node))
        if changed:
            self._publish("update", changed)

    # ------------------------------------------------------------ CLIP v2 resources

    def resources(self) -> list[dict[str, Any]]:
        """Every CLIP v2 resource, as `GET /clip/v2/resource` lists them."""
        listed = [self._bridge_device(), self._bridge_resource()]
        for node in self._nodes:
            listed += [self._device(node), self._service(node), self._zigbee_resource(node)]
        listed += self._rooms()
        return listed

    def _bridge_device(self) -> dict[str, Any]:
        return {
            "id": self.bridge_device_rid,
            "identify": {},
            "metadata": {"archetype": "bridge_v2", "name": self.spec.name},
            "product_data": {"certified": True, "manufacturer_name": MANUFACTURER, "model_id": self.spec.model,
                             "product_archetype": "bridge_v2", "product_name": "Hue Bridge",
                             "software_version": _bridge_software(self.spec)},
            "services": [{"rid": self._rid("bridge"), "rtype": "bridge"}],
            "type": "device",
        }

    def _bridge_resource(self) -> dict[str, Any]:
        return {
            "bridge_id": self.bridge_id,
            "id": self._rid("bridge"),
            "owner": {"rid": self._rid("device", "bridge"), "rtype": "device"},
            "time_zone": {"time_zone": self.spec.time_zone},
            "type": "bridge",
        }

    def _device(self, node: ZigbeeNode) -> dict[str, Any]:
        product_name, _ = node.product
        device: dict[str, Any] = {
            "id": node.device_rid,
            "identify": {},
            "metadata": {"archetype": node.archetype, "name": node.name},
            "product_data": {"certified": True, "manufacturer_name": MANUFACTURER, "model_id": node.model,
                             "product_archetype": node.archetype, "product_name": product_name,
                             "software_version": "1.116.3" if node.kind == "light" else "2.53.6"},
            "services": [{"rid": node.zigbee_rid, "rtype": "zigbee_connectivity"},
                         {"rid": node.service_rid, "rtype": node.kind}],
            "type": "device",
        }
        if node.id_v1:
            device["id_v1"] = node.id_v1
        return device

    def _service(self, node: ZigbeeNode) -> dict[str, Any]:
        """The light, motion or contact resource of a node."""
        resource = _owned(node, node.service_rid, node.kind)
        if node.kind == "light":
            resource |= {"alert": {"action_values": ["breathe"]},
                         "dimming": {"brightness": node.brightness, "min_dim_level": 0.2},
                         "identify": {}, "metadata": {"archetype": node.archetype, "name": node.name},
                         "mode": "normal", "on": {"on": node.on}}
        elif node.kind == "motion":
            resource |= {"enabled": True,
                         "motion": {"motion": node.motion, "motion_valid": True,
                                    "motion_report": {"changed": node.changed, "motion": node.motion}},
                         "sensitivity": {"sensitivity": 2, "sensitivity_max": 4, "status": "set"}}
        else:
            resource |= {"enabled": True, "contact_report": {"changed": node.changed,
                                                             "state": "contact" if node.closed else "no_contact"}}
        return resource

    def _zigbee_resource(self, node: ZigbeeNode) -> dict[str, Any]:
        return _owned(node, node.zigbee_rid, "zigbee_connectivity") | {"mac_address": node.mac,
                                                                       "status": self.connectivity(node)}

    def _room_names(self) -> list[str]:
        return sorted({node.room for node in self._nodes if node.room})

    def _rooms(self) -> list[dict[str, Any]]:
        return [{
            "children": [{"rid": node.device_rid, "rtype": "device"} for node in self._nodes if node.room == room],
            "id": self._rid("room", room),
            "id_v1": f"/groups/{number}",
            "metadata": {"archetype": "other", "name": room},
            "services": [],
            "type": "room",
        } for number, room in enumerate(self._room_names(), start=1)]

    # ------------------------------------------------------------ v1 resources

    def short_config(self) -> dict[str, Any]:
        """What `/api/config` tells anyone, authorised or not (bridge id in upper case, as real bridges)."""
        return {
            "name": self.spec.name, "datastoreversion": "163", "swversion": self.spec.sw_version,
            "apiversion": self.spec.api_version, "mac": self.spec.mac, "bridgeid": self.bridge_id.upper(),
            "factorynew": False, "replacesbridgeid": None, "modelid": self.spec.model, "starterkitid": "",
        }

    def _full_config(self) -> dict[str, Any]:
        stamp = _v1_time(_now())
        return self.short_config() | {
            "zigbeechannel": 25, "dhcp": True, "ipaddress": self.address, "netmask": "255.0.0.0",
            "gateway": "127.0.0.1", "proxyaddress": "none", "proxyport": 0, "UTC": stamp, "localtime": stamp,
            "timezone": self.spec.time_zone, "linkbutton": self._link_open(), "portalservices": False,
            "portalconnection": "disconnected", "internetservices": {"internet": "disconnected"},
            "swupdate2": {"checkforupdate": False, "state": "noupdates", "lastchange": stamp},
            "whitelist": {key: {"last use date": stamp, "create date": stamp, "name": name}
                          for key, name in self._keys.items()},
        }

    def _v1_light(self, node: ZigbeeNode) -> dict[str, Any]:
        product_name, light_type = node.product
        return {
            "state": {"on": node.on, "bri": _bri(node.brightness), "alert": "none", "mode": "homeautomation",
                      "reachable": self.reachable(node)},
            "swupdate": {"state": "noupdates", "lastinstall": None},
            "type": light_type, "name": node.name, "modelid": node.model, "manufacturername": MANUFACTURER,
            "productname": product_name,
            "config": {"archetype": node.archetype.replace("_", ""), "function": "mixed", "direction": "omnidirectional"},
            "uniqueid": f"{node.mac}-0b", "swversion": "1.116.3",
        }

    def _v1_sensors(self) -> dict[str, dict[str, Any]]:
        sensors: dict[str, dict[str, Any]] = {"1": {
            "state": {"daylight": None, "lastupdated": "none"},
            "config": {"on": True, "configured": False, "sunriseoffset": 30, "sunsetoffset": -30},
            "name": "Daylight", "type": "Daylight", "modelid": "PHDL00", "manufacturername": MANUFACTURER,
            "swversion": "1.0",
        }}
        for node in self._nodes:
            if node.kind == "motion":
                sensors[node.id] = self._v1_presence(node)
        return sensors

    def _v1_presence(self, node: ZigbeeNode) -> dict[str, Any]:
        product_name, sensor_type = node.product
        return {
            "state": {"presence": node.motion, "lastupdated": _v1_time(node.changed)},
            "swupdate": {"state": "noupdates", "lastinstall": None},
            "config": {"on": True, "battery": 100, "reachable": self.reachable(node), "alert": "none",
                       "sensitivity": 2, "sensitivitymax": 2, "ledindication": False, "usertest": False,
                       "pending": []},
            "name": node.name, "type": sensor_type, "modelid": node.model, "manufacturername": MANUFACTURER,
            "productname": product_name, "swversion": "2.53.6", "uniqueid": f"{node.mac}-02-0406",
            "capabilities": {"certified": True, "primary": True},
        }

    def _v1_groups(self) -> dict[str, dict[str, Any]]:
        groups = {}
        for number, room in enumerate(self._room_names(), start=1):
            lights = [node for node in self._nodes if node.kind == "light" and node.room == room]
            groups[str(number)] = {
                "name": room, "lights": [node.id for node in lights],
                "sensors": [node.id for node in self._nodes if node.kind == "motion" and node.room == room],
                "type": "Room", "class": "Other", "recycle": False,
                "state": {"all_on": bool(lights) and all(node.on for node in lights),
                          "any_on": any(node.on for node in lights)},
                "action": {"on": any(node.on for node in lights), "bri": max((_bri(n.brightness) for n in lights),
                                                                             default=254), "alert": "none"},
            }
        return groups

    def _v1_collection(self, name: str) -> dict[str, Any] | None:
        """A v1 collection by name, None if v1 has no such collection."""
        if name == "lights":
            return {node.id: self._v1_light(node) for node in self._nodes if node.kind == "light"}
        if name == "sensors":
            return self._v1_sensors()
        if name == "groups":
            return self._v1_groups()
        if name == "config":
            return self._full_config()
        if name in ("rules", "scenes", "schedules", "resourcelinks"):
            return {}
        return None

    def _link_open(self) -> bool:
        pressed = self._link_pressed_at
        return pressed is not None and time.monotonic() - pressed < LINK_BUTTON_SECONDS

    # ------------------------------------------------------------ events

    def _publish(self, kind: Literal["add", "update", "delete"], data: list[dict[str, Any]]) -> None:
        event = {"creationtime": _now(), "data": data, "id": str(uuid.uuid4()), "type": kind}
        for queue in self._streams:
            queue.put_nowait(event)

    def _event_id(self) -> str:
        """`<unix seconds>:<n-th event in that second>`, as the bridge numbers its frames."""
        second = int(time.time())
        last, count = self._event_clock
        self._event_clock = (second, count + 1 if second == last else 0)
        return f"{second}:{self._event_clock[1]}"

    def _end_streams(self) -> None:
        for queue in self._streams:
            queue.put_nowait(None)

    # ------------------------------------------------------------ HTTP

    def routes(self, app: web.Application) -> None:
        """CLIP v2, the event stream and the v1 API."""
        app.middlewares.append(self._v2_auth)
        app.router.add_get("/clip/v2/resource", self._v2_all)
        app.router.add_get("/clip/v2/resource/{rtype}", self._v2_type)
        app.router.add_get("/clip/v2/resource/{rtype}/{rid}", self._v2_one)
        app.router.add_put("/clip/v2/resource/{rtype}/{rid}", self._v2_put)
        app.router.add_route("*", "/clip/v2/{tail:.*}", self._v2_not_found)
        app.router.add_get("/eventstream/clip/v2", self._event_stream)
        app.router.add_post("/api", self._v1_create_user)
        app.router.add_get("/api/config", self._v1_short_config)
        app.router.add_get("/api/{user}", self._v1_everything)
        app.router.add_get("/api/{user}/{collection}", self._v1_get_collection)
        app.router.add_get("/api/{user}/{collection}/{item}", self._v1_get_item)
        app.router.add_put("/api/{user}/lights/{item}/state", self._v1_light_state)
        app.router.add_put("/api/{user}/groups/{item}/action", self._v1_group_action)

    def services(self) -> list[AsyncServiceInfo]:
        """`Hue Bridge - 1A2B3C._hue._tcp.local.` with the `bridgeid` (lower case) and `modelid` TXT keys."""
        suffix = self.bridge_id[-6:]
        return [service_info(SERVICE_TYPE, f"Hue Bridge - {suffix.upper()}", self.address, self.port,
                             {"bridgeid": self.bridge_id, "modelid": self.spec.model},
                             server=f"hue-bridge-{suffix}.local.")]

    async def _unserve(self) -> None:
        self._end_streams()  # an open stream would keep the server waiting for it to finish
        await super()._unserve()

    # ---- CLIP v2

    @web.middleware
    async def _v2_auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every v2 path needs an accepted key, checked before the path is even looked up."""
        v2 = request.path.startswith(("/clip/v2", "/eventstream/"))
        if v2 and not self.key_accepted(request.headers.get(KEY_HEADER)):
            return _v2_reply(403, [], ["unauthorized user"])
        return await handler(request)

    async def _v2_all(self, request: web.Request) -> web.Response:
        return _v2_reply(200, self.resources())

    async def _v2_type(self, request: web.Request) -> web.Response:
        rtype = request.match_info["rtype"]
        found = [resource for resource in self.resources() if resource["type"] == rtype]
        if not found and rtype not in EMPTY_TYPES:
            return _v2_not_found_reply()
        return _v2_reply(200, found)

    async def _v2_one(self, request: web.Request) -> web.Response:
        resource = self._find(request.match_info["rtype"], request.match_info["rid"])
        return _v2_reply(200, [resource]) if resource else _v2_not_found_reply()

    async def _v2_not_found(self, request: web.Request) -> web.Response:
        return _v2_not_found_reply()

    def _find(self, rtype: str, rid: str) -> dict[str, Any] | None:
        return next((r for r in self.resources() if r["type"] == rtype and r["id"] == rid), None)

    async def _v2_put(self, request: web.Request) -> web.Response:
        rtype, rid = request.match_info["rtype"], request.match_info["rid"]
        if self._find(rtype, rid) is None:
            return _v2_not_found_reply()
        if rtype != "light":
            return _v2_reply(405, [], [f"method, PUT, not available for resource, /{rtype}/{rid}"])
        try:
            body = await request.json()
        except ValueError:
            body = None
        changes = _light_changes(body)
        if changes is None:
            return _v2_reply(400, [], ["body contains invalid JSON"])
        node = next(node for node in self._nodes if node.service_rid == rid)
        status, errors = self.command_light(node, changes)
        return _v2_reply(status, [{"rid": rid, "rtype": "light"}], errors)

    async def _event_stream(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: `: hi`, then one frame per event until the client or the bridge leaves."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._streams[queue] = request.headers[KEY_HEADER]
        try:
            await response.write(b": hi\n\n")
            while (event := await queue.get()) is not None:
                await response.write(self._frame(event))
        except ConnectionError:
            pass  # the client went away
        finally:
            self._streams.pop(queue, None)
        return response

    def _frame(self, event: dict[str, Any]) -> bytes:
        data = json.dumps([event], separators=(",", ":"))
        if self.faults.active(FaultKind.GARBLE) is not None:
            data = data[: len(data) // 2]
        return f"id: {self._event_id()}\ndata: {data}\n\n".encode()

    # ---- v1

    async def _v1_short_config(self, request: web.Request) -> web.Response:
        return web.json_response(self.short_config())

    async def _v1_create_user(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("devicetype"), str):
            return _v1_error(5, "/", "invalid/missing parameters in body")
        if not self._link_open():
            return _v1_error(101, "", "link button not pressed")
        key = secrets.token_urlsafe(30)[:40]
        self._keys[key] = body["devicetype"]
        success: dict[str, Any] = {"username": key}
        if body.get("generateclientkey"):
            success["clientkey"] = secrets.token_hex(16).upper()
        return web.json_response([{"success": success}])

    async def _v1_everything(self, request: web.Request) -> web.Response:
        if not self.key_accepted(request.match_info["user"]):
            return _v1_error(1, "/", "unauthorized user")
        names = ("lights", "groups", "config", "schedules", "scenes", "rules", "sensors", "resourcelinks")
        return web.json_response({name: self._v1_collection(name) for name in names})

    async def _v1_get_collection(self, request: web.Request) -> web.Response:
        user, name = request.match_info["user"], request.match_info["collection"]
        if not self.key_accepted(user):
            if name == "config":  # any unknown user, `0` included, gets the public part
                return web.json_response(self.short_config())
            return _v1_error(1, f"/{name}", "unauthorized user")
        collection = self._v1_collection(name)
        if collection is None:
            return _v1_error(4, f"/{name}", f"method, GET, not available for resource, /{name}")
        return web.json_response(collection)

    async def _v1_get_item(self, request: web.Request) -> web.Response:
        user, name, item = request.match_info["user"], request.match_info["collection"], request.match_info["item"]
        address = f"/{name}/{item}"
        if not self.key_accepted(user):
            return _v1_error(1, address, "unauthorized user")
        collection = self._v1_collection(name) if name != "config" else None
        if collection is None or item not in collection:
            return _v1_error(3, address, f"resource, {address}, not available")
        return web.json_response(collection[item])

    async def _v1_light_state(self, request: web.Request) -> web.Response:
        item = request.match_info["item"]
        lights = [node for node in self._nodes if node.kind == "light" and node.id == item]
        return await self._v1_command(request, f"/lights/{item}/state", lights)

    async def _v1_group_action(self, request: web.Request) -> web.Response:
        item = request.match_info["item"]
        groups = self._v1_groups()
        if item == "0":  # group 0 is every light, and is never listed
            lights = [node for node in self._nodes if node.kind == "light"]
        else:
            members = set(groups[item]["lights"]) if item in groups else None
            lights = [node for node in self._nodes if node.kind == "light" and members and node.id in members]
        return await self._v1_command(request, f"/groups/{item}/action", lights)

    async def _v1_command(self, request: web.Request, address: str, lights: list[ZigbeeNode]) -> web.Response:
        """Apply `{"on": .., "bri": ..}` to these lights; v1 says success even when the light is out of reach."""
        if not self.key_accepted(request.match_info["user"]):
            return _v1_error(1, address, "unauthorized user")
        if not lights:
            return _v1_error(3, address.rsplit("/", 1)[0], f"resource, {address.rsplit('/', 1)[0]}, not available")
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _v1_error(2, address, "body contains invalid JSON")
        changes, replies = _v1_changes(body, address)
        for node in lights:
            if self.connectivity(node) != "disconnected":
                self._report(node, **changes)
        return web.json_response(replies)


# ------------------------------------------------------------------ helpers


def _owned(node: ZigbeeNode, rid: str, rtype: str) -> dict[str, Any]:
    """What every service resource of a device starts with: its id, v1 id, owner and type."""
    resource: dict[str, Any] = {"id": rid, "owner": {"rid": node.device_rid, "rtype": "device"}, "type": rtype}
    if node.id_v1:
        resource["id_v1"] = node.id_v1
    return resource


def _bridge_software(spec: HueBridgeSpec) -> str:
    """v2's bridge software version: API major.minor, then the v1 swversion (`1.65.1965111030`)."""
    return ".".join([*spec.api_version.split(".")[:2], spec.sw_version])


def _bri(brightness: float) -> int:
    """v2's percent as v1's 1..254."""
    return max(1, min(254, round(brightness * 2.54)))


def _v1_changes(body: dict[str, Any], address: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The state changes a v1 `PUT .../state` asks for, and its per-parameter success or error list."""
    changes: dict[str, Any] = {}
    replies: list[dict[str, Any]] = []
    for name, value in body.items():
        if name == "on" and isinstance(value, bool):
            changes["on"] = value
        elif name == "bri" and isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 254:
            changes["brightness"] = round(value / 2.54, 2)
        elif name in ("on", "bri"):
            replies.append(_v1_error_item(7, f"{address}/{name}", f"invalid value, {value}, for parameter, {name}"))
            continue
        else:
            replies.append(_v1_error_item(6, f"{address}/{name}", f"parameter, {name}, not available"))
            continue
        replies.append({"success": {f"{address}/{name}": value}})
    return changes, replies


def _light_changes(body: object) -> dict[str, Any] | None:
    """The state changes a CLIP v2 light PUT asks for; None if the body is not a valid one."""
    if not isinstance(body, dict):
        return None
    changes: dict[str, Any] = {}
    on, dimming = body.get("on"), body.get("dimming")
    if on is not None:
        if not isinstance(on, dict) or not isinstance(on.get("on"), bool):
            return None
        changes["on"] = on["on"]
    if dimming is not None:
        brightness = dimming.get("brightness") if isinstance(dimming, dict) else None
        if not isinstance(brightness, int | float) or isinstance(brightness, bool) or not 0 <= brightness <= 100:
            return None
        changes["brightness"] = float(brightness)
    return changes


def _v2_reply(status: int, data: list[dict[str, Any]], errors: Sequence[str] = ()) -> web.Response:
    """The CLIP v2 envelope."""
    return web.json_response({"errors": [{"description": text} for text in errors], "data": data}, status=status)


def _v2_not_found_reply() -> web.Response:
    return _v2_reply(404, [], ["Not Found"])


def _v1_error_item(kind: int, address: str, description: str) -> dict[str, Any]:
    """One v1 error: `{"error": {"type", "address", "description"}}`."""
    return {"error": {"type": kind, "address": address, "description": description}}


def _v1_error(kind: int, address: str, description: str) -> web.Response:
    """A v1 error list; v1 answers errors with HTTP 200."""
    return web.json_response([_v1_error_item(kind, address, description)])
