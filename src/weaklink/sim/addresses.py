"""Handing out loopback addresses: one 127.x.y.z per simulated host."""

from __future__ import annotations

import itertools
import os


class LoopbackAddresses:
    """Addresses in 127.0.0.0/8 not handed out before by this allocator.

    Nothing in 127.0.0.0/24 is handed out: 127.0.0.1 is the home's mDNS responder, and the
    example homes' fixed addresses are there. `start` spreads
    allocators of different processes apart, so two test runs on one machine do not reuse
    each other's addresses while old sockets linger.
    """

    def __init__(self, start: int | None = None) -> None:
        base = (os.getpid() % 200) * 256 if start is None else start
        self._numbers = itertools.count(base)

    def __call__(self) -> str:
        """The next free address."""
        while True:
            number = next(self._numbers) % (1 << 24)
            second, third, fourth = number >> 16, (number >> 8) & 255, number & 255
            if fourth in (0, 1, 255) or (second, third) in ((0, 0), (255, 255)):
                # skip .0, .1 and the broadcast address, and all of 127.0.0.x: 127.0.0.1 is the
                # mDNS host, and the example homes use fixed addresses there
                continue
            return f"127.{second}.{third}.{fourth}"


# One allocator per process, shared by every test suite and tool that starts hosts in it.
next_loopback = LoopbackAddresses()
