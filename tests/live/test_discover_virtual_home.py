"""`weaklink discover` on the virtual home: every host of every brand found, on loopback only,
by the installed adapters — the same packages a user installs."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

from weaklink.adapters import live_adapters
from weaklink.live.discover import discover
from weaklink.sim.home import VirtualHome, load_virtual_home

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"
BRANDS = {"homeassistant": "homeassistant", "hue_bridge": "hue", "shelly": "shelly", "miio": "miio"}


def _relocated(fresh_address: Callable[[], str]) -> VirtualHome:
    spec = load_virtual_home(EXAMPLE)
    spec = spec.model_copy(update={"hosts": [h.model_copy(update={"address": fresh_address()}) for h in spec.hosts]})
    return VirtualHome(spec, high_ports=True)


def _expected(home: VirtualHome) -> set[tuple[str, str, int]]:
    """(adapter, address, port) of every host an installed adapter should find."""
    installed = live_adapters()
    return {(BRANDS[spec.kind], home.hosts[spec.name].address, home.hosts[spec.name].port)  # type: ignore[attr-defined]
            for spec in home.spec.hosts if BRANDS[spec.kind] in installed}


async def test_every_host_of_the_virtual_home_is_found(fresh_address: Callable[[], str]) -> None:
    async with _relocated(fresh_address) as home:
        result = await discover(live_adapters(), interfaces=["127.0.0.1"], seconds=6)
        expected = _expected(home)
        found = {(host.adapter, host.address, host.port) for host in result.found if host.address in
                 {h.address for h in home.hosts.values()}}
    assert expected and found == expected
    assert all(host.problem is None for host in result.found if (host.adapter, host.address, host.port) in expected)


async def test_the_command_lists_them_as_json(fresh_address: Callable[[], str]) -> None:
    async with _relocated(fresh_address) as home:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from weaklink.cli import main; main()", "discover", "--interface", "127.0.0.1",
            "--seconds", "6", "--format", "json", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
        expected = _expected(home)
    assert process.returncode == 0, stderr.decode()
    listed = json.loads(stdout)["hosts"]
    assert expected <= {(host["adapter"], host["address"], host["port"]) for host in listed}
