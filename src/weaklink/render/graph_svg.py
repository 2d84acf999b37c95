"""The home graph as a standalone SVG picture, with the broken link of a trace marked.

With a report it draws the chain's neighbourhood: each step's device (or entity), the hub it
hangs off and how, the home network, the integration carrying it and the automations carrying
each hop. Without one it draws the whole home: hubs with the devices behind them.

Everything from the customer's home is untrusted text: the SVG is built as an element tree, so
names only ever become text nodes or quoted attribute values, never markup. Styling is done
with presentation attributes rather than a <style> element, so the picture looks the same
inline in a page whose Content-Security-Policy forbids inline styles, and leaks no CSS into it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..graph import EdgeKind, HomeGraph
from ..model import Automation, Device, Integration, IntegrationHealth, Role, Transport
from ..report import BrokenLink, Layer, StepReport, StepStatus, TraceReport

__all__ = ["graph_svg"]

SVG_NS = "http://www.w3.org/2000/svg"

# Columns, left to right: what a device depends on sits left of it, what drives it right.
_INTEGRATIONS, _HUBS, _DEVICES, _AUTOMATIONS = range(4)
_HEADINGS = {_INTEGRATIONS: "network · integrations", _HUBS: "hubs", _DEVICES: "devices", _AUTOMATIONS: "automations"}

_MARGIN = 16
_BOX_W, _BOX_H = 156, 48
_COLUMN_PITCH = 236  # box plus a gap wide enough for an edge's label
_ROW_PITCH = 64
_MIN_GAP = 10  # between two boxes of one column
_TOP = 78  # below the title and the column headings
_BULGE = 46  # how far an edge between two boxes of one column swings out

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_INK, _MUTED, _LINE = "#1f2328", "#59636e", "#8c959f"
_BROKEN = "#d1242f"
# stroke, fill, badge for each step status
_STATUS_COLOURS = {
    StepStatus.PASSED: ("#1a7f37", "#dafbe1", "#1a7f37"),
    StepStatus.FAILED: ("#cf222e", "#ffebe9", "#cf222e"),
    StepStatus.NOT_REACHED: ("#8c959f", "#f6f8fa", "#6e7781"),
}
_KIND_FILLS = {"hub": "#ddf4ff", "network": "#ddf4ff", "integration": "#fbefff", "automation": "#fff8c5",
               "script": "#fff8c5", "device": "#ffffff", "entity": "#ffffff"}
_STATUS_WORDS = {StepStatus.PASSED: "passed", StepStatus.FAILED: "failed", StepStatus.NOT_REACHED: "not reached"}
_SHORT_WORDS = {"radio": "radio", "via": "via", "network": "network", "integration": "provides",
                "triggers": "triggers", "acts_on": "acts on", "calls": "runs", "missing": "none"}
_HEALTHY = {IntegrationHealth.OK, IntegrationHealth.UNKNOWN}
# Layers whose break lies on the path from a device to its hub or the network.
_LINK_LAYERS = {Layer.RADIO, Layer.NETWORK, Layer.HUB}

# Characters XML 1.0 cannot carry at all; a name holding one would make the picture unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class _Node:
    key: str
    element: str  # the id a report or a page names it by
    kind: str  # device | hub | network | integration | automation | script | entity
    column: int
    label: str
    detail: str  # the smaller second line
    hover: list[str]
    order: tuple[object, ...]
    steps: list[StepReport] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    broken: bool = False
    tag: str = ""  # the short text marking it broken
    x: int = 0
    y: int = 0


@dataclass
class _Edge:
    source: str
    target: str
    kind: str  # radio | via | network | integration | triggers | acts_on | calls | missing
    label: str = ""
    broken: bool = False
    quiet: bool = False  # the label is in the hover text only: a sibling edge already shows it

    @property
    def control(self) -> bool:
        return self.kind in ("triggers", "acts_on", "calls", "missing")


class _Picture:
    """The nodes and edges to draw, before layout."""

    def __init__(self, home: HomeGraph) -> None:
        self.home = home
        self.nodes: dict[str, _Node] = {}
        self.edges: dict[tuple[str, str, str], _Edge] = {}

    # ------------------------------------------------------------------ nodes

    def device(self, device: Device, column: int | None = None) -> str:
        key = self.home.device_node(device)
        if key not in self.nodes:
            kind = "hub" if device.role is Role.HUB else "device"
            status = self._device_status(device)
            hover = [device.name, f"model: {device.model or 'unknown'}", f"brand: {device.brand or 'unknown'}",
                     f"role: {device.role.value}, {device.transport.value}", f"status: {status}"]
            area = self.home.area_name(device)
            if area:
                hover.append(f"area: {area}")
            hover.append(f"id: {device.id}")
            detail = device.model or device.brand or device.transport.value
            if status in ("unavailable", "disabled"):
                detail = f"{status} · {detail}"
            if column is None:
                column = _HUBS if kind == "hub" else _DEVICES
            self.nodes[key] = _Node(key, device.id, kind, column, device.name, detail, hover,
                                    (device.name.casefold(), device.id))
        elif column is not None and self.nodes[key].column != _DEVICES:
            self.nodes[key].column = column
        return key

    def _device_status(self, device: Device) -> str:
        if device.disabled:
            return "disabled"
        capabilities = [c for c in self.home.capabilities_of(device) if not c.disabled]
        if capabilities and all(not c.available for c in capabilities):
            return "unavailable"
        unavailable = [c.id for c in capabilities if not c.available]
        return f"unavailable: {', '.join(sorted(unavailable))}" if unavailable else "available"

    def entity(self, entity_id: str) -> str:
        key = f"entity:{entity_id}"
        if key not in self.nodes:
            capability = self.home.capability(entity_id)
            hover = [capability.name or entity_id if capability else entity_id, f"entity: {entity_id}"]
            if capability:
                hover.append(f"kind: {capability.kind.value}")
                hover.append(f"status: {'available' if capability.available else 'unavailable'}")
            else:
                hover.append("not an entity or device weaklink knows")
            label = (capability.name if capability and capability.name else entity_id)
            self.nodes[key] = _Node(key, entity_id, "entity", _DEVICES, label, entity_id if label != entity_id else "",
                                    hover, (label.casefold(), entity_id))
        return key

    def integration(self, integration: Integration) -> str:
        key = f"integration:{integration.id}"
        if key not in self.nodes:
            title = integration.title or integration.domain
            # Not its `detail`: that is the platform's own error text, URLs and account ids included.
            hover = [title, f"integration: {integration.domain} on {integration.platform}",
                     f"status: {integration.health.value}", f"id: {integration.id}"]
            detail = f"{integration.domain} integration"
            if integration.health not in _HEALTHY:
                detail += f" · {integration.health.value}"
            self.nodes[key] = _Node(key, integration.id, "integration", _INTEGRATIONS, title, detail, hover,
                                    (1, integration.domain, title.casefold(), integration.id))
        return key

    def network(self) -> str:
        key = "network:home"
        if key not in self.nodes:
            self.nodes[key] = _Node(key, key, "network", _INTEGRATIONS, "home network", "Wi-Fi · Ethernet",
                                    ["home network", "the devices that are hosts on it"], (0,))
        return key

    def automation(self, entity_id: str) -> str:
        key = f"entity:{entity_id}"
        if key not in self.nodes or self.nodes[key].column != _AUTOMATIONS:
            automation = self.home.automation(entity_id)
            kind = automation.kind if automation else entity_id.split(".", 1)[0]
            label = (automation.alias if automation else None) or entity_id
            hover = [label, f"{kind}: {entity_id}", _automation_status(automation)]
            self.nodes[key] = _Node(key, entity_id, "script" if kind == "script" else "automation", _AUTOMATIONS,
                                    label, entity_id, hover, (label.casefold(), entity_id))
        return key

    def edge(self, source: str, target: str, kind: str, label: str = "") -> _Edge:
        found = self.edges.get((source, target, kind))
        if found is None:
            found = self.edges[(source, target, kind)] = _Edge(source, target, kind, label)
        return found

    # ------------------------------------------------- what a device hangs off

    def surroundings(self, device: Device) -> str:
        """The device, its hub and how it reaches it, and the network if it is a host on it."""
        key = self.device(device)
        hub = self.home.hub_of(device)
        if hub is not None:
            hub_key = self.device(hub, _HUBS)
            link = self.home.link_to_hub(device)
            kind = "radio" if link is EdgeKind.RADIO_LINK else "via"
            self.edge(key, hub_key, kind, _link_word(device.transport, link))
            self._host(hub, hub_key)
        self._host(device, key)
        return key

    def _host(self, device: Device, key: str) -> None:
        if self.home.is_network_host(device):
            word = device.transport.value if device.transport is not Transport.UNKNOWN else "network"
            self.edge(key, self.network(), "network", word)


def _automation_status(automation: Automation | None) -> str:
    if automation is None:
        return "status: not in the home's configuration"
    return "status: " + ("on" if automation.enabled else "off (disabled)")


def _link_word(transport: Transport, link: EdgeKind | None) -> str:
    if transport is not Transport.UNKNOWN:
        return transport.value
    return "radio" if link is EdgeKind.RADIO_LINK else "via"


# ------------------------------------------------------------- the chain view


class _Chain(_Picture):
    """The neighbourhood of one traced chain, with its broken link marked."""

    def __init__(self, home: HomeGraph, report: TraceReport) -> None:
        super().__init__(home)
        self.report = report
        self.step_nodes: dict[int, str] = {}
        for step in report.steps:
            key = self.subject(step.subject)
            node = self.nodes[key]
            node.steps.append(step)
            if step.subject not in node.entities and step.subject != node.element:
                node.entities.append(step.subject)
            if node.column == _HUBS:  # a hub that is itself a step sits in the chain's column
                node.column = _DEVICES
            if node.kind == "entity" and self.home.capability(step.subject) is None and len(node.steps) == 1:
                # A service call or an event: its step's name says more than its id.
                node.label, node.detail = step.name, step.subject
            self.step_nodes[step.index] = key
        for step in report.steps:
            self.carriers(step)
        if report.broken_link is not None:
            self.mark(report.broken_link)
        for node in self.nodes.values():  # the chain reads top to bottom in step order
            node.order = (0, min(s.index for s in node.steps)) if node.steps else (1, *node.order)

    def subject(self, subject: str) -> str:
        """The node standing for a step's subject (or a report's element), with its surroundings."""
        automation = self.home.automation(subject)
        if automation is not None:
            return self.automation(subject)
        device = self.home.device_of(subject)
        if device is not None:
            key = self.surroundings(device)
            integration = self.home.integration_of(subject)
            if integration is not None:
                self.edge(key, self.integration(integration), "integration")
            return key
        device = self._device_by_id(subject)
        if device is not None:
            key = self.surroundings(device)
            for integration_id in device.integration_ids[:1]:
                integration = self.home.integration(integration_id)
                if integration is not None:
                    self.edge(key, self.integration(integration), "integration")
            return key
        key = self.entity(subject)
        integration = self.home.integration_of(subject)
        if integration is not None:
            self.edge(key, self.integration(integration), "integration")
        return key

    def _device_by_id(self, device_id: str) -> Device | None:
        found = self.home.device(device_id)
        if found is not None:
            return found
        # A merged device keeps its first source's id; the others' ids still name it.
        for device in sorted(self.home.devices, key=lambda d: d.id):
            if any(r.device.id == device_id for r in self.home.reports_of(device)):
                return device
        return None

    def carriers(self, step: StepReport) -> None:
        """Draw the automations carrying the hop into this step, from the step that set them off."""
        if not step.carried_by:
            return
        first = self.home.automation(step.carried_by[0])
        watched = first.triggered_by() if first else set()
        earlier = [s for s in self.report.steps if s.index < step.index]
        source = next((s for s in reversed(earlier) if s.subject in watched), earlier[-1] if earlier else None)
        previous = self.step_nodes[source.index] if source else None
        for position, name in enumerate(step.carried_by):
            key = self.automation(name)
            if previous is not None and previous != key:
                self.edge(previous, key, "calls" if position else "triggers")
            previous = key
        if previous is not None:
            self.edge(previous, self.step_nodes[step.index], "acts_on")

    # ------------------------------------------------------------- marking

    def mark(self, link: BrokenLink) -> None:
        """Mark the broken element's node and the link that broke, adding them if need be."""
        failed = self.step_nodes.get(link.step)
        marked = self._element_nodes(link.element, failed)
        for key in marked:
            self.nodes[key].broken = True
            self.nodes[key].tag = f"broken: {link.layer.value}"
        for edge in self._broken_edges(link.layer, marked, failed):
            edge.broken = True

    def _element_nodes(self, element: str, failed: str | None) -> list[str]:
        """The nodes that stand for the broken element, added when the chain did not include them."""
        if self.home.automation(element) is not None or element.split(".", 1)[0] in ("automation", "script"):
            return [self.automation(element)]
        integration = self.home.integration(element)
        if integration is not None:
            return [self.integration(integration)]
        if self.home.capability(element) is None and self._device_by_id(element) is None:
            # Reports name an integration by its domain: prefer the one carrying the chain.
            of_domain = sorted(self.home.integrations_for_domain(element), key=lambda i: i.id)
            if of_domain:
                shown = [i for i in of_domain if f"integration:{i.id}" in self.nodes]
                near = [i for i in shown if failed and (failed, f"integration:{i.id}", "integration") in self.edges]
                return [self.integration(i) for i in (near or shown or of_domain)[:1]]
        return [self.subject(element)]

    def _broken_edges(self, layer: Layer, marked: list[str], failed: str | None) -> list[_Edge]:
        """The edge that broke: a device's link to its hub or the network, an integration's to what
        it provides, an automation's to its target."""
        links = ("radio", "via", "network")
        if layer in _LINK_LAYERS:
            if layer is Layer.HUB:
                # The element is the hub: the link that broke is the failed step's device's to it.
                into = sorted((e for e in self.edges.values() if e.target in marked and e.kind in links),
                              key=lambda e: (e.source != failed, e.source))
                return into[:1]
            for key in marked:
                out = [e for e in self.edges.values() if e.source == key and e.kind in links]
                if layer is Layer.NETWORK:
                    out.sort(key=lambda e: e.kind != "network")
                return out[:1]
            return []
        if layer is Layer.INTEGRATION:
            integration_nodes = [k for k in marked if k.startswith("integration:")]
            return [e for e in self.edges.values() if e.source == failed and e.kind == "integration"
                    and (e.target in integration_nodes or not integration_nodes)][:1]
        if layer is Layer.LOGIC and failed is not None:
            automations = [k for k in marked if self.nodes[k].column == _AUTOMATIONS]
            if automations:
                key = automations[0]
                onward = sorted((e for e in self.edges.values() if e.source == key and e.control),
                                key=lambda e: (e.target != failed, e.target))
                return onward[:1] or [self.edge(key, failed, "acts_on")]
            previous = self.step_nodes.get(self._step_index(failed) - 1)
            if previous is not None and previous != failed:
                return [self.edge(previous, failed, "missing")]
        return []

    def _step_index(self, key: str) -> int:
        return min((s.index for s in self.nodes[key].steps), default=0)


