"""Hosts that misbehave, for the live conformance kit: each on a fresh 127.x.y.z address.

- `silent`: accepts (TCP) or receives (UDP), and never answers;
- `reset`: resets every TCP connection as it arrives (a RST, not a FIN); for UDP, nothing
  listens on the port, so the client meets "port unreachable";
- `garbage`: answers whatever it is sent with bytes that are no protocol's.

Every byte a peer receives is kept (`received`), so a test can prove that no credential was
ever sent to a host that never proved who it is.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Literal

from ..sim.addresses import next_loopback

Behaviour = Literal["silent", "reset", "garbage"]
BEHAVIOURS: tuple[Behaviour, ...] = ("silent", "reset", "garbage")
GARBAGE = b"\x15\x03\x01\x00\x02\x02\x50\x00\xff{{{ not json ]]]\r\n\r\n\x00\x07garbage\xfe"


@dataclass
class HostilePeer:
    """Where the peer listens, and what it was sent."""

    address: str
    port: int
    received: bytearray = field(default_factory=bytearray)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, peer: HostilePeer, behaviour: Behaviour) -> None:
        self.peer, self.behaviour = peer, behaviour
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.peer.received += data
        if self.behaviour == "garbage" and self.transport is not None:
            self.transport.sendto(GARBAGE, addr)


@asynccontextmanager
async def hostile_peer(behaviour: Behaviour, transport: Literal["tcp", "udp"] = "tcp",
                       port: int = 0) -> AsyncIterator[HostilePeer]:
    """A misbehaving host on a fresh loopback address (`port` 0: any free port)."""
    address = next_loopback()
    loop = asyncio.get_running_loop()
    if transport == "udp":
        peer = HostilePeer(address, port)
        listening, _ = await loop.create_datagram_endpoint(lambda: _Datagrams(peer, behaviour),
                                                           local_addr=(address, port))
        peer.port = listening.get_extra_info("sockname")[1]
        if behaviour == "reset":  # nobody listens there any more: the port is unreachable
            listening.close()
            await asyncio.sleep(0)  # the socket closes on the loop's next turn
        try:
            yield peer
        finally:
            listening.close()
        return
    held: set[asyncio.StreamWriter] = set()
    peer = HostilePeer(address, 0)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.add(writer)
        try:
            if behaviour == "reset":
                raw = writer.get_extra_info("socket")
                if raw is not None:  # linger 0: closing sends a RST
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            while data := await reader.read(4096):
                peer.received += data
                if behaviour == "garbage":
                    writer.write(GARBAGE)
                    await writer.drain()
                    writer.close()
                    return
        except (ConnectionError, OSError):
            pass
        finally:
            held.discard(writer)

    server = await asyncio.start_server(answer, host=address, port=port)
    peer.port = server.sockets[0].getsockname()[1]
    try:
        yield peer
    finally:
        server.close()
        for writer in list(held):
            writer.transport.abort()
        for _ in range(3):  # the handlers see their connections end, and return
            await asyncio.sleep(0)
        with suppress(Exception):
            await server.wait_closed()
