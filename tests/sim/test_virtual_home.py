"""A whole virtual home from its YAML file: started, reached with each brand's real client,
faulted by name, stopped; and `weaklink sim` as a user runs it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import miio
import pytest
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from weaklink.sim import FaultKind
from weaklink.sim.home import SimError, VirtualHome, VirtualHomeSpec, load_virtual_home, parse_fault
from weaklink.sim.hue import HueBridge
from weaklink.sim.miio import MiioDevice

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"


def relocated(fresh_address: Callable[[], str]) -> VirtualHomeSpec:
    """The example home on fresh addresses (other tests' sockets may linger on the fixed ones)."""
    spec = load_virtual_home(EXAMPLE)
    return spec.model_copy(update={"hosts": [h.model_copy(update={"address": fresh_address()}) for h in spec.hosts]})


def test_the_example_home_names_every_brand() -> None:
    spec = load_virtual_home(EXAMPLE)
    assert {host.kind for host in spec.hosts} == {"homeassistant", "hue_bridge", "shelly", "miio"}
    assert len({host.address for host in spec.hosts}) == len(spec.hosts)


def line_of_text(text: str) -> int:
    """The 1-based line of the example home file holding `text`."""
    return next(number for number, line in enumerate(EXAMPLE.read_text().splitlines(), start=1) if text in line)


@pytest.mark.parametrize(
    ("edit", "says"),
    [(lambda text: text.replace("kind: miio", "kind: zwave"), f":{line_of_text('kind: miio')} (hosts.4): Input tag 'zwave'"),
     (lambda text: text.replace("address: 127.0.0.13", "address: 127.0.0.12"), "share the address 127.0.0.12:80"),
     (lambda text: text.replace("address: 127.0.0.14", "address: 192.168.1.14"),
      f":{line_of_text('address: 127.0.0.14')} (hosts.4.address): 192.168.1.14 is not a loopback address"),
     (lambda text: text + "faults: ['Garage gate:host_down']\n", "names no host of this home"),
     (lambda text: text + "faults: ['Porch relay:on_fire']\n", "'Porch relay:on_fire'"),
     (lambda text: text + "faults: ['Porch relay:wrong_token']\n", "a shelly host cannot be given 'wrong_token'")],
)
def test_a_bad_home_file_names_the_place(tmp_path: Path, edit: Callable[[str], str], says: str) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(edit(EXAMPLE.read_text()))
    with pytest.raises(SimError) as caught:
        load_virtual_home(path)
    assert says in str(caught.value) and str(path) in str(caught.value)


def test_a_fault_names_its_host_by_name_or_address() -> None:
    spec = load_virtual_home(EXAMPLE)
    assert parse_fault("Hue Bridge:light_unreachable:1", spec)[1].target == "1"
    name, fault = parse_fault("127.0.0.12:host_down", spec)
    assert (name, fault.kind) == ("Porch relay", FaultKind.HOST_DOWN)


async def test_every_host_answers_its_real_client_and_is_advertised(fresh_address: Callable[[], str]) -> None:
    home = VirtualHome(relocated(fresh_address), high_ports=True)
    async with home:
        hue, porch = home.host("Hue Bridge"), home.host("Porch relay")
        assert isinstance(hue, HueBridge)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
            async with session.get(f"https://{hue.address}:8443/api/config", ssl=False) as response:
                assert (await response.json())["bridgeid"] == "001788FFFE4D5E6F"
            async with session.get(f"http://{porch.address}:8080/shelly") as response:
                assert (await response.json())["type"] == "SHSW-1"
            ha = home.host("Home Assistant")
            async with session.get(f"http://{ha.address}:8123/api/") as response:
                assert response.status == 401  # the API wants its token
        plug = home.host("Hallway lamp plug")
        assert isinstance(plug, MiioDevice)
        device = miio.Device(plug.address, plug.token, timeout=2)
        info = await asyncio.get_running_loop().run_in_executor(None, device.info)
        assert info.model == "chuangmi.plug.m1"

        client = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        try:
            for host in home.hosts.values():
                for record in host.services():
                    info = AsyncServiceInfo(record.type, record.name)
                    assert await info.async_request(client.zeroconf, 2000), record.name
                    assert info.parsed_addresses(IPVersion.V4Only) == [host.address]
        finally:
            await client.async_close()

        name, _ = await home.inject(f"{porch.address}:host_down")
        assert name == "Porch relay"
        with socket.socket() as probe:
            assert probe.connect_ex((porch.address, 8080)) != 0
    with socket.socket() as probe:  # stopped: nothing answers any more
        assert probe.connect_ex((hue.address, 8443)) != 0


def test_weaklink_sim_runs_the_example_and_stops_cleanly() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from weaklink.cli import main; main()", "sim", str(EXAMPLE), "--high-ports",
         "--for", "0.5", "--fault", "Hue Bridge:light_unreachable:1"],
        capture_output=True, text=True, timeout=60, env={"COLUMNS": "160", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    for name in ("Home Assistant", "Hue Bridge", "Porch relay", "Garage fridge plug", "Hallway lamp plug"):
        assert name in done.stdout
    assert "127.0.0.11:8443" in done.stdout and "light_unreachable:1" in done.stdout
    assert "stopped: every port closed" in done.stdout
