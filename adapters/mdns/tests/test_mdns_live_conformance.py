"""The live conformance kit, run against the mDNS-only adapter: these devices are named, never
opened, so `connect` refuses every host (which the trials accept); `identify` must survive any
record of its service types."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestMdnsLiveConformance(LiveConformance):
    adapter = "mdns"
