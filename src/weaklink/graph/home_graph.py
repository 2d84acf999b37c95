"""The home graph: every fragment merged into one picture of what controls what.

Nodes are keyed `device:<id>`, `entity:<id>`, `integration:<id>`, `platform:<name>` and
`network:home`. Automations and scripts are entities too (`entity:automation.x`), with their
configuration attached. Edges carry a `kind` (see `EdgeKind`) and point the way control
depends: a light's entity depends on its device, the device on its hub, the hub on the
network, an entity on the integration that provides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from ..model import (
    Area,
    Automation,
    Capability,
    CapabilityKind,
    DeletedCapability,
    Device,
    HomeFragment,
    Integration,
    Role,
)


class EdgeKind(StrEnum):
    """How one element of the home depends on another."""

    CAPABILITY_OF = "capability_of"  # entity → device
    RADIO_LINK = "radio_link"  # device → hub, over Zigbee/Z-Wave/Thread/BLE
    VIA = "via"  # device → hub, by other means (a bridge's cloud, a LAN link)
    HOST_ON = "host_on"  # device → the home network
    PROVIDED_BY = "provided_by"  # entity or device → integration
    INTEGRATION = "integration"  # integration → platform hosting it
    TRIGGERS = "triggers"  # entity → automation it triggers
    ACTS_ON = "acts_on"  # automation → entity it acts on
    CALLS = "calls"  # automation → script or automation it runs
    MESH = "mesh"  # device → a neighbour it hears in a radio mesh, with the link's quality (not a dependency)


NETWORK = "network:home"

# Control flows along these: the path of a hop from one step's entity to the next.
_CONTROL_EDGES = {EdgeKind.TRIGGERS, EdgeKind.ACTS_ON, EdgeKind.CALLS}
# Something depends on whatever these point at.
_DEPENDENCY_EDGES = {
    EdgeKind.CAPABILITY_OF,
    EdgeKind.RADIO_LINK,
    EdgeKind.VIA,
    EdgeKind.HOST_ON,
    EdgeKind.PROVIDED_BY,
    EdgeKind.INTEGRATION,
}


def device_key(device_id: str) -> str:
    """Node key of a device."""
    return f"device:{device_id}"


def entity_key(entity_id: str) -> str:
    """Node key of an entity (capability, automation or script)."""
    return f"entity:{entity_id}"


def integration_key(integration_id: str) -> str:
    """Node key of an integration."""
    return f"integration:{integration_id}"


# Below this link quality (LQI, 0–255) a Zigbee route loses messages: Zigbee2MQTT and ZHA both
# flag links under about 50 as poor.
WEAK_LINK_QUALITY = 50


@dataclass(frozen=True)
class SourceReport:
    """One source's own account of a device: which platform, its id there, and what it said."""

    platform: str
    source: str
    device: Device


@dataclass(frozen=True)
class MeshLink:
    """A link of the radio mesh the device is on, seen from the device."""

    neighbour: Device
    link_quality: int | None
    relationship: str | None

    @property
    def weak(self) -> bool:
        """True when the link is too poor to carry messages reliably."""
        return self.link_quality is not None and self.link_quality < WEAK_LINK_QUALITY


