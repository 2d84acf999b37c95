"""The live conformance kit, run against the Kasa adapter (legacy IOT protocol over TCP 9999)."""

from __future__ import annotations

from weaklink.testing import LiveConformance


class TestKasaLiveConformance(LiveConformance):
    adapter = "kasa"
