"""`weaklink dump`: a live home's hosts recorded as fixtures, redacted, readable by their adapters."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from weaklink.sim.process import WEAKLINK, sim_process

from weaklink.homefolder import import_home

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"


@pytest.fixture(scope="module")
def live_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example home running in a `weaklink sim` process, and its live home file."""
    path = tmp_path_factory.mktemp("sim") / "live-home.yaml"
    with sim_process(EXAMPLE, path):
        yield path


def dump(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WEAKLINK, "dump", *map(str, args)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "250"}, check=False)


def test_each_host_that_can_be_recorded_is_written_redacted_and_reads_back(live_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "fixtures"
    done = dump(live_home, "Hue Bridge", "Porch relay", "Garage fridge plug", "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["hue/BSB002_1965111030.json", "shelly/SHSW-1_20231219-133934-v1.14.0-gcb84623.json",
                       "shelly/SNPL-00112EU_1.1.0.json"]
    # no credential of the home file in any file, nor in what the command printed
    hosts = YAML(typ="safe").load(live_home.read_text())["hosts"]
    secrets = [value for host in hosts for value in host.get("credentials", {}).values()]
    assert secrets and not [s for p in out.rglob("*.json") for s in secrets if s in p.read_text()]
    assert not [s for s in secrets if s in done.stdout + done.stderr]
    relay = json.loads((out / "shelly" / written[1].split("/")[1]).read_text())
    assert relay["settings"]["login"]["username"] == "**REDACTED**" and relay["shelly"]["type"] == "SHSW-1"
    # the folder is a home weaklink reads: the bridge with its lights, both Shellies
    imported = import_home(out)
    names = {d.name for f in imported.fragments for d in f.devices}
    assert {"Porch relay", "Garage fridge plug", "Driveway"} <= names


def test_a_host_whose_adapter_cannot_record_is_reported_and_the_rest_written(live_home: Path, tmp_path: Path) -> None:
    done = dump(live_home, "Hallway lamp plug", "Porch relay", "--out", tmp_path)
    assert done.returncode == 1
    assert "cannot record its hosts" in done.stdout and "Porch relay" in done.stdout
    assert [p.name for p in tmp_path.rglob("*.json")] == ["SHSW-1_20231219-133934-v1.14.0-gcb84623.json"]


def test_a_host_the_home_does_not_name_is_bad_input(live_home: Path, tmp_path: Path) -> None:
    done = dump(live_home, "Front door lock", "--out", tmp_path)
    assert done.returncode == 2 and "no host named 'Front door lock'" in done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())
