"""Probes as evidence: which probes are about a hop, and what they change in its verdict.

The recorded tracer names a broken hop from history alone: what changed, what did not, what
the platform logged. Live, weaklink has also asked every host directly, and a probe often
knows better: history says the porch relay was "off the network", the relay itself answers
with garbled JSON; history says the light was commanded and stayed off, the bridge says its
Zigbee link is down. This module decides, for one hop:

- which failing probes are about it (`relevant`): about the hop's entity, the device behind
  it as any source names it, the hub it hangs off, the integration that carries it (for a
  person: the trackers it follows), and the hosts those live on. A probe is *direct* when it
  comes from the host that is the device or its hub, rather than from the platform (Home
  Assistant) that mirrors it;
- which of them explains the hop (`strongest`) and whether it overrides what history found
  (`revise`): a finding overrides a layer it explains (an integration that failed explains
  its devices being unavailable; a hub that is gone explains the radio devices behind it); a
  direct probe that got an answer disproves history's guess that the device was off the
  network; a direct probe that says how a device failed (overpower) says more than "it stayed
  off"; a hop that was late, with its host too slow to answer a probe, names that host;
- what else is wrong on the chain's hosts though it broke nothing this run (`concerns`): a
  host that moved address, one that no longer announces itself over mDNS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..graph import HomeGraph
from ..model import ProbeResult
from ..report import BrokenLink, Concern, Evidence, Layer
from ..tracer.causes import CAUSES
from .collect import HostVisit, LiveState
from .contract import HostSpec

# Which history layers a probe's layer explains (and so replaces). Logic and timing are only
# ever known from history, so no probe overrides them (but see `revise` for a slow host).
EXPLAINS = {
    Layer.INTEGRATION: {Layer.TRIGGER, Layer.NETWORK, Layer.HUB, Layer.RADIO, Layer.DEVICE},
    Layer.HUB: {Layer.TRIGGER, Layer.RADIO, Layer.DEVICE},
    Layer.NETWORK: {Layer.TRIGGER, Layer.DEVICE},
    Layer.RADIO: {Layer.TRIGGER, Layer.DEVICE},
    Layer.DEVICE: {Layer.TRIGGER},
}
# Among the failing probes of a hop, the one that explains most is the cause.
PRIORITY = {Layer.INTEGRATION: 5, Layer.HUB: 4, Layer.NETWORK: 3, Layer.RADIO: 2, Layer.DEVICE: 1}
_CAUSE_OF_LAYER = {Layer.INTEGRATION: "integration_failed", Layer.NETWORK: "device_offline",
                   Layer.HUB: "hub_offline", Layer.RADIO: "radio_link_lost", Layer.DEVICE: "device_fault"}
_CAUSE_OF_PROBLEM = {"garbled": "garbled_answers", "credentials": "credentials_rejected",
                     "identity": "identity_unconfirmed", "moved": "host_moved", "not_advertised": "not_advertised"}
WHO = {Layer.INTEGRATION: "its credentials or its link to the vendor", Layer.NETWORK: "the host on the home network",
       Layer.HUB: "the hub and the devices behind it", Layer.RADIO: "the device's radio link (placement, power, range)",
       Layer.DEVICE: "the device itself", Layer.TIMING: "the host that answers too slowly"}
# Problems that say where a host is, not why a hop broke: concerns, never the broken link.
WHEREABOUTS = frozenset({"moved", "not_advertised"})
# Problems of a host as a whole (it does not answer, or not in its protocol), not of one device behind it.
HOST_PROBLEMS = frozenset({"unreachable", "timeout", "garbled", "identity"})


@dataclass(frozen=True)
class Seen:
    """One failing probe about a hop, the host that answered it, and whether it is direct."""

    probe: ProbeResult
    host: HostSpec
    direct: bool
    layer: Layer | None = None  # the layer it points at for this hop, once ranked


def cause_of(probe: ProbeResult, layer: Layer) -> str:
    """The cause code a probe's finding stands for."""
    return _CAUSE_OF_PROBLEM.get(probe.problem or "", _CAUSE_OF_LAYER.get(layer, "device_fault"))


