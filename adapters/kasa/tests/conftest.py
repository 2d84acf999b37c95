"""Fixtures of the Kasa adapter's live tests: simulated Kasa devices on fresh loopback addresses, sessions to them."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from kasa_live_support import PORT, Connect, Make, host_for
from tapo_live_support import TAPO_PORT, ConnectTapo, MakeTapo, tapo_host
from weaklink_kasa import KasaAdapter
from weaklink_kasa.session import KasaSession
from weaklink_kasa.tapo_session import TapoSession

from weaklink.sim.addresses import next_loopback
from weaklink.sim.kasa import KasaDevice, KasaSpec
from weaklink.sim.tapo import TapoDevice, TapoSpec


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


@pytest.fixture
async def make_tapo() -> AsyncIterator[MakeTapo]:
    """Start simulated Tapo devices on fresh addresses (or the one given), stopped after the test."""
    async with AsyncExitStack() as running:

        async def start(address: str | None = None, device: type[TapoDevice] = TapoDevice,
                        **fields: Any) -> TapoDevice:
            fields.setdefault("name", f"Tapo {secrets.token_hex(3)}")  # distinct ids, MACs and accounts
            started = device(TapoSpec(address=address or next_loopback(), port=TAPO_PORT, **fields))
            running.push_async_callback(started.stop)
            await started.start()
            return started

        yield start


@pytest.fixture
async def connect_tapo() -> AsyncIterator[ConnectTapo]:
    """Open Tapo sessions with the adapter, as `weaklink` does for a home file's host with an account."""
    async with AsyncExitStack() as opened:

        async def open_session(device: TapoDevice, timeout: float = 2.0, **options: Any) -> TapoSession:
            session = await KasaAdapter().connect(tapo_host(device, **options), timeout)
            assert isinstance(session, TapoSession)
            opened.push_async_callback(session.close)
            return session

        yield open_session
