"""Fixtures of the Shelly adapter's tests: simulated Shellies on fresh loopback addresses, sessions to them."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from shelly_fixtures import PORT, Connect, Make, RecordingShelly, host_for

from weaklink.sim import Advertiser
from weaklink.sim.addresses import next_loopback
from weaklink.sim.shelly import ShellyDevice, ShellySpec
from weaklink_shelly import ShellyAdapter, ShellySession


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """Start simulated Shellies on fresh addresses (advertised on 127.0.0.1 if `advertised`), stopped after the test."""
    async with AsyncExitStack() as running:
        advertiser = Advertiser()  # its socket opens with the first record published
        running.push_async_callback(advertiser.close)

        async def start(advertised: bool = False, address: str | None = None, **fields: Any) -> RecordingShelly:
            fields.setdefault("name", f"Relay {secrets.token_hex(4)}")  # unique MACs and mDNS names
            device = RecordingShelly(ShellySpec(address=address or next_loopback(), port=PORT, **fields),
                                     advertiser if advertised else None)
            running.push_async_callback(device.stop)
            await device.start()
            return device

        yield start


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open sessions with the adapter (closed after the test)."""
    async with AsyncExitStack() as opened:

        async def open_session(device: ShellyDevice, password: str | None = None, timeout: float = 2.0,
                               **options: Any) -> ShellySession:
            session = await ShellyAdapter().connect(host_for(device, password, **options), timeout)
            opened.push_async_callback(session.close)
            return session

        yield open_session
