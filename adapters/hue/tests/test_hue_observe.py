"""observe() and act(): the event stream (v1: polling) read into state changes, lights switched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing

import pytest
from hue_sim import RecordingBridge, host_of, make_spec

from weaklink.model import EventRecord, StateChange
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink_hue import HueAdapter, HueSession, UnsupportedAction
from weaklink_hue.events import MALFORMED_EVENT
from weaklink_hue.session import STREAM_EVENT

Item = StateChange | EventRecord


async def until(stream: AsyncIterator[Item], wanted: Callable[[Item], bool]) -> Item:
    """The first item of `stream` that is `wanted` (the test fails after 3 s without one)."""
    async with asyncio.timeout(3):
        async for item in stream:
            if wanted(item):
                return item
    raise AssertionError("the stream ended")


def stream_status(status: str) -> Callable[[Item], bool]:
    return lambda item: isinstance(item, EventRecord) and item.event_type == STREAM_EVENT and item.data["status"] == status


def change_of(entity: str, state: str | None = None) -> Callable[[Item], bool]:
    return lambda item: isinstance(item, StateChange) and item.entity_id == entity and state in (None, item.state)


def light(bridge: RecordingBridge, number: str) -> str:
    return f"hue:light/{bridge.node('light', number).service_rid}"


async def test_act_and_see_it_on_the_event_stream(session: HueSession, bridge: RecordingBridge) -> None:
    async with aclosing(session.observe()) as stream:
        await until(stream, stream_status("connected"))
        await session.act(light(bridge, "1"), "light.turn_on", {"brightness_pct": 40})
        on = await until(stream, change_of(light(bridge, "1")))
        assert on.state == "on" and on.attributes["brightness"] == 40.0  # type: ignore[union-attr]
        await session.act(light(bridge, "1"), "toggle")
        assert (await until(stream, change_of(light(bridge, "1")))).state == "off"  # type: ignore[union-attr]
    assert not bridge.node("light", "1").on


async def test_changes_the_bridge_reports_itself(session: HueSession, bridge: RecordingBridge) -> None:
    motion = f"hue:motion/{bridge.node('sensor', '5').service_rid}"
    door = f"hue:contact/{bridge.node('sensor', '6').service_rid}"
    async with aclosing(session.observe()) as stream:
        await until(stream, stream_status("connected"))
        bridge.set_motion("5", True)
        assert (await until(stream, change_of(motion))).state == "on"  # type: ignore[union-attr]
        bridge.set_contact("6", False)
        opened = await until(stream, change_of(door))
        assert opened.state == "on" and opened.attributes["contact_report"] == "no_contact"  # type: ignore[union-attr]
        bridge.set_light("2", brightness=20.0)  # only the brightness: the state stays what it was
        dimmed = await until(stream, change_of(light(bridge, "2")))
        assert dimmed.state == "on" and dimmed.attributes["brightness"] == 20.0  # type: ignore[union-attr]


async def test_a_lost_zigbee_link_makes_the_lights_capabilities_unavailable(session: HueSession,
                                                                          bridge: RecordingBridge) -> None:
    async with aclosing(session.observe()) as stream:
        await until(stream, stream_status("connected"))
        await bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="2"))
        gone = await until(stream, change_of(light(bridge, "2")))
        assert gone.state == "unavailable" and gone.attributes["zigbee_status"] == "disconnected"  # type: ignore[union-attr]
        await session.act(light(bridge, "2"), "turn_off")  # answered 207, not carried out: no error here
        await bridge.heal()
        back = await until(stream, change_of(light(bridge, "2")))
        assert back.state == "on" and back.attributes["zigbee_status"] == "connected"  # type: ignore[union-attr]


async def test_a_revoked_key_ends_the_stream(session: HueSession, bridge: RecordingBridge) -> None:
    async with aclosing(session.observe()) as stream:
        await until(stream, stream_status("connected"))
        await bridge.inject(Fault(kind=FaultKind.KEY_REVOKED))
        refused = await until(stream, stream_status("refused"))
        assert "application key" in str(refused.data["detail"])  # type: ignore[union-attr]
        with pytest.raises(StopAsyncIteration):
            await anext(stream)


async def test_a_garbled_frame_is_reported_and_the_stream_goes_on(session: HueSession, bridge: RecordingBridge) -> None:
    async with aclosing(session.observe()) as stream:
        await until(stream, stream_status("connected"))
        await bridge.inject(Fault(kind=FaultKind.GARBLE))
        bridge.set_motion("5", True)
        record = await until(stream, lambda item: isinstance(item, EventRecord) and item.event_type == MALFORMED_EVENT)
        assert record.data["size"]  # type: ignore[union-attr]
        await bridge.heal()
        bridge.set_motion("5", False)
        await until(stream, change_of(f"hue:motion/{bridge.node('sensor', '5').service_rid}", "off"))


async def test_a_bridge_restart_is_lost_then_observed_again(session: HueSession, bridge: RecordingBridge) -> None:
    async with aclosing(session.observe()) as stream:
        await until(stream, stream_status("connected"))
        await bridge.inject(Fault(kind=FaultKind.HOST_DOWN))
        await until(stream, stream_status("lost"))
        await bridge.heal()
        await until(stream, stream_status("connected"))
        bridge.set_light("1", on=True)
        await until(stream, change_of(light(bridge, "1"), "on"))


async def test_v1_is_polled(v1_session: HueSession, old_bridge: RecordingBridge) -> None:
    async with aclosing(v1_session.observe()) as stream:
        await until(stream, stream_status("connected"))
        await v1_session.act("hue:lights/1", "turn_on", {"brightness": 255})
        on = await until(stream, change_of("hue:lights/1"))
        assert on.state == "on" and on.attributes["brightness"] == 100.0  # type: ignore[union-attr]
        await old_bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="2"))
        await until(stream, change_of("hue:lights/2", "unavailable"))
    assert not any("/clip/v2" in line or "/eventstream" in line for line in old_bridge.requests)


async def test_act_refuses_what_it_cannot_do(session: HueSession, bridge: RecordingBridge) -> None:
    motion = f"hue:motion/{bridge.node('sensor', '5').service_rid}"
    for entity, service, data, words in (
            (motion, "turn_on", None, "only lights"), ("light.driveway", "turn_on", None, "not a Hue light"),
            (light(bridge, "1"), "lock", None, "not a light service"),
            ("hue:lights/1", "turn_on", None, "it speaks v2, hue:light/<rid>"),
            (light(bridge, "1"), "turn_on", {"brightness_pct": "bright"}, "not a number")):
        with pytest.raises(UnsupportedAction, match=words):
            await session.act(entity, service, data)
    assert not any(" PUT " in f" {line}" for line in bridge.requests)


async def test_observing_a_bridge_not_up_yet(adapter: HueAdapter) -> None:
    hue = RecordingBridge(make_spec(next_loopback()))
    session = await adapter.connect(host_of(hue), timeout=0.5)
    try:
        async with aclosing(session.observe()) as stream:
            lost = await until(stream, stream_status("lost"))
            assert "connection refused" in str(lost.data["detail"])  # type: ignore[union-attr]
            await hue.start()
            await until(stream, stream_status("connected"))
    finally:
        await session.close()
        await hue.stop()
