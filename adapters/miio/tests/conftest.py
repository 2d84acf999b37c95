"""Fixtures for the miIO adapter's tests: a plug on a fresh loopback address, and a session to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from miio_sim import DID, RecordingDevice, host_for, opened, plug_spec

from weaklink_miio import MiioSession


@pytest.fixture
async def plug() -> AsyncIterator[RecordingDevice]:
    """A plug nobody advertises."""
    async with RecordingDevice(plug_spec()) as device:
        yield device


@pytest.fixture
async def session(plug: RecordingDevice) -> AsyncIterator[MiioSession]:
    """A session to the plug, which the home file names by its device id; it polls fast."""
    async with opened(host_for(plug, device_id=DID, poll_interval=0.05)) as opened_session:
        yield opened_session
