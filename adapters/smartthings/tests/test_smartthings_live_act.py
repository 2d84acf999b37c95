"""Commands to a simulated SmartThings account: what each service sends, and the safety rule: never a
lock, door or garage door the home file does not name."""

from __future__ import annotations

import pytest
from smartthings_live_support import Connect, Make, capability, device_ref

from weaklink.adapters import live_adapters
from weaklink.errors import UnknownElementError
from weaklink.live.contract import ActuationRefused
from weaklink.live.trace import LiveTrace
from weaklink.scenario import Scenario
from weaklink.sim.home import VirtualHome, VirtualHomeSpec
from weaklink.sim.livehome import live_home
from weaklink.sim.smartthings import SmartThingsSpec

from weaklink.sim.addresses import next_loopback


async def test_a_light_is_switched_on_off_and_over(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud)
    light = capability(cloud, "Porch light", "switch")
    await session.act(light, "light.turn_on")
    assert cloud.value("Porch light", "switch", "switch") == "on"
    sent = cloud.commands[-1]
    assert (sent.component, sent.capability, sent.command, sent.arguments) == ("main", "switch", "on", [])
    await session.act(light, "toggle")
    assert cloud.value("Porch light", "switch", "switch") == "off"
    await session.act(light, "toggle")
    await session.act(light, "turn_off")
    assert [c.command for c in cloud.commands] == ["on", "off", "on", "off"]


@pytest.mark.parametrize("device, name, service", [("Back door lock", "lock", "unlock"),
                                                    ("Garage door", "doorControl", "open_cover")])
async def test_a_lock_or_a_garage_door_is_never_operated_unless_named(make: Make, connect: Connect, device: str,
                                                                      name: str, service: str) -> None:
    cloud = await make()
    session = await connect(cloud)
    await session.snapshot()
    before = len(cloud.request_log)
    with pytest.raises(ActuationRefused, match="never operates a lock, door, valve or alarm unless it is named") \
            as refused:
        await session.act(capability(cloud, device, name), service)
    assert f"({device})" in str(refused.value) and "options.allow" in str(refused.value)
    assert len(cloud.request_log) == before and not cloud.commands  # nothing was even asked


async def test_a_lock_named_in_the_home_file_is_operated(make: Make, connect: Connect) -> None:
    cloud = await make()
    lock = capability(cloud, "Back door lock", "lock")
    session = await connect(cloud, allow=[lock])
    await session.act(lock, "unlock")
    assert cloud.value("Back door lock", "lock", "lock") == "unlocked"
    await session.act(lock, "turn_off")  # how weaklink asks for the state `locked`
    assert cloud.value("Back door lock", "lock", "lock") == "locked"
    with pytest.raises(ActuationRefused):  # naming the lock allows the lock, not the garage door
        await session.act(capability(cloud, "Garage door", "doorControl"), "open")


async def test_a_garage_door_named_by_its_device_is_opened_and_closed(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud, allow=device_ref(cloud, "Garage door"))
    door = capability(cloud, "Garage door", "doorControl")
    await session.act(door, "cover.open_cover")
    assert cloud.value("Garage door", "doorControl", "door") == "open"
    await session.act(door, "close")
    assert cloud.value("Garage door", "doorControl", "door") == "closed"


@pytest.mark.parametrize("entity, service, words", [
    ("light.porch", "turn_on", "is not a SmartThings capability"),
    ("smartthings:abc/main", "turn_on", "is not a SmartThings capability"),
    ("{light}", "dance", "cannot 'dance'"),
    ("{motion}", "turn_on", "does not operate a motionSensor"),
    ("{light_as_lock}", "turn_on", "is not a capability of Porch light"),
])
async def test_what_cannot_be_done_is_refused_before_any_command(make: Make, connect: Connect, entity: str,
                                                                 service: str, words: str) -> None:
    cloud = await make()
    session = await connect(cloud, allow=[capability(cloud, "Porch light", "lock")])
    entity = entity.format(light=capability(cloud, "Porch light", "switch"),
                           motion=capability(cloud, "Hallway motion", "motionSensor"),
                           light_as_lock=capability(cloud, "Porch light", "lock"))
    with pytest.raises(UnknownElementError, match=words):
        await session.act(entity, service)
    assert not cloud.commands and all(not line.startswith("POST") for line in cloud.request_log)


async def test_a_live_trace_with_actuate_operates_a_lock_only_when_the_home_file_names_it() -> None:
    """A SmartThings capability id has no `lock.` domain: the tracer knows the lock by its kind and
    refuses it unnamed; named with --allow (`allow=`) or in the home file, it is operated."""
    spec = SmartThingsSpec(name="Account", address=next_loopback(), port=18090)
    chain = Scenario.model_validate({"name": "Unlock, then light", "steps": [
        {"device": "Back door lock", "state": "unlocked"}, {"device": "Porch light", "state": "on", "within": "1s"}]})
    async with VirtualHome(VirtualHomeSpec(name="Lock first", hosts=[spec]), advertise=False) as home:
        cloud = home.host("Account")
        lock = capability(cloud, "Back door lock", "lock")  # type: ignore[arg-type]
        with pytest.raises(ActuationRefused, match="a lock, alarm or door: name it with --allow"):
            await LiveTrace(live_home(home), live_adapters(), timeout=2, wait=2, actuate=True).run(chain)
        assert cloud.value("Back door lock", "lock", "lock") == "locked"  # type: ignore[attr-defined]
        assert not any(line.startswith("POST") for line in cloud.request_log)  # type: ignore[attr-defined]
        named = live_home(home)
        named.hosts[0].options.update(allow=[lock], poll_interval=0.2)
        report = await LiveTrace(named, live_adapters(), timeout=2, wait=2, actuate=True).run(chain)
        assert cloud.value("Back door lock", "lock", "lock") == "unlocked"  # type: ignore[attr-defined]
        assert report.steps[0].status.value == "passed"
        assert report.broken_link is not None and report.broken_link.step == 2  # nothing switches the light on
        cloud.run("Back door lock", "lock", "lock")  # type: ignore[attr-defined]
        from_command_line = live_home(home)  # --allow on the command line reaches the adapter's own guard too
        from_command_line.hosts[0].options.update(poll_interval=0.2)
        await LiveTrace(from_command_line, live_adapters(), timeout=2, wait=2, actuate=True, allow=[lock]).run(chain)
        assert cloud.value("Back door lock", "lock", "lock") == "unlocked"  # type: ignore[attr-defined]
