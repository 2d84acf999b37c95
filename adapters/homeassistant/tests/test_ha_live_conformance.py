"""The live conformance kit, run against the Home Assistant adapter."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestHomeAssistantLiveConformance(LiveConformance):
    adapter = "homeassistant"
    credentials = {"token": "kit-canary-long-lived-token-5d1e9a"}
