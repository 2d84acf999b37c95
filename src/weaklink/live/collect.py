"""Asking every host of a live home at once: connect, snapshot and probe, concurrently.

Each host is visited by one task (connect, then snapshot and probe side by side), and all
hosts at once, so a home with a dead host answers in about one probe timeout however many
hosts it has. Nothing here raises for a sick host: what cannot be reached becomes a failing
`ProbeResult` naming the host, with the layer the failure points at.

Meanwhile mDNS is listened to (`locate`): a host that announces itself at another address
than the home file's, and could not be reached at the old one, is visited where it is now
(a `moved` finding says so); a host that does not announce itself at all gets a
`not_advertised` finding, whether or not it answered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError, WeaklinkError
from ..graph import HomeGraph
from ..model import HomeFragment, ProbeResult
from .contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec, LiveAdapter, LiveSession
from .homefile import LiveHome
from .locate import Whereabouts, locate
from .secrets import mask

BACKSTOP = 1.5  # times the probe timeout an adapter's connect, probe or snapshot may take before it is cut off


@dataclass
class HostVisit:
    """What one host told us."""

    host: HostSpec
    session: LiveSession | None = None
    fragment: HomeFragment | None = None
    probes: list[ProbeResult] = field(default_factory=list)
    started: float = 0.0  # monotonic clock: when the visit began and ended
    finished: float = 0.0


@dataclass
class LiveState:
    """Every host's answers, and the home graph built from their snapshots."""

    visits: list[HostVisit]
    graph: HomeGraph
    seconds: float
    listened: bool = False  # whether mDNS was listened to (so `not_advertised` findings mean something)

    @property
    def probes(self) -> list[ProbeResult]:
        """Every probe result, host by host."""
        return [probe for visit in self.visits for probe in visit.probes]

    @property
    def healthy(self) -> bool:
        """True when every probe passed."""
        return all(probe.ok for probe in self.probes)

    async def close(self) -> None:
        """Close every session."""
        await asyncio.gather(*(v.session.close() for v in self.visits if v.session), return_exceptions=True)


async def collect(home: LiveHome, adapters: Mapping[str, LiveAdapter],
                  timeout: float = DEFAULT_PROBE_TIMEOUT, *, snapshot: bool = True, mdns: bool = True) -> LiveState:
    """Connect to, snapshot and probe every host of `home` at once (`snapshot=False`: probe only,
    for a health check that needs no graph), listening to mDNS meanwhile (`mdns=False`: not;
    hosts are then only looked for where the home file says).

    A host naming an adapter that is not installed is bad input (the home file is wrong).
    """
    missing = sorted({h.adapter for h in home.hosts} - set(adapters))
    if missing:
        raise InputError(f"no installed adapter named {missing[0]!r} (installed: {', '.join(sorted(adapters))})",
                         source=home.source, field="hosts")
    for name in sorted({h.adapter for h in home.hosts}):
        if (prepare := getattr(adapters[name], "prepare", None)) is not None:
            prepare()  # before any timeout starts: loading a client is not the host's slowness
    started = time.monotonic()
    listening = asyncio.ensure_future(locate(home.hosts, adapters, timeout)) if mdns else None
    visits = list(await asyncio.gather(*(_visit(host, adapters[host.adapter], timeout, snapshot)
                                         for host in home.hosts)))
    whereabouts = await listening if listening is not None else None
    if whereabouts is not None:
        visits = await _follow(visits, whereabouts, adapters, timeout, snapshot)
    graph = HomeGraph.from_fragments([v.fragment for v in visits if v.fragment is not None])
    return LiveState(visits, graph, time.monotonic() - started, listened=whereabouts is not None)


