"""End to end: the real `weaklink graph` command on a folder of Zigbee2MQTT payloads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from z2m_fixtures import FIXTURES, GARAGE_TEMPERATURE, HALLWAY_BULB, HOME_DEVICES, NETWORK_MAP, device_id


def weaklink_graph(home: Path) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run `weaklink graph --home HOME --format json` in its own process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-c", "from weaklink.cli import main; main()",
                             "graph", "--home", str(home), "--format", "json"],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    return result, json.loads(result.stdout) if result.returncode == 0 else None


def test_the_device_list_and_the_map_saved_under_any_names_make_one_home(tmp_path: Path) -> None:
    shutil.copyfile(HOME_DEVICES, tmp_path / "devices.txt")
    shutil.copyfile(NETWORK_MAP, tmp_path / "map (1).json")
    result, graph = weaklink_graph(tmp_path)
    assert result.returncode == 0, result.stderr
    assert isinstance(graph["devices"], list) and len(graph["devices"]) == 17
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert (f"device:{device_id(GARAGE_TEMPERATURE)}", "device:zigbee2mqtt:0x00124b0029a1b2c3", "radio_link") in edges
    assert "did not answer the network scan's routing table request" in result.stderr


def test_every_fixture_together_is_still_one_device_per_address(tmp_path: Path) -> None:
    home = shutil.copytree(FIXTURES, tmp_path / "home")
    result, graph = weaklink_graph(home)
    assert result.returncode == 0, result.stderr
    ids = [d["id"] for d in graph["devices"]]
    assert len(ids) == len(set(ids)) == 17 and device_id(HALLWAY_BULB) in ids
