"""Recognising a Tapo (SMART protocol) device at an address, without credentials: its answer to
a TP-Link discovery datagram on UDP 20002.

Newer TP-Link devices answer a "TDP" probe on UDP port 20002: a 16-byte header (version 2,
message type 0, op code 1, payload size, flags, a serial and a CRC-32 of the packet computed
with the seed 0x5A6B7C8D in its place), with or without a payload. The answer is a header and
`{"error_code": 0, "result": {…}}`: the device's model (`P110(EU)`), type (`SMART.TAPOPLUG`),
MAC, address, and how to talk to it (`mgt_encrypt_schm`: `encrypt_type` KLAP, `http_port`,
`lv` login version). That is all that can be known without the TP-Link account: no name, no
state. weaklink asks only the address it is given (never a broadcast), with the bare header.
"""

from __future__ import annotations

import asyncio
import binascii
import json
import struct
from dataclasses import dataclass
from typing import Any

from weaklink.live.contract import Discovered
from weaklink.live.datagram import FirstAnswer
from weaklink.model import IdentifierKind, normalize_identifier

from .naming import mac_digits

DISCOVERY_PORT = 20002
VIA = "kasa-tdp"
_HEADER = struct.Struct(">BBHHBBII")  # version, type, op code, size, flags, padding, serial, CRC
_CRC_SEED = 0x5A6B7C8D


def probe_packet() -> bytes:
    """The bare TDP probe: a header with no payload, its CRC-32 in place."""
    packet = bytearray(_HEADER.pack(2, 0, 1, 0, 0, 0, 0, _CRC_SEED))
    packet[12:16] = binascii.crc32(packet).to_bytes(4, "big")
    return bytes(packet)


@dataclass(frozen=True)
class DiscoveryAnswer:
    """What a SMART device says of itself, unauthenticated."""

    result: dict[str, Any]  # as answered

    @property
    def model(self) -> str | None:
        """`P110(EU)`."""
        return _text(self.result, "device_model")

    @property
    def mac(self) -> str | None:
        """In weaklink's spelling (aa:bb:…), or None."""
        digits = mac_digits(_text(self.result, "mac"))
        return normalize_identifier(IdentifierKind.MAC, digits) if digits else None

    @property
    def encryption(self) -> str | None:
        """`KLAP` (or `AES`: older firmware's passthrough, which weaklink does not speak)."""
        scheme = self.result.get("mgt_encrypt_schm")
        return _text(scheme, "encrypt_type") if isinstance(scheme, dict) else None

    @property
    def http_port(self) -> int | None:
        """Where it speaks KLAP."""
        scheme = self.result.get("mgt_encrypt_schm")
        port = scheme.get("http_port") if isinstance(scheme, dict) else None
        return port if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536 else None


def parse_answer(data: bytes) -> DiscoveryAnswer | None:
    """The discovery answer in a datagram, or None when it is not one."""
    if len(data) <= _HEADER.size:
        return None
    try:
        body = json.loads(data[_HEADER.size:].decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    result = body.get("result") if isinstance(body, dict) and body.get("error_code", 0) == 0 else None
    if not isinstance(result, dict) or not _text(result, "device_type") or not (
            _text(result, "device_model") or _text(result, "mac")):
        return None
    return DiscoveryAnswer(result)


async def ask(host: str, timeout: float, port: int = DISCOVERY_PORT) -> DiscoveryAnswer | None:
    """The answer of the device at `host` to one TDP probe; None when nothing (or garbage) answers."""
    try:
        transport, endpoint = await asyncio.get_running_loop().create_datagram_endpoint(
            FirstAnswer, remote_addr=(host, port))
    except OSError:
        return None
    try:
        transport.sendto(probe_packet())
        async with asyncio.timeout(timeout):
            return parse_answer(await endpoint.answer)
    except (TimeoutError, OSError):
        return None
    finally:
        transport.close()


def discovered(answer: DiscoveryAnswer, host: str, operations: list[str], brand: str) -> Discovered:
    """The host a discovery answer describes: what weaklink can do with it once given the TP-Link
    account (nothing, for a device on the older AES passthrough, which it reads from dumps only)."""
    identifiers = {"mac": answer.mac} if answer.mac else {}
    klap = answer.encryption in (None, "KLAP")
    return Discovered(adapter="kasa", brand=brand, name=answer.model or f"Tapo at {host}", address=host,
                      port=answer.http_port, model=answer.model, identifiers=identifiers, via=VIA,
                      operations=operations if klap else [])


def _text(answer: Any, key: str) -> str | None:
    value = answer.get(key) if isinstance(answer, dict) else None
    return value if isinstance(value, str) and value else None
