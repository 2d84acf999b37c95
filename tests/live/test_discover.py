"""Discovery over real mDNS on 127.0.0.1, with a test adapter for a made-up brand.

The brand adapters' own tests discover their simulated devices; this one checks the engine:
every record resolved and handed to the adapter of its service type, one host announcing two
types counted once, a record failing its identity check kept with the problem, unicast
identification of named addresses, and the early end once the network has gone quiet.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Mapping

import pytest
from aiohttp import web
from zeroconf import DNSIncoming, DNSOutgoing, IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf
from zeroconf.const import _FLAGS_AA, _FLAGS_QR_RESPONSE

from weaklink.adapters import AdapterManifest
from weaklink.live.contract import Discovered, HostSpec, LiveSession
from weaklink.live.discover import discover, resolve_service
from weaklink.sim import Advertiser
from weaklink.sim.http import HttpHost
from weaklink.sim.mdns import service_info

TYPE_A, TYPE_B = "_gizmo._tcp.local.", "_http._tcp.local."


class Gizmo(HttpHost):
    """A made-up brand's hub announcing itself under two service types, as Shelly does."""

    brand = "gizmo"

    def __init__(self, serial: str, address: str, advertiser: Advertiser, genuine: bool = True) -> None:
        super().__init__(f"gizmo-{serial}", address, 8700, advertiser)
        self.serial, self.genuine = serial, genuine

    def routes(self, app: web.Application) -> None:
        async def info(request: web.Request) -> web.Response:
            return web.json_response({"serial": self.serial})

        app.router.add_get("/info", info)

    def services(self) -> list[AsyncServiceInfo]:
        txt = {"serial": self.serial if self.genuine else "not-a-serial", "model": "G1"}
        return [service_info(TYPE_A, self.name, self.address, self.port, txt),
                service_info(TYPE_B, self.name, self.address, self.port, txt)]


class GizmoAdapter:
    """The made-up brand's live adapter: identifies records, and hosts by a unicast request."""

    manifest = AdapterManifest(name="gizmo", brand="Gizmo", operations=["discover"], mdns_types=[TYPE_A, TYPE_B])

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        if not name.startswith("gizmo-"):
            return None  # some other brand's _http._tcp record
        serial = properties.get("serial", "")
        problem = None if serial.startswith("G") else f"serial {serial!r} is not a Gizmo serial: not trusted"
        return Discovered(adapter="gizmo", brand="Gizmo", name=name.split(".")[0], address=address, port=port,
                          model=properties.get("model"), identifiers={"serial": serial}, via=service_type,
                          operations=["probe"], problem=problem)

    async def identify_host(self, address: str, timeout: float) -> Discovered | None:
        import aiohttp

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.get(f"http://{address}:8700/info") as response:
                serial = (await response.json())["serial"]
        return Discovered(adapter="gizmo", brand="Gizmo", name=f"gizmo-{serial}", address=address, port=8700,
                          identifiers={"serial": serial}, via="unicast")

    async def connect(self, host: HostSpec, timeout: float = 2.0) -> LiveSession:
        raise NotImplementedError  # discovery never connects


@pytest.fixture
async def gizmos(advertiser: Advertiser, fresh_address: Callable[[], str]) -> AsyncIterator[list[Gizmo]]:
    # serials of their own: other test runs on this machine share 127.0.0.1's mDNS
    run = secrets.token_hex(3).upper()
    hosts = [Gizmo(f"G1{run}", fresh_address(), advertiser), Gizmo(f"G2{run}", fresh_address(), advertiser),
             Gizmo(f"G3{run}", fresh_address(), advertiser, genuine=False)]
    for host in hosts:
        await host.start()
    yield hosts
    for host in hosts:
        await host.stop()


async def test_every_host_found_once_with_what_it_announced(gizmos: list[Gizmo]) -> None:
    seen: list[str] = []
    result = await discover({"gizmo": GizmoAdapter()}, interfaces=["127.0.0.1"], seconds=5,
                            on_found=lambda host: seen.append(host.name))
    ours = {g.name for g in gizmos}
    found = {host.name: host for host in result.found if host.name in ours}
    first, _, fake = (g.name for g in gizmos)
    assert sorted(found) == sorted(ours)  # two types each, counted once
    assert sorted(name for name in seen if name in ours) == sorted(found)
    assert found[first].address == gizmos[0].address and found[first].port == 8700
    assert found[first].model == "G1" and found[first].problem is None
    assert "not trusted" in (found[fake].problem or "")
    listed = [h.name for h in result.by_brand()["Gizmo"] if h.name in ours]
    assert listed == sorted(found, key=lambda n: _order(n, gizmos))
    # it ended because the network went quiet, well before its 5 s
    assert result.elapsed < 5


def _order(name: str, gizmos: list[Gizmo]) -> tuple[int, ...]:
    address = next(g.address for g in gizmos if g.name == name)
    return tuple(int(part) for part in address.split("."))


async def test_a_named_address_is_identified_without_mdns(address: str) -> None:
    host = Gizmo(f"G9{secrets.token_hex(3).upper()}", address, Advertiser())
    host.advertiser = None  # never advertised
    await host.start()
    try:
        result = await discover({"gizmo": GizmoAdapter()}, interfaces=["127.0.0.1"], hosts=[address], seconds=3)
    finally:
        await host.stop()
    assert [(h.name, h.via) for h in result.found if h.address == address] == [(host.name, "unicast")]


async def test_nothing_to_find_ends_quietly(address: str) -> None:
    result = await discover({"gizmo": GizmoAdapter()}, interfaces=["127.0.0.1"], hosts=[address], seconds=1)
    assert [h for h in result.found if h.address == address] == []


async def test_a_host_both_announced_and_asked_is_listed_once(gizmos: list[Gizmo]) -> None:
    result = await discover({"gizmo": GizmoAdapter()}, interfaces=["127.0.0.1"], hosts=[gizmos[0].address], seconds=5)
    ours = {g.name for g in gizmos}
    assert sorted(host.name for host in result.found if host.name in ours) == sorted(ours)
    (asked,) = [host for host in result.found if host.name == gizmos[0].name]
    assert asked.model == "G1"  # whichever answer came first, the record's model is kept


async def test_an_address_that_came_before_its_srv_in_one_packet_still_resolves() -> None:
    # The packet is handed straight to zeroconf's record manager, as its socket would: the order
    # of records inside one packet is what matters, and a responder cannot be made to pick it.
    service_type = "_gizmo._tcp.local."
    name = f"gizmo-{secrets.token_hex(4)}.{service_type}"
    record = AsyncServiceInfo(service_type, name, addresses=[socket.inet_aton("127.0.0.9")], port=8700,
                              properties={"serial": "G1"}, server=f"{name.split('.')[0]}.local.")
    packet = DNSOutgoing(_FLAGS_QR_RESPONSE | _FLAGS_AA)
    for answer in [*record.dns_addresses(), record.dns_service(), record.dns_text()]:  # address first
        packet.add_answer_at_time(answer, 0)
    zeroconf = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        resolving = asyncio.ensure_future(resolve_service(zeroconf.zeroconf, service_type, name, timeout=3.0))
        await asyncio.sleep(0.01)  # the request is waiting for answers
        for wire in packet.packets():
            zeroconf.zeroconf.record_manager.async_updates_from_response(DNSIncoming(wire))
        resolved = await resolving
    finally:
        await zeroconf.async_close()
    assert resolved is not None
    assert (resolved.parsed_addresses(), resolved.port, resolved.properties) == (["127.0.0.9"], 8700, {b"serial": b"G1"})
