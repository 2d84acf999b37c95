"""A wrong TP-Link account: the device's handshake1 proof does not match it, so nothing derived
from the credentials is sent (no handshake2, no request), and every operation says so as an
`integration` finding about credentials, never as anything else."""

from __future__ import annotations

import pytest
from tapo_live_support import TAPO_PORT, ConnectTapo, MakeTapo, commands, paths, plug_switch, tapo_host
from weaklink_kasa import KasaAdapter, RequestFailed
from weaklink_kasa.klap import account_hash, device_proof
from weaklink_kasa.tapo_session import TapoSession

from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.sim.tapo import TapoDevice

WRONG = "not-the-account-password"


async def wrong_session(make_tapo: MakeTapo, **fields: object) -> tuple[TapoDevice, TapoSession]:
    """A device, and a session to it with the right user name and a wrong password."""
    plug = await make_tapo(**fields)
    session = await KasaAdapter().connect(tapo_host(plug, password=WRONG), 1.0)
    assert isinstance(session, TapoSession)
    return plug, session


async def test_a_wrong_password_gets_a_session_whose_probe_names_the_credentials(make_tapo: MakeTapo) -> None:
    plug, session = await wrong_session(make_tapo, on=True)
    try:
        results = await session.probe(1.0)
    finally:
        await session.close()
    assert [(r.layer, r.ok, r.problem) for r in results] == [("network", True, None),
                                                            ("integration", False, "credentials")]
    assert "does not prove it knows the TP-Link account" in results[1].detail
    assert "Nothing derived from the credentials was sent" in results[1].detail
    assert paths(plug) == ["handshake1"]  # connect's; the probe reported what connecting met


async def test_a_wrong_password_never_reaches_handshake2_nor_a_command(make_tapo: MakeTapo) -> None:
    plug, session = await wrong_session(make_tapo, model="P300(EU)")
    try:
        for attempt in (session.snapshot(), session.act(f"kasa:{plug.spec.device_id}/outlet:1", "turn_on"),
                        session.dump()):
            with pytest.raises(RequestFailed) as refused:
                await attempt
            assert (refused.value.layer, refused.value.problem) == ("integration", "credentials")
        probed = await session.probe(1.0)
        assert probed[-1].problem == "credentials"
    finally:
        await session.close()
    assert set(paths(plug)) == {"handshake1"} and plug.smart_log == [] and commands(plug) == []
    assert not plug.relay_on(1)


async def test_a_wrong_username_is_refused_as_well(make_tapo: MakeTapo) -> None:
    plug = await make_tapo()
    session = await KasaAdapter().connect(tapo_host(plug, username="someone.else@example.com"), 1.0)
    try:
        assert (await session.probe(1.0))[-1].problem == "credentials"
    finally:
        await session.close()
    assert set(paths(plug)) == {"handshake1"}


async def test_the_right_account_after_a_wrong_one_works(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug, wrong = await wrong_session(make_tapo)
    await wrong.close()
    session = await connect_tapo(plug)
    await session.act(plug_switch(plug), "turn_on")
    assert plug.relay_on() and paths(plug)[:3] == ["handshake1", "handshake1", "handshake2"]


async def test_the_device_proof_is_what_a_device_that_knows_the_account_makes(make_tapo: MakeTapo) -> None:
    """The check that guards handshake2 is the one the device makes (the simulator's own code)."""
    plug = await make_tapo()
    local = bytes(range(16))
    answered = await _handshake1(plug.address, local)
    remote, proof = answered[:16], answered[16:]
    assert proof == device_proof(local, remote, account_hash(plug.spec.username, plug.spec.password))
    assert proof != device_proof(local, remote, account_hash(plug.spec.username, WRONG))


async def _handshake1(address: str, seed: bytes) -> bytes:
    import aiohttp

    async with aiohttp.ClientSession() as client, client.post(f"http://{address}:{TAPO_PORT}/app/handshake1",
                                                              data=seed) as response:
        assert response.status == 200 and "TP_SESSIONID=" in response.headers["Set-Cookie"]
        return await response.read()


async def test_an_empty_password_is_still_a_tapo_host_and_refused_by_a_device_set_up_with_one(
        make_tapo: MakeTapo) -> None:
    plug = await make_tapo()
    host = HostSpec(adapter="kasa", name="Blank", address=plug.address, port=TAPO_PORT,
                    credentials={"username": Secret("", "literal"), "password": Secret("", "literal")})
    session = await KasaAdapter().connect(host, 1.0)
    try:
        assert isinstance(session, TapoSession) and (await session.probe(1.0))[-1].problem == "credentials"
    finally:
        await session.close()
