"""Every reference dump (real answers of real devices, from public client libraries' tests) is a
home weaklink reads: `weaklink graph --home ../shared/reference --format json`, one folder of
files of four brands, each recognised by its content."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from cli_support import ROOT, weaklink_process

from weaklink.homefolder import import_home

REFERENCE = ROOT.parent / "shared" / "reference"
BRANDS = {"hue": "hue", "kasa": "kasa", "shelly": "shelly", "smartthings": "smartthings"}  # folder -> adapter


def reference_files() -> list[Path]:
    assert REFERENCE.is_dir(), f"the reference dumps are missing: {REFERENCE}"
    return sorted(p for p in REFERENCE.rglob("*.json"))


def test_every_reference_dump_is_read_by_its_brands_adapter() -> None:
    files = reference_files()
    imported = import_home(REFERENCE)
    read = {path: adapter for path, adapter in imported.read}
    assert [p.name for p in imported.skipped] == ["README.md"]
    for path in files:
        folder = path.relative_to(REFERENCE).parts[0]
        assert read.get(path) == BRANDS[folder], f"{path.relative_to(REFERENCE)} was read by {read.get(path)}"


def test_the_graph_command_lists_every_device_of_the_reference_folder() -> None:
    files = reference_files()
    done = weaklink_process("graph", "--home", REFERENCE, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "error" not in done.stderr
    devices = json.loads(done.stdout)["devices"]
    by_platform = Counter(device["id"].split(":")[0] for device in devices)
    assert set(BRANDS.values()) <= set(by_platform), by_platform
    # every Kasa and Shelly file is one device (or a hub and its children); the Hue bridge lists 46
    assert by_platform["shelly"] == sum(1 for p in files if p.parent.name == "shelly")
    assert by_platform["kasa"] >= sum(1 for p in files if p.parent.name == "kasa")
    assert by_platform["hue"] == 46
