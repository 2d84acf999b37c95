"""The conformance kit, run against the Shelly adapter and its fixtures."""

from __future__ import annotations

from pathlib import Path

from weaklink.testing import AdapterConformance


class TestShellyConformance(AdapterConformance):
    adapter = "shelly"
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
