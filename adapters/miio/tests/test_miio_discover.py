"""Discovery through weaklink's engine on 127.0.0.1: by mDNS, and by a unicast hello to a named address."""

from __future__ import annotations

import secrets

from miio_sim import RecordingDevice, plug_spec

from weaklink.live.discover import discover
from weaklink.sim import Advertiser
from weaklink_miio import MiioAdapter


async def test_an_advertised_device_is_found_with_its_identity() -> None:
    # a device id of its own: every process on this machine shares 127.0.0.1's mDNS
    did = secrets.randbelow(2**32 - 2) + 1
    advertiser = Advertiser()
    try:
        async with RecordingDevice(plug_spec(device_id=did), advertiser) as plug:
            result = await discover({"miio": MiioAdapter()}, interfaces=["127.0.0.1"], seconds=5)
    finally:
        await advertiser.close()
    [found] = [host for host in result.found if host.address == plug.address]
    assert (found.adapter, found.brand, found.model, found.port) == ("miio", "Xiaomi miIO", "chuangmi.plug.m1", 54321)
    assert found.identifiers == {"device_id": str(did), "mac": "28:6c:07:85:86:d3"}
    assert found.via == "_miio._udp.local." and found.problem is None
    assert plug.received == []  # found by listening: nothing was sent to it


async def test_a_named_address_is_found_by_its_hello() -> None:
    async with RecordingDevice(plug_spec()) as plug:
        result = await discover({"miio": MiioAdapter()}, interfaces=["127.0.0.1"], hosts=[plug.address], seconds=1)
    [found] = [host for host in result.found if host.address == plug.address]
    assert (found.via, found.identifiers) == ("miio-handshake", {"device_id": str(plug.device_id)})
    assert plug.sealed == []
