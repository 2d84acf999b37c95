"""The client half of a UDP exchange with one device, for adapters that speak UDP (miIO, TP-Link).

A socket connected to the device's address receives only that device's answers, and the
kernel reports an ICMP "port unreachable" to it, so a closed port fails at once instead of
timing out.
"""

from __future__ import annotations

import asyncio


class FirstAnswer(asyncio.DatagramProtocol):
    """Keeps the first datagram that arrives, or the error the kernel reports, in `answer`."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)
