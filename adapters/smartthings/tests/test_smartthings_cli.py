"""The real `weaklink graph` command reads a folder of SmartThings answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from smartthings_fixtures import HOME, HOME_HUB_ID, HOME_LOCK_ID, HOME_MOTION_ID, MODELS


def weaklink(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `weaklink` entry point in a new process."""
    command = shutil.which("weaklink", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                             os.environ.get("PATH", "")]))
    assert command, "the `weaklink` command is not installed (python3 -m pip install -e /work/main)"
    return subprocess.run([command, *map(str, args)], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def test_graph_json_of_a_folder_of_smartthings_answers(tmp_path: Path) -> None:
    shutil.copytree(HOME, tmp_path / "smartthings")
    shutil.copyfile(MODELS[0], tmp_path / "export (3).txt")  # a model fixture, under a name that says nothing
    (tmp_path / "notes.txt").write_text("the porch light did not come on\n")
    result = weaklink("graph", "--home", tmp_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    ids = [device["id"] for device in graph["devices"]]
    assert len(ids) == len(set(ids))
    assert {f"smartthings:{i}" for i in (HOME_HUB_ID, HOME_LOCK_ID, HOME_MOTION_ID)} <= set(ids)
    assert json.loads(MODELS[0].read_text())["deviceId"] in " ".join(ids)
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert (f"device:smartthings:{HOME_LOCK_ID}", f"device:smartthings:{HOME_HUB_ID}", "radio_link") in edges
    assert (f"entity:smartthings:{HOME_MOTION_ID}/main/motionSensor", f"device:smartthings:{HOME_MOTION_ID}",
            "capability_of") in edges
    assert "notes.txt" in result.stderr
