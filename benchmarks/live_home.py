"""A simulated home of 200 hosts across the four brands: discovery, a full probe, and
concurrent against sequential probing.

    python3 benchmarks/live_home.py              # 200 hosts
    python3 benchmarks/live_home.py --hosts 60   # a smaller home, same measurements

Every host runs on its own 127.x.y.z address (high ports), advertised over mDNS on 127.0.0.1,
in a separate `weaklink sim` process, as a home's devices are separate machines: the simulators'
work does not compete with the measured client for this process's event loop. Measured, with
the installed adapters:

- discovery: how many of the hosts `discover` finds on 127.0.0.1 (miIO devices also by a
  unicast hello to their addresses), and how long it takes. Target: all of them in < 3 s.
- a full probe of the home (`collect`: connect, snapshot and probe every host at once) with one
  host silent (`drop`), against the probe timeout. Target: < 1.5 x the timeout.
- the same probe listening to mDNS (`probe --mdns`), and with snapshots too (how `trace --live`
  starts).
- the same probe run host after host, in the same process: the concurrent/sequential ratio.

Figures go to stdout; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from weaklink.adapters import live_adapters
from weaklink.live.collect import collect
from weaklink.live.discover import discover
from weaklink.live.homefile import load_live_home
from weaklink.sim.addresses import LoopbackAddresses
from weaklink.sim.home import VirtualHomeSpec
from weaklink.sim.homeassistant import HomeAssistantSpec
from weaklink.sim.hue import HueBridgeSpec
from weaklink.sim.miio import MiioSpec
from weaklink.sim.shelly import ShellySpec
from weaklink.yamlio import yaml_text


def home_of(hosts: int) -> VirtualHomeSpec:
    """1 Home Assistant, then Hue bridges, Shelly relays (both generations) and miIO plugs, in turn."""
    address = LoopbackAddresses(start=0x0A0000)  # 127.10.x.y: apart from the tests' addresses
    specs: list = [HomeAssistantSpec(name="Home Assistant", address=address(), port=18123)]
    for index in range(hosts - 1):
        kind = index % 3
        if kind == 0:
            specs.append(HueBridgeSpec(name=f"Hue Bridge {index}", address=address(), port=8443,
                                       bridge_id=f"001788fffe{index:06x}",
                                       lights=[{"id": "1", "name": f"Light {index}"}]))
        elif kind == 1:
            specs.append(ShellySpec(name=f"Relay {index}", address=address(), port=8080,
                                    model="SHSW-1" if index % 2 else "SNSW-001X16EU"))
        else:
            specs.append(MiioSpec(name=f"Plug {index}", address=address()))
    return VirtualHomeSpec(name=f"{hosts} hosts", hosts=specs)


async def measure(hosts: int, timeout: float, folder: Path) -> dict[str, float]:
    spec = home_of(hosts)
    silent = next(h.name for h in spec.hosts if h.name.startswith("Relay"))
    spec = spec.model_copy(update={"faults": [f"{silent}:drop"]})
    (folder / "home.yaml").write_text(yaml_text(spec.model_dump(mode="json")), encoding="utf-8")
    live_path = folder / "live-home.yaml"
    sim = subprocess.Popen([sys.executable, "-c", "from weaklink.cli import main; main()", "sim",
                            str(folder / "home.yaml"), "--for", "600", "--write-live-home", str(live_path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not (live_path.exists() and live_path.stat().st_size):
            if sim.poll() is not None:
                raise SystemExit(f"the simulated home did not start: {sim.stderr.read().decode() if sim.stderr else ''}")
            await asyncio.sleep(0.1)
        live = load_live_home(live_path)
        adapters = live_adapters()
        plugs = [h.address for h in live.hosts if h.adapter == "miio"]
        ours = {h.address for h in live.hosts}
        found = await discover(adapters, interfaces=["127.0.0.1"], hosts=plugs, seconds=10)
        discovered = len({host.address for host in found.found if host.address in ours})
        concurrent = await collect(live, adapters, timeout, snapshot=False, mdns=False)
        await concurrent.close()
        following = await collect(live, adapters, timeout, snapshot=False, mdns=True)  # probe --mdns
        await following.close()
        starting = await collect(live, adapters, timeout, snapshot=True, mdns=True)  # how trace --live starts
        await starting.close()
        started = time.monotonic()
        for host in live.hosts:
            one = await collect(live.model_copy(update={"hosts": [host]}), adapters, timeout, snapshot=False,
                                mdns=False)
            await one.close()
        sequential = time.monotonic() - started
    finally:
        sim.send_signal(signal.SIGINT)
        sim.wait(timeout=60)
    failing = {v.host.label for v in concurrent.visits if any(not p.ok for p in v.probes)}
    return {"hosts": len(spec.hosts), "discovered": discovered, "discovery_s": found.elapsed,
            "probe_s": concurrent.seconds, "timeout_s": timeout, "sequential_s": sequential,
            "probe_mdns_s": following.seconds, "trace_start_s": starting.seconds,
            "snapshots": sum(1 for v in starting.visits if v.fragment is not None),
            "not_advertised": sum(1 for v in following.visits for p in v.probes if p.problem == "not_advertised"),
            "failing_hosts": len(failing), "silent_found": float(silent in failing)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=2.0, help="the probe timeout, seconds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="weaklink-bench-") as folder:
        figures = asyncio.run(measure(args.hosts, args.timeout, Path(folder)))
    print(f"simulated home: {figures['hosts']:.0f} hosts (Home Assistant, Hue bridges, Shelly Gen1/Gen2, miIO plugs)")
    print(f"discovery on 127.0.0.1:   {figures['discovered']:.0f} of {figures['hosts']:.0f} found in "
          f"{figures['discovery_s']:.2f} s   target: all in < 3 s")
    ratio = figures["probe_s"] / figures["timeout_s"]
    print(f"full probe, one host silent: {figures['probe_s']:.2f} s = {ratio:.2f} x the {figures['timeout_s']:g} s "
          f"timeout   target < 1.5 x; the silent host {'was' if figures['silent_found'] else 'was NOT'} named "
          f"({figures['failing_hosts']:.0f} hosts with a failing probe)")
    print(f"the same probe listening to mDNS too (probe --mdns): {figures['probe_mdns_s']:.2f} s = "
          f"{figures['probe_mdns_s'] / figures['timeout_s']:.2f} x the timeout; "
          f"{figures['not_advertised']:.0f} hosts wrongly called not advertised (should be 0)")
    print(f"snapshot and probe, listening to mDNS (how trace --live starts): {figures['trace_start_s']:.2f} s = "
          f"{figures['trace_start_s'] / figures['timeout_s']:.2f} x the timeout; {figures['snapshots']:.0f} snapshots")
    print(f"the same probe host after host: {figures['sequential_s']:.2f} s -> concurrent/sequential "
          f"{figures['probe_s'] / figures['sequential_s']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
