"""Shared fixtures for the simulated home's tests: fresh loopback addresses, one advertiser."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator

import pytest

from weaklink.sim import Advertiser

# Each test gets hosts on addresses no other test used in this run (no lingering sockets),
# spread from a per-process start so parallel runs on one machine do not collide.
_ADDRESSES = itertools.count(start=(os.getpid() % 200) * 256 + 2)


def next_loopback() -> str:
    """A 127.0.0.0/8 address not handed out before in this run (never 127.0.0.1: mDNS lives there)."""
    number = next(_ADDRESSES) % (254 * 254) + 2 * 256 + 2
    return f"127.{(number >> 16) & 255}.{(number >> 8) & 255 or 1}.{number & 255 or 2}"


@pytest.fixture
def address() -> Iterator[str]:
    """A fresh loopback address for one simulated host."""
    yield next_loopback()


@pytest.fixture
async def advertiser() -> AsyncIterator[Advertiser]:
    """The home's mDNS advertiser, bound to 127.0.0.1 and closed after the test."""
    published = Advertiser()
    await published.start()
    yield published
    await published.close()
