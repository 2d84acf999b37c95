"""Watching a simulated SmartThings account: state changes read by polling the device list, devices
and the cloud going away and coming back, and the cloud's 429 waited out without blocking the loop."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

from blockbuster import blockbuster_ctx
from smartthings_live_support import Connect, Make, authorized, capability, next_change

from weaklink.sim import Fault, FaultKind

FAST = {"poll_interval": 0.1}


async def test_a_report_and_a_command_are_seen_as_they_happen(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud, **FAST)
    motion, light = capability(cloud, "Hallway motion", "motionSensor"), capability(cloud, "Porch light", "switch")
    async with aclosing(session.observe()) as changes:
        first = asyncio.ensure_future(next_change(changes, lambda c: c.entity_id == motion))
        await asyncio.sleep(0.3)  # the first reading is the baseline
        cloud.report("Hallway motion", "motionSensor", "motion", "active")
        change = await first
        assert change.state == "active" and change.attributes["capability"] == "motionSensor"
        await session.act(light, "turn_on")
        change = await next_change(changes, lambda c: c.entity_id == light)
        assert change.state == "on" and change.attributes["component"] == "main"


async def test_a_device_going_offline_and_back_is_unavailable_then_its_state(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud, **FAST)
    light = capability(cloud, "Porch light", "switch")
    async with aclosing(session.observe()) as changes:
        watching = asyncio.ensure_future(next_change(changes, lambda c: c.entity_id == light))
        await asyncio.sleep(0.3)
        await cloud.inject(Fault(kind=FaultKind.HUB_OFFLINE))
        assert (await watching).state == "unavailable"
        await cloud.heal()
        assert (await next_change(changes, lambda c: c.entity_id == light)).state == "off"


async def test_a_failing_cloud_makes_everything_unavailable_once_then_reports_again(make: Make,
                                                                                   connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud, **FAST)
    async with aclosing(session.observe()) as changes:
        watching = asyncio.ensure_future(next_change(changes))
        await asyncio.sleep(0.3)
        await cloud.inject(Fault(kind=FaultKind.SERVER_ERROR))
        lost = [await watching]
        while len(lost) < 8:  # every capability of the account, once
            lost.append(await next_change(changes))
        assert {c.state for c in lost} == {"unavailable"} and len({c.entity_id for c in lost}) == 8
        assert lost[0].attributes["layer"] == "integration" and lost[0].attributes["reason"] == "cloud_error"
        await cloud.heal()
        back = await next_change(changes, seconds=10)  # read again after a pause
        assert back.state != "unavailable"


async def test_a_429_is_waited_out_as_asked_without_blocking_the_loop(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud, **FAST)
    light = capability(cloud, "Porch light", "switch")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async with aclosing(session.observe()) as changes:
        watching = asyncio.ensure_future(next_change(changes, lambda c: c.entity_id == light, seconds=30))
        await asyncio.sleep(0.3)
        asked = len(authorized(cloud))
        await cloud.inject(Fault.parse("rate_limited:30"))
        ticker = asyncio.ensure_future(tick())
        with blockbuster_ctx():  # any blocking call in the loop's thread raises
            while ticks < 60:  # ten times the poll interval
                await asyncio.sleep(0.02)
        ticker.cancel()
        assert len(authorized(cloud)) - asked <= 2  # the one answered 429 (and one in flight), not one a poll
        assert not watching.done()  # a 429 is not the devices' fault: nothing became unavailable
        assert 0 < session.client.gate.wait() <= 30  # still held, for no longer than the cloud said
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)  # the generator is free to close
