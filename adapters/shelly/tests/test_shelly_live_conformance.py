"""The live conformance kit, run against the Shelly adapter."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestShellyLiveConformance(LiveConformance):
    adapter = "shelly"
    credentials = {"password": "kit-canary-password-2b8f"}
