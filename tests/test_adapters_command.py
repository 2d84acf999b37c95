"""`weaklink adapters`: what is installed, from which package, with which operations and quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_support import weaklink, weaklink_json

REPOSITORY_ADAPTERS = {"homeassistant", "hue", "miio", "shelly"}


def test_every_adapter_of_this_repository_is_listed_with_its_package_and_operations() -> None:
    status, listed = weaklink_json("adapters")
    assert status == 0
    by_name = {entry["manifest"]["name"]: entry for entry in listed}
    assert REPOSITORY_ADAPTERS <= set(by_name)
    assert by_name["hue"]["package"] == "weaklink-hue" and by_name["hue"]["version"]
    assert {"discover", "probe"} <= set(by_name["hue"]["manifest"]["operations"])
    assert "offline" in by_name["homeassistant"]["manifest"]["operations"]


def test_the_table_names_brands_and_quality() -> None:
    result = weaklink("adapters")
    assert result.exit_code == 0
    assert "Philips Hue" in result.stdout and "Home Assistant" in result.stdout


def test_a_package_whose_adapter_does_not_load_is_listed_with_the_reason(tmp_path: Path) -> None:
    # a real (if broken) installed distribution: its metadata on the path, its module missing
    info = tmp_path / "weaklink_broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: weaklink-broken\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[weaklink.adapters]\nbroken = weaklink_broken_missing:Adapter\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *(p for p in sys.path if p)])}
    result = subprocess.run([sys.executable, "-c", "from weaklink.cli import main; main()", "adapters",
                             "--format", "json"], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 1, result.stderr
    listed = {entry["entry_point"]: entry for entry in json.loads(result.stdout)}
    assert listed["broken"]["package"] == "weaklink-broken" and listed["broken"]["manifest"] is None
    assert "weaklink_broken_missing" in listed["broken"]["error"]
    assert REPOSITORY_ADAPTERS <= set(listed)  # the others are still listed
