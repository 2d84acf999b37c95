"""Live sessions with simulated Tapo plugs and strips over KLAP: what a snapshot sees (the same
device ids and capabilities as the offline reader gives for a dump of the model), switching a
plug and a strip's outlet, and the identity check that comes before any command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kasa_fixtures import fixture, load
from tapo_live_support import TAPO_PORT, ConnectTapo, MakeTapo, commands, plug_switch, strip_outlet, tapo_host
from weaklink_kasa import IdentityMismatch, KasaAdapter, KasaError
from weaklink_kasa.session import KasaSession
from weaklink_kasa.tapo_session import TapoSession

from weaklink.errors import InputError, UnknownElementError
from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.model import CapabilityKind, Identifier, IdentifierKind, Transport
from weaklink.sim.tapo import TapoDevice, TapoSpec
from weaklink.sim.tapo_smart import SmartMethods


def shape(fragment: Any) -> list[tuple[str, CapabilityKind]]:
    """What a fragment's capabilities are, whatever the device: the id's last part and the kind."""
    return sorted((c.id.rpartition("/")[2], c.kind) for c in fragment.capabilities)


async def test_a_p110_is_one_wifi_device_with_its_relay_and_energy_meter(make_tapo: MakeTapo,
                                                                         connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(model="P110(EU)", name="Dehumidifier", on=True, load_watts=212)
    session = await connect_tapo(plug, device_id=plug.spec.device_id)
    fragment = await session.snapshot()
    [device] = fragment.devices
    assert device.id == f"kasa:{plug.spec.device_id}" and device.name == "Dehumidifier"  # nickname, base64-decoded
    assert (device.model, device.transport, device.host, device.sw_version) == (
        "P110", Transport.WIFI, plug.address, "1.2.3 Build 230425 Rel.142542")
    assert Identifier(kind=IdentifierKind.MAC, value=plug.spec.mac) in device.identifiers
    assert Identifier(kind=IdentifierKind.VENDOR, value=f"tplink:{plug.spec.device_id}") in device.identifiers
    states = {c.id: (c.kind, c.state) for c in fragment.capabilities}
    assert states == {plug_switch(plug): (CapabilityKind.SWITCH, "on"),
                      f"{device.id}/energy": (CapabilityKind.SENSOR, "212")}
    assert fragment.source == f"kasa://{plug.address}:{TAPO_PORT}" and fragment.platform == "kasa"
    # what the offline reader gives for a python-kasa dump of the same model
    assert shape(fragment) == shape(load(fixture("smart_P110")))


async def test_a_p300_has_one_switch_per_outlet_named_by_its_nickname(make_tapo: MakeTapo,
                                                                      connect_tapo: ConnectTapo) -> None:
    strip = await make_tapo(model="P300(EU)", name="Kitchen strip", outlets=["Kettle", "Toaster", "Radio"])
    strip.set_relay(True, outlet=2)
    fragment = await (await connect_tapo(strip)).snapshot()
    assert [d.id for d in fragment.devices] == [f"kasa:{strip.spec.device_id}"]  # outlets are the strip's parts
    outlets = [c for c in fragment.capabilities if c.kind is CapabilityKind.SWITCH]
    assert [c.id for c in outlets] == [strip_outlet(strip, n) for n in (1, 2, 3)]
    assert [c.name for c in outlets] == ["Kettle", "Toaster", "Radio"]
    assert [c.state for c in outlets] == ["off", "on", "off"]
    assert [c.unique_id for c in outlets] == [strip.child_id(n) for n in (1, 2, 3)]
    assert shape(fragment) == shape(load(fixture("smart_P300")))


async def test_act_switches_the_plug_and_toggles_it_back(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo()
    session = await connect_tapo(plug)
    await session.act(plug_switch(plug), "switch.turn_on")
    assert plug.relay_on()
    await session.act(plug_switch(plug), "toggle")
    assert not plug.relay_on()
    assert commands(plug) == [("set_device_info", {"params": {"device_on": True}, "outlet": None}),
                              ("set_device_info", {"params": {"device_on": False}, "outlet": None})]


async def test_act_switches_one_outlet_of_a_strip_through_control_child(make_tapo: MakeTapo,
                                                                       connect_tapo: ConnectTapo) -> None:
    strip = await make_tapo(model="P300(EU)")
    session = await connect_tapo(strip)
    await session.act(strip_outlet(strip, 3), "turn_on")
    assert [strip.relay_on(n) for n in (1, 2, 3)] == [False, False, True]
    assert commands(strip) == [("set_device_info", {"params": {"device_on": True}, "outlet": 3})]
    assert any('"method":"control_child"' in text and strip.child_id(3) in text for text in strip.smart_log)


@pytest.mark.parametrize("entity, service", [
    (lambda plug: "kasa:0000000000000000000000000000000000000000/switch", "turn_on"),  # another device's
    (lambda plug: f"kasa:{plug.spec.device_id}/energy", "turn_on"),  # a sensor
    (lambda plug: f"kasa:{plug.spec.device_id}/switch", "open_cover"),
], ids=["another-device", "a-sensor", "a-service-it-has-not"])
async def test_act_refuses_what_the_plug_cannot_do(make_tapo: MakeTapo, connect_tapo: ConnectTapo,
                                                   entity: Callable[[TapoDevice], str], service: str) -> None:
    plug = await make_tapo()
    session = await connect_tapo(plug)
    with pytest.raises(UnknownElementError):
        await session.act(entity(plug), service)
    assert commands(plug) == [] and not plug.relay_on()


class _RefusingMethods(SmartMethods):
    def set_info(self, params: dict[str, Any], outlet: int | None) -> dict[str, Any]:
        return {"error_code": -1301}  # the firmware's DEVICE_ERROR


class Refusing(TapoDevice):
    """A plug whose firmware refuses every command."""

    def __init__(self, spec: TapoSpec, advertiser: Any = None) -> None:
        super().__init__(spec, advertiser)
        self.methods = _RefusingMethods(self)


async def test_a_device_that_refuses_the_command_is_a_device_error(make_tapo: MakeTapo,
                                                                  connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(device=Refusing)
    session = await connect_tapo(plug)
    with pytest.raises(KasaError) as refused:
        await session.act(plug_switch(plug), "turn_on")
    assert getattr(refused.value, "layer", None) == "device" and "error_code -1301" in str(refused.value)
    assert not plug.relay_on()


# ------------------------------------------------------------------ identity


async def test_another_device_of_the_same_account_is_refused_at_connect(make_tapo: MakeTapo) -> None:
    plug = await make_tapo(username="same@example.com", password="same-password")
    other = await make_tapo(username="same@example.com", password="same-password", on=True)
    with pytest.raises(IdentityMismatch) as refused:
        await KasaAdapter().connect(tapo_host(other, device_id=plug.spec.device_id), 1.0)
    assert refused.value.problem == "identity" and plug.spec.device_id in str(refused.value)
    with pytest.raises(IdentityMismatch, match="not the expected"):
        await KasaAdapter().connect(tapo_host(other, mac=plug.spec.mac.replace(":", "-").lower()), 1.0)
    assert commands(other) == [] and other.relay_on()


async def test_a_device_that_took_the_address_is_not_switched(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(name="Heater plug", username="home@example.com", password="home-password")
    session = await connect_tapo(plug)  # no identity in the home file: the first device answering is the one meant
    address = plug.address
    await plug.stop()  # its lease went to another plug of the same account
    intruder = await make_tapo(address=address, name="Aquarium pump", on=True, username="home@example.com",
                               password="home-password")
    with pytest.raises(IdentityMismatch, match="Aquarium pump"):
        await session.act(plug_switch(plug), "turn_off")
    with pytest.raises(IdentityMismatch):
        await session.act(plug_switch(intruder), "turn_off")
    assert intruder.relay_on() and commands(intruder) == []
    assert all('"method":"multipleRequest"' in text and "set_" not in text for text in intruder.smart_log)


async def test_a_legacy_host_and_a_tapo_host_are_told_apart_by_the_account(make_tapo: MakeTapo) -> None:
    plug = await make_tapo()
    tapo = await KasaAdapter().connect(tapo_host(plug), 1.0)
    legacy = await KasaAdapter().connect(HostSpec(adapter="kasa", address=plug.address, port=TAPO_PORT), 0.5)
    try:
        assert isinstance(tapo, TapoSession) and isinstance(legacy, KasaSession)
    finally:
        await tapo.close()


@pytest.mark.parametrize("credentials, field", [
    ({"username": "someone@example.com"}, "credentials.password"),
    ({"password": "a-password"}, "credentials.username"),
])
async def test_half_an_account_is_bad_input(make_tapo: MakeTapo, credentials: dict[str, str], field: str) -> None:
    plug = await make_tapo()
    host = HostSpec(adapter="kasa", name="Half", address=plug.address, port=TAPO_PORT,
                    credentials={key: Secret(value, "literal") for key, value in credentials.items()})
    with pytest.raises(InputError) as raised:
        await KasaAdapter().connect(host, 1.0)
    assert raised.value.field == field and plug.request_log == []
