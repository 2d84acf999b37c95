"""detect() claims Kasa/Tapo dumps by their content, nothing else, and never raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kasa_fixtures import HA_EXAMPLE, SHARED_REFERENCE, fixture, write
from weaklink.homefolder import import_home
from weaklink_kasa import KasaAdapter


def other_brands() -> list[Path]:
    files = sorted(p for p in SHARED_REFERENCE.rglob("*")
                   if p.is_file() and p.relative_to(SHARED_REFERENCE).parts[0] != "kasa")
    return files or [SHARED_REFERENCE / "MISSING"]


@pytest.mark.parametrize("path", other_brands(), ids=lambda p: str(p.relative_to(SHARED_REFERENCE)))
def test_other_brands_reference_files_are_not_claimed(path: Path) -> None:
    assert path.is_file(), f"the other brands' reference dumps are missing: expected them in {SHARED_REFERENCE}"
    assert not KasaAdapter().detect(path)


def test_the_home_assistant_example_is_not_claimed() -> None:
    assert HA_EXAMPLE.is_dir(), f"the Home Assistant example home is missing: {HA_EXAMPLE}"
    adapter = KasaAdapter()
    entries = [HA_EXAMPLE, *HA_EXAMPLE.rglob("*")]
    assert len(entries) > 5 and not [p for p in entries if adapter.detect(p)]


@pytest.mark.parametrize("content", [
    "", "not json at all", "[1, 2, 3]", "{}", '{"system": {}}', '{"system": {"get_time": {}}}',
    '{"get_device_info": {"name": "a router"}}',  # a key alone is not enough: some router APIs use it
    '{"get_device_info": "x"}', '{"getDeviceInfo": {"device_info": {}}}', '{"system": "get_sysinfo"}',
    '{"shelly": {"mac": "AABBCCDDEEFF"}, "status": {}}',
])
def test_other_content_is_not_claimed(content: str, tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    path.write_text(content)
    assert not KasaAdapter().detect(path)


def test_folders_missing_files_and_unreadable_bytes_are_not_claimed(tmp_path: Path) -> None:
    adapter = KasaAdapter()
    (tmp_path / "binary.json").write_bytes(b"{\xff\xfe\x00")
    assert not adapter.detect(tmp_path)
    assert not adapter.detect(tmp_path / "nothing-here.json")
    assert not adapter.detect(tmp_path / "binary.json")


def test_a_broken_dump_is_still_claimed_so_that_loading_says_why(tmp_path: Path) -> None:
    # recognised by the SMART protocol's negotiation answer although its device info is an error code
    path = write(tmp_path / "tapo.json", {"component_nego": {"component_list": []}, "get_device_info": -1001})
    assert KasaAdapter().detect(path)
    path = write(tmp_path / "kasa.json", {"system": {"get_sysinfo": "broken"}})
    assert KasaAdapter().detect(path)


def test_a_home_folder_reads_the_dumps_among_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("the customer's notes")
    write(tmp_path / "hub" / "backup (2).json", json.loads(fixture("smart_H100").read_text()))
    (tmp_path / "strip.txt").write_bytes(fixture("iot_HS300").read_bytes())
    imported = import_home(tmp_path, [KasaAdapter()])
    assert sorted(p.name for p, _ in imported.read) == ["backup (2).json", "strip.txt"]
    assert [p.name for p in imported.skipped] == ["notes.txt"]
    assert sum(len(f.devices) for f in imported.fragments) == 8
