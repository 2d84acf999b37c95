"""The legacy Kasa protocol's wire format: the XOR "autokey" cipher and TCP framing.

Each byte is XORed with the previous *encrypted* byte, the first with 171: obfuscation, not
security (anyone on the network can read and forge it). Over TCP (port 9999) every message,
both ways, is a 4-byte big-endian length and then that many encrypted bytes of JSON; over
UDP (discovery, same port) the encrypted JSON alone.
"""

from __future__ import annotations

import struct

KASA_PORT = 9999
INITIAL_KEY = 171
LENGTH = struct.Struct(">I")
# The largest answer accepted: an HS300's get_sysinfo is ~2 KiB; a length beyond this is not a
# Kasa device's (a TLS alert or an HTTP banner read as a length is hundreds of megabytes).
MAX_ANSWER = 256 * 1024


def encrypt(plain: bytes) -> bytes:
    """`plain` under the autokey cipher."""
    key, out = INITIAL_KEY, bytearray()
    for byte in plain:
        key ^= byte
        out.append(key)
    return bytes(out)


def decrypt(cipher: bytes) -> bytes:
    """The inverse of `encrypt`."""
    key, out = INITIAL_KEY, bytearray()
    for byte in cipher:
        out.append(key ^ byte)
        key = byte
    return bytes(out)


def frame(plain: bytes) -> bytes:
    """One TCP message: the length, then the encrypted bytes."""
    return LENGTH.pack(len(plain)) + encrypt(plain)
