"""Sessions to simulated Shellies of both generations: identity before credentials, snapshot, act."""

from __future__ import annotations

import pytest
from shelly_fixtures import PASSWORD, PORT, Connect, Make, host_for

from weaklink.errors import UnknownElementError, WeaklinkError
from weaklink.live.contract import LiveAdapter, LiveSession
from weaklink.model import CapabilityKind, IdentifierKind, Role, Transport
from weaklink.sim import Fault, FaultKind
from weaklink_shelly import IdentityMismatch, RequestFailed, ShellyAdapter, ShellySession

GENERATIONS = pytest.mark.parametrize("model", ["SHSW-25", "SNSW-102P16EU"], ids=["gen1", "gen2"])


@GENERATIONS
async def test_connect_refuses_another_device_before_sending_the_password(make: Make, model: str) -> None:
    device = await make(model=model, password=PASSWORD)
    for options in ({"mac": "AABBCCDDEEFF"}, {"device_id": "shellyswitch25-112233"},
                    {"device_id": "shellyplus2pm-aabbccddeeff"}):
        with pytest.raises(IdentityMismatch, match="no credentials were sent") as raised:
            await ShellyAdapter().connect(host_for(device, PASSWORD, **options), 2.0)
        assert PASSWORD not in str(raised.value) and isinstance(raised.value, WeaklinkError)
    assert [seen.path for seen in device.seen] == ["/shelly"] * 3
    assert not device.saw_credentials()


async def test_the_adapter_and_its_sessions_honour_the_live_contract(make: Make, connect: Connect) -> None:
    session = await connect(await make(generation=2))
    assert isinstance(ShellyAdapter(), LiveAdapter) and isinstance(session, LiveSession)
    assert session.host.adapter == "shelly" and ShellyAdapter().manifest.name == "shelly"
    assert set(ShellyAdapter().manifest.operations) == {"offline", "discover", "identify", "snapshot", "probe",
                                                         "observe", "act", "dump"}


async def test_connect_refuses_a_host_whose_id_does_not_carry_its_mac(make: Make) -> None:
    impostor = await make(generation=2, device_id="shellyplus1pm-notamacaddress", password=PASSWORD)
    with pytest.raises(IdentityMismatch, match="does not answer /shelly as a Shelly does"):
        await ShellyAdapter().connect(host_for(impostor, PASSWORD), 2.0)
    assert not impostor.saw_credentials()


async def test_a_host_that_does_not_answer_still_gets_a_session(make: Make, connect: Connect) -> None:
    device = await make(generation=1, password=PASSWORD)
    await device.inject(Fault(kind=FaultKind.HOST_DOWN))
    session = await connect(device, PASSWORD, mac=device.mac)
    assert isinstance(session, ShellySession) and session.element == f"shelly:{device.home_address}"
    with pytest.raises(RequestFailed) as raised:
        await session.snapshot()
    assert raised.value.layer == "network"


@GENERATIONS
async def test_snapshot_is_the_device_and_one_switch_per_relay(make: Make, connect: Connect, model: str) -> None:
    device = await make(model=model, name="Garage relays", password=PASSWORD)
    device.set_relay(1, True)
    session = await connect(device, PASSWORD, mac=device.mac.lower())
    fragment = await session.snapshot()
    assert (fragment.platform, fragment.source) == ("shelly", f"http://{device.address}:{PORT}")
    (shelly,) = fragment.devices
    assert shelly.id == f"shelly:{device.device_id}" and shelly.name == "Garage relays"
    assert (shelly.brand, shelly.model, shelly.role, shelly.transport) == ("Shelly", model, Role.DEVICE, Transport.WIFI)
    assert shelly.host == device.address and shelly.hub_id is None
    mac = next(identifier for identifier in shelly.identifiers if identifier.kind is IdentifierKind.MAC)
    assert mac.value == ":".join(device.mac[i:i + 2] for i in range(0, 12, 2)).lower()
    assert [(c.id, c.kind, c.state, c.device_id) for c in fragment.capabilities] == [
        (f"shelly:{device.device_id}/switch:0", CapabilityKind.SWITCH, "off", shelly.id),
        (f"shelly:{device.device_id}/switch:1", CapabilityKind.SWITCH, "on", shelly.id),
    ]
    assert fragment.capabilities[1].name == "Garage relays relay 1"
    assert fragment.capabilities[1].attributes["power_w"] == pytest.approx(42.0)
    assert fragment.capabilities[0].attributes["errors"] == []


