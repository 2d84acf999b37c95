"""KLAP as the adapter speaks it and as the simulated device speaks it, written apart: each side
opens what the other seals; a tampered body, a wrong sequence number, a forgotten session are
refused; the adapter shakes hands again when the device forgot its session."""

from __future__ import annotations

import secrets

import aiohttp
import pytest
from tapo_live_support import TAPO_PORT, ConnectTapo, MakeTapo, paths
from weaklink_kasa.klap import KlapCipher, Undecryptable, account_hash, client_proof, device_proof

from weaklink.sim import Fault, FaultKind
from weaklink.sim.tapo import KlapSession, auth_hash

LOCAL, REMOTE = secrets.token_bytes(16), secrets.token_bytes(16)
ACCOUNT = account_hash("someone@example.com", "a password")


def test_both_sides_hash_the_account_and_prove_it_alike() -> None:
    assert ACCOUNT == auth_hash("someone@example.com", "a password")
    device = KlapSession(LOCAL, REMOTE, ACCOUNT)
    assert device.device_proof == device_proof(LOCAL, REMOTE, ACCOUNT)
    assert device.client_proof == client_proof(LOCAL, REMOTE, ACCOUNT)
    assert device_proof(LOCAL, REMOTE, ACCOUNT) != client_proof(LOCAL, REMOTE, ACCOUNT)


def test_each_side_opens_what_the_other_seals() -> None:
    client, device = KlapCipher.derive(LOCAL, REMOTE, ACCOUNT), KlapSession(LOCAL, REMOTE, ACCOUNT)
    start = client.seq
    body, seq = client.encrypt(b'{"method":"get_device_info"}')
    assert seq == start + 1 and len(body) == 32 + 32  # the signature, then two AES blocks
    assert device.open(seq, body) == b'{"method":"get_device_info"}'
    answer = device.seal(seq, b'{"error_code":0,"result":{}}')
    assert client.decrypt(seq, answer) == b'{"error_code":0,"result":{}}'
    assert client.encrypt(b"{}")[1] == seq + 1  # one more per request


def test_a_tampered_answer_or_another_sequence_number_is_refused() -> None:
    client, device = KlapCipher.derive(LOCAL, REMOTE, ACCOUNT), KlapSession(LOCAL, REMOTE, ACCOUNT)
    _, seq = client.encrypt(b"{}")
    answer = bytearray(device.seal(seq, b'{"error_code":0}'))
    with pytest.raises(Undecryptable, match="signature"):
        client.decrypt(seq + 1, bytes(answer))
    answer[-1] ^= 1
    with pytest.raises(Undecryptable, match="signature"):
        client.decrypt(seq, bytes(answer))
    with pytest.raises(Undecryptable, match="AES blocks"):
        client.decrypt(seq, bytes(answer[:40]))
    other = KlapCipher.derive(LOCAL, REMOTE, account_hash("someone@example.com", "another password"))
    with pytest.raises(Undecryptable):
        other.decrypt(seq, device.seal(seq, b"{}"))


def test_the_sequence_number_wraps_as_a_signed_32_bit_number() -> None:
    cipher = KlapCipher.derive(LOCAL, REMOTE, ACCOUNT)
    cipher.seq = 2**31 - 1
    assert cipher.encrypt(b"{}")[1] == -(2**31)


async def test_the_device_refuses_what_is_not_klap(make_tapo: MakeTapo) -> None:
    plug = await make_tapo()
    base = f"http://{plug.address}:{TAPO_PORT}/app"
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{base}/handshake1", data=b"short seed") as response:
            assert response.status == 400
        async with client.post(f"{base}/request?seq=1", data=bytes(64)) as response:
            assert response.status == 403  # no session
        async with client.post(f"{base}/handshake1", data=LOCAL) as response:
            cookie = response.headers["Set-Cookie"].split(";")[0]
            remote = (await response.read())[:16]
        account = account_hash(plug.spec.username, plug.spec.password)
        async with client.post(f"{base}/handshake2", data=bytes(32), headers={"Cookie": cookie}) as response:
            assert response.status == 403  # not the client's proof
        async with client.post(f"{base}/handshake2", data=client_proof(LOCAL, remote, account),
                               headers={"Cookie": cookie}) as response:
            assert response.status == 200
        cipher = KlapCipher.derive(LOCAL, remote, account)
        body, seq = cipher.encrypt(b'{"method":"get_device_info"}')
        async with client.post(f"{base}/request?seq={seq + 1}", data=body, headers={"Cookie": cookie}) as response:
            assert response.status == 400  # signed for another sequence number
        async with client.post(f"{base}/request?seq={seq}", data=body, headers={"Cookie": cookie}) as response:
            assert response.status == 200 and b"device_id" in cipher.decrypt(seq, await response.read())
        await plug.inject(Fault(kind=FaultKind.KEY_REVOKED))  # set up again: its sessions are gone
        body, seq = cipher.encrypt(b'{"method":"get_device_info"}')
        async with client.post(f"{base}/request?seq={seq}", data=body, headers={"Cookie": cookie}) as response:
            assert response.status == 403


async def test_a_device_that_restarted_is_asked_again_with_a_new_handshake(make_tapo: MakeTapo,
                                                                           connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(on=True)
    session = await connect_tapo(plug)
    await plug.stop()
    await plug.start()  # it forgot the session
    fragment = await session.snapshot()
    assert fragment.capabilities[0].state == "on"
    assert paths(plug).count("handshake2") == 2 and session.transport.handshakes == 2
