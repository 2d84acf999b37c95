"""`weaklink sim --write-live-home` then `weaklink probe`: the whole home asked from the command line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"
WEAKLINK = [sys.executable, "-c", "from weaklink.cli import main; main()"]


def test_probe_names_the_faulted_relay_and_nothing_else(tmp_path: Path) -> None:
    live_home = tmp_path / "live-home.yaml"
    sim = subprocess.Popen([*WEAKLINK, "sim", str(EXAMPLE), "--high-ports", "--for", "60", "--fault",
                            "Porch relay:overpower", "--write-live-home", str(live_home)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):  # the file appears once every host is up
            if live_home.exists() and live_home.stat().st_size:
                break
            assert sim.poll() is None, sim.communicate()
            time.sleep(0.05)
        done = subprocess.run([*WEAKLINK, "probe", str(live_home), "--format", "json", "--timeout", "3"],
                              capture_output=True, text=True, timeout=60)
    finally:
        sim.send_signal(signal.SIGINT)
        out, err = sim.communicate(timeout=30)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failing = [(host["host"], probe["layer"]) for host in report["hosts"] for probe in host["probes"] if not probe["ok"]]
    assert failing == [("Porch relay", "device")]
    assert {host["adapter"] for host in report["hosts"]} == {"homeassistant", "hue", "shelly", "miio"}
    # the simulator stopped cleanly on Ctrl-C, and no credential reached the probe's output
    assert sim.returncode == 0 and "stopped: every port closed" in out, err
    hosts = YAML(typ="safe").load(live_home.read_text())["hosts"]
    secrets = [value for host in hosts for value in host.get("credentials", {}).values()]
    assert len(secrets) == 5  # the HA token, the Hue key, both Shelly passwords, the miIO token
    assert not [secret for secret in secrets if secret in done.stdout + done.stderr]
