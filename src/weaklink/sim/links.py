"""Home Assistant's integrations in a virtual home: how an HA entity mirrors a simulated vendor device.

In a real home `light.driveway` is not a light: it is what HA's `hue` integration last heard
from the Hue bridge about light 1, and `light.turn_on` is a request that integration sends to
the bridge. A *link* plays that integration between the simulated Home Assistant and a
simulated vendor host of the same `VirtualHome`: it reads the device through the vendor
simulator's state API (no HTTP, no miIO packets), hears every change of the device and of the
host's faults at once, and carries service calls to the device. So a fault injected at the
device shows up in HA as the real integration would show it, and a command in HA really
switches the device.

## Naming what an entity mirrors

On the Home Assistant host of the home file, either on the entity itself or, for the default
home's entities or new ones, in the host's `mirrors` map (an entity named there and not in
`entities` is added):

```yaml
- kind: homeassistant
  entities: [{entity_id: light.driveway, mirrors: "Hue Bridge/1"}, ...]   # or:
  mirrors: {light.driveway: "Hue Bridge/1", switch.porch: "Porch relay/0", switch.hallway_lamp: "Hallway lamp plug"}
```

| host kind  | target                                   | entity domain   | integration   |
|------------|------------------------------------------|-----------------|---------------|
| hue_bridge | `NAME/<light id>` (its v1 id)            | `light`         | `hue`         |
| shelly     | `NAME/<relay index>`; `NAME` is relay 0  | `switch`/`light`| `shelly`      |
| miio       | `NAME` (the device's power)              | `switch`        | `xiaomi_miio` |

The entity's `integration` is filled in (naming another is an error). It belongs to the config
entry of that domain titled with the host's name (added when the HA host has none), as HA keeps
one entry per bridge and per Shelly or miIO device. Host names are matched whole, longest
first, so a name may itself contain `/`. A target naming no host, no such light or relay, an
element for a miIO device, a domain the device cannot be, or an element mirrored twice is an
error naming the line (`load_virtual_home`).

## What HA registers (its device registry), as the real integrations do

- **hue** (`hue/v2/device.py`, `hue/__init__.py`): each light's device has identifiers
  `("hue", <device rid>)` and connections `("mac", <Zigbee IEEE address>)` — HA files the
  IEEE address of `zigbee_connectivity.mac_address` under `CONNECTION_NETWORK_MAC`, not under
  `zigbee` — and `via_device` the bridge, whose device has identifiers `("hue", <bridge id>)`
  and `("hue", <bridge device rid>)` and connections `("mac", <bridge MAC>)`. The light
  entity's unique id is its `light` rid.
- **shelly** (`shelly/coordinator.py`): connections `("mac", <mac, lower case with colons>)`
  (Gen2+ also `("bluetooth", <mac + 2>)`), identifiers `("shelly", <MAC as /shelly reports it>)`
  (the entry's unique id); hw_version `gen<N>`; entity unique id `<MAC>-relay_<i>` (Gen1) or
  `<MAC>-switch:<i>` (Gen2+).
- **xiaomi_miio** (`xiaomi_miio/entity.py`, `config_flow.py`): identifiers and connections
  both carry the formatted MAC: `("xiaomi_miio", <mac>)`, `("mac", <mac>)`.

## Faults, as HA sees them

- `host_down`, `drop`, `reset`: every entity mirroring the host `unavailable`; entry `loaded`. HA does
  not call unavailable entities, so commands are skipped.
- `moved`: HA follows (the device's zeroconf announcement updates the entry's host), unless
  the device is also `not_advertised`: then as `host_down`.
- `slow:<s>`: a command reaches the device `s` seconds late; the call (and the automation
  running it) waits for it.
- Hue `light_unreachable`, `connectivity_issue`: that light's entity `unavailable` (HA's hue
  entities are available only while `zigbee_connectivity` is `connected`); entry `loaded`.
- Hue `key_revoked`: entry `setup_error` (HA starts linking anew), its entities unavailable.
- Hue `garble`: the entity stays available with its last state (aiohue logs the unreadable
  events); a command is carried out by the bridge but the call fails with `unknown_error`
  (its answer is not JSON), which also ends an automation run there.
- Shelly `garble`: `unavailable`. Shelly `overpower`: the state stays `off`; `turn_on` is
  accepted and the relay stays off. Shelly `key_revoked`: entry `setup_error`, reason
  `InvalidAuthError()` (`ConfigEntryAuthFailed`, reauthentication), entities unavailable.
- miIO `wrong_token`, `garble`: `unavailable`, entry `loaded` (a miIO command that fails is
  only logged by HA, never an error of the call).

Decisions: *a Hue bridge that goes down* makes every entity mirroring it `unavailable` while
its config entry stays `loaded`. That is what HA's hue integration did when it polled (lights
unavailable some 20 s after the bridge was unplugged); with the v2 event stream aiohue only
reconnects in the background, so a real HA may keep showing last states for a while; only
after a reload or restart does the entry go to `setup_retry` (`ConfigEntryNotReady`). The
simulator shows the consequence at once, which is what a trace needs. *A revoked key* is shown
as the state HA settles in: the entry in `setup_error` awaiting reauthentication, its entities
unavailable (a running HA gets there at the entry's next setup). Changes reach HA at once,
including a miIO plug's, which HA polls every 30 s. A state the device reports within 5 s of
a command carries the command's context, later ones a new context (HA's entities do that).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from .faults import FaultKind
from .homeassistant import (
    Command,
    DeviceSpec,
    EntitySpec,
    EntryState,
    HomeAssistantSpec,
    IntegrationSpec,
    Link,
    ServiceError,
    State,
    stable_hex,
)
from .host import SimHost
from .hue import MANUFACTURER as SIGNIFY, HueBridge, HueBridgeSpec
from .miio import MiioDevice, MiioSpec
from .shelly import ShellyDevice, ShellySpec

Json = dict[str, Any]

# aioshelly's MODEL_NAMES for the models the Shelly simulator knows: what HA shows as the model.
SHELLY_MODEL_NAMES = {
    "SHSW-1": "Shelly 1", "SHSW-PM": "Shelly 1PM", "SHSW-25": "Shelly 2.5", "SHPLG-S": "Shelly Plug S",
    "SNSW-001X16EU": "Shelly Plus 1", "SNSW-001P16EU": "Shelly Plus 1PM", "SNSW-102P16EU": "Shelly Plus 2PM",
    "SNPL-00112EU": "Shelly Plus Plug S", "SPSW-003XE16EU": "Shelly Pro 3", "S3SW-001X16EU": "Shelly 1 Gen3",
    "S3SW-001P16EU": "Shelly 1PM Gen3", "S4SW-001P16EU": "Shelly 1PM Gen4",
}
HUE_SUPPORTED_FEATURES = 40  # LightEntityFeature.FLASH | TRANSITION, as HA's hue v2 lights declare


class MirrorError(ValueError):
    """A `mirrors` target that names nothing mirrorable; `location` is its path under the HA host."""

    def __init__(self, message: str, location: Sequence[str | int]) -> None:
        super().__init__(message)
        self.location = list(location)


def format_mac(mac: str) -> str:
    """HA's `format_mac`: 12 hex digits (with or without separators) as `aa:bb:cc:dd:ee:ff`."""
    digits = mac.replace(":", "").replace("-", "").replace(".", "")
    if len(digits) == 12:
        return ":".join(digits.lower()[i:i + 2] for i in range(0, 12, 2))
    return mac