# ---------------------------------------------------------- the whole-home view


def _whole_home(home: HomeGraph, max_nodes: int) -> tuple[_Picture, str]:
    """Hubs with the devices behind them, then the integrations carrying them, up to the cap."""
    picture = _Picture(home)

    def group(device: Device) -> tuple[object, ...]:
        hub = home.hub_of(device)
        if hub is not None:
            return (0, hub.name.casefold(), hub.id)
        if home.is_network_host(device):
            return (1,)
        return (2,)

    hubs = sorted((d for d in home.devices if d.role is Role.HUB or home.behind(d)),
                  key=lambda d: (d.name.casefold(), d.id))
    hub_ids = {id(h) for h in hubs}
    devices = sorted((d for d in home.devices if id(d) not in hub_ids),
                     key=lambda d: (group(d), d.name.casefold(), d.id))
    wanted: list[tuple[str, object]] = []
    if any(home.is_network_host(d) for d in home.devices):
        wanted.append(("network", None))
    wanted += [("hub", h) for h in hubs] + [("device", d) for d in devices]
    integration_ids = sorted({i for d in devices + hubs for i in d.integration_ids if home.integration(i)})
    wanted += [("integration", home.integration(i)) for i in integration_ids]
    total = len(wanted)
    shown = wanted[:max(max_nodes, 0)]
    for what, item in shown:
        if what == "network":
            picture.network()
        elif what == "integration":
            assert isinstance(item, Integration)
            picture.integration(item)
        else:
            assert isinstance(item, Device)
            picture.device(item, _HUBS if what == "hub" else _DEVICES)
    labelled: set[tuple[str, str]] = set()
    for item in (item for _, item in shown if isinstance(item, Device)):
        key = home.device_node(item)
        hub = home.hub_of(item)
        edges = []
        if hub is not None and home.device_node(hub) in picture.nodes:
            link = home.link_to_hub(item)
            edges.append(picture.edge(key, home.device_node(hub), "radio" if link is EdgeKind.RADIO_LINK else "via",
                                      _link_word(item.transport, link)))
        if home.is_network_host(item) and "network:home" in picture.nodes:
            edges.append(picture.edge(key, "network:home", "network", item.transport.value))
        for edge in edges:  # a hub's fan of links says "zigbee" once, not once per device
            edge.quiet = (edge.target, edge.label) in labelled
            labelled.add((edge.target, edge.label))
        # A device reached through its hub's own integration says so through the hub's edge:
        # one line per hub instead of one per device keeps a big bridge readable.
        through_hub = set(hub.integration_ids) if hub is not None and home.device_node(hub) in picture.nodes else set()
        for integration_id in item.integration_ids:
            if f"integration:{integration_id}" in picture.nodes and integration_id not in through_hub:
                picture.edge(key, f"integration:{integration_id}", "integration")
    for node in picture.nodes.values():  # keep each hub's devices together, in name order
        if node.column == _DEVICES:
            device = home.device(node.key)
            assert device is not None
            node.order = (group(device), *node.order)
    left_out = total - len(shown)
    counts = f"{len(hubs)} hubs, {len(devices)} devices, {len(integration_ids)} integrations"
    caption = (f"The whole home: {counts}. {left_out} of {total} left out (at most {max_nodes} drawn)."
               if left_out else f"The whole home: {counts}; all drawn.")
    return picture, caption


