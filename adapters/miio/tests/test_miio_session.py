"""Connecting (the identity check before any token), the snapshot, and acting on the power."""

from __future__ import annotations

import pytest
from miio_sim import DID, MAC, TOKEN, RecordingDevice, host_for, opened

from weaklink.errors import InputError, UnknownElementError
from weaklink.live.contract import HostSpec, LiveSession
from weaklink.live.secrets import CredentialError, Secret
from weaklink.model import CapabilityKind, Identifier, IdentifierKind, Role, Transport
from weaklink.sim import Fault
from weaklink.sim.addresses import next_loopback
from weaklink.sim.miio import MiioSpec
from weaklink_miio import IdentityMismatch, MiioAdapter, MiioError, MiioFailure, MiioSession


async def test_connect_refuses_another_device_at_the_address_and_sends_it_nothing(plug: RecordingDevice) -> None:
    with pytest.raises(IdentityMismatch, match=f"device id {DID}, where the home file names {DID + 1}") as refused:
        await MiioAdapter().connect(host_for(plug, device_id=DID + 1), 1.0)
    assert refused.value.layer == "network" and refused.value.reason == "mismatch"
    assert plug.received and plug.sealed == []  # hellos only: the token never left
    assert plug.calls == [] and TOKEN not in str(refused.value)


async def test_connect_checks_the_device_id_given_as_text(plug: RecordingDevice) -> None:
    async with opened(host_for(plug, device_id=str(DID))) as session:
        assert session.element == f"miio:{DID}"
    assert plug.sealed == []  # connecting says hello; only commands carry the token


@pytest.mark.parametrize(("credentials", "options", "error"), [
    ({}, {}, CredentialError),
    ({"token": "abc"}, {}, CredentialError),
    ({"token": TOKEN}, {"device_id": "plug"}, InputError),
    ({"token": TOKEN}, {"device_id": 0}, InputError),
    ({"token": TOKEN}, {"poll_interval": 0}, InputError),
])
async def test_connect_refuses_a_bad_home_file_entry(credentials: dict[str, str], options: dict[str, object],
                                                    error: type[Exception]) -> None:
    host = HostSpec(adapter="miio", address=next_loopback(), options=options,
                    credentials={key: Secret(value, "literal") for key, value in credentials.items()})
    with pytest.raises(error) as refused:
        await MiioAdapter().connect(host, 0.2)
    assert TOKEN not in str(refused.value)


async def test_a_device_that_does_not_answer_still_gets_a_session() -> None:
    host = HostSpec(adapter="miio", name="Porch plug", address=next_loopback(), options={"device_id": DID},
                    credentials={"token": Secret(TOKEN, "literal")})
    async with opened(host, 0.2) as session:
        assert isinstance(session, LiveSession)
        [result] = await session.probe(0.2)
    assert (result.element, result.layer, result.ok) == (f"miio:{DID}", "network", False)


async def test_snapshot_of_a_plug(session: MiioSession, plug: RecordingDevice) -> None:
    fragment = await session.snapshot()
    assert (fragment.platform, fragment.source) == ("miio", f"miio://{plug.address}")
    [device] = fragment.devices
    assert (device.id, device.name, device.brand, device.model) == (f"miio:{DID}", "Kitchen plug", "Xiaomi",
                                                                     "chuangmi.plug.m1")
    assert (device.role, device.transport, device.host, device.sw_version) == (Role.DEVICE, Transport.WIFI,
                                                                               plug.address, "1.2.4_16")
    assert Identifier(kind=IdentifierKind.MAC, value=MAC) in device.identifiers
    assert Identifier(kind=IdentifierKind.VENDOR, value=f"miio:{DID}") in device.identifiers
    [power] = fragment.capabilities
    assert (power.id, power.kind, power.state, power.available) == (f"miio:{DID}/power", CapabilityKind.SWITCH,
                                                                    "on", True)
    assert power.device_id == device.id and power.attributes == {"temperature": 32}
    assert TOKEN not in fragment.model_dump_json()  # miIO.info carries the token: never kept


async def test_snapshot_of_a_yeelight_is_a_light_with_its_brightness() -> None:
    spec = MiioSpec(name="Porch bulb", address=next_loopback(), model="yeelink.light.color1")
    async with RecordingDevice(spec) as bulb, opened(host_for(bulb, token=spec.token)) as session:
        fragment = await session.snapshot()
    [power] = fragment.capabilities
    assert (power.id, power.kind, power.state) == (f"miio:{spec.device_id}/power", CapabilityKind.LIGHT, "off")
    assert power.attributes == {"bright": "100", "ct": "4000", "color_mode": "2"}


async def test_act_switches_the_power(session: MiioSession, plug: RecordingDevice) -> None:
    power = f"miio:{DID}/power"
    await session.act(power, "turn_off")
    assert plug.power is False and ("set_power", ["off"]) in plug.calls
    await session.act(power, "switch.turn_on")
    assert plug.power is True
    await session.act(power, "toggle")
    assert plug.power is False


async def test_act_refuses_what_the_device_does_not_have(session: MiioSession, plug: RecordingDevice) -> None:
    with pytest.raises(UnknownElementError, match=f"it has miio:{DID}/power"):
        await session.act("miio:1/power", "turn_on")
    with pytest.raises(MiioError, match="cannot 'set_colour'"):
        await session.act(f"miio:{DID}/power", "set_colour", {"colour": "red"})
    assert not any(method == "set_power" for method, _ in plug.calls)


async def test_act_on_a_device_that_refuses_our_token_raises_and_changes_nothing(
        session: MiioSession, plug: RecordingDevice) -> None:
    await plug.inject(Fault.parse("wrong_token"))
    with pytest.raises(MiioFailure, match="does not accept our token") as refused:
        await session.act(f"miio:{DID}/power", "turn_off")
    assert refused.value.layer == "integration" and plug.power is True
