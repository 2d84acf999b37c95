"""Radio links from the raw network map.

Each link of the map is one row of a router's (or the coordinator's) neighbour table: the
device scanned (Zigbee2MQTT's `target`) hears its neighbour (`source`) with that link quality.
A `RadioLink` says it the other way round, as the model reads it: `source` hears `target`. So
the scanned device becomes the link's `source`, the neighbour its `target`, and
`relationship` is what the neighbour is to the scanned device (`child`: the link's target is a
child of its source).

A neighbour the map has no node for (2.x leaves disabled devices out; a device may have left)
is still a device of the fragment, named by its address, so its link is kept. A neighbour
whose address the table does not give (all zeros: some Xiaomi routers; all ones: unknown) is
found by its network address, or left out with a warning.
"""

from __future__ import annotations

from weaklink.model import Device, RadioLink, Role, Transport

from .devices import COORDINATOR
from .mapped import Mapped
from .naming import UNKNOWN_IEEE, device_id, zigbee_identifier
from .payloads import LinkEnd, MapNode, NetworkMap

# Zigbee's neighbour-table relationship of the neighbour to the device scanned; 4 ("previous
# child") and above are not active, and Zigbee2MQTT itself leaves them out of its map.
RELATIONSHIPS = {0: "parent", 1: "child", 2: "sibling", 3: "none"}
_SCANS = {"lqi": "neighbour table (LQI)", "routingTable": "routing table"}


def map_network(topology: NetworkMap, source: str) -> Mapped:
    """The devices of a network map and the radio links between them."""
    mapped = Mapped()
    nodes: dict[str, MapNode] = {}
    for node in topology.nodes:
        nodes.setdefault(node.ieeeAddr, node)
    coordinator = next((n.ieeeAddr for n in nodes.values() if n.type == COORDINATOR), None)
    hub_id = device_id(coordinator) if coordinator else None
    devices = {ieee: _node_device(node, hub_id) for ieee, node in nodes.items()}
    by_network_address = {n.networkAddress: ieee for ieee, n in nodes.items() if n.networkAddress is not None}

    def resolve(end: LinkEnd) -> str | None:
        ieee: str | None = end.ieeeAddr
        if ieee in UNKNOWN_IEEE:
            ieee = by_network_address.get(end.networkAddress) if end.networkAddress is not None else None
        if ieee is not None and ieee not in devices:
            devices[ieee] = _stranger(ieee, hub_id)
        return ieee

    for index, link in enumerate(topology.links):
        if isinstance(link.relationship, int) and link.relationship > 3:
            continue
        hearer, heard = resolve(link.target), resolve(link.source)
        if hearer is None or heard is None:
            unknown = link.target if hearer is None else link.source
            where = "an unknown" if unknown.networkAddress is None else f"network address {unknown.networkAddress}"
            mapped.warn(f"link {index}: no device of the map has {where} and the neighbour table does not give "
                        f"its IEEE address: the link is left out", source)
            continue
        if hearer == heard:
            continue
        quality = link.quality
        mapped.radio_links.append(RadioLink(
            source=device_id(hearer),
            target=device_id(heard),
            link_quality=quality if quality is not None and 0 <= quality <= 255 else None,
            relationship=_relationship(link.relationship),
            depth=link.depth,
        ))
    for node in nodes.values():
        for request in node.failed:
            mapped.warn(f"{node.friendlyName or node.ieeeAddr} did not answer the network scan's "
                        f"{_SCANS.get(request, request)} request: the map lacks what it would have reported", source)
    mapped.devices = list(devices.values())
    return mapped


def _node_device(node: MapNode, hub_id: str | None) -> Device:
    is_hub = node.type == COORDINATOR
    definition = node.definition
    return Device(
        id=device_id(node.ieeeAddr),
        name=node.friendlyName or node.ieeeAddr,
        brand=(definition.vendor if definition else None) or node.manufacturerName,
        model=(definition.model if definition else None) or node.modelID,
        role=Role.HUB if is_hub else Role.DEVICE,
        transport=Transport.ZIGBEE,
        identifiers=[zigbee_identifier(node.ieeeAddr)],
        hub_id=None if is_hub else hub_id,
    )


def _stranger(ieee: str, hub_id: str | None) -> Device:
    # a neighbour the map lists no node for: all that is known is its address
    return Device(id=device_id(ieee), name=ieee, transport=Transport.ZIGBEE,
                  identifiers=[zigbee_identifier(ieee)], hub_id=hub_id)


def _relationship(value: int | str | None) -> str | None:
    if isinstance(value, int):
        return RELATIONSHIPS.get(value)
    if isinstance(value, str):
        return value.strip().lower() or None
    return None