async def _follow(visits: list[HostVisit], whereabouts: Whereabouts, adapters: Mapping[str, LiveAdapter],
                  timeout: float, snapshot: bool) -> list[HostVisit]:
    """Visit again, where they announce themselves now, the hosts that could not be reached
    where the home file says; note the hosts that announce themselves nowhere."""
    async def follow(visit: HostVisit, found: Discovered | None) -> HostVisit:
        host = visit.host
        if found is None:
            # a host that does not answer at all is not announced either: that says nothing more
            types = adapters[host.adapter].manifest.mdns_types  # type: ignore[attr-defined]
            if types and not silent(visit.probes) and whereabouts.settled:  # silence means something only once it settled
                visit.probes.append(ProbeResult(
                    element=host.label, layer="network", ok=False, problem="not_advertised",
                    detail=f"{host.label} answers, but does not announce itself over mDNS ({', '.join(types)})"))
            return visit
        moved = found.address != host.address or (found.port is not None and host.port is not None
                                                   and found.port != host.port)
        if not moved or any(probe.ok and probe.layer == "network" for probe in visit.probes):
            return visit  # where the home file says, or reached there all the same
        if visit.session is not None:
            await visit.session.close()
        where = f"{found.address}:{found.port}" if found.port else found.address
        there = await _visit(host.model_copy(update={"address": found.address, "port": found.port or host.port}),
                             adapters[host.adapter], timeout, snapshot)
        there.started = visit.started
        there.probes.insert(0, ProbeResult(
            element=host.label, layer="network", ok=False, problem="moved",
            detail=f"{host.label} announces itself at {where}, not at {host.address} as the home file says "
                   f"(there: {'; '.join(p.detail for p in visit.probes if not p.ok) or 'no answer'})"))
        return there

    return list(await asyncio.gather(*(follow(visit, found) for visit, found in zip(visits, whereabouts.heard))))


async def _visit(host: HostSpec, adapter: LiveAdapter, timeout: float, snapshot: bool) -> HostVisit:
    visit = HostVisit(host, started=time.monotonic())
    try:
        # the adapter bounds its own connect (a host that does not answer still gets a session,
        # whose probe names the device); this is the backstop for one that does not
        visit.session = await _bounded(adapter.connect(host, timeout), timeout)
    except TimeoutError:
        visit.probes.append(_failed(host, "network", f"no answer within {BACKSTOP * timeout:g} s", "timeout"))
    except WeaklinkError as exc:  # an adapter's own verdict: identity mismatch, refused credentials
        visit.probes.append(_failed(host, getattr(exc, "layer", "network"), mask(str(exc)), getattr(exc, "problem", None)))
    except OSError as exc:
        visit.probes.append(_failed(host, "network", mask(str(exc) or type(exc).__name__), "unreachable"))
    if visit.session is not None:
        reading = asyncio.ensure_future(_bounded(visit.session.snapshot(), timeout)) if snapshot else None
        try:
            visit.probes.extend(await _bounded(visit.session.probe(timeout), timeout))
        except Exception as exc:  # noqa: BLE001 - a probe that breaks its contract is a finding, not a crash
            visit.probes.append(_failed(host, "network", f"probe did not finish: {mask(str(exc)) or type(exc).__name__}"))
        if reading is not None:
            if silent(visit.probes):
                reading.cancel()  # a host that answers nothing will not answer for its snapshot either
            fragment = (await asyncio.gather(reading, return_exceptions=True))[0]
            if isinstance(fragment, HomeFragment):
                visit.fragment = fragment
    visit.finished = time.monotonic()
    return visit


def silent(probes: list[ProbeResult]) -> bool:
    """True when the host answered nothing: every probe failed for want of an answer."""
    return bool(probes) and all(not p.ok and p.problem in ("unreachable", "timeout") for p in probes)


async def _bounded(awaitable, timeout: float):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(awaitable, timeout * BACKSTOP)


def _failed(host: HostSpec, layer: str, detail: str, problem: str | None = None) -> ProbeResult:
    return ProbeResult(element=host.label, layer=layer, ok=False, detail=detail, problem=problem)
