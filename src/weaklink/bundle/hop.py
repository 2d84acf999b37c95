"""The broken hop of a report and who it is escalated to.

A report names its broken link by an element (an entity, a hub's device id, an integration's
domain) and a step. `broken_hop` turns that into what the home graph knows about it: the
entities, the automations carrying the hop, the devices (the failing one, then its hubs)
and their integrations. `hop_exports` says which of the customer's exports describe it, and
`responsible_party` which company (or the home's own configuration) it is escalated to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..graph import HomeGraph
from ..home import OpenHome
from ..model import Device, HomeFragment
from ..report import TraceReport

_HOME_CONFIG = "the home's own configuration"
_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")


@dataclass(frozen=True)
class Hop:
    """The elements of a report's broken hop, as the home graph knows them."""

    entities: tuple[str, ...]  # the failed step's subject, the broken element when an entity
    automations: tuple[str, ...]  # the automations and scripts carrying the hop
    devices: tuple[Device, ...]  # merged devices: the failing one first, then hubs
    integrations: tuple[str, ...]  # integration (config entry) ids

    def domains(self, graph: HomeGraph) -> list[str]:
        """The vendor domains of the hop's integrations."""
        found = (graph.integration(i) for i in self.integrations)
        return sorted({integration.domain for integration in found if integration is not None})


def broken_hop(report: TraceReport, home: OpenHome) -> Hop | None:
    """The elements of the report's broken hop (None when nothing broke)."""
    link = report.broken_link
    if link is None:
        return None
    graph = home.graph
    step = next((s for s in report.steps if s.index == link.step), None)
    entities: list[str] = []
    automations: list[str] = list(step.carried_by) if step else []
    for candidate in (link.element, step.subject if step else None):
        if not candidate:
            continue
        if graph.automation(candidate) is not None or candidate.startswith(("automation.", "script.")):
            automations.append(candidate)
        elif _ENTITY_ID.match(candidate):
            entities.append(candidate)
    devices: list[Device] = []

    def add(device: Device | None) -> None:
        if device is not None and all(device is not known for known in devices):
            devices.append(device)

    add(graph.device(link.element))  # a hub is named by its device id
    for entity in entities:
        add(graph.device_of(entity))
        capability = graph.capability(entity)
        trackers = capability.attributes.get("device_trackers", []) if capability else []
        for tracker in trackers if isinstance(trackers, list) else []:
            add(graph.device_of(str(tracker)))  # a person is located by their phone
    for item in link.evidence:
        if item.element:
            add(graph.device(item.element))
    for device in list(devices):
        add(graph.hub_of(device))
    integrations: list[str] = []
    for entity in entities:
        integration = graph.integration_of(entity)
        if integration is not None:
            integrations.append(integration.id)
    for device in devices:
        integrations += [i for i in device.integration_ids if graph.integration(i) is not None]
    if not any((found := graph.integration(i)) is not None and found.domain == link.element for i in integrations):
        integrations += [i.id for i in graph.integrations_for_domain(link.element)]  # an integration named by domain
    return Hop(entities=tuple(dict.fromkeys(entities)), automations=tuple(dict.fromkeys(automations)),
               devices=tuple(devices), integrations=tuple(dict.fromkeys(integrations)))


def _describes(fragment: HomeFragment, hop: Hop, sources: set[str]) -> bool:
    """Whether one source's fragment says something about the hop."""
    return (fragment.source in sources
            or any(c.id in hop.entities for c in fragment.capabilities)
            or any(a.entity_id in hop.automations for a in fragment.automations)
            or any(i.id in hop.integrations for i in fragment.integrations))


def hop_exports(hop: Hop, home: OpenHome) -> list[tuple[Path, str]]:
    """The exports (path, adapter) whose sources describe the hop, in the order they were read."""
    sources = {report.source for device in hop.devices for report in home.graph.reports_of(device)}
    read, fragments = home.imported.read, home.imported.fragments
    if len(read) == len(fragments):  # read in step with the fragments: one entry per adapter per export
        return [export for export, fragment in zip(read, fragments, strict=True) if _describes(fragment, hop, sources)]
    return [(path, adapter) for path, adapter in read if str(path) in sources]


@dataclass(frozen=True)
class Party:
    """Who a broken link is escalated to."""

    name: str  # who to escalate to (BrokenLink.responsible, shortened to the company / party)
    brands: tuple[str, ...]  # the brands involved in the broken hop
    adapters: tuple[str, ...]  # the adapter names whose exports describe the broken hop

    @property
    def slug(self) -> str:
        """The name for a file name: `signify-netherlands-b-v`."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.casefold()).strip("-")[:48].strip("-") or "party"


def responsible_party(report: TraceReport, home: OpenHome) -> Party | None:
    """Who the report's broken link should be escalated to (None when nothing broke)."""
    hop = broken_hop(report, home)
    if hop is None or report.broken_link is None:
        return None
    brands = tuple(sorted({device.brand for device in hop.devices if device.brand}))
    adapters = tuple(sorted({adapter for _, adapter in hop_exports(hop, home)}))
    return Party(name=_party_name(report.broken_link.responsible, hop, home.graph), brands=brands, adapters=adapters)


def _party_name(responsible: str, hop: Hop, graph: HomeGraph) -> str:
    text = " ".join(responsible.split())
    if text.startswith(_HOME_CONFIG):
        return _HOME_CONFIG
    # The company behind a device: its brand, as the tracer names it ("Signify Netherlands B.V. Hue Lily …").
    own = [device.brand for device in hop.devices if device.brand]
    others = sorted({device.brand for device in graph.devices if device.brand}, key=len, reverse=True)
    for brand in [*own, *others]:
        if re.search(rf"(?<!\w){re.escape(brand)}(?!\w)", text):
            return brand
    head = text.split(": ", 1)[0]  # "Hue Bridge (hue): the hub and the devices behind it"
    return re.sub(r"\s*\([^()]*\)$", "", head) or head