async def test_a_gen1_hostname_from_the_home_file_names_its_capabilities(make: Make, connect: Connect) -> None:
    device = await make(model="SHSW-1")
    session = await connect(device, device_id=device.device_id.lower())
    fragment = await session.snapshot()
    assert fragment.capabilities[0].id == f"shelly:{device.device_id.lower()}/switch:0"


@GENERATIONS
async def test_act_switches_a_relay_with_the_password(make: Make, connect: Connect, model: str) -> None:
    device = await make(model=model, password=PASSWORD)
    session = await connect(device, PASSWORD)
    relay = f"shelly:{device.device_id}/switch:1"
    await session.act(relay, "turn_on")
    assert device.relay_on(1) and not device.relay_on(0)
    await session.act(relay, "switch.toggle")
    assert not device.relay_on(1)
    await session.act(relay, "light.turn_on", {"brightness": 255})
    await session.act(relay, "turn_off")
    assert not device.relay_on(1)
    assert all(PASSWORD not in seen.path for seen in device.seen)  # only ever in a header


@GENERATIONS
async def test_a_device_without_a_password_is_not_sent_one(make: Make, connect: Connect, model: str) -> None:
    device = await make(model=model)
    session = await connect(device, PASSWORD)
    await session.snapshot()
    await session.act(f"shelly:{device.device_id}/switch:0", "turn_on")
    assert device.relay_on(0) and not device.saw_credentials()


@GENERATIONS
async def test_act_names_what_it_cannot_do(make: Make, connect: Connect, model: str) -> None:
    device = await make(model=model)
    session = await connect(device)
    with pytest.raises(UnknownElementError, match="is not a relay of"):
        await session.act("shelly:shelly1-000000/switch:0", "turn_on")
    with pytest.raises(UnknownElementError, match="cannot 'cover.open'"):
        await session.act(f"shelly:{device.device_id}/switch:0", "cover.open")
    with pytest.raises(RequestFailed) as raised:
        await session.act(f"shelly:{device.device_id}/switch:7", "turn_on")
    assert raised.value.layer == "device" and raised.value.reason == "refused"


@GENERATIONS
async def test_act_with_a_revoked_password_is_an_integration_failure(make: Make, connect: Connect,
                                                                      model: str) -> None:
    device = await make(model=model, password=PASSWORD)
    session = await connect(device, PASSWORD)
    await device.inject(Fault(kind=FaultKind.KEY_REVOKED))
    with pytest.raises(RequestFailed) as raised:
        await session.act(f"shelly:{device.device_id}/switch:0", "turn_on")
    assert (raised.value.layer, raised.value.reason) == ("integration", "unauthorized")
    assert "refused the password" in str(raised.value) and PASSWORD not in str(raised.value)


async def test_the_identity_is_checked_again_before_every_signed_request(make: Make, connect: Connect) -> None:
    first = await make(generation=1, password=PASSWORD)
    session = await connect(first, PASSWORD)  # no identity in the home file: the first answer is pinned
    await session.act(f"shelly:{first.device_id}/switch:0", "turn_on")
    await first.stop()
    stranger = await make(generation=1, address=first.home_address, password="the-strangers-own")
    with pytest.raises(IdentityMismatch):
        await session.act(f"shelly:{first.device_id}/switch:0", "turn_off")
    assert [seen.path for seen in stranger.seen] == ["/shelly"] and not stranger.saw_credentials()