# ------------------------------------------------------------------ targets


def mirrored(ha: HomeAssistantSpec) -> list[tuple[str, str, list[str | int]]]:
    """Every (entity id, target, where it is written under the HA host) the spec names."""
    found: list[tuple[str, str, list[str | int]]] = []
    for index, entity in enumerate(ha.entities):
        if entity.mirrors is not None:
            found.append((entity.entity_id, entity.mirrors, ["entities", index, "mirrors"]))
    declared = {entity_id for entity_id, _, _ in found}
    found += [(entity_id, target, ["mirrors", entity_id]) for entity_id, target in ha.mirrors.items()
              if entity_id not in declared]
    return found


_DOMAINS = {"hue_bridge": ("hue", ("light",)), "shelly": ("shelly", ("switch", "light")),
            "miio": ("xiaomi_miio", ("switch",))}


def resolve(entity_id: str, target: str, hosts: Sequence[Any],
            where: Sequence[str | int] = ()) -> tuple[Any, str | None]:
    """The host spec and element `target` names, checked against what `entity_id` can mirror;
    MirrorError (at `where`) when it names nothing an integration could mirror."""
    by_name = {host.name: host for host in hosts}
    name = next((name for name in sorted(by_name, key=len, reverse=True)
                 if target == name or target.startswith(name + "/")), None)
    if name is None:
        known = ", ".join(host.name for host in hosts if host.kind in _DOMAINS)
        raise MirrorError(f"{entity_id} mirrors {target!r}, which names no host of this home (devices: {known})",
                          where)
    host = by_name[name]
    element = target[len(name) + 1:] if target != name else None
    if host.kind not in _DOMAINS:
        raise MirrorError(f"{entity_id} mirrors {target!r}: {name} is a {host.kind} host, not a vendor device", where)
    integration, domains = _DOMAINS[host.kind]
    entity_domain = entity_id.split(".", 1)[0]
    if entity_domain not in domains:
        raise MirrorError(f"{entity_id} mirrors {target!r}: a {host.kind} device is mirrored by a "
                          f"{' or '.join(domains)} entity, not a {entity_domain} one", where)
    if isinstance(host, HueBridgeSpec):
        ids = [light.id for light in host.lights]
        if element not in ids:
            raise MirrorError(f"{entity_id} mirrors {target!r}: {name} has no light {element or '(none named)'} "
                              f"(lights: {', '.join(ids) or 'none'}; write {name}/<light id>)", where)
    elif isinstance(host, ShellySpec):
        relays = host.relays or 1
        if element is not None and not (element.isdigit() and int(element) < relays):
            raise MirrorError(f"{entity_id} mirrors {target!r}: {name} has no relay {element} "
                              f"(relays 0 to {relays - 1})", where)
    elif isinstance(host, MiioSpec) and element is not None:
        raise MirrorError(f"{entity_id} mirrors {target!r}: a miIO device is mirrored whole; write {name!r}", where)
    return host, element


