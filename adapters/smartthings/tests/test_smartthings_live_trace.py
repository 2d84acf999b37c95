"""The live trace end to end on a simulated SmartThings account, with the real adapter.

The chain: "motion in the hallway, then the porch light comes on within 3 s". In a real
account a SmartThings routine in the cloud does that; the simulator has no routines, so the
test plays it: when the hallway sensor reports motion, the cloud switches the light, subject
to the account's faults (a light that is offline gets a FAILED command and stays off).
weaklink watches the account by polling its device list, and names the broken link from what
it saw and what it probed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from weaklink.adapters import live_adapters
from weaklink.live.trace import LiveTrace
from weaklink.report import TraceReport
from weaklink.scenario import Scenario
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink.sim.home import VirtualHome, VirtualHomeSpec
from weaklink.sim.livehome import live_home
from weaklink.sim.smartthings import SmartThingsCloud, SmartThingsSpec

CHAIN = Scenario.model_validate({"name": "Porch light on motion", "steps": [
    {"name": "Motion in the hallway", "device": "Hallway motion", "state": "active"},
    {"name": "Porch light comes on", "device": "Porch light", "state": "on", "within": "3s"},
]})


@pytest.fixture
async def home() -> AsyncIterator[VirtualHome]:
    spec = SmartThingsSpec(name="SmartThings", address=next_loopback(), port=18090)
    async with VirtualHome(VirtualHomeSpec(name="Motion and light", hosts=[spec]), advertise=False) as started:
        yield started


async def routine(cloud: SmartThingsCloud) -> None:
    """The routine this test plays: motion in the hallway switches the porch light on."""
    while cloud.value("Hallway motion", "motionSensor", "motion") != "active":
        await asyncio.sleep(0.02)
    cloud.run("Porch light", "switch", "on")


async def trace(home: VirtualHome) -> TraceReport:
    cloud = home.host("SmartThings")
    assert isinstance(cloud, SmartThingsCloud)
    live = live_home(home)
    live.hosts[0].options["poll_interval"] = 0.1
    playing = asyncio.ensure_future(routine(cloud))

    async def motion() -> None:
        cloud.report("Hallway motion", "motionSensor", "motion", "active")

    try:
        return await LiveTrace(live, live_adapters(), timeout=1, wait=5).run(CHAIN, trigger=motion)
    finally:
        playing.cancel()


async def test_a_healthy_chain_is_seen_running(home: VirtualHome) -> None:
    report = await trace(home)
    assert (report.mode, report.verdict.value) == ("live", "ok"), report.summary
    assert [step.status.value for step in report.steps] == ["passed", "passed"]


async def test_a_light_offline_behind_a_healthy_hub_is_the_broken_link_at_the_radio_layer(home: VirtualHome) -> None:
    cloud = home.host("SmartThings")
    await cloud.inject(Fault(kind=FaultKind.DEVICE_OFFLINE, target="Porch light"))
    report = await trace(home)
    link = report.broken_link
    assert report.verdict.value == "broken" and link is not None, report.summary
    assert (link.step, link.layer.value, link.cause) == (2, "radio", "radio_link_lost"), link.summary
    assert link.element.startswith(f"smartthings:{cloud.device('Porch light').id}")  # type: ignore[attr-defined]
    probes = [e.detail for e in link.evidence if e.kind == "probe"]
    assert any("Porch light (zigbee) is OFFLINE" in detail and "hub SmartThings hub is ONLINE" in detail
               for detail in probes), probes


async def test_the_hub_offline_is_the_broken_link_at_the_hub(home: VirtualHome) -> None:
    cloud = home.host("SmartThings")
    await cloud.inject(Fault(kind=FaultKind.HUB_OFFLINE))
    report = await trace(home)
    link = report.broken_link
    assert report.verdict.value == "broken" and link is not None, report.summary
    assert (link.step, link.layer.value, link.cause) == (1, "hub", "hub_offline"), link.summary
    assert link.element == f"smartthings:{cloud.device('SmartThings hub').id}"  # type: ignore[attr-defined]
    probes = [e.detail for e in link.evidence if e.kind == "probe"]
    assert any("(the SmartThings hub) is OFFLINE" in detail for detail in probes), probes
