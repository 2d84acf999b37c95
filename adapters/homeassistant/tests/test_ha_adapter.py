"""The adapter contract: entry point, manifest, detect, load, open_history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ha_fixtures import HOME
from weaklink.adapters import Adapter, AdapterManifest, installed_adapters
from weaklink.homefolder import import_home
from weaklink.errors import ExportError
from weaklink.model import IntegrationHealth
from weaklink_homeassistant import HomeAssistantAdapter

MANIFEST_FILE = Path(__file__).resolve().parent.parent / "weaklink_homeassistant" / "manifest.json"


def test_registered_under_the_entry_point_group() -> None:
    assert any(isinstance(a, HomeAssistantAdapter) for a in installed_adapters())
    assert isinstance(HomeAssistantAdapter(), Adapter)


def test_manifest_is_the_json_file() -> None:
    from_file = AdapterManifest.model_validate(json.loads(MANIFEST_FILE.read_text()))
    assert HomeAssistantAdapter.manifest == from_file
    assert (from_file.name, from_file.brand) == ("homeassistant", "Home Assistant")
    assert from_file.operations == ["offline", "history", "discover", "snapshot", "probe", "observe", "act"]
    assert from_file.protocols == ["ha-storage", "ha-recorder", "ha-websocket", "mdns"]
    assert from_file.mdns_types == ["_home-assistant._tcp.local."]


def test_detect(tmp_path: Path) -> None:
    adapter = HomeAssistantAdapter()
    assert adapter.detect(HOME)
    assert adapter.detect(HOME / "configuration.yaml")
    assert not adapter.detect(tmp_path)
    (tmp_path / ".storage").mkdir()
    assert adapter.detect(tmp_path)
    only_yaml = tmp_path / "only_yaml"
    only_yaml.mkdir()
    (only_yaml / "configuration.yaml").write_text("default_config:\n")
    assert adapter.detect(only_yaml)
    assert not adapter.detect(tmp_path / "missing")


def test_load_the_recorded_home() -> None:
    fragment = HomeAssistantAdapter().load(HOME)
    assert (fragment.platform, fragment.source) == ("homeassistant", str(HOME))
    assert (fragment.time_zone, fragment.location_name) == ("America/Chicago", "Maple Lane")
    assert len(fragment.devices) == 14 and len(fragment.capabilities) == 21
    assert {h.name for h in fragment.hubs} == {"Hue Bridge", "Nabu Casa SkyConnect v1.0", "Z-Stick 7"}
    health = {i.domain: i.health for i in fragment.integrations}
    assert health["nice_go"] is IntegrationHealth.FAILED and health["simplisafe"] is IntegrationHealth.RETRYING
    assert [r.result for r in fragment.runs] == ["condition_failed", "finished", "finished", "error"]
    assert [r.started_at for r in fragment.runs] == sorted(r.started_at for r in fragment.runs)
    warnings = [e for e in fragment.log if e.logger == "weaklink.homeassistant"]
    assert {w.source for w in warnings} == {"automations.yaml", "automations/porch.yaml"}
    assert any(e.logger == "homeassistant.config_entries" for e in fragment.log)


def test_load_home_finds_this_adapter() -> None:
    imported = import_home(HOME)
    assert [f.platform for f in imported.fragments] == ["homeassistant"]
    assert imported.histories == [] and imported.read == [(HOME, "homeassistant")]


def test_a_config_folder_with_only_yaml(tmp_path: Path) -> None:
    shutil.copy(HOME / "automations.yaml", tmp_path)
    (tmp_path / "configuration.yaml").write_text("automation: !include automations.yaml\n")
    fragment = HomeAssistantAdapter().load(tmp_path)
    assert fragment.devices == [] and len(fragment.automations) == 4
    assert fragment.automations[0].entity_id == "automation.arrive_home"


def test_a_malformed_registry_fails_the_load_naming_it(home: Path) -> None:
    (home / ".storage/core.device_registry").write_text('{"version": 1, "data": {"devices": [}')
    with pytest.raises(ExportError) as caught:
        HomeAssistantAdapter().load(home)
    assert caught.value.source == str(home / ".storage/core.device_registry") and caught.value.line == 1


def test_an_unknown_time_zone_is_reported(home: Path) -> None:
    path = home / ".storage/core.config"
    document = json.loads(path.read_text())
    document["data"]["time_zone"] = "Mars/Olympus_Mons"
    path.write_text(json.dumps(document))
    fragment = HomeAssistantAdapter().load(home)
    assert any("unknown time zone" in e.message for e in fragment.log)
    assert all(e.at is None or e.at.utcoffset().total_seconds() == 0 for e in fragment.log)


def test_open_history_without_a_database() -> None:
    assert HomeAssistantAdapter().open_history(HOME) is None


def test_open_history_opens_the_recorder_database(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weaklink_homeassistant import recorder

    (home / "home-assistant_v2.db").write_bytes(b"")
    opened: list[Path] = []
    monkeypatch.setattr(recorder.RecorderHistory, "open", classmethod(lambda cls, path, **kw: opened.append(path) or "history"))
    assert HomeAssistantAdapter().open_history(home) == "history"
    assert opened == [home / "home-assistant_v2.db"]
