"""Observing simulated Kasa devices by polling get_sysinfo: relay changes, whoever made them, and a
device that stops answering and comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from kasa_live_support import Connect, Make, next_change, outlet, switch

from weaklink.model import EventRecord, StateChange
from weaklink.sim import Fault, FaultKind
from weaklink.sim.kasa import KasaDevice
from weaklink_kasa.session import KasaSession

FAST = 0.05  # seconds between polls in these tests


async def polled(device: KasaDevice, count: int) -> None:
    """Wait until `device` has been asked get_sysinfo `count` times (3 s at most)."""
    for _ in range(300):
        if sum('"get_sysinfo"' in text for text in device.request_log) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"get_sysinfo was not asked {count} times")


async def observing(session: KasaSession, device: KasaDevice) -> AsyncIterator[StateChange | EventRecord]:
    """The session's observation, once it has read its baseline (the first reading is not a change)."""
    changes = session.observe()
    first = asyncio.ensure_future(anext(changes))
    await polled(device, len([t for t in device.request_log if '"get_sysinfo"' in t]) + 2)  # a second poll began
    assert not first.done(), "nothing changed yet"

    async def stream() -> AsyncIterator[StateChange | EventRecord]:
        try:
            yield await first
            async for change in changes:
                yield change
        finally:
            await changes.aclose()

    return stream()


async def test_a_button_press_is_observed(make: Make, connect: Connect) -> None:
    plug = await make(on=True)
    session = await connect(plug, poll_interval=FAST)
    changes = await observing(session, plug)
    plug.set_relay(False)
    change = await next_change(changes)
    assert (change.entity_id, change.state) == (switch(plug), "off")
    plug.set_relay(True)
    assert (await next_change(changes)).state == "on"
    await changes.aclose()


async def test_a_change_made_by_act_is_observed(make: Make, connect: Connect) -> None:
    strip = await make(model="HS300(US)")
    session = await connect(strip, poll_interval=FAST)
    changes = await observing(session, strip)
    await session.act(outlet(strip, 5), "switch.turn_on")
    change = await next_change(changes)
    assert (change.entity_id, change.state) == (outlet(strip, 5), "on")
    await changes.aclose()


async def test_a_device_that_stops_answering_goes_unavailable_once_and_comes_back(make: Make,
                                                                                 connect: Connect) -> None:
    plug = await make(on=True)
    session = await connect(plug, poll_interval=FAST)
    changes = await observing(session, plug)
    await plug.inject(Fault(kind=FaultKind.HOST_DOWN))
    gone = await next_change(changes)
    assert (gone.entity_id, gone.state) == (switch(plug), "unavailable")
    assert (gone.attributes["layer"], gone.attributes["reason"]) == ("network", "unreachable")
    await asyncio.sleep(0.8)  # it keeps trying meanwhile, and says nothing more while it stays away
    await plug.heal()
    back = await next_change(changes)
    assert (back.entity_id, back.state) == (switch(plug), "on")
    await changes.aclose()


async def test_another_device_at_the_address_makes_the_relays_unavailable(make: Make, connect: Connect) -> None:
    plug = await make(on=True)
    session = await connect(plug, poll_interval=FAST, device_id=plug.spec.device_id)
    changes = await observing(session, plug)
    # another plug answers at the address from one poll to the next (swapped in place: no gap between them)
    plug.spec = plug.spec.model_copy(update={"device_id": "0123456789ABCDEF0123456789ABCDEF01234567"})
    moved = await next_change(changes)
    assert moved.state == "unavailable" and moved.attributes["reason"] == "moved"
    await changes.aclose()
