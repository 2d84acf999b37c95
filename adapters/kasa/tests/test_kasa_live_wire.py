"""The legacy protocol's wire format: the XOR autokey cipher and TCP framing, checked against the
bytes published with the protocol's reverse engineering, and against the simulator's own copy."""

from __future__ import annotations

import json
import random

import pytest

from weaklink.sim import kasa as simulated
from weaklink_kasa.wire import LENGTH, decrypt, encrypt, frame

# `{"system":{"get_sysinfo":{}}}` as the Kasa app sends it over TCP: softScheck's capture, the
# bytes every legacy-protocol client reproduces (length 0x1d, then the cipher)
SYSINFO = b'{"system":{"get_sysinfo":{}}}'
SYSINFO_ON_THE_WIRE = bytes.fromhex("0000001dd0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6")


def test_a_request_is_framed_and_encrypted_as_the_devices_expect() -> None:
    assert frame(SYSINFO) == SYSINFO_ON_THE_WIRE
    assert LENGTH.unpack(SYSINFO_ON_THE_WIRE[:4]) == (len(SYSINFO),)
    assert decrypt(SYSINFO_ON_THE_WIRE[4:]) == SYSINFO


@pytest.mark.parametrize("seed", range(5))
def test_decrypt_undoes_encrypt_and_both_sides_agree(seed: int) -> None:
    draw = random.Random(seed)
    plain = bytes(draw.randrange(256) for _ in range(draw.randint(0, 3000)))
    assert decrypt(encrypt(plain)) == plain
    assert encrypt(plain) == simulated.encrypt(plain) and simulated.decrypt(encrypt(plain)) == plain


def test_each_byte_is_keyed_by_the_previous_cipher_byte() -> None:
    # the autokey property: a changed plain byte changes its cipher byte and those after it, never one before
    plain = json.dumps({"system": {"set_relay_state": {"state": 1}}}).encode()
    changed = plain.replace(b"1", b"0")
    first, second = encrypt(plain), encrypt(changed)
    differing = [i for i in range(len(plain)) if first[i] != second[i]]
    assert differing and all(i >= plain.index(b"1") for i in differing)
    assert encrypt(b"{")[0] == ord("{") ^ 171
