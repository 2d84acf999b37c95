"""The Tapo simulator and the adapter end to end: a virtual home with `kind: tapo` hosts, the live
home file written for it (adapter `kasa`, the account as credentials, the device id as identity),
every host collected as `weaklink probe` and `trace --live` collect them, and `weaklink probe`
run as a user runs it, with the account revoked on one plug."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from weaklink_kasa.tapo_session import TapoSession

from weaklink.adapters import live_adapters
from weaklink.live.collect import collect
from weaklink.model import CapabilityKind
from weaklink.sim.addresses import next_loopback
from weaklink.sim.faults import FaultKind
from weaklink.sim.home import SimError, VirtualHome, VirtualHomeSpec, faults_of, parse_fault
from weaklink.sim.livehome import live_home, live_home_document
from weaklink.sim.process import WEAKLINK, sim_process


def home_spec(plug: str, strip: str, port: int = 18080) -> VirtualHomeSpec:
    return VirtualHomeSpec.model_validate({"name": "Tapo corner", "hosts": [
        {"kind": "tapo", "name": "Dehumidifier plug", "address": plug, "port": port, "model": "P110(EU)", "on": True},
        {"kind": "tapo", "name": "Kitchen strip", "address": strip, "port": port, "model": "P300(EU)",
         "outlets": ["Kettle", "Toaster", "Radio"]},
    ]})


def test_the_live_home_file_names_the_account_and_the_device() -> None:
    home = VirtualHome(home_spec(next_loopback(), next_loopback(), port=80), advertise=False, high_ports=True)
    [plug, strip] = live_home_document(home)["hosts"]
    spec = home.spec_of("Dehumidifier plug")
    assert plug == {"adapter": "kasa", "name": "Dehumidifier plug", "address": spec.address, "port": 8080,
                    "credentials": {"username": spec.username, "password": spec.password},
                    "options": {"device_id": spec.device_id}}
    assert strip["credentials"]["username"] != plug["credentials"]["username"]  # each its own throwaway account


def test_a_tapo_host_takes_the_faults_of_its_kind() -> None:
    spec = home_spec(next_loopback(), next_loopback())
    assert {FaultKind.KEY_REVOKED, FaultKind.RELAY_STUCK, FaultKind.RESET, FaultKind.DROP} <= \
        faults_of(spec.hosts[0])
    assert parse_fault("Kitchen strip:relay_stuck:2", spec)[1].target == "2"
    with pytest.raises(SimError, match="cannot be given 'overpower'"):
        parse_fault("Dehumidifier plug:overpower", spec)


async def test_every_host_is_collected_with_its_account_and_a_revoked_one_is_named() -> None:
    async with VirtualHome(home_spec(next_loopback(), next_loopback()), advertise=False) as home:
        state = await collect(live_home(home), live_adapters(), 2.0, mdns=False)
        try:
            assert state.healthy, state.probes
            assert all(isinstance(visit.session, TapoSession) for visit in state.visits)
            kinds = sorted((c.name, c.kind) for c in state.graph.capabilities)
            assert kinds == sorted([("Dehumidifier plug", CapabilityKind.SWITCH),
                                    ("Dehumidifier plug energy", CapabilityKind.SENSOR),
                                    ("Kettle", CapabilityKind.SWITCH), ("Toaster", CapabilityKind.SWITCH),
                                    ("Radio", CapabilityKind.SWITCH)])
        finally:
            await state.close()
        await home.inject("Dehumidifier plug:key_revoked")
        state = await collect(live_home(home), live_adapters(), 2.0, mdns=False)
        await state.close()
    failing = [(visit.host.name, p.layer, p.problem) for visit in state.visits for p in visit.probes if not p.ok]
    assert failing == [("Dehumidifier plug", "integration", "credentials")]


HOME = """\
name: Tapo corner (simulated)
hosts:
  - kind: tapo
    name: Dehumidifier plug
    address: {plug}
    model: P110(EU)
    on: true
  - kind: tapo
    name: Kitchen strip
    address: {strip}
    model: P300(EU)
"""


def test_weaklink_probe_names_the_plug_whose_account_was_revoked(tmp_path: Path) -> None:
    home, live = tmp_path / "home.yaml", tmp_path / "live-home.yaml"
    home.write_text(HOME.format(plug=next_loopback(), strip=next_loopback()))
    with sim_process(home, live, "--fault", "Dehumidifier plug:key_revoked", seconds=60) as sim:
        done = subprocess.run([*WEAKLINK, "probe", str(live), "--format", "json", "--timeout", "3"],
                              capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    failing = [(host["host"], probe["layer"], probe["problem"]) for host in report["hosts"]
               for probe in host["probes"] if not probe["ok"]]
    assert failing == [("Dehumidifier plug", "integration", "credentials")]
    strip = next(host for host in report["hosts"] if host["host"] == "Kitchen strip")
    assert [p["element"].rpartition("/")[2] for p in strip["probes"]][-3:] == ["outlet:1", "outlet:2", "outlet:3"]
    assert sim.process.returncode == 0 and "8080" in sim.out  # --high-ports: KLAP's port 80 on 8080
    hosts = YAML(typ="safe").load(live.read_text())["hosts"]
    secrets = [value for host in hosts for value in host["credentials"].values()]
    assert len(secrets) == 4 and not [s for s in secrets if s in done.stdout + done.stderr + sim.out + sim.err]