def name_of(state: LiveState, element: str) -> str | None:
    """The name a source gives the device or capability `element`."""
    for visit in state.visits:
        for item in (*visit.fragment.devices, *visit.fragment.capabilities) if visit.fragment else ():
            if item.id == element and item.name:
                return item.name
    return None


def _followed(graph: HomeGraph, entity: str) -> list[str]:
    """The entity and what it follows: a person is where their device trackers say."""
    capability = graph.capability(entity)
    trackers = capability.attributes.get("device_trackers") if capability is not None else None
    return [entity, *(str(t) for t in trackers)] if isinstance(trackers, list) else [entity]


def _serves(visit: HostVisit, domains: set[str], adapters_domains: dict[str, set[str]]) -> bool:
    return bool(domains & ({visit.host.adapter} | adapters_domains.get(visit.host.adapter, set())))


def relevant(state: LiveState, entity: str | None, platform_domains: dict[str, set[str]]) -> list[Seen]:
    """The failing probes about the hop whose entity is `entity` (see the module's docstring).

    `platform_domains` maps an adapter name to the platform integration domains that reach
    its brand (its manifest's `platform_domains`)."""
    if entity is None:
        return []
    graph = state.graph
    entities = _followed(graph, entity)
    related = []
    for name in entities:
        if (device := graph.device_of(name)) is not None:
            related += [device, *([hub] if (hub := graph.hub_of(device)) else [])]
    keys = {(i.kind, i.value) for item in related for i in item.identifiers}
    addresses = {item.host for item in related if item.host}
    names: set[str] = set(entities) | {item.id for item in related}
    for item in related:
        names.update(c.id for c in graph.capabilities_of(item))
    domains = {integration.domain for name in entities if (integration := graph.integration_of(name))}
    names |= domains
    platforms = [v for v in state.visits if v.fragment and any(c.id in entities for c in v.fragment.capabilities)]
    behind: list[HostVisit] = []
    for visit in state.visits:
        if visit in platforms or visit.fragment is None:
            continue
        own = [d for d in visit.fragment.devices if keys & {(i.kind, i.value) for i in d.identifiers}]
        if own:
            behind.append(visit)
            for known in own:  # the same devices under this source's own ids
                names.add(known.id)
                names.update(c.id for c in visit.fragment.capabilities if c.device_id == known.id)
    # A host that could not be read is behind the hop when it is where the device lives, or,
    # where that is not known, when its brand is what the hop's integration reaches.
    unread = [v for v in state.visits if v.fragment is None and v not in platforms
              and _serves(v, domains, platform_domains)]
    at_address = [v for v in unread if v.host.address in addresses]
    behind += at_address or ([] if addresses and behind else unread)
    found = []
    for visit in state.visits:
        direct = visit in behind
        if not direct and visit not in platforms:
            continue
        for probe in visit.probes:
            if probe.ok:
                continue
            if (direct and visit.fragment is None) or probe.element in names or probe.element == visit.host.label:
                found.append(Seen(probe, visit.host, direct))
    return found


def _layer(seen: Seen, graph: HomeGraph, entity: str, domains: set[str]) -> Layer | None:
    """The layer a failing probe points at for this hop (None: it explains nothing about it)."""
    probe, host = seen.probe, seen.host
    if probe.layer not in Layer._value2member_map_ or probe.problem in WHEREABOUTS:
        return None
    layer = Layer(probe.layer)
    if layer is Layer.INTEGRATION and not seen.direct and not domains & {probe.element, host.adapter}:
        return None  # another integration's trouble explains nothing about this hop
    device = graph.device_of(entity)
    if seen.direct and device is not None and device.transport.is_radio \
            and (layer is Layer.NETWORK or probe.problem in HOST_PROBLEMS):
        return Layer.HUB  # the host that is gone, or garbled, is the hub this radio device hangs off
    return layer


