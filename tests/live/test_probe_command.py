"""`weaklink sim --write-live-home` then `weaklink probe`: the whole home asked from the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ruamel.yaml import YAML
from weaklink.sim.process import WEAKLINK, sim_process

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"


def test_probe_names_the_faulted_relay_and_nothing_else(tmp_path: Path) -> None:
    live_home = tmp_path / "live-home.yaml"
    with sim_process(EXAMPLE, live_home, "--fault", "Porch relay:overpower", seconds=60) as sim:
        done = subprocess.run([*WEAKLINK, "probe", str(live_home), "--format", "json", "--timeout", "3"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failing = [(host["host"], probe["layer"]) for host in report["hosts"] for probe in host["probes"] if not probe["ok"]]
    assert failing == [("Porch relay", "device")]
    assert {host["adapter"] for host in report["hosts"]} == {"homeassistant", "hue", "shelly", "miio"}
    # the simulator stopped cleanly on Ctrl-C, and no credential reached the probe's output
    assert sim.process.returncode == 0 and "stopped: every port closed" in sim.out, sim.err
    hosts = YAML(typ="safe").load(live_home.read_text())["hosts"]
    secrets = [value for host in hosts for value in host.get("credentials", {}).values()]
    assert len(secrets) == 5  # the HA token, the Hue key, both Shelly passwords, the miIO token
    assert not [secret for secret in secrets if secret in done.stdout + done.stderr]
