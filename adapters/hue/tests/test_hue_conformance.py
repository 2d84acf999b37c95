"""The conformance kit, run against the Hue adapter and its fixtures."""

from __future__ import annotations

from pathlib import Path

from weaklink.testing import AdapterConformance


class TestHueConformance(AdapterConformance):
    adapter = "hue"
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
