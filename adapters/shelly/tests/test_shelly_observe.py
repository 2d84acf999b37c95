"""Observing simulated Shellies: Gen2+ over the `/rpc` WebSocket's NotifyStatus, Gen1 by polling `/status`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from shelly_fixtures import PASSWORD, Connect, Make, RecordingShelly, next_change, until_seen

from weaklink.model import EventRecord, StateChange
from weaklink.sim import Fault, FaultKind
from weaklink_shelly import ShellySession

FAST = {"poll_interval": 0.05, "keepalive": 0.2}  # observation options that keep the tests quick
GENERATIONS = pytest.mark.parametrize("generation", [1, 2], ids=["gen1", "gen2"])


async def observing(session: ShellySession, device: RecordingShelly) -> AsyncIterator[StateChange | EventRecord]:
    """The session's observation, once it has read its baseline (the first state it reports is not a change)."""
    changes = session.observe()
    first = asyncio.ensure_future(anext(changes))
    if device.generation == 1:
        await until_seen(device, "/status", 2)  # the second poll starts once the first was read
    else:
        await until_seen(device, "ws:Shelly.GetStatus")  # answered: notifications follow
    assert not first.done(), "nothing changed yet"

    async def stream() -> AsyncIterator[StateChange | EventRecord]:
        try:
            yield await first
            async for change in changes:
                yield change
        finally:
            await changes.aclose()

    return stream()


@GENERATIONS
async def test_a_change_made_by_act_is_observed(make: Make, connect: Connect, generation: int) -> None:
    device = await make(generation=generation, password=PASSWORD)
    session = await connect(device, PASSWORD, **FAST)
    changes = await observing(session, device)
    relay = f"shelly:{device.device_id}/switch:0"
    await session.act(relay, "turn_on")
    change = await next_change(changes)
    assert (change.entity_id, change.state) == (relay, "on")
    assert change.attributes["errors"] == [] and change.attributes["generation"] == generation
    await changes.aclose()


@GENERATIONS
async def test_a_change_at_the_wall_switch_is_observed(make: Make, connect: Connect, generation: int) -> None:
    device = await make(generation=generation, model="SHSW-25" if generation == 1 else "SNSW-102P16EU")
    session = await connect(device, **FAST)
    changes = await observing(session, device)
    device.set_relay(1, True)
    change = await next_change(changes)
    assert (change.entity_id, change.state) == (f"shelly:{device.device_id}/switch:1", "on")
    assert change.attributes["source"] == ("input" if generation == 1 else "switch")
    device.set_relay(1, False)
    assert (await next_change(changes)).state == "off"
    await changes.aclose()


@GENERATIONS
async def test_an_overpower_trip_is_observed_with_its_error(make: Make, connect: Connect, generation: int) -> None:
    device = await make(generation=generation, password=PASSWORD)
    device.set_relay(0, True)
    session = await connect(device, PASSWORD, **FAST)
    changes = await observing(session, device)
    await device.inject(Fault(kind=FaultKind.OVERPOWER))
    tripped = await next_change(changes)
    assert (tripped.state, tripped.attributes["errors"]) == ("off", ["overpower"])
    await device.heal()
    cleared = await next_change(changes)
    assert (cleared.state, cleared.attributes["errors"]) == ("off", [])
    await changes.aclose()


async def test_gen2_changes_carry_the_devices_timestamp(make: Make, connect: Connect) -> None:
    device = await make(generation=2)
    session = await connect(device, **FAST)
    changes = await observing(session, device)
    device.set_relay(0, True)
    change = await next_change(changes)
    assert change.at.tzinfo is not None and change.at.microsecond % 10000 == 0  # `ts` has two decimals
    await changes.aclose()


@GENERATIONS
async def test_a_device_going_down_makes_its_relays_unavailable_once_then_back(make: Make, connect: Connect,
                                                                               generation: int) -> None:
    device = await make(generation=generation)
    session = await connect(device, **FAST)
    changes = await observing(session, device)
    await device.inject(Fault(kind=FaultKind.HOST_DOWN))
    lost = await next_change(changes)
    assert (lost.entity_id, lost.state) == (f"shelly:{device.device_id}/switch:0", "unavailable")
    # Gen1's next poll is refused; Gen2's WebSocket is closed by the device going down
    assert (lost.attributes["layer"], lost.attributes["reason"]) == ("network", "unreachable" if generation == 1
                                                                     else "reset")
    await device.heal()
    device.set_relay(0, True)
    back = await next_change(changes)  # no second `unavailable` while it was down
    assert back.state == "on"
    await changes.aclose()


@GENERATIONS
async def test_a_password_revoked_while_observing_is_reported(make: Make, connect: Connect, generation: int) -> None:
    device = await make(generation=generation, password=PASSWORD)
    session = await connect(device, PASSWORD, **FAST)
    changes = await observing(session, device)
    await device.inject(Fault(kind=FaultKind.KEY_REVOKED))
    lost = await next_change(changes)
    assert (lost.state, lost.attributes["layer"], lost.attributes["reason"]) == \
        ("unavailable", "integration", "unauthorized")
    assert PASSWORD not in str(lost.attributes)
    await changes.aclose()


async def test_a_silent_gen2_device_is_found_by_the_keepalive(make: Make, connect: Connect) -> None:
    device = await make(generation=2)
    session = await connect(device, timeout=0.3, **FAST)
    changes = await observing(session, device)
    await device.inject(Fault(kind=FaultKind.DROP))
    lost = await next_change(changes)
    assert (lost.state, lost.attributes["layer"], lost.attributes["reason"]) == ("unavailable", "network", "timeout")
    await changes.aclose()


async def test_garbled_gen2_frames_make_the_relays_unavailable_at_the_device_layer(make: Make,
                                                                                  connect: Connect) -> None:
    device = await make(generation=2)
    session = await connect(device, **FAST)
    changes = await observing(session, device)
    await device.inject(Fault(kind=FaultKind.GARBLE))
    lost = await next_change(changes)
    assert (lost.state, lost.attributes["layer"], lost.attributes["reason"]) == ("unavailable", "device", "malformed")
    assert "malformed frame" in str(lost.attributes["detail"])
    await changes.aclose()
