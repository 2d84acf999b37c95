"""Observing simulated Tapo devices by polling over KLAP: relay and outlet changes, whoever made
them; a device that stops answering, or stops proving it knows the account, and comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from kasa_live_support import next_change
from tapo_live_support import ConnectTapo, MakeTapo, plug_switch, strip_outlet
from weaklink_kasa.tapo_session import TapoSession

from weaklink.model import EventRecord, StateChange
from weaklink.sim import Fault, FaultKind
from weaklink.sim.tapo import TapoDevice

FAST = 0.05  # seconds between polls in these tests


def reads(device: TapoDevice) -> int:
    """How many times the device was asked its device info."""
    return sum('"get_device_info"' in text for text in device.smart_log)


async def polled(device: TapoDevice, count: int) -> None:
    """Wait until `device` has been asked get_device_info `count` times (3 s at most)."""
    for _ in range(300):
        if reads(device) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"get_device_info was not asked {count} times")


async def observing(session: TapoSession, device: TapoDevice) -> AsyncIterator[StateChange | EventRecord]:
    """The session's observation, once it has read its baseline (the first reading is not a change)."""
    changes = session.observe()
    first = asyncio.ensure_future(anext(changes))
    await polled(device, reads(device) + 2)  # a second poll began
    assert not first.done(), "nothing changed yet"

    async def stream() -> AsyncIterator[StateChange | EventRecord]:
        try:
            yield await first
            async for change in changes:
                yield change
        finally:
            await changes.aclose()

    return stream()


async def test_a_button_press_is_observed(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(on=True)
    session = await connect_tapo(plug, poll_interval=FAST)
    changes = await observing(session, plug)
    plug.set_relay(False)
    change = await next_change(changes)
    assert (change.entity_id, change.state) == (plug_switch(plug), "off")
    plug.set_relay(True)
    assert (await next_change(changes)).state == "on"
    await changes.aclose()


async def test_an_outlet_switched_by_act_is_observed(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    strip = await make_tapo(model="P300(EU)")
    session = await connect_tapo(strip, poll_interval=FAST)
    changes = await observing(session, strip)
    await session.act(strip_outlet(strip, 2), "turn_on")
    change = await next_change(changes)
    assert (change.entity_id, change.state) == (strip_outlet(strip, 2), "on")
    await changes.aclose()


async def test_a_device_that_goes_away_is_unavailable_once_and_comes_back(make_tapo: MakeTapo,
                                                                         connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(on=True)
    session = await connect_tapo(plug, timeout=0.5, poll_interval=FAST)
    changes = await observing(session, plug)
    await plug.inject(Fault(kind=FaultKind.HOST_DOWN))
    lost = await next_change(changes)
    assert (lost.entity_id, lost.state, lost.attributes["layer"]) == (plug_switch(plug), "unavailable", "network")
    plug.set_relay(False)  # switched at the wall while it was away
    await plug.heal()
    back = await next_change(changes)
    assert (back.entity_id, back.state) == (plug_switch(plug), "off")
    await changes.aclose()


async def test_a_device_that_stops_proving_the_account_is_an_integration_loss(make_tapo: MakeTapo,
                                                                              connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(on=True)
    session = await connect_tapo(plug, poll_interval=FAST)
    changes = await observing(session, plug)
    await plug.inject(Fault(kind=FaultKind.KEY_REVOKED))  # its sessions are gone: the poll shakes hands again
    lost = await next_change(changes)
    assert (lost.state, lost.attributes["layer"], lost.attributes["reason"]) == ("unavailable", "integration",
                                                                                 "rejected")
    await changes.aclose()
