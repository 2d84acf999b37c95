"""The installed adapter end to end: found through its entry point, read by the real `weaklink` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kasa_fixtures import fixture, fixture_files, load
from weaklink.adapters import AdapterManifest, catalogue, installed_adapters
from weaklink_kasa import KasaAdapter


def weaklink_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The `weaklink` console script, in a process of its own."""
    script = shutil.which("weaklink") or str(Path(sys.executable).with_name("weaklink"))
    assert Path(script).exists(), "the weaklink command is not installed (pip install -e the repository)"
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([script, *map(str, args)], capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def test_weaklink_graph_reads_a_folder_of_dumps(tmp_path: Path) -> None:
    home = tmp_path / "customer bundle"
    home.mkdir()
    shutil.copy(fixture("smart_H100"), home / "hub (2).json")
    shutil.copy(fixture("iot_HS300"), home / "strip.txt")
    (home / "notes.md").write_text("the lights did not come on\n")
    result = weaklink_command("graph", "--home", home, "--format", "json")
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    expected = {d.id for path in (fixture("smart_H100"), fixture("iot_HS300")) for d in load(path).devices}
    assert isinstance(graph["devices"], list) and {d["id"] for d in graph["devices"]} == expected
    hub = next(d for d in graph["devices"] if d["role"] == "hub")
    paired = [d for d in graph["devices"] if d["hub_id"] == hub["id"]]
    assert len(paired) == 6 and {d["transport"] for d in paired} == {"rf"}


def test_weaklink_graph_names_a_broken_dump_and_exits_2(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    broken = json.loads(fixture("smart_P110").read_text())
    broken["get_device_info"]["device_on"] = "sometimes"
    (home / "plug.json").write_text(json.dumps(broken))
    result = weaklink_command("graph", "--home", home, "--format", "json")
    assert result.returncode == 2
    assert "plug.json" in result.stderr and "get_device_info.device_on" in result.stderr


def test_the_adapter_is_registered_under_its_entry_point() -> None:
    [entry] = [e for e in catalogue() if e.entry_point == "kasa"]
    assert entry.error is None and entry.target == "weaklink_kasa:KasaAdapter" and entry.package == "weaklink-kasa"
    assert any(isinstance(adapter, KasaAdapter) for adapter in installed_adapters())


def test_the_manifest_declares_what_the_adapter_maps() -> None:
    manifest = KasaAdapter.manifest
    assert isinstance(manifest, AdapterManifest)
    assert (manifest.name, manifest.brand, manifest.platform_domains) == ("kasa", "TP-Link Kasa/Tapo", ["tplink"])
    assert manifest.quality == "gold"  # kit, real reference dumps, and the live side against its simulator
    # live: legacy-protocol devices, found at a named address (they announce nothing over mDNS)
    assert manifest.operations == ["offline", "identify", "snapshot", "probe", "observe", "act", "dump"]
    assert manifest.mdns_types == [] and manifest.host_operations == ["snapshot", "probe", "observe", "act"]
    produced = {c.kind for path in fixture_files() for c in load(path).capabilities}
    assert produced <= set(manifest.capabilities)
