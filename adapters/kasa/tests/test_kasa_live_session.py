"""Live sessions with simulated Kasa plugs and strips: what a snapshot sees, switching relays and
outlets, and the identity check that comes before any command."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from kasa_live_support import PORT, Connect, Make, host_for, outlet, switch

from weaklink.errors import InputError, UnknownElementError
from weaklink.model import CapabilityKind, Identifier, IdentifierKind, Transport
from weaklink.sim.kasa import KasaDevice
from weaklink_kasa import IdentityMismatch, KasaAdapter, KasaError


def commands(device: KasaDevice) -> list[dict[str, Any]]:
    """Every request the device received that was not a read."""
    requests = [json.loads(text) for text in device.request_log]
    return [r for r in requests if any(method.startswith("set_") for module in r.values() if isinstance(module, dict)
                                       for method in module)]


async def test_a_plug_is_one_wifi_device_with_its_relay_and_meter(make: Make, connect: Connect) -> None:
    plug = await make(model="HS110(EU)", name="Coffee maker", on=True, load_watts=1250)
    session = await connect(plug, device_id=plug.spec.device_id)
    fragment = await session.snapshot()
    [device] = fragment.devices
    assert device.id == f"kasa:{plug.spec.device_id}" and device.name == "Coffee maker"
    assert (device.model, device.transport, device.host) == ("HS110(EU)", Transport.WIFI, plug.address)
    assert Identifier(kind=IdentifierKind.MAC, value=plug.spec.mac) in device.identifiers
    assert Identifier(kind=IdentifierKind.VENDOR, value=f"tplink:{plug.spec.device_id}") in device.identifiers
    states = {c.id: (c.kind, c.state) for c in fragment.capabilities}
    assert states == {switch(plug): (CapabilityKind.SWITCH, "on"),
                      f"{device.id}/energy": (CapabilityKind.SENSOR, "1250")}
    assert fragment.source == f"kasa://{plug.address}:{PORT}" and fragment.platform == "kasa"


async def test_a_plug_without_a_meter_has_its_relay_only(make: Make, connect: Connect) -> None:
    plug = await make(model="HS103(US)")
    fragment = await (await connect(plug)).snapshot()
    assert [(c.id, c.state) for c in fragment.capabilities] == [(switch(plug), "off")]


async def test_a_strip_has_one_switch_per_outlet_named_by_its_alias(make: Make, connect: Connect) -> None:
    names = ["Monitor", "Desk lamp", "Printer", "Router", "Speakers", "Charger"]
    strip = await make(model="HS300(US)", name="Office strip", outlets=names)
    strip.set_relay(True, outlet=4)
    fragment = await (await connect(strip)).snapshot()
    outlets = [c for c in fragment.capabilities if c.kind is CapabilityKind.SWITCH]
    assert [c.id for c in outlets] == [outlet(strip, n) for n in range(1, 7)]
    assert [c.name for c in outlets] == names
    assert [c.state for c in outlets] == ["off", "off", "off", "on", "off", "off"]
    assert [c.unique_id for c in outlets] == [strip.child_id(n) for n in range(1, 7)]


async def test_act_switches_the_plug_and_toggles_it_back(make: Make, connect: Connect) -> None:
    plug = await make()
    session = await connect(plug)
    await session.act(switch(plug), "switch.turn_on")
    assert plug.relay_on()
    await session.act(switch(plug), "toggle")
    assert not plug.relay_on()
    assert [c["system"]["set_relay_state"] for c in commands(plug)] == [{"state": 1}, {"state": 0}]


async def test_act_switches_one_outlet_of_a_strip_through_its_context(make: Make, connect: Connect) -> None:
    strip = await make(model="KP400(US)")
    session = await connect(strip)
    await session.act(outlet(strip, 2), "turn_on")
    assert [strip.relay_on(n) for n in (1, 2)] == [False, True]
    [command] = commands(strip)
    assert command == {"context": {"child_ids": [strip.child_id(2)]}, "system": {"set_relay_state": {"state": 1}}}


@pytest.mark.parametrize("entity, service", [
    (lambda plug: "kasa:0000000000000000000000000000000000000000/switch", "turn_on"),  # another device's
    (lambda plug: f"kasa:{plug.spec.device_id}/energy", "turn_on"),  # a sensor
    (lambda plug: f"kasa:{plug.spec.device_id}/switch", "open_cover"),
], ids=["another-device", "a-sensor", "a-service-it-has-not"])
async def test_act_refuses_what_the_plug_cannot_do(make: Make, connect: Connect,
                                                   entity: Callable[[KasaDevice], str], service: str) -> None:
    plug = await make(model="HS110(EU)")
    session = await connect(plug)
    with pytest.raises(UnknownElementError):
        await session.act(entity(plug), service)
    assert commands(plug) == [] and not plug.relay_on()


async def test_a_device_that_refuses_the_command_is_a_device_error(make: Make, connect: Connect) -> None:
    class Refusing(KasaDevice):
        def _set_relay_state(self, arguments: Any, outlets: list[int] | None) -> dict[str, Any]:
            return {"err_code": -3, "err_msg": "invalid argument"}

    plug = await make(device=Refusing)
    session = await connect(plug)
    with pytest.raises(KasaError) as refused:
        await session.act(switch(plug), "turn_on")
    assert getattr(refused.value, "layer", None) == "device" and "err_code" in str(refused.value)


# ------------------------------------------------------------------ identity


async def test_another_device_at_the_address_is_refused_at_connect(make: Make) -> None:
    plug, other = await make(), await make()
    with pytest.raises(IdentityMismatch) as refused:
        await KasaAdapter().connect(host_for(other, device_id=plug.spec.device_id), 1.0)
    assert refused.value.problem == "identity" and plug.spec.device_id in str(refused.value)
    with pytest.raises(IdentityMismatch, match="not the expected"):
        await KasaAdapter().connect(host_for(other, mac=plug.spec.mac.replace(":", "-").lower()), 1.0)
    assert commands(other) == []


async def test_the_expected_mac_matches_however_it_is_written(make: Make, connect: Connect) -> None:
    plug = await make()
    session = await connect(plug, mac=plug.spec.mac.replace(":", "").lower(), device_id=plug.spec.device_id.lower())
    assert (await session.snapshot()).devices[0].id == f"kasa:{plug.spec.device_id}"


async def test_a_device_that_took_the_address_is_not_switched(make: Make, connect: Connect) -> None:
    plug = await make(name="Heater plug")
    session = await connect(plug)  # no identity in the home file: the first device answering is the one meant
    address = plug.address
    await plug.stop()  # its lease went to another plug
    intruder = await make(address=address, name="Aquarium pump", on=True)
    with pytest.raises(IdentityMismatch, match="Aquarium pump"):
        await session.act(switch(plug), "turn_off")
    with pytest.raises(IdentityMismatch):
        await session.act(switch(intruder), "turn_off")
    assert intruder.relay_on() and commands(intruder) == []
    assert all(json.loads(text) == {"system": {"get_sysinfo": {}}} for text in intruder.request_log)


async def test_something_that_is_no_kasa_device_is_refused(make: Make) -> None:
    class Impostor(KasaDevice):
        def execute(self, request: dict[str, Any]) -> dict[str, Any]:
            return {"status": "ok", "hello": "world"}

    impostor = await make(device=Impostor)
    with pytest.raises(IdentityMismatch, match="does not answer get_sysinfo as a Kasa device does"):
        await KasaAdapter().connect(host_for(impostor), 1.0)


@pytest.mark.parametrize("options, field", [
    ({"mac": "not-a-mac"}, "options.mac"),
    ({"device_id": 12}, "options.device_id"),
    ({"poll_interval": 0}, "options.poll_interval"),
])
async def test_bad_options_are_bad_input(make: Make, options: dict[str, Any], field: str) -> None:
    plug = await make()
    with pytest.raises(InputError) as raised:
        await KasaAdapter().connect(host_for(plug, **options), 1.0)
    assert raised.value.field == field
