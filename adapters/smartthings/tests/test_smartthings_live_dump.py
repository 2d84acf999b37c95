"""`weaklink dump` and `weaklink probe` on a simulated SmartThings account, run as a user runs them:
`weaklink sim` writes the live home file, the dump is the device list the offline reader reads back,
redacted, and nothing the home file holds as a credential is in any file or output."""

from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML
from smartthings_live_support import weaklink

from weaklink.homefolder import import_home
from weaklink.redact import REDACTED
from weaklink.sim.addresses import next_loopback
from weaklink.sim.process import sim_process

HOME = """\
name: SmartThings corner (simulated)
hosts:
  - kind: smartthings
    name: SmartThings
    address: {address}
    port: 18090
    page_size: 2
    hub: Hall cupboard hub
    devices:
      - {{name: Porch light, kind: light, state: "on"}}
      - {{name: Back door lock, kind: lock}}
      - {{name: Garage door, kind: garage_door}}
      - {{name: Kettle, kind: switch, type: LAN}}
      - {{name: Landing motion, kind: motion}}
"""


def home_file(tmp_path: Path) -> Path:
    path = tmp_path / "home.yaml"
    path.write_text(HOME.format(address=next_loopback()), encoding="utf-8")
    return path


def token_of(live_home: Path) -> str:
    [host] = YAML(typ="safe").load(live_home.read_text())["hosts"]
    assert host["adapter"] == "smartthings" and host["options"]["base_url"].endswith(":18090/v1")
    return str(host["credentials"]["token"])


def test_weaklink_dump_records_the_account_redacted_and_it_reads_back(tmp_path: Path) -> None:
    live_home, out = tmp_path / "live-home.yaml", tmp_path / "fixtures"
    with sim_process(home_file(tmp_path), live_home):
        done = weaklink("dump", live_home, "--out", out, "--timeout", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["smartthings/devices_000.055.00019.json"] and "SmartThings" in done.stdout
    text = (out / written[0]).read_text()
    token = token_of(live_home)
    assert token not in text and token not in done.stdout + done.stderr
    dumped = json.loads(text)
    assert dumped["_links"] == {} and len(dumped["items"]) == 6  # every page, joined
    hub = dumped["items"][0]
    assert hub["locationId"] == hub["ownerId"] == REDACTED  # which account, and whose
    assert hub["hub"]["hubData"]["zwaveStaticDsk"] == hub["hub"]["hubData"]["hedgeTlsCertificate"] == REDACTED
    assert hub["hub"]["hubData"]["macAddress"] != REDACTED  # which hub it is: kept
    light = dumped["items"][1]
    assert light["healthState"]["state"] == "ONLINE"
    assert light["components"][0]["capabilities"][0]["status"]["switch"]["value"] == "on"
    imported = import_home(out)  # the folder is a home weaklink reads
    names = {d.name for f in imported.fragments for d in f.devices}
    assert names == {"Hall cupboard hub", "Porch light", "Back door lock", "Garage door", "Kettle", "Landing motion"}
    states = {c.name: c.state for f in imported.fragments for c in f.capabilities}
    assert states["Porch light"] == "on" and states["Back door lock"] == "locked"


def test_weaklink_probe_names_a_device_offline_and_keeps_the_token_out(tmp_path: Path) -> None:
    live_home = tmp_path / "live-home.yaml"
    with sim_process(home_file(tmp_path), live_home, "--fault", "SmartThings:device_offline:Kettle"):
        done = weaklink("probe", live_home, "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    [host] = json.loads(done.stdout)["hosts"]
    failing = [p for p in host["probes"] if not p["ok"]]
    assert [(p["layer"], p["detail"].split(" is ")[0]) for p in failing] == [("network", "Kettle (lan)")]
    assert "gone from its network" in failing[0]["detail"]
    assert token_of(live_home) not in done.stdout + done.stderr


def test_weaklink_probe_on_an_expired_token_names_the_credentials(tmp_path: Path) -> None:
    live_home = tmp_path / "live-home.yaml"
    with sim_process(home_file(tmp_path), live_home, "--fault", "SmartThings:key_revoked"):
        done = weaklink("probe", live_home)
    assert done.returncode == 1 and "refuses the personal access token" in done.stdout, done.stdout + done.stderr
    assert token_of(live_home) not in done.stdout + done.stderr and "Traceback" not in done.stderr
