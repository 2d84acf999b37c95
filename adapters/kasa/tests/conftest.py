"""Fixtures of the Kasa adapter's live tests: simulated Kasa devices on fresh loopback addresses, sessions to them."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from kasa_live_support import PORT, Connect, Make, host_for

from weaklink.sim.addresses import next_loopback
from weaklink.sim.kasa import KasaDevice, KasaSpec
from weaklink_kasa import KasaAdapter
from weaklink_kasa.session import KasaSession


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """Start simulated Kasa devices on fresh addresses (or the one given), stopped after the test."""
    async with AsyncExitStack() as running:

        async def start(address: str | None = None, device: type[KasaDevice] = KasaDevice,
                        **fields: Any) -> KasaDevice:
            fields.setdefault("name", f"Plug {secrets.token_hex(3)}")  # distinct ids and MACs
            started = device(KasaSpec(address=address or next_loopback(), port=PORT, **fields))
            running.push_async_callback(started.stop)
            await started.start()
            return started

        yield start


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open sessions with the adapter, as `weaklink` does for a home file's host."""
    async with AsyncExitStack() as opened:

        async def open_session(device: KasaDevice, timeout: float = 2.0, **options: Any) -> KasaSession:
            session = await KasaAdapter().connect(host_for(device, **options), timeout)
            opened.push_async_callback(session.close)
            return session

        yield open_session
