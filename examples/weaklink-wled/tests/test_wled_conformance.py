"""weaklink's conformance kit, run against this adapter and its fixtures (one file per device model)."""

from __future__ import annotations

from pathlib import Path

from weaklink.testing import AdapterConformance


class TestWLEDAdapterConformance(AdapterConformance):
    adapter = "wled"
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