# ------------------------------------------------------------------- layout


def _layout(picture: _Picture) -> tuple[dict[int, int], int]:
    """Place every node: the devices column in its order, the others beside what they connect to.

    Returns the x of each column used and the bottom of the lowest box.
    """
    used = sorted({n.column for n in picture.nodes.values()})
    xs = {column: _MARGIN + i * _COLUMN_PITCH for i, column in enumerate(used)}
    neighbours: dict[str, list[str]] = {key: [] for key in picture.nodes}
    for edge in picture.edges.values():
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    placed: dict[str, int] = {}

    def stack(keys: list[str], wanted: dict[str, float]) -> None:
        ordered = sorted(keys, key=lambda k: (wanted[k], picture.nodes[k].order, k))
        floor = _TOP
        for key in ordered:
            y = max(int(round(wanted[key])), floor)
            placed[key] = y
            floor = y + _BOX_H + _MIN_GAP

    # The devices column first, then outwards: each box as near as it can be to its neighbours.
    order = [_DEVICES, _HUBS, _AUTOMATIONS, _INTEGRATIONS]
    for column in sorted(used, key=order.index):
        keys = [k for k, n in picture.nodes.items() if n.column == column]
        if column == _DEVICES or not placed:
            ranked = sorted(keys, key=lambda k: (picture.nodes[k].order, k))
            wanted = {k: float(_TOP + i * _ROW_PITCH) for i, k in enumerate(ranked)}
        else:
            wanted = {}
            for rank, key in enumerate(sorted(keys, key=lambda k: (picture.nodes[k].order, k))):
                near = [placed[n] for n in neighbours[key] if n in placed]
                wanted[key] = sum(near) / len(near) if near else float(_TOP + rank * _ROW_PITCH)
        stack(keys, wanted)
    for key, node in picture.nodes.items():
        node.x, node.y = xs[node.column], placed[key]
    bottom = max((n.y + _BOX_H for n in picture.nodes.values()), default=_TOP)
    return xs, bottom


