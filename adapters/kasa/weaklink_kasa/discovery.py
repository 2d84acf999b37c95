"""Recognising a legacy Kasa device at an address: its answer to a unicast UDP get_sysinfo.

Legacy Kasa devices announce nothing over mDNS; the Kasa app and python-kasa broadcast
`{"system": {"get_sysinfo": null}}` (XOR-encrypted, no length) to UDP 9999 and every device
answers with its sysinfo. weaklink never broadcasts: it asks one address the user named
(`weaklink discover --host`), and trusts what answers only when it answers as a Kasa device
does (a deviceId or MAC in a get_sysinfo). Something that answers the datagram with bytes that
are not the protocol's JSON is reported, not trusted.
"""

from __future__ import annotations

from weaklink.adapters import AdapterManifest
from weaklink.live.contract import Discovered

from .errors import RequestFailed
from .identity import NotAKasa, read_identity, sysinfo_of
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
    """The Kasa device answering a get_sysinfo datagram at `address`; None when nothing answers,
    or what answers is not a Kasa device."""
    split = split_address(address)
    if split is None:
        return None
    host, port = split
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
