"""The conformance kit, run against the Home Assistant adapter and its recorded config folder."""

from __future__ import annotations

from pathlib import Path

from ha_fixtures import FIXTURES, HOME

from weaklink.testing import AdapterConformance


class TestHomeAssistantConformance(AdapterConformance):
    adapter = "homeassistant"
    fixtures = FIXTURES
    not_secret = frozenset({"key"})  # every storage file names itself under `key`

    @classmethod
    def fixture_paths(cls) -> list[Path]:
        return [HOME]  # an export is a whole config folder
