"""Probing a whole live home at once, against the virtual home and the installed adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from weaklink.adapters import live_adapters
from weaklink.errors import InputError
from weaklink.live.collect import collect
from weaklink.live.homefile import LiveHome
from weaklink.sim.home import VirtualHome, load_virtual_home
from weaklink.sim.http import HttpHost
from weaklink.sim.livehome import live_home

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"


@pytest.fixture
async def home(fresh_address: Callable[[], str]) -> AsyncIterator[VirtualHome]:
    spec = load_virtual_home(EXAMPLE)
    spec = spec.model_copy(update={"hosts": [h.model_copy(update={"address": fresh_address()}) for h in spec.hosts]})
    async with VirtualHome(spec, high_ports=True) as started:
        yield started


def reachable(home: VirtualHome) -> LiveHome:
    """The virtual home's live home file, for the hosts an installed adapter can talk to."""
    live = live_home(home)
    return live.model_copy(update={"hosts": [h for h in live.hosts if h.adapter in live_adapters()]})


async def test_a_healthy_home_probes_healthy_and_builds_one_graph(home: VirtualHome) -> None:
    live = reachable(home)
    state = await collect(live, live_adapters(), timeout=2)
    try:
        assert state.healthy, [p for p in state.probes if not p.ok]
        assert {v.host.name for v in state.visits if v.fragment is not None} == {h.name for h in live.hosts}
        brands = {device.brand for device in state.graph.devices}
        assert {"Shelly", "Xiaomi"} <= brands and any("Hue" in (b or "") or "Signify" in (b or "") for b in brands)
    finally:
        await state.close()


async def test_dead_and_silent_hosts_are_findings_and_every_host_is_asked_at_once(home: VirtualHome) -> None:
    await home.inject("Hue Bridge:host_down")
    await home.inject("Porch relay:drop")
    state = await collect(reachable(home), live_adapters(), timeout=2)
    try:
        failing = {(p.layer, v.host.name) for v in state.visits for p in v.probes if not p.ok}
        assert ("network", "Hue Bridge") in failing and ("network", "Porch relay") in failing
        # Home Assistant sees the two devices it reaches through them go unavailable, nothing else
        assert {name for _, name in failing} == {"Hue Bridge", "Porch relay", "Home Assistant"}
        ha = [p for v in state.visits if v.host.name == "Home Assistant" for p in v.probes if not p.ok]
        assert {p.element for p in ha} == {"light.driveway", "switch.porch"}, [(p.element, p.detail) for p in ha]
        # concurrency, without timing anything: every visit began before any of them ended
        assert max(v.started for v in state.visits) < min(v.finished for v in state.visits)
    finally:
        await state.close()


async def test_a_host_for_an_adapter_not_installed_is_bad_input(home: VirtualHome) -> None:
    live = reachable(home)
    strange = live.hosts[0].model_copy(update={"adapter": "zwavejs"})
    with pytest.raises(InputError, match="no installed adapter named 'zwavejs'"):
        await collect(live.model_copy(update={"hosts": [strange]}), live_adapters())


async def test_a_health_check_probes_without_snapshotting(home: VirtualHome) -> None:
    state = await collect(reachable(home), live_adapters(), timeout=2, snapshot=False)
    try:
        assert state.healthy and state.probes
        assert all(visit.fragment is None for visit in state.visits) and not state.graph.devices
    finally:
        await state.close()


@pytest.mark.parametrize("name", ["Porch relay", "Hue Bridge"])
async def test_a_silent_host_is_asked_once_not_again_by_its_probe_and_snapshot(home: VirtualHome, name: str) -> None:
    # what bounds a full probe to about one timeout: a host that held back its first answer is
    # not asked again within the same visit (its probe reports what connecting met)
    await home.inject(f"{name}:drop")
    host = home.host(name)
    assert isinstance(host, HttpHost)
    live = reachable(home)
    state = await collect(live.model_copy(update={"hosts": [h for h in live.hosts if h.name == name]}),
                          live_adapters(), timeout=0.5)
    try:
        [visit] = state.visits
        assert [p.problem for p in visit.probes] == ["timeout"] and visit.fragment is None
        assert len(host.request_log) == 1, host.request_log
    finally:
        await state.close()
