"""The manifest says what the adapter is and does, and is what the entry point registers."""

from __future__ import annotations

from smartthings_fixtures import HOME

from weaklink.adapters import installed_adapters
from weaklink_smartthings import SmartThingsAdapter
from weaklink_smartthings.capabilities import kinds


def test_the_entry_point_registers_the_adapter_with_its_manifest() -> None:
    [adapter] = [a for a in installed_adapters() if a.manifest.name == "smartthings"]
    assert isinstance(adapter, SmartThingsAdapter)
    manifest = adapter.manifest
    assert (manifest.brand, manifest.operations, manifest.platform_domains, manifest.quality) == (
        "Samsung SmartThings", ["offline", "snapshot", "probe", "observe", "act", "dump"], ["smartthings"], "gold")


def test_the_manifest_declares_exactly_the_kinds_the_adapter_gives() -> None:
    assert set(SmartThingsAdapter.manifest.capabilities) == kinds()


def test_there_is_no_recorded_history_in_these_answers() -> None:
    assert SmartThingsAdapter().open_history(HOME / "devices.json") is None
