"""Recognising a Kasa or Tapo device at an address: a legacy device's answer to a unicast UDP
get_sysinfo, or a newer (SMART protocol) device's answer to a TP-Link discovery probe on UDP
20002 (`tapo_discovery`); both are asked at once.

Legacy Kasa devices announce nothing over mDNS; the Kasa app and python-kasa broadcast
`{"system": {"get_sysinfo": null}}` (XOR-encrypted, no length) to UDP 9999 and every device
answers with its sysinfo. weaklink never broadcasts: it asks one address the user named
(`weaklink discover --host`), and trusts what answers only when it answers as a Kasa device
does (a deviceId or MAC in a get_sysinfo). Something that answers the datagram with bytes that
are not the protocol's JSON is reported, not trusted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from weaklink.adapters import AdapterManifest
from weaklink.live.contract import Discovered

from .errors import RequestFailed
from .identity import NotAKasa, read_identity, sysinfo_of
from .tapo_discovery import ask, discovered
from .transport import KasaTransport
from .wire import KASA_PORT

MANIFEST = AdapterManifest.of_package(__package__)  # the adapter's own, read once
VIA = "kasa-udp"
DISCOVERY_REQUEST = {"system": {"get_sysinfo": None}}  # what python-kasa's discovery sends


def split_address(address: str) -> tuple[str, int] | None:
    """`(host, port)` of `host` or `host:port` (9999 by default); None when the port is not a number."""
    host, colon, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
    if not colon:
        return address, KASA_PORT
    return (host, int(port)) if port.isdigit() and 0 < int(port) < 65536 else None


async def identify_host(address: str, timeout: float) -> Discovered | None:
    """The Kasa device answering a get_sysinfo datagram at `address` (`host` or `host:port`), or the
    Tapo device answering a discovery probe on its UDP 20002; None when nothing answers as either.
    A legacy device that answers in its protocol comes first, then a SMART one, then a legacy
    answer that is not the protocol's (reported, not trusted)."""
    split = split_address(address)
    if split is None:
        return None
    host, port = split
    legacy, smart = asyncio.ensure_future(_legacy(host, port, timeout)), asyncio.ensure_future(ask(host, timeout))
    try:
        pending: set[asyncio.Future[Any]] = {legacy, smart}
        while pending:  # the first trusted answer ends it: a device speaks one of the two, never waits for both
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if legacy in done and (found := legacy.result()) is not None and found.problem is None:
                return found
            if smart in done and (answer := smart.result()) is not None:
                return discovered(answer, host, MANIFEST.host_operations, MANIFEST.brand)
        return legacy.result()
    finally:
        for task in (legacy, smart):
            task.cancel()
        await asyncio.gather(legacy, smart, return_exceptions=True)


async def _legacy(host: str, port: int, timeout: float) -> Discovered | None:
    """The legacy Kasa device answering a get_sysinfo datagram at `host:port`."""
    transport = KasaTransport(host, port)
    try:
        answer = await transport.datagram(DISCOVERY_REQUEST, timeout)
    except RequestFailed as failure:
        if failure.layer != "device":
            return None
        return Discovered(adapter="kasa", brand=MANIFEST.brand, name=f"kasa@{transport.where}", address=host,
                          port=port, via=VIA,
                          problem=f"it answers the Kasa discovery request, but not in the protocol ({failure.detail})")
    try:
        identity, _ = read_identity(sysinfo_of(answer.body, transport.where), transport.where)
    except (NotAKasa, RequestFailed):
        return None
    identifiers = {key: value for key, value in (("device_id", identity.device_id), ("mac", identity.mac_address))
                   if value}
    return Discovered(adapter="kasa", brand=MANIFEST.brand, name=identity.alias or identity.native_id, address=host,
                      port=port, model=identity.model, identifiers=identifiers, via=VIA,
                      operations=MANIFEST.host_operations)
