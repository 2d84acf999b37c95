"""The live conformance kit, run against the Hue adapter."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestHueLiveConformance(LiveConformance):
    adapter = "hue"
    credentials = {"app_key": "kit-canary-app-key-0000000000000000000001"}