def strongest(seen: Sequence[Seen], graph: HomeGraph, entity: str) -> Seen | None:
    """The failing probe that explains most about the hop: the highest layer; between equals,
    one about the hop's integration, then one straight from the device's own host."""
    domains = {i.domain for name in _followed(graph, entity) if (i := graph.integration_of(name))}
    ranked = [Seen(s.probe, s.host, s.direct, layer) for s in seen
              if (layer := _layer(s, graph, entity, domains)) in PRIORITY]
    if not ranked:
        return None
    return max(ranked, key=lambda s: (PRIORITY[s.layer], s.probe.element in domains, s.direct))  # type: ignore[index]


def revise(link: BrokenLink, best: Seen | None, state: LiveState) -> BrokenLink:
    """The broken link as history found it, or as the strongest probe explains it better."""
    if best is None or best.layer is None:
        return link
    probe, host, layer = best.probe, best.host, best.layer
    name = name_of(state, probe.element) or host.label
    if link.layer is Layer.TIMING:
        if not (best.direct and probe.problem == "timeout"):
            return link
        cause = CAUSES["host_slow"]  # late, and its host is too slow to answer: the host held the chain up
        return link.model_copy(update={
            "element": probe.element, "element_name": name, "cause": cause.code,
            "summary": f"{link.summary}: {host.label} is slow to answer ({probe.detail})",
            "responsible": f"{host.label} ({host.adapter}): {WHO[Layer.TIMING]}",
            "fix": cause.fix.format(element=probe.element, name=name, detail=probe.detail)})
    overrides = (link.layer in EXPLAINS[layer]
                 or (link.layer is Layer.LOGIC and link.cause == "no_automation")
                 # the device's own host answered: it was not off the network, whatever history guessed
                 or (best.direct and layer is Layer.DEVICE and link.layer is Layer.NETWORK)
                 # the device's host says how it failed, history only that it did
                 or (best.direct and layer is Layer.DEVICE and link.layer is Layer.DEVICE))
    if not overrides:
        return link
    cause = CAUSES[cause_of(probe, layer)]
    return link.model_copy(update={
        "element": probe.element, "element_name": name, "layer": layer, "cause": cause.code,
        "summary": probe.detail, "responsible": f"{host.label} ({host.adapter}): {WHO[layer]}",
        "fix": cause.fix.format(element=probe.element, name=name, detail=probe.detail)})


def concern(probe: ProbeResult, host: HostSpec, state: LiveState, step: int | None) -> Concern:
    """A failing probe, as a concern of the report."""
    layer = Layer(probe.layer) if probe.layer in PRIORITY else Layer.NETWORK
    cause = CAUSES[cause_of(probe, layer)]
    name = name_of(state, probe.element) or host.label
    return Concern(
        step=step, element=probe.element, element_name=name, layer=layer, cause=cause.code, summary=probe.detail,
        responsible=f"{host.label} ({host.adapter}): {WHO.get(layer, 'the host')}",
        evidence=[Evidence(kind="probe", detail=probe.detail, at=probe.at, element=probe.element, source=host.label)],
        fix=cause.fix.format(element=probe.element, name=name, detail=probe.detail))


def concerns(state: LiveState, entities: Sequence[str | None], platform_domains: dict[str, set[str]],
             *, everything: bool) -> list[Concern]:
    """Where the chain's hosts are not what the home file says (moved, not announced); with
    `everything`, every other failing probe about the chain too (the chain passed: what is
    wrong did not break it this time)."""
    found: list[Concern] = []
    seen: set[tuple[str, str | None, str]] = set()
    for index, entity in enumerate(entities, start=1):
        for item in relevant(state, entity, platform_domains):
            probe = item.probe
            if probe.problem not in WHEREABOUTS and not everything:
                continue
            key = (probe.element, probe.problem, probe.detail)
            if key not in seen:
                seen.add(key)
                found.append(concern(probe, item.host, state, index))
    return found