class HomeGraph:
    """One merged picture of the home, with the queries the tracer needs."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.sources: list[str] = []
        self.areas: dict[str, Area] = {}
        self.deleted: dict[str, DeletedCapability] = {}
        self._devices: dict[str, Device] = {}
        self._capabilities: dict[str, Capability] = {}
        self._integrations: dict[str, Integration] = {}
        self._automations: dict[str, Automation] = {}
        self._by_identifier: dict[str, str] = {}
        self._reports: dict[str, list[SourceReport]] = {}  # node key → every source's account of the device
        self._node_of: dict[int, str] = {}  # id(device) → node key
        self._control: nx.DiGraph | None = None  # control-flow view, built on first use
        self._ways: dict[tuple[str, str], list[list[str]]] = {}  # carriers(), per pair

    # ----------------------------------------------------------------- building

    @classmethod
    def from_fragments(cls, fragments: Iterable[HomeFragment]) -> HomeGraph:
        """Merge fragments into one graph (one node per physical device)."""
        home = cls()
        for fragment in fragments:
            home.add_fragment(fragment)
        return home

    def add_fragment(self, fragment: HomeFragment) -> None:
        """Merge one source's fragment into the graph."""
        self.sources.append(fragment.source)
        self._control = None
        self._ways.clear()
        platform = f"platform:{fragment.platform}"
        self.graph.add_node(platform, kind="platform", name=fragment.platform)
        for area in fragment.areas:
            self.areas.setdefault(area.id, area)
        aliases = {device.id: self._add_device(device, fragment.platform, fragment.source)
                   for device in fragment.devices}
        for device in fragment.devices:
            self._link_device(aliases[device.id], device, aliases)
        for link in fragment.radio_links:
            if link.source in aliases and link.target in aliases and aliases[link.source] != aliases[link.target]:
                self._edge(aliases[link.source], aliases[link.target], EdgeKind.MESH,
                           link_quality=link.link_quality, relationship=link.relationship)
        for integration in fragment.integrations:
            key = integration_key(integration.id)
            self._integrations[integration.id] = integration
            self.graph.add_node(key, kind="integration", name=integration.title or integration.domain)
            self._edge(key, platform, EdgeKind.INTEGRATION)
        for device in fragment.devices:
            for integration_id in device.integration_ids:
                if integration_id in self._integrations:
                    self._edge(aliases[device.id], integration_key(integration_id), EdgeKind.PROVIDED_BY)
        for capability in fragment.capabilities:
            self._add_capability(capability, aliases)
        for deleted in fragment.deleted_capabilities:
            self.deleted[deleted.id] = deleted
        for automation in fragment.automations:
            self._add_automation(automation)

    def _add_device(self, device: Device, platform: str, source: str) -> str:
        # The same physical device seen by two sources shares a stable identifier. But a brand's
        # own ids are the authority within the brand: two devices one platform names differently
        # are two devices, whatever MAC they claim (a dump with its MACs masked to AA:BB:CC:…).
        existing = next(
            (key for i in device.identifiers if (key := self._by_identifier.get(str(i))) is not None
             and not any(r.platform == platform and r.device.id != device.id for r in self._reports.get(key, []))),
            None,
        )
        if existing is None:
            key = device_key(device.id)
            while key in self._devices:  # two sources reusing an id for different devices
                key += "'"
            self._devices[key] = device
        else:
            key = existing
            self._devices[key] = _merge_devices(self._devices[key], device)
        for identifier in device.identifiers:
            self._by_identifier.setdefault(str(identifier), key)
        self._reports.setdefault(key, []).append(SourceReport(platform, source, device))
        merged = self._devices[key]
        self._node_of[id(merged)] = key
        self.graph.add_node(key, kind="device", name=merged.name, role=str(merged.role))
        return key

    def _link_device(self, key: str, device: Device, aliases: dict[str, str]) -> None:
        if device.hub_id and device.hub_id in aliases and aliases[device.hub_id] != key:
            kind = EdgeKind.RADIO_LINK if device.transport.is_radio else EdgeKind.VIA
            self._edge(key, aliases[device.hub_id], kind)
        elif device.transport.is_ip:
            self.graph.add_node(NETWORK, kind="network", name="home network")
            self._edge(key, NETWORK, EdgeKind.HOST_ON)

    def _add_capability(self, capability: Capability, aliases: dict[str, str]) -> None:
        key = entity_key(capability.id)
        self._capabilities[capability.id] = capability
        self.graph.add_node(key, kind="entity", name=capability.name or capability.id)
        if capability.device_id and capability.device_id in aliases:
            self._edge(key, aliases[capability.device_id], EdgeKind.CAPABILITY_OF)
        if capability.integration_id and capability.integration_id in self._integrations:
            self._edge(key, integration_key(capability.integration_id), EdgeKind.PROVIDED_BY)

    def _add_automation(self, automation: Automation) -> None:
        key = entity_key(automation.entity_id)
        self._automations[automation.entity_id] = automation
        self.graph.add_node(key, kind=automation.kind, name=automation.alias or automation.entity_id)
        for entity_id in automation.triggered_by():
            self.graph.add_node(entity_key(entity_id), kind="entity", name=entity_id)
            self._edge(entity_key(entity_id), key, EdgeKind.TRIGGERS)
        for action in automation.actions:
            for target in action.targets:
                self.graph.add_node(entity_key(target), kind="entity", name=target)
                is_runnable = target.split(".", 1)[0] in ("script", "automation") and action.kind == "script"
                kind = EdgeKind.CALLS if is_runnable else EdgeKind.ACTS_ON
                self._edge(key, entity_key(target), kind, path=action.path, service=action.service)
            if action.service and action.service.startswith("script.") and action.service not in (
                "script.turn_on",
                "script.turn_off",
                "script.toggle",
                "script.reload",
            ):
                script = entity_key(action.service)
                self.graph.add_node(script, kind="script", name=action.service)
                self._edge(key, script, EdgeKind.CALLS, path=action.path, service=action.service)

    def _edge(self, source: str, target: str, kind: EdgeKind, **attributes: object) -> None:
        if not any(data.get("kind") == kind for data in self.graph.get_edge_data(source, target, default={}).values()):
            self.graph.add_edge(source, target, key=str(kind), kind=kind, **attributes)

    # ------------------------------------------------------------------ lookups

    @property
    def devices(self) -> list[Device]:
        """Every (merged) device."""
        return list(self._devices.values())

    @property
    def capabilities(self) -> list[Capability]:
        """Every capability (entity) known to a source."""
        return list(self._capabilities.values())

    @property
    def integrations(self) -> list[Integration]:
        """Every integration."""
        return list(self._integrations.values())

    @property
    def automations(self) -> list[Automation]:
        """Every automation and script."""
        return list(self._automations.values())

    def capability(self, entity_id: str) -> Capability | None:
        """The capability with this id, if any source knows it."""
        return self._capabilities.get(entity_id)

    def automation(self, entity_id: str) -> Automation | None:
        """The automation or script with this entity id."""
        return self._automations.get(entity_id)

    def integration(self, integration_id: str) -> Integration | None:
        """The integration with this id."""
        return self._integrations.get(integration_id)

    def device(self, key_or_id: str) -> Device | None:
        """A device by node key or by the id one source gave it."""
        return self._devices.get(key_or_id) or self._devices.get(device_key(key_or_id))

    def device_node(self, device: Device) -> str:
        """The node key of a (merged) device."""
        key = self._node_of.get(id(device))
        if key is None or self._devices.get(key) is not device:
            raise KeyError(device.id)
        return key

    def device_of(self, entity_id: str) -> Device | None:
        """The device that exposes this entity."""
        return self._first(entity_key(entity_id), EdgeKind.CAPABILITY_OF, self._devices)

    def reports_of(self, device: Device) -> list[SourceReport]:
        """Every source's own account of the (merged) device, in the order they were read."""
        return list(self._reports.get(self.device_node(device), []))

    def mesh_links(self, device: Device) -> list[MeshLink]:
        """The device's links in a radio mesh map (either way round), weakest first."""
        node = self.device_node(device)
        links = [MeshLink(self._devices[other], data.get("link_quality"), data.get("relationship"))
                 for edges in (self.graph.out_edges(node, data=True), self.graph.in_edges(node, data=True))
                 for a, b, data in edges if data["kind"] is EdgeKind.MESH
                 for other in ([b] if a == node else [a])]
        return sorted(links, key=lambda link: (link.link_quality is None, link.link_quality or 0))

    def hub_of(self, device: Device) -> Device | None:
        """The hub (bridge, coordinator) the device reaches the home through."""
        node = self.device_node(device)
        return self._first(node, EdgeKind.RADIO_LINK, self._devices) or self._first(node, EdgeKind.VIA, self._devices)

    def link_to_hub(self, device: Device) -> EdgeKind | None:
        """How the device is linked to its hub: a radio link, or some other way."""
        node = self.device_node(device)
        for _, _, data in self.graph.out_edges(node, data=True):
            if data["kind"] in (EdgeKind.RADIO_LINK, EdgeKind.VIA):
                return data["kind"]
        return None

    def is_network_host(self, device: Device) -> bool:
        """True when the device is itself a host on the home network."""
        return self.graph.has_edge(self.device_node(device), NETWORK)

    def behind(self, hub: Device) -> list[Device]:
        """Every device that reaches the home through this hub."""
        node = self.device_node(hub)
        return [
            self._devices[source]
            for source, _, data in self.graph.in_edges(node, data=True)
            if data["kind"] in (EdgeKind.RADIO_LINK, EdgeKind.VIA)
        ]

    def siblings(self, device: Device) -> list[Device]:
        """The other devices behind the same hub."""
        hub = self.hub_of(device)
        return [other for other in self.behind(hub) if other is not device] if hub else []

    def capabilities_of(self, device: Device) -> list[Capability]:
        """Every capability the device exposes."""
        node = self.device_node(device)
        return [
            self._capabilities[key.removeprefix("entity:")]
            for key, _, data in self.graph.in_edges(node, data=True)
            if data["kind"] is EdgeKind.CAPABILITY_OF and key.removeprefix("entity:") in self._capabilities
        ]

    def integration_of(self, entity_id: str) -> Integration | None:
        """The integration that provides this entity (directly, or through its device)."""
        capability = self._capabilities.get(entity_id)
        if capability and capability.integration_id in self._integrations:
            return self._integrations[capability.integration_id]
        device = self.device_of(entity_id)
        if device:
            for integration_id in device.integration_ids:
                if integration_id in self._integrations:
                    return self._integrations[integration_id]
        return None

    def carried_by(self, integration: Integration) -> list[Capability]:
        """Every enabled capability the integration provides."""
        return [
            capability
            for capability in self._capabilities.values()
            if capability.integration_id == integration.id and not capability.disabled
        ]

    def integrations_for_domain(self, domain: str) -> list[Integration]:
        """Every integration of one vendor domain (`hue`, `shelly`, …)."""
        return [integration for integration in self._integrations.values() if integration.domain == domain]

    def dependents(self, node: str) -> set[str]:
        """Everything that depends on this node: devices behind a hub, their entities, and
        the automations that act on or are triggered by those entities."""
        reverse = nx.DiGraph()
        for source, target, data in self.graph.edges(data=True):
            if data["kind"] in _DEPENDENCY_EDGES:
                reverse.add_edge(target, source)
        found = set(nx.descendants(reverse, node)) if node in reverse else set()
        for entity in [n for n in found if n.startswith("entity:")]:
            for neighbour in list(self.graph.predecessors(entity)) + list(self.graph.successors(entity)):
                if self.graph.nodes[neighbour].get("kind") in ("automation", "script"):
                    found.add(neighbour)
        return found

    # ----------------------------------------------------------- control flow

    def automations_triggered_by(self, entity_id: str) -> list[Automation]:
        """Automations with a trigger watching this entity."""
        return [a for a in self._automations.values() if entity_id in a.triggered_by()]

    def automations_acting_on(self, entity_id: str) -> list[Automation]:
        """Automations and scripts with an action targeting this entity."""
        return [a for a in self._automations.values() if entity_id in a.acts_on()]

    def carriers(self, source: str, target: str) -> list[list[str]]:
        """The ways control can flow from `source` to `target` through automations.

        Each way is the list of automations and scripts it passes through, e.g.
        `['automation.garage_opened_evening', 'script.welcome_home']`. Shortest first.
        """
        # A sweep over a year asks the same pairs once per run: remember the answers.
        known = self._ways.get((source, target))
        if known is None:
            known = self._ways[(source, target)] = self._find_ways(source, target)
        return [list(way) for way in known]

    def _find_ways(self, source: str, target: str) -> list[list[str]]:
        if self._control is None:
            self._control = nx.DiGraph(
                (s, t) for s, t, data in self.graph.edges(data=True) if data["kind"] in _CONTROL_EDGES
            )
        control = self._control
        start, end = entity_key(source), entity_key(target)
        if start not in control or end not in control:
            return []
        paths = nx.all_simple_paths(control, start, end, cutoff=6)
        ways = sorted(
            ([node.removeprefix("entity:") for node in path[1:-1]] for path in paths),
            key=len,
        )
        return [way for way in ways if way and all(node in self._automations for node in way)]

    def calls_into(self, automation: Automation) -> Iterator[Automation]:
        """The scripts and automations this one runs (directly)."""
        node = entity_key(automation.entity_id)
        for _, target, data in self.graph.out_edges(node, data=True):
            if data["kind"] is EdgeKind.CALLS and target.removeprefix("entity:") in self._automations:
                yield self._automations[target.removeprefix("entity:")]

    def area_name(self, device: Device) -> str | None:
        """The name of the device's area."""
        if device.area and device.area in self.areas:
            return self.areas[device.area].name
        return device.area

    def _first(self, node: str, kind: EdgeKind, table: dict[str, Device]) -> Device | None:
        if node not in self.graph:
            return None
        for _, target, data in self.graph.out_edges(node, data=True):
            if data["kind"] is kind and target in table:
                return table[target]
        return None

    def hubs(self) -> list[Device]:
        """Every device playing the hub role."""
        return [device for device in self._devices.values() if device.role is Role.HUB]

    def kind_of(self, entity_id: str) -> CapabilityKind | None:
        """The capability kind of an entity, when known."""
        capability = self._capabilities.get(entity_id)
        return capability.kind if capability else None


def _merge_devices(first: Device, second: Device) -> Device:
    """One device from two sources: keep what the first knew, fill its gaps from the second."""
    update: dict[str, object] = {}
    for field, value in second:
        if field in ("identifiers", "integration_ids"):
            merged = list(getattr(first, field))
            merged.extend(v for v in value if v not in merged)
            update[field] = merged
        elif getattr(first, field) in (None, "", [], "unknown") and value not in (None, "", []):
            update[field] = value
    return first.model_copy(update=update)
