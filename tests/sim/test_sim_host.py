"""The generic faults every simulated host has, on a minimal HTTP host (a test double of a
brand: the brands' own tests cover their protocols), driven with aiohttp and zeroconf."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from weaklink.sim import Advertiser, Fault, FaultKind, loopback
from weaklink.sim.http import HttpHost
from weaklink.sim.mdns import service_info

PORT = 8601
SERVICE = "_weaklinktest._tcp.local."


class EchoHost(HttpHost):
    """Answers GET /hello with a small JSON document, advertised under a test service type."""

    brand = "test"

    def routes(self, app: web.Application) -> None:
        async def hello(request: web.Request) -> web.Response:
            return web.json_response({"name": self.name, "address": self.address})

        app.router.add_get("/hello", hello)

    def services(self) -> list[AsyncServiceInfo]:
        return [service_info(SERVICE, self.name, self.address, self.port, {"id": self.name})]


@pytest.fixture
async def host(address: str, advertiser: Advertiser) -> AsyncIterator[EchoHost]:
    # a name of its own: other test runs on this machine share 127.0.0.1's mDNS
    echo = EchoHost(f"echo-{address.replace('.', '-')}", address, PORT, advertiser)
    await echo.start()
    yield echo
    await echo.stop()


async def get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.get(url) as response:
            return response.status, await response.read()


async def browse(seconds: float = 1.0) -> dict[str, AsyncServiceInfo]:
    """What an mDNS client on 127.0.0.1 sees of the test service type, resolved."""
    client = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    names: set[str] = set()

    def seen(zeroconf: object, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Added:
            names.add(name)
        elif state_change is ServiceStateChange.Removed:
            names.discard(name)

    browser = AsyncServiceBrowser(client.zeroconf, [SERVICE], handlers=[seen])
    try:
        await asyncio.sleep(seconds)
        found = {}
        for name in names:
            info = AsyncServiceInfo(SERVICE, name)
            if await info.async_request(client.zeroconf, 1500):
                found[name] = info
        return found
    finally:
        await browser.async_cancel()
        await client.async_close()


def test_only_loopback_addresses_are_accepted() -> None:
    assert loopback("127.3.4.5") == "127.3.4.5"
    for address in ("192.168.1.10", "0.0.0.0", "10.0.0.2"):
        with pytest.raises(ValueError, match="not a loopback address"):
            EchoHost("x", address, PORT)


def test_faults_parse_from_the_command_line_form() -> None:
    assert Fault.parse("slow:2.5") == Fault(kind=FaultKind.SLOW, seconds=2.5)
    assert Fault.parse("moved:127.0.0.9") == Fault(kind=FaultKind.MOVED, address="127.0.0.9")
    assert Fault.parse("light_unreachable:3") == Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="3")
    with pytest.raises(ValueError):
        Fault.parse("on_fire")


async def test_a_host_answers_and_is_advertised_on_loopback(host: EchoHost) -> None:
    assert await get(f"{host.base_url}/hello") == (200, b'{"name": "%s", "address": "%s"}' % (
        host.name.encode(), host.address.encode()))
    found = await browse()
    info = found[f"{host.name}.{SERVICE}"]
    assert info.parsed_addresses() == [host.address] and info.port == PORT
    assert info.properties == {b"id": host.name.encode()}


async def test_host_down_closes_the_port_and_heals(host: EchoHost) -> None:
    await host.inject(Fault(kind=FaultKind.HOST_DOWN))
    with pytest.raises(aiohttp.ClientConnectorError):
        await get(f"{host.base_url}/hello")
    with socket.socket() as probe:  # refused, not timing out: the port is really closed
        assert probe.connect_ex((host.address, PORT)) != 0
    await host.heal()
    assert (await get(f"{host.base_url}/hello"))[0] == 200


async def test_moved_host_answers_only_at_its_new_address(host: EchoHost, fresh_address: Callable[[], str]) -> None:
    old = host.base_url
    new_address = fresh_address()
    await host.inject(Fault(kind=FaultKind.MOVED, address=new_address))
    assert host.address == new_address
    assert (await get(f"http://{new_address}:{PORT}/hello"))[0] == 200
    with pytest.raises(aiohttp.ClientConnectorError):
        await get(f"{old}/hello")
    info = (await browse())[f"{host.name}.{SERVICE}"]
    assert info.parsed_addresses() == [new_address]  # the record follows it, as DHCP + mDNS would


async def test_not_advertised_withdraws_the_record_but_keeps_answering(host: EchoHost) -> None:
    await host.inject(Fault(kind=FaultKind.NOT_ADVERTISED))
    assert f"{host.name}.{SERVICE}" not in await browse()
    assert (await get(f"{host.base_url}/hello"))[0] == 200


async def test_garble_cuts_the_answer_mid_json(host: EchoHost) -> None:
    await host.inject(Fault(kind=FaultKind.GARBLE))
    status, body = await get(f"{host.base_url}/hello")
    assert status == 200 and body.startswith(b'{"name"')
    with pytest.raises(ValueError):
        __import__("json").loads(body)


async def test_drop_accepts_and_never_answers(host: EchoHost) -> None:
    await host.inject(Fault(kind=FaultKind.DROP))
    with pytest.raises(asyncio.TimeoutError):
        await get(f"{host.base_url}/hello", timeout=0.3)
    await host.heal()
    assert (await get(f"{host.base_url}/hello"))[0] == 200


async def test_slow_delays_every_answer(host: EchoHost) -> None:
    await host.inject(Fault(kind=FaultKind.SLOW, seconds=5))
    # a client with a shorter patience gives up; nothing is asserted about the clock itself
    with pytest.raises(asyncio.TimeoutError):
        await get(f"{host.base_url}/hello", timeout=0.3)
