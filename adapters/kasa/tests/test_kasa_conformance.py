"""The conformance kit, run against the Kasa/Tapo adapter and its fixtures."""

from __future__ import annotations

from pathlib import Path

from weaklink.testing import AdapterConformance


class TestKasaConformance(AdapterConformance):
    adapter = "kasa"
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
