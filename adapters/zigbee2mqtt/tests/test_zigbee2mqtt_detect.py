"""Zigbee2MQTT's payloads are recognised by their content, and nothing else is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from z2m_fixtures import FIXTURES, HA_EXAMPLE, NETWORK_MAP, REFERENCE, document, write

from weaklink_zigbee2mqtt import Zigbee2MqttAdapter

ADAPTER = Zigbee2MqttAdapter()


def _reference_files() -> list[Path]:
    # a missing folder is one parameter that fails with its name, never a skip
    return sorted(p for p in REFERENCE.rglob("*") if p.is_file()) if REFERENCE.is_dir() else [REFERENCE]


def _ha_example_paths() -> list[Path]:
    return [HA_EXAMPLE, *sorted(p for p in HA_EXAMPLE.rglob("*"))] if HA_EXAMPLE.is_dir() else [HA_EXAMPLE]


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_fixture_is_recognised_whatever_its_name(fixture: Path, tmp_path: Path) -> None:
    assert ADAPTER.detect(fixture)
    renamed = shutil.copyfile(fixture, tmp_path / "export (3).txt")
    assert ADAPTER.detect(renamed)


@pytest.mark.parametrize("path", _reference_files(), ids=lambda p: str(p.relative_to(REFERENCE.parent)))
def test_no_other_brands_reference_file_is_claimed(path: Path) -> None:
    assert REFERENCE.is_dir(), f"the shared reference dumps are missing: {REFERENCE} is not a folder"
    assert not ADAPTER.detect(path)


@pytest.mark.parametrize("path", _ha_example_paths(), ids=lambda p: p.name)
def test_nothing_of_the_home_assistant_example_is_claimed(path: Path) -> None:
    assert HA_EXAMPLE.is_dir(), f"the Home Assistant example home is missing: {HA_EXAMPLE}"
    assert not ADAPTER.detect(path)


def test_each_wrapping_of_the_network_map_is_recognised(tmp_path: Path) -> None:
    response = document(NETWORK_MAP)
    assert ADAPTER.detect(write(tmp_path / "response.json", response))
    assert ADAPTER.detect(write(tmp_path / "data.json", response["data"]))
    assert ADAPTER.detect(write(tmp_path / "download.json", response["data"]["value"]))


@pytest.mark.parametrize("foreign", [
    [],  # an empty bridge/devices is indistinguishable from any empty list
    [{"id": 1, "friendly_name": "all_lights", "members": [{"ieee_address": "0x00158d0001e1a2b3", "endpoint": 1}]}],
    {"data": {"routes": False, "type": "graphviz", "value": "digraph G {\nnode[shape=record];\n}"}, "status": "ok"},
    {"data": {}, "error": "Failed to connect to the adapter", "status": "error"},
    {"data": {"friendly_name": "Hallway motion", "ieee_address": "0x00158d0001e1a2b3"}, "type": "device_joined"},
    {"nodes": [{"id": "a"}], "links": [{"source": "a", "target": "b"}]},  # networkx's node-link JSON
    {"ieee": "00:15:8d:00:01:e1:a2:b3", "nwk": "0x63a1", "device_type": "EndDevice"},  # ZHA's words
], ids=["empty list", "bridge/groups", "graphviz map", "error response", "bridge/event", "node-link graph", "zha"])
def test_look_alikes_are_not_claimed(foreign: object, tmp_path: Path) -> None:
    assert not ADAPTER.detect(write(tmp_path / "foreign.json", foreign))


def test_detect_never_raises(tmp_path: Path) -> None:
    (tmp_path / "garbage.json").write_bytes(b"[\xff\xfe{\x00")
    (tmp_path / "folder").mkdir()
    for path in (tmp_path / "garbage.json", tmp_path / "folder", tmp_path / "missing.json"):
        assert ADAPTER.detect(path) is False
