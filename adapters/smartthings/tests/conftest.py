"""Fixtures of the SmartThings adapter's live tests: simulated accounts on fresh loopback addresses,
sessions to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from smartthings_live_support import PORT, Connect, Make, host_for

from weaklink.sim.addresses import next_loopback
from weaklink.sim.smartthings import SmartThingsCloud, SmartThingsSpec
from weaklink_smartthings import SmartThingsAdapter
from weaklink_smartthings.session import SmartThingsSession


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """Start simulated SmartThings accounts on fresh addresses, stopped after the test."""
    async with AsyncExitStack() as running:

        async def start(**fields: Any) -> SmartThingsCloud:
            fields.setdefault("name", "Maple Street account")
            cloud = SmartThingsCloud(SmartThingsSpec(address=next_loopback(), port=PORT, **fields))
            running.push_async_callback(cloud.stop)
            await cloud.start()
            return cloud

        yield start


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open sessions with the adapter, as `weaklink` does for a home file's host."""
    async with AsyncExitStack() as opened:

        async def open_session(cloud: SmartThingsCloud, timeout: float = 2.0, token: str | None = None,
                               **options: Any) -> SmartThingsSession:
            session = await SmartThingsAdapter().connect(host_for(cloud, token, **options), timeout)
            opened.push_async_callback(session.close)
            return session

        yield open_session
