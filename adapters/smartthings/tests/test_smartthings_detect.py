"""SmartThings answers are recognised by their content, whatever their names; nothing else is claimed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from smartthings_fixtures import EVERY_FIXTURE, FIXTURES, HOME, REPOSITORY, reference_files, require_reference, write

from weaklink_smartthings import SmartThingsAdapter
from weaklink_smartthings.documents import DocumentKind, kind_of

ADAPTER = SmartThingsAdapter()
OTHER_BRANDS = [path for brand in ("hue", "kasa", "shelly") for path in reference_files(brand)]
HA_HOME = REPOSITORY / "examples" / "ha-home"


@pytest.mark.parametrize("fixture", EVERY_FIXTURE, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixture_is_recognised_under_any_name(fixture: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "export (3).txt"
    shutil.copyfile(fixture, renamed)
    assert ADAPTER.detect(renamed)


@pytest.mark.parametrize("path", OTHER_BRANDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_other_brands_reference_files_are_not_claimed(path: Path) -> None:
    require_reference(path)
    assert not ADAPTER.detect(path)


def test_the_home_assistant_example_is_not_claimed() -> None:
    files = [p for p in HA_HOME.rglob("*") if p.is_file()]
    assert files, f"{HA_HOME} holds no file"
    assert not [p.name for p in [HA_HOME, *files] if ADAPTER.detect(p)]


@pytest.mark.parametrize("text", [
    '{"items": [{"locationId": "1f0e", "name": "Home"}], "_links": {}}',  # GET /locations
    '{"items": [{"roomId": "2a1b", "locationId": "1f0e", "name": "Hall"}], "_links": {}}',  # GET .../rooms
    '{"items": [], "_links": {}}',  # an empty device list says nothing
    '{"id": "p1", "name": "profile", "components": [{"id": "main", "capabilities": [{"id": "switch"}]}]}',
    '{"deviceId": "x", "status": "ok"}',
    '{"components": {"main": {"switch": {}}}}',  # no attribute holds a value
    '{"components": ["main"]}',
    '[{"deviceId": "x"}, {"id": "y"}]',  # no device has components
    '[[{"deviceId": "x", "components": []}]]',
    '{"data": [{"id": "1", "type": "light"}], "errors": []}',
])
def test_json_of_other_shapes_is_not_claimed(text: str, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(text)
    assert not ADAPTER.detect(path)


def test_folders_missing_files_and_garbage_are_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "garbage.bin").write_bytes(b"\x00\xff{\x01")
    (tmp_path / "cut.json").write_text('{"items": [{"deviceId": "a", "components": [')
    assert not ADAPTER.detect(tmp_path)
    assert not ADAPTER.detect(HOME)
    assert not ADAPTER.detect(tmp_path / "missing.json")
    assert not ADAPTER.detect(tmp_path / "garbage.bin")
    assert not ADAPTER.detect(tmp_path / "cut.json")


@pytest.mark.parametrize(("document", "kind"), [
    ({"items": [{"deviceId": "a", "components": []}], "_links": {}}, DocumentKind.DEVICE_LIST),
    ({"items": [{"deviceId": 7}, {"deviceId": "a", "components": []}]}, DocumentKind.DEVICE_LIST),  # read, then refused
    ([{"deviceId": "a", "components": []}], DocumentKind.DEVICE_LIST),  # as `smartthings devices --json` writes it
    ({"deviceId": "a", "components": [], "type": "ZIGBEE"}, DocumentKind.DEVICE),
    ({"deviceId": "a", "state": "OFFLINE", "lastUpdatedDate": "2025-01-01T00:00:00Z"}, DocumentKind.HEALTH),
    ({"deviceId": "a", "state": "ONLINE"}, DocumentKind.HEALTH),
    ({"components": {"main": {"switch": {"switch": {"value": "on"}}}}}, DocumentKind.STATUS),
])
def test_each_answer_is_told_apart(document: object, kind: DocumentKind, tmp_path: Path) -> None:
    assert kind_of(document) is kind
    assert ADAPTER.detect(write(tmp_path / "saved", document))
