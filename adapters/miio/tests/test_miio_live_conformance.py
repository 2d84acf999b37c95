"""The live conformance kit, run against the miIO adapter (UDP, python-miio in an executor)."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestMiioLiveConformance(LiveConformance):
    adapter = "miio"
    credentials = {"token": "c0ffee00c0ffee00c0ffee00c0ffee00"}
    transport = "udp"
