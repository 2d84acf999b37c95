"""The miIO hello, said by weaklink itself: unicast, on a connected UDP socket, bounded.

A hello is a bare 32-byte header (`21 31 00 20`, then 0xff); a device answers with its own
header: its device id and its stamp (seconds since it booted). Nothing is encrypted, so no
token is needed, and none is sent.

python-miio's handshake (`MiIOProtocol.discover`) waits 5 s a try from an unconnected
socket, which never hears the ICMP port-unreachable of a closed port, and it takes a
malformed answer for no answer. A connected socket tells the three apart: a closed port
(`refused`), silence (`silent`), and a packet that is not a hello reply (`malformed`,
with the header's bytes as evidence).
"""

from __future__ import annotations

import asyncio
import struct
import time
from dataclasses import dataclass

from weaklink.live.datagram import FirstAnswer
from weaklink.report import Layer

from .errors import MiioFailure

MIIO_PORT = 54321  # python-miio's, and every device's
HELLO = bytes.fromhex("21310020") + b"\xff" * 28
MAGIC = 0x2131
HEADER = struct.Struct(">HHIII")  # magic, length, unknown, device id, stamp; then the 16-byte checksum field
HEADER_SIZE = 32
RESENDS = 3  # a hello is resent this many times within the timeout: one lost datagram is not a dead device


def where(address: str, port: int) -> str:
    """A device's address as a person reads it: the port only when it is not miIO's own."""
    return address if port == MIIO_PORT else f"{address}:{port}"


@dataclass(frozen=True)
class HelloReply:
    """What a device says about itself in answer to a hello."""

    device_id: int
    stamp: int
    latency_ms: float
    token_revealed: bool  # an unprovisioned device puts its token in the checksum field


async def say_hello(address: str, timeout: float, port: int = MIIO_PORT) -> HelloReply:
    """Say hello to one address; its device id and stamp, or a `MiioFailure` naming what happened."""
    loop = asyncio.get_running_loop()
    place = where(address, port)
    started = time.monotonic()
    try:
        transport, endpoint = await loop.create_datagram_endpoint(FirstAnswer, remote_addr=(address, port))
    except OSError as exc:
        raise MiioFailure(Layer.NETWORK, "unreachable", f"cannot send a miIO hello to {place}: {exc}") from exc
    try:
        deadline = started + max(timeout, 0.0)
        transport.sendto(HELLO)
        while not endpoint.answer.done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise MiioFailure(Layer.NETWORK, "silent", (
                    f"no answer to the miIO hello from {place} within {timeout:.1f} s: the device is off, "
                    "off the Wi-Fi, or now has another address"))
            done, _ = await asyncio.wait({endpoint.answer}, timeout=min(left, max(timeout / RESENDS, 0.05)))
            if not done:
                transport.sendto(HELLO)
        datagram = endpoint.answer.result()
    except ConnectionRefusedError as exc:
        raise MiioFailure(Layer.NETWORK, "refused", (
            f"nothing listens for miIO at {place} (UDP port {port} is closed: ICMP port unreachable): the device "
            "is off or restarting, or another host now has its address")) from exc
    except OSError as exc:
        raise MiioFailure(Layer.NETWORK, "unreachable", f"cannot reach {place}: {exc}") from exc
    finally:
        transport.close()
    return parse_hello_reply(datagram, place, (time.monotonic() - started) * 1000)


def parse_hello_reply(datagram: bytes, place: str, latency_ms: float) -> HelloReply:
    """The device's answer to a hello; a `device`-layer `MiioFailure` when it is not one."""
    # The checksum field (bytes 16-31) may hold the token: the evidence shows the header before it.
    evidence = f"header bytes {datagram[:16].hex(' ') or '(none)'}"
    if len(datagram) < HEADER_SIZE:
        problem = f"a {len(datagram)}-byte answer, shorter than a miIO header (32 bytes)"
    else:
        magic, length, _unknown, device_id, stamp = HEADER.unpack_from(datagram)
        if magic != MAGIC:
            problem = f"magic 0x{magic:04x} instead of 0x{MAGIC:04x}"
        elif length != len(datagram):
            problem = f"its length field says {length} bytes, the datagram has {len(datagram)}"
        elif length != HEADER_SIZE:
            problem = f"a {length}-byte packet where a hello reply is a bare 32-byte header"
        else:
            checksum = datagram[16:32]
            return HelloReply(device_id, stamp, latency_ms, token_revealed=checksum not in (b"\xff" * 16, bytes(16)))
    raise MiioFailure(Layer.DEVICE, "malformed",
                      f"{place} answered the miIO hello with a malformed packet: {problem} ({evidence})")