# ------------------------------------------------------------------ drawing


def _clean(text: object) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _fit(text: str, width: float, char_width: float) -> str:
    room = max(int(width // char_width), 2)
    text = " ".join(text.split())
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _value(value: object) -> str:
    if isinstance(value, float):  # two decimals are plenty, and keep the output short and stable
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return _clean(value)


def _element(parent: ET.Element, tag: str, attributes: dict[str, object], text: str | None = None) -> ET.Element:
    """A child element; `font_size` becomes `font-size`, `class_` becomes `class`."""
    element = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): _value(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    return _element(parent, tag, attributes, text)


def _text(parent: ET.Element, x: float, y: float, text: str, size: int = 12, fill: str = _INK, weight: str = "400",
          anchor: str = "start") -> ET.Element:
    return _sub(parent, "text", text, x=x, y=y, font_size=size, font_weight=weight, fill=fill, text_anchor=anchor)


def _node_status(node: _Node) -> StepStatus | None:
    statuses = {s.status for s in node.steps}
    for status in (StepStatus.FAILED, StepStatus.NOT_REACHED, StepStatus.PASSED):
        if status in statuses:
            return status
    return None


def _draw_node(parent: ET.Element, node: _Node) -> None:
    status = _node_status(node)
    classes = ["node", node.kind, *([status.value] if status else []), *(["broken"] if node.broken else [])]
    group = _sub(parent, "g", class_=" ".join(classes), data_element=node.element)
    if node.entities:
        group.set("data-entities", _clean(" ".join(node.entities)))
    if node.steps:
        group.set("data-steps", " ".join(str(s.index) for s in node.steps))
    hover = list(node.hover)
    for step in node.steps:
        hover.append(f"step {step.index} ({step.name}): {_STATUS_WORDS[step.status]}")
    if node.entities:
        hover.append("stands for: " + ", ".join(node.entities))
    _sub(group, "title", "\n".join(hover))
    stroke, fill = (_STATUS_COLOURS[status][:2] if status else (_LINE, _KIND_FILLS.get(node.kind, "#ffffff")))
    width = 4 if node.broken else 2 if status else 1.25
    box: dict[str, object] = dict(x=node.x, y=node.y, width=_BOX_W, height=_BOX_H, rx=8, fill=fill,
               stroke=_BROKEN if node.broken else stroke, stroke_width=width)
    if status is StepStatus.NOT_REACHED and not node.broken:
        box["stroke_dasharray"] = "5 4"
    if node.broken:
        _sub(group, "rect", x=node.x - 5, y=node.y - 5, width=_BOX_W + 10, height=_BOX_H + 10, rx=11,
             fill="none", stroke=_BROKEN, stroke_width=1.5, stroke_opacity=0.45)
    _element(group, "rect", box)
    left = node.x + 10
    for i, step in enumerate(node.steps):  # a numbered badge per step, in the status's colour
        cx = node.x + 14 + i * 24
        _sub(group, "circle", cx=cx, cy=node.y + 16, r=10, fill=_STATUS_COLOURS[step.status][2])
        _text(group, cx, node.y + 20, str(step.index), size=12, fill="#ffffff", weight="700", anchor="middle")
        left = cx + 16
    room = node.x + _BOX_W - 8 - left
    _text(group, left, node.y + 21, _fit(node.label, room, 7.9), size=13, weight="600")
    if node.detail:
        _text(group, node.x + 10, node.y + 38, _fit(node.detail, _BOX_W - 18, 6.3), size=11, fill=_MUTED)
    if node.broken:
        word = _fit(node.tag or "broken", _BOX_W, 6.6)
        tag_w = int(len(word) * 6.6) + 14
        _sub(group, "rect", x=node.x + _BOX_W - tag_w - 6, y=node.y - 11, width=tag_w, height=18, rx=9, fill=_BROKEN)
        _text(group, node.x + _BOX_W - 6 - tag_w / 2, node.y + 2, word, size=11, fill="#ffffff", weight="700",
              anchor="middle")


def _anchor(node: _Node, towards_left: bool) -> tuple[int, int]:
    return (node.x if towards_left else node.x + _BOX_W, node.y + _BOX_H // 2)


def _draw_edge(parent: ET.Element, edge: _Edge, nodes: dict[str, _Node]) -> None:
    source, target = nodes[edge.source], nodes[edge.target]
    if source.column != target.column:
        leftwards = target.x < source.x
        (sx, sy), (tx, ty) = _anchor(source, leftwards), _anchor(target, not leftwards)
        pull = (tx - sx) / 2
        c1, c2 = (sx + pull, sy), (tx - pull, ty)
    else:  # swing out into the gap beside the column rather than through the boxes between
        (sx, sy), (tx, ty) = _anchor(source, False), _anchor(target, False)
        c1, c2 = (sx + _BULGE, sy), (tx + _BULGE, ty)
    path = f"M{sx:.0f},{sy:.0f} C{c1[0]:.0f},{c1[1]:.0f} {c2[0]:.0f},{c2[1]:.0f} {tx:.0f},{ty:.0f}"
    classes = ["edge", edge.kind] + (["broken"] if edge.broken else [])
    group = _sub(parent, "g", class_=" ".join(classes), data_source=source.element, data_target=target.element,
                 data_kind=edge.kind)
    words = {"radio": "radio link", "via": "reaches the home through", "network": "host on",
             "integration": "provided by", "triggers": "triggers", "acts_on": "acts on", "calls": "runs",
             "missing": "nothing connects"}[edge.kind]
    _sub(group, "title", f"{source.label} {words} {target.label}" + (f" ({edge.label})" if edge.label else "")
         + (": broken" if edge.broken else ""))
    # A broken edge's label stays short enough for the gap between two columns: the node's tag names the layer.
    label = f"✘ {edge.label or _SHORT_WORDS[edge.kind]}" if edge.broken else "" if edge.quiet else edge.label
    colour = _BROKEN if edge.broken else ("#57606a" if edge.control else "#b3bac2" if edge.kind == "integration"
                                          else _LINE)
    line: dict[str, object] = dict(d=path, fill="none", stroke=colour,
                                   stroke_width=4 if edge.broken else 1.6 if edge.control else 1.3)
    if edge.kind == "integration":
        line["stroke_dasharray"] = "2 3"
    elif edge.kind in ("radio", "missing"):  # a radio hop is the one that comes and goes
        line["stroke_dasharray"] = "7 4"
    if edge.control:
        line["marker_end"] = "url(#wl-arrow-broken)" if edge.broken else "url(#wl-arrow)"
    _element(group, "path", line)
    if label:
        mx = (sx + 3 * c1[0] + 3 * c2[0] + tx) / 8  # the curve's midpoint
        my = (sy + 3 * c1[1] + 3 * c2[1] + ty) / 8
        width = len(label) * (6.6 if edge.broken else 5.8) + 10
        _sub(group, "rect", x=mx - width / 2, y=my - 9, width=width, height=16, rx=8,
             fill=_BROKEN if edge.broken else "#ffffff", fill_opacity=1 if edge.broken else 0.9)
        _text(group, mx, my + 3, label, size=11 if edge.broken else 10, anchor="middle",
              fill="#ffffff" if edge.broken else _MUTED, weight="700" if edge.broken else "400")


def _draw_legend(root: ET.Element, y: int, broken: bool) -> None:
    x = _MARGIN
    for status in (StepStatus.PASSED, StepStatus.FAILED, StepStatus.NOT_REACHED):
        _sub(root, "circle", cx=x + 7, cy=y - 4, r=7, fill=_STATUS_COLOURS[status][2])
        _text(root, x + 20, y, f"step {_STATUS_WORDS[status]}", size=11, fill=_MUTED)
        x += 118
    if broken:
        _sub(root, "path", d=f"M{x},{y - 4} L{x + 26},{y - 4}", stroke=_BROKEN, stroke_width=4)
        _text(root, x + 34, y, "the broken link", size=11, fill=_MUTED)


def _draw(picture: _Picture, title: str, caption: str, legend: bool) -> str:
    xs, bottom = _layout(picture)
    width = max(xs.values(), default=_MARGIN) + _BOX_W + _BULGE + _MARGIN
    width = max(width, 560)
    height = bottom + (64 if legend else 40)
    root = ET.Element("svg", {"xmlns": SVG_NS, "class": "weaklink-graph", "viewBox": f"0 0 {width} {height}",
                              "width": str(width), "height": str(height), "role": "img",
                              "font-family": _FONT})
    _sub(root, "title", title)
    defs = _sub(root, "defs")
    for ident, colour in (("wl-arrow", "#57606a"), ("wl-arrow-broken", _BROKEN)):
        marker = _sub(defs, "marker", id=ident, viewBox="0 0 10 10", refX=9, refY=5, markerWidth=9, markerHeight=9,
                      orient="auto-start-reverse", markerUnits="userSpaceOnUse")
        _sub(marker, "path", d="M0,0 L10,5 L0,10 z", fill=colour)
    _sub(root, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
    _text(root, _MARGIN, 30, _fit(title, width - 2 * _MARGIN, 8.6), size=16, weight="700")
    for column, x in xs.items():
        _text(root, x + _BOX_W / 2, _TOP - 14, _HEADINGS[column].upper(), size=10, fill=_MUTED, weight="600",
              anchor="middle")
    edges_layer = _sub(root, "g", class_="edges")
    ordered_edges = sorted(picture.edges.values(), key=lambda e: (e.broken, e.source, e.target, e.kind))
    for edge in ordered_edges:
        _draw_edge(edges_layer, edge, picture.nodes)
    nodes_layer = _sub(root, "g", class_="nodes")
    for key in sorted(picture.nodes, key=lambda k: (picture.nodes[k].column, picture.nodes[k].y, k)):
        _draw_node(nodes_layer, picture.nodes[key])
    y = bottom + 26
    if legend:
        marked = any(e.broken for e in picture.edges.values()) or any(n.broken for n in picture.nodes.values())
        _draw_legend(root, y, marked)
        y += 22
    _text(root, _MARGIN, y, _fit(caption, width - 2 * _MARGIN, 6.2), size=11, fill=_MUTED, weight="400").set(
        "class", "caption")
    return ET.tostring(root, encoding="unicode") + "\n"


def graph_svg(home: HomeGraph, report: TraceReport | None = None, *, max_nodes: int = 60) -> str:
    """A standalone SVG picture of the part of the home the chain runs through, with the broken link marked."""
    if report is None:
        picture, caption = _whole_home(home, max_nodes)
        return _draw(picture, "The home", caption, legend=False)
    chain = _Chain(home, report)
    link = report.broken_link
    title = f"{report.scenario} — {report.verdict.value}"
    if link is not None:
        caption = (f"Broken at step {link.step} ({link.step_name}): {link.element_name or link.element}, "
                   f"{link.layer.value} layer.")
    else:
        caption = "Every step passed." if report.verdict.value == "ok" else "No broken link was named."
    return _draw(chain, title, caption, legend=True)
