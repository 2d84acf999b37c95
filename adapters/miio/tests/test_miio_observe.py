"""Observing by polling get_prop: a change after act, after the device changed by itself, and the
device going away and coming back, each once, under the snapshot's capability id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from miio_sim import DID, RecordingDevice

from weaklink.model import EventRecord, StateChange
from weaklink.sim import Fault
from weaklink_miio import MiioSession

POWER = f"miio:{DID}/power"


async def next_change(changes: AsyncIterator[StateChange | EventRecord]) -> StateChange:
    async with asyncio.timeout(5):
        change = await anext(changes)
    assert isinstance(change, StateChange)
    return change


async def test_a_change_after_act_is_observed(session: MiioSession, plug: RecordingDevice) -> None:
    [power] = (await session.snapshot()).capabilities
    changes = session.observe()
    try:
        await session.act(power.id, "turn_off")
        change = await next_change(changes)
        assert (change.entity_id, change.state) == (POWER, "off") == (power.id, "off")
        assert change.attributes == {"temperature": 32} and change.at is not None
    finally:
        await changes.aclose()


async def test_the_device_changing_by_itself_is_observed_without_a_snapshot(
        session: MiioSession, plug: RecordingDevice) -> None:
    changes = session.observe()
    try:
        first = asyncio.ensure_future(next_change(changes))
        await asyncio.sleep(0.2)  # a few polls: the first only learns what the device says now
        assert not first.done()
        plug.set_power(False)  # its button
        assert (await first).state == "off"
        plug.set_property("temperature", 41)
        change = await next_change(changes)
        assert (change.state, change.attributes) == ("off", {"temperature": 41})
    finally:
        await changes.aclose()


async def test_the_device_going_away_is_reported_once_and_its_return_too(
        session: MiioSession, plug: RecordingDevice) -> None:
    await session.snapshot()
    changes = session.observe()
    try:
        await plug.inject(Fault.parse("host_down"))
        gone = await next_change(changes)
        assert (gone.entity_id, gone.state, gone.attributes["layer"]) == (POWER, "unavailable", "network")
        assert "is closed" in str(gone.attributes["error"])
        await plug.inject(Fault.parse("wrong_token"))  # another reason to be unreadable: still one report
        await plug.heal()
        back = await next_change(changes)
        assert (back.state, back.attributes) == ("on", {"temperature": 32})
    finally:
        await changes.aclose()
