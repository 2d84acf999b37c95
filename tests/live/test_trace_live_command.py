"""`weaklink trace --live` from the command line, against `weaklink sim` in another process."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from weaklink.sim.process import WEAKLINK, sim_process

EXAMPLES = Path(__file__).parents[2] / "examples" / "virtual-home"


@pytest.fixture(scope="module")
def live_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example simulated home running in its own process, and its live home file."""
    path = tmp_path_factory.mktemp("live") / "live-home.yaml"
    with sim_process(EXAMPLES / "home.yaml", path):
        yield path


def trace(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WEAKLINK, "trace", *args], capture_output=True, text=True, timeout=60)


def test_a_chain_nobody_starts_is_reported_as_its_trigger_never_happening(live_home: Path) -> None:
    done = trace("--live", str(live_home), str(EXAMPLES / "driveway.yaml"), "--wait", "1", "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["mode"], report["verdict"]) == ("live", "broken")
    assert (report["broken_link"]["step"], report["broken_link"]["layer"]) == (1, "trigger")
    assert report["broken_link"]["element"] == "person.alex"


def test_actuating_a_garage_door_needs_it_named(live_home: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "garage.yaml"
    scenario.write_text("name: Garage\nsteps:\n  - {entity: cover.garage_door, state: open}\n"
                        "  - {entity: light.driveway, state: 'on', within: 2s}\n")
    refused = trace("--live", str(live_home), str(scenario), "--actuate", "--wait", "1")
    assert refused.returncode == 2 and "--allow cover.garage_door" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""


def test_live_and_recorded_are_one_or_the_other(live_home: Path) -> None:
    both = trace("--live", str(live_home), "--home", str(EXAMPLES), str(EXAMPLES / "driveway.yaml"))
    assert both.returncode == 2 and "either --home DIR" in both.stderr
