"""Fixtures for the Hue adapter's tests: a simulated bridge on a fresh loopback address, a session to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hue_sim import RecordingBridge, host_of, make_spec

from weaklink.sim import Advertiser
from weaklink.sim.addresses import next_loopback
from weaklink_hue import HueAdapter, HueSession


@pytest.fixture
def adapter() -> HueAdapter:
    """The adapter, as the entry point makes it."""
    return HueAdapter()


@pytest.fixture
async def advertiser() -> AsyncIterator[Advertiser]:
    """mDNS on 127.0.0.1 for the bridges a test publishes."""
    published = Advertiser()
    yield published
    await published.close()


@pytest.fixture
async def bridge() -> AsyncIterator[RecordingBridge]:
    """A CLIP v2 bridge on its own loopback address, port 8443, not advertised."""
    hue = RecordingBridge(make_spec(next_loopback()))
    await hue.start()
    yield hue
    await hue.stop()


@pytest.fixture
async def old_bridge() -> AsyncIterator[RecordingBridge]:
    """A bridge whose firmware predates CLIP v2 (API 1.46): the adapter must speak v1 to it."""
    hue = RecordingBridge(make_spec(next_loopback(), api_version="1.46.0", sw_version="1946157000"))
    await hue.start()
    yield hue
    await hue.stop()


@pytest.fixture
async def session(adapter: HueAdapter, bridge: RecordingBridge) -> AsyncIterator[HueSession]:
    """A verified session with `bridge`."""
    opened = await adapter.connect(host_of(bridge), timeout=2)
    yield opened
    await opened.close()


@pytest.fixture
async def v1_session(adapter: HueAdapter, old_bridge: RecordingBridge) -> AsyncIterator[HueSession]:
    """A verified session with `old_bridge`, polling fast."""
    opened = await adapter.connect(host_of(old_bridge, poll_seconds=0.05), timeout=2)
    yield opened
    await opened.close()
