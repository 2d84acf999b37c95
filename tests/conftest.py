"""Fixtures shared by the simulated home's and the live tests: fresh loopback addresses, one advertiser."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from weaklink.sim import Advertiser
from weaklink.sim.addresses import next_loopback  # one per process: no test reuses another's address


@pytest.fixture
def address() -> str:
    """A fresh loopback address for one simulated host."""
    return next_loopback()


@pytest.fixture
def fresh_address() -> Callable[[], str]:
    """Call it for more fresh loopback addresses (a host moving, a second host)."""
    return next_loopback


@pytest.fixture
async def advertiser() -> AsyncIterator[Advertiser]:
    """The home's mDNS advertiser, bound to 127.0.0.1 and closed after the test."""
    published = Advertiser()
    await published.start()
    yield published
    await published.close()
