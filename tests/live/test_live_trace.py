"""The live trace end to end on a simulated Hue bridge, with the real Hue adapter.

The chain is two lights: "the driveway light comes on, then the porch light follows within
5 s". Nothing in this bridge links them, so the test plays the automation: when it sees the
driveway light on, it switches the porch light. weaklink actuates the first step itself
(`actuate`), watches the bridge's event stream, and names the broken link from what it saw
and what it probed.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from weaklink.adapters import live_adapters
from weaklink.live.contract import ActuationRefused
from weaklink.live.trace import LiveTrace
from weaklink.scenario import Scenario
from weaklink.sim import Fault, FaultKind
from weaklink.sim.home import VirtualHome, VirtualHomeSpec
from weaklink.sim.homeassistant import HomeAssistantSpec
from weaklink.sim.hue import HueBridgeSpec
from weaklink.sim.livehome import live_home

CHAIN = Scenario.model_validate({"name": "Porch follows driveway", "steps": [
    {"name": "Driveway light on", "device": "Driveway", "state": "on"},
    {"name": "Porch light follows", "device": "Porch", "state": "on", "within": "5s"},
]})


@pytest.fixture
async def home(address: str) -> AsyncIterator[VirtualHome]:
    bridge = HueBridgeSpec(name="Hue Bridge", address=address, port=8443, lights=[
        {"id": "1", "name": "Driveway"}, {"id": "2", "name": "Porch"}, {"id": "3", "name": "Hallway", "on": True}])
    async with VirtualHome(VirtualHomeSpec(name="Two lights", hosts=[bridge])) as started:
        yield started


async def follow(home: VirtualHome) -> None:
    """The automation this test plays: the porch light follows the driveway light."""
    bridge = home.host("Hue Bridge")
    while not bridge.node("light", "1").on:  # type: ignore[attr-defined]
        await asyncio.sleep(0.02)
    bridge.set_light("2", on=True)  # type: ignore[attr-defined]


async def trace(home: VirtualHome) -> object:
    follower = asyncio.ensure_future(follow(home))
    try:
        return await LiveTrace(live_home(home), live_adapters(), timeout=1, wait=10, actuate=True).run(CHAIN)
    finally:
        follower.cancel()


async def test_a_healthy_chain_is_seen_running(home: VirtualHome) -> None:
    report = await trace(home)
    assert (report.mode, report.verdict.value) == ("live", "ok"), report.summary  # type: ignore[attr-defined]
    assert [step.status.value for step in report.steps] == ["passed", "passed"]  # type: ignore[attr-defined]


async def test_a_light_off_its_zigbee_mesh_is_the_broken_link_at_the_radio_layer(home: VirtualHome) -> None:
    await home.host("Hue Bridge").inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="2"))
    report = await trace(home)
    link = report.broken_link  # type: ignore[attr-defined]
    assert report.verdict.value == "broken" and link is not None  # type: ignore[attr-defined]
    assert (link.step, link.layer.value, link.cause) == (2, "radio", "radio_link_lost"), link.summary
    assert "Porch" in link.summary and any(e.kind == "probe" for e in link.evidence)


async def test_a_garage_door_is_never_actuated_unless_named(fresh_address) -> None:  # type: ignore[no-untyped-def]
    """Home Assistant's garage door opens only when the user named it with --allow."""
    chain = Scenario.model_validate({"name": "Open the garage", "steps": [
        {"entity": "cover.garage_door", "state": "open"}, {"entity": "light.driveway", "state": "on", "within": "2s"}]})
    spec = VirtualHomeSpec(name="HA", hosts=[HomeAssistantSpec(address=fresh_address(), uuid=secrets.token_hex(16))])
    async with VirtualHome(spec) as home:
        ha = home.host("homeassistant")
        with pytest.raises(ActuationRefused, match="cover.garage_door"):
            await LiveTrace(live_home(home), live_adapters(), timeout=2, wait=2, actuate=True).run(chain)
        assert ha.state("cover.garage_door").state == "closed"  # type: ignore[attr-defined]
        report = await LiveTrace(live_home(home), live_adapters(), timeout=2, wait=3, actuate=True,
                                 allow={"cover.garage_door"}).run(chain)
        assert ha.state("cover.garage_door").state == "open"  # type: ignore[attr-defined]
        assert report.steps[0].status.value == "passed"