def check_mirrors(ha: HomeAssistantSpec, hosts: Sequence[Any]) -> None:
    """Every target of the HA host resolves, names an integration the entity may have, and no
    element is mirrored twice; MirrorError (with its location) at the first that does not."""
    entities = {entity.entity_id: entity for entity in ha.entities}
    seen: dict[tuple[str, str | None], str] = {}
    for entity_id, target, where in mirrored(ha):
        host, element = resolve(entity_id, target, hosts, where)
        integration = _DOMAINS[host.kind][0]
        declared = entities[entity_id].integration if entity_id in entities else None
        if declared not in (None, integration):
            raise MirrorError(f"{entity_id} mirrors {target!r}, which HA reaches through the {integration} "
                              f"integration, not {declared}", where)
        key = (host.name, element if not isinstance(host, ShellySpec) else (element or "0"))
        if key in seen:
            raise MirrorError(f"{entity_id} and {seen[key]} both mirror {target!r}", where)
        seen[key] = entity_id


# ------------------------------------------------------------------ links


class VendorLink(ABC):
    """One integration's view of one device: transport and health from the host's faults, state
    from the vendor simulator, commands through it."""

    domain: ClassVar[str]

    def __init__(self, host: SimHost, entity_id: str) -> None:
        self.host = host
        self.entity_id = entity_id
        self._known: tuple[str, Json] = self._read()

    # ---- what the core asks

    def watch(self, callback: Callable[[], None]) -> None:
        """Hear the device's changes and its host's faults (after the host has applied them)."""
        self.host.watch(callback)
        self.host.faults.on_change(lambda fault, on: callback())

    def entry_problem(self) -> tuple[EntryState, str | None] | None:
        """The entry state a revoked credential leads to; None while the device accepts HA."""
        return None

    def available(self) -> bool:
        """Whether the integration marks the entity available."""
        return self.reachable() and self.entry_problem() is None and self.host.faults.active(FaultKind.GARBLE) is None

    def reading(self) -> tuple[str, Json]:
        """The state and attributes the integration last heard (refreshed while it can read the device)."""
        if self.available():
            self._known = self._read()
        return self._known

    def command(self, service: str, data: Json, current: State) -> Command:
        """The command a service call becomes: sent now, or after the delay of a `slow` host."""
        on = {"turn_on": True, "turn_off": False}.get(service, current.state != "on")  # else: toggle
        slow = self.host.faults.active(FaultKind.SLOW)
        return Command(lambda: self._send(on, data), delay=(slow.seconds or 0.0) if slow else 0.0)

    # ---- transport

    def reachable(self) -> bool:
        """Whether HA's connection reaches the host: not down, not dropping, and at an address HA
        knows (after a move, the device's zeroconf announcement updates the entry, if it is advertised)."""
        faults = self.host.faults
        if faults.active(FaultKind.HOST_DOWN) or faults.active(FaultKind.DROP) or faults.active(FaultKind.RESET):
            return False
        return not (faults.active(FaultKind.MOVED) and faults.active(FaultKind.NOT_ADVERTISED))

    # ---- brand specifics

    @abstractmethod
    def _read(self) -> tuple[str, Json]:
        """The device's state now, as HA's entity shows it."""

    @abstractmethod
    def _send(self, on: bool, data: Json) -> None:
        """Carry a command to the device as the integration does; ServiceError when its call fails."""

    @property
    @abstractmethod
    def entry_title(self) -> str:
        """The title of the config entry HA creates for this host."""

    @property
    @abstractmethod
    def device_key(self) -> str:
        """What identifies the physical device (several entities may share one)."""

    @abstractmethod
    def device(self) -> Json:
        """The device registry fields HA writes for the device."""

    def hub(self) -> DeviceSpec | None:
        """The hub the device is reached through, as HA registers it (the Hue bridge)."""
        return None

    def suggested_area(self) -> str | None:
        """The area the vendor suggests (a Hue room)."""
        return None

    @property
    @abstractmethod
    def unique_id(self) -> str:
        """The entity's unique id as the integration sets it."""

    @abstractmethod
    def attributes(self) -> Json:
        """The attributes of a new entity of this integration."""


