"""Asking every host of a live home at once: connect, snapshot and probe, concurrently.

Each host is visited by one task (connect, then snapshot and probe side by side), and all
hosts at once, so a home with a dead host answers in about one probe timeout however many
hosts it has. Nothing here raises for a sick host: what cannot be reached becomes a failing
`ProbeResult` naming the host, with the layer the failure points at.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError, WeaklinkError
from ..graph import HomeGraph
from ..model import HomeFragment, ProbeResult
from .contract import DEFAULT_PROBE_TIMEOUT, HostSpec, LiveAdapter, LiveSession
from .homefile import LiveHome
from .secrets import mask


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
                  timeout: float = DEFAULT_PROBE_TIMEOUT, *, snapshot: bool = True) -> LiveState:
    """Connect to, snapshot and probe every host of `home` at once (`snapshot=False`: probe only,
    for a health check that needs no graph).

    A host naming an adapter that is not installed is bad input (the home file is wrong).
    """
    missing = sorted({h.adapter for h in home.hosts} - set(adapters))
    if missing:
        raise InputError(f"no installed adapter named {missing[0]!r} (installed: {', '.join(sorted(adapters))})",
                         source=home.source, field="hosts")
    started = time.monotonic()
    visits = await asyncio.gather(*(_visit(host, adapters[host.adapter], timeout, snapshot) for host in home.hosts))
    graph = HomeGraph.from_fragments([v.fragment for v in visits if v.fragment is not None])
    return LiveState(list(visits), graph, time.monotonic() - started)


async def _visit(host: HostSpec, adapter: LiveAdapter, timeout: float, snapshot: bool) -> HostVisit:
    visit = HostVisit(host, started=time.monotonic())
    try:
        visit.session = await asyncio.wait_for(adapter.connect(host, timeout), timeout)
    except TimeoutError:
        visit.probes.append(_failed(host, "network", f"no answer within {timeout:g} s"))
    except WeaklinkError as exc:  # an adapter's own verdict: identity mismatch, refused credentials
        visit.probes.append(_failed(host, getattr(exc, "layer", "network"), mask(str(exc))))
    except OSError as exc:
        visit.probes.append(_failed(host, "network", mask(str(exc) or type(exc).__name__)))
    if visit.session is not None:
        probes, fragment = await asyncio.gather(
            _bounded(visit.session.probe(timeout), timeout),
            _bounded(visit.session.snapshot(), timeout) if snapshot else _nothing(),
            return_exceptions=True)
        if isinstance(probes, list):
            visit.probes.extend(probes)
        else:
            visit.probes.append(_failed(host, "network", f"probe did not finish: {mask(str(probes)) or type(probes).__name__}"))
        if isinstance(fragment, HomeFragment):
            visit.fragment = fragment
    visit.finished = time.monotonic()
    return visit


async def _nothing() -> None:
    return None


async def _bounded(awaitable, timeout: float):  # type: ignore[no-untyped-def]
    # the adapter bounds its own probe; this is the backstop for one that does not
    return await asyncio.wait_for(awaitable, timeout * 1.5)


def _failed(host: HostSpec, layer: str, detail: str) -> ProbeResult:
    return ProbeResult(element=host.label, layer=layer, ok=False, detail=detail)