class HueLink(VendorLink):
    """`hue`: a light of a Hue bridge, as HA's hue (v2) integration sees it."""

    domain = "hue"

    def __init__(self, bridge: HueBridge, light_id: str, entity_id: str) -> None:
        self.bridge = bridge
        self.node = bridge.node("light", light_id)
        super().__init__(bridge, entity_id)

    def _key_ok(self) -> bool:
        return self.bridge.key_accepted(self.bridge.spec.app_key)  # HA holds the key it was linked with

    def entry_problem(self) -> tuple[EntryState, str | None] | None:
        return None if self._key_ok() else ("setup_error", None)  # setup returns False and a new link flow starts

    def available(self) -> bool:
        return self.reachable() and self._key_ok() and self.bridge.connectivity(self.node) == "connected"

    def reading(self) -> tuple[str, Json]:
        if self.available() and self.bridge.faults.active(FaultKind.GARBLE) is None:  # garbled events are lost
            self._known = self._read()
        return self._known

    def _read(self) -> tuple[str, Json]:
        on = self.node.on
        return ("on" if on else "off"), {"brightness": round(self.node.brightness / 100 * 255) if on else None,
                                         "color_mode": "brightness" if on else None}

    def _send(self, on: bool, data: Json) -> None:
        bridge = self.bridge
        if not self.reachable():
            raise ServiceError(f"Request failed due connection error: Cannot connect to host {bridge.home_address}:"
                               f"{bridge.port} ssl:default [Connect call failed ('{bridge.home_address}', "
                               f"{bridge.port})]")
        if not self._key_ok():
            raise ServiceError("Request failed: unauthorized user")
        changes: Json = {"on": on}
        if on and ("brightness_pct" in data or "brightness" in data):  # HA turns percent into 0..255 first
            level = round(float(data["brightness_pct"]) * 255 / 100) if "brightness_pct" in data \
                else int(data["brightness"])
            changes["brightness"] = round(level / 255 * 100, 2)
        status, errors = bridge.command_light(self.node, changes)
        if bridge.faults.active(FaultKind.GARBLE) is not None:  # carried out; the answer cannot be read
            body = json.dumps({"errors": [{"description": text} for text in errors],
                               "data": [{"rid": self.node.service_rid, "rtype": "light"}]})
            try:
                json.loads(body[: max(1, len(body) // 2)])
            except ValueError as exc:
                raise ServiceError(str(exc), code="unknown_error") from exc
        # a 207 "may not have effect" is only logged by HA's hue integration

    @property
    def entry_title(self) -> str:
        return self.bridge.spec.name

    @property
    def device_key(self) -> str:
        return f"hue/{self.bridge.bridge_id}/{self.node.device_rid}"

    def device(self) -> Json:
        product = self.bridge.device_resource(self.node)["product_data"]
        return {"name": self.node.name, "manufacturer": product["manufacturer_name"],
                "model": product["product_name"], "model_id": product["model_id"],
                "sw_version": product["software_version"], "identifiers": [("hue", self.node.device_rid)],
                "connections": [("mac", self.node.mac)], "via_device": self.hub().id}

    def hub(self) -> DeviceSpec:
        spec = self.bridge.spec
        return DeviceSpec(id=stable_hex(f"device:hue/{spec.bridge_id}"), name=spec.name, manufacturer=SIGNIFY,
                          model_id=spec.model, sw_version=self.bridge.software_version, integration="hue",
                          config_entry=self.entry_title, identifiers=[("hue", spec.bridge_id),
                                                                      ("hue", self.bridge.bridge_device_rid)],
                          connections=[("mac", format_mac(spec.mac or ""))])

    def suggested_area(self) -> str | None:
        return self.node.room

    @property
    def unique_id(self) -> str:
        return self.node.service_rid

    def attributes(self) -> Json:
        return {"supported_color_modes": ["brightness"], "color_mode": None, "brightness": None,
                "friendly_name": self.node.name, "supported_features": HUE_SUPPORTED_FEATURES}


class ShellyLink(VendorLink):
    """`shelly`: one relay of a Shelly device (Gen1 over HTTP and CoAP, Gen2+ over its WebSocket)."""

    domain = "shelly"

    def __init__(self, device: ShellyDevice, index: int, entity_id: str) -> None:
        self.shelly = device
        self.index = index
        super().__init__(device, entity_id)

    def entry_problem(self) -> tuple[EntryState, str | None] | None:
        if self.shelly.faults.active(FaultKind.KEY_REVOKED) is not None:
            return "setup_error", "InvalidAuthError()"  # ConfigEntryAuthFailed(repr(err)): reauthentication
        return None

    def _read(self) -> tuple[str, Json]:
        return ("on" if self.shelly.relay_on(self.index) else "off"), {}

    def _send(self, on: bool, data: Json) -> None:
        if not self.reachable():
            raise ServiceError(f"Device communication error occurred while calling action for {self.entity_id} "
                               f"of {self.shelly.name}")
        if self.entry_problem() is not None:
            return  # the integration shuts the device down and starts reauthentication
        self.shelly.set_relay(self.index, on, "http" if self.shelly.generation == 1 else "WS_in")

    @property
    def entry_title(self) -> str:
        return self.shelly.name

    @property
    def device_key(self) -> str:
        return f"shelly/{self.shelly.mac}"

    def device(self) -> Json:
        shelly, mac = self.shelly, self.shelly.mac
        connections = [("mac", format_mac(mac))]
        if shelly.generation > 1:  # aioshelly: the Bluetooth MAC is the primary MAC plus 2
            connections.append(("bluetooth", format_mac(f"{int(mac, 16) + 2:012X}")))
        model = shelly.spec.model or ""
        return {"name": shelly.name, "manufacturer": "Shelly", "model": SHELLY_MODEL_NAMES.get(model, model),
                "model_id": model, "sw_version": shelly.firmware_id, "hw_version": f"gen{shelly.generation}",
                "configuration_url": f"http://{shelly.home_address}:{shelly.port}",
                "identifiers": [("shelly", mac)], "connections": connections}

    @property
    def unique_id(self) -> str:
        key = f"relay_{self.index}" if self.shelly.generation == 1 else f"switch:{self.index}"
        return f"{self.shelly.mac}-{key}"

    def attributes(self) -> Json:
        name = self.shelly.name if len(self.shelly.relays) == 1 else f"{self.shelly.name} Switch {self.index}"
        return {"friendly_name": name}


class MiioLink(VendorLink):
    """`xiaomi_miio`: a plug's power, read and set with python-miio by HA."""

    domain = "xiaomi_miio"

    def __init__(self, device: MiioDevice, entity_id: str) -> None:
        self.miio = device
        super().__init__(device, entity_id)

    def available(self) -> bool:
        # A new token fails every request's checksum: python-miio raises, the entity goes unavailable.
        return super().available() and self.miio.faults.active(FaultKind.WRONG_TOKEN) is None

    def _read(self) -> tuple[str, Json]:
        return ("on" if self.miio.power else "off"), {}

    def _send(self, on: bool, data: Json) -> None:
        if not self.available():
            return  # `_try_command` catches the DeviceException and only logs it
        self.miio.set_power(on)

    @property
    def entry_title(self) -> str:
        return self.miio.name

    @property
    def device_key(self) -> str:
        return f"miio/{self.miio.spec.mac}"

    def device(self) -> Json:
        mac = format_mac(self.miio.spec.mac)
        return {"name": self.miio.name, "manufacturer": "Xiaomi", "model": self.miio.spec.model,
                "identifiers": [("xiaomi_miio", mac)], "connections": [("mac", mac)]}

    @property
    def unique_id(self) -> str:
        return format_mac(self.miio.spec.mac)

    def attributes(self) -> Json:
        return {"friendly_name": self.miio.name}


# ------------------------------------------------------------------ wiring a home


def link_to(entity_id: str, target: str, hosts: Mapping[str, SimHost]) -> VendorLink:
    """The link for one entity, to the running host its target names."""
    spec, element = resolve(entity_id, target, [host.spec for host in hosts.values()])  # type: ignore[attr-defined]
    host = hosts[spec.name]
    if isinstance(host, HueBridge):
        assert element is not None
        return HueLink(host, element, entity_id)
    if isinstance(host, ShellyDevice):
        return ShellyLink(host, int(element or 0), entity_id)
    assert isinstance(host, MiioDevice)
    return MiioLink(host, entity_id)


def build_links(ha: HomeAssistantSpec, hosts: Mapping[str, SimHost]) -> tuple[HomeAssistantSpec, dict[str, Link]]:
    """The HA spec completed as its integrations would complete it (config entries, devices with
    their identifiers, entities' integration and unique id), and one link per mirrored entity."""
    check_mirrors(ha, [host.spec for host in hosts.values()])  # type: ignore[attr-defined]
    links = {entity_id: link_to(entity_id, target, hosts) for entity_id, target, _ in mirrored(ha)}
    integrations, devices, entities = list(ha.integrations), list(ha.devices), list(ha.entities)
    targets = {entity_id: target for entity_id, target, _ in mirrored(ha)}
    device_of: dict[str, str] = {}  # device key → registry id
    for entity_id, link in links.items():
        if not any(entry.domain == link.domain and entry.title == link.entry_title for entry in integrations):
            integrations.append(IntegrationSpec(domain=link.domain, title=link.entry_title, source="zeroconf"))
        if (hub := link.hub()) is not None and all(device.id != hub.id for device in devices):
            devices.append(hub)
        position = next((i for i, entity in enumerate(entities) if entity.entity_id == entity_id), None)
        entity = entities[position] if position is not None else EntitySpec(entity_id=entity_id)
        device_id = entity.device or device_of.get(link.device_key) or stable_hex(f"device:{link.device_key}")
        device_of.setdefault(link.device_key, device_id)
        known = next((i for i, device in enumerate(devices) if device.id == device_id), None)
        area = devices[known].area if known is not None else None
        if area is None and (room := link.suggested_area()) is not None:
            area = next((a.id for a in ha.areas if a.name.lower() == room.lower()), None)
        device = DeviceSpec(id=device_id, area=area, integration=link.domain, config_entry=link.entry_title,
                            **link.device())
        if known is None:
            devices.append(device)
        else:
            devices[known] = device
        mirrored_entity = entity.model_copy(update={
            "integration": link.domain, "config_entry": link.entry_title, "device": device_id,
            "unique_id": entity.unique_id or link.unique_id, "mirrors": targets[entity_id],
            "attributes": {**link.attributes(), **entity.attributes}})
        if position is None:
            entities.append(mirrored_entity)
        else:
            entities[position] = mirrored_entity
    resolved = ha.model_copy(update={"integrations": integrations, "devices": devices, "entities": entities})
    return resolved, dict(links)
