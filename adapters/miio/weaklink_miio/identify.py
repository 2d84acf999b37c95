"""Recognising a miIO device: from its mDNS record, or from its answer to a unicast hello.

A miIO device publishes `<model with dashes>_miio<device id>._miio._udp.local.` on port
54321, with TXT `mac=<12 hex digits>` (Yeelights and plugs do; some firmwares omit the MAC).
A record under `_miio._udp` whose instance name carries no valid device id, or whose MAC is
not one, claims the brand without passing its identity check: it is reported with the
problem, and nothing is ever sent to it with a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from weaklink.live.contract import Discovered
from weaklink.model import IdentifierKind, normalize_identifier

from .hello import HelloReply

SERVICE_TYPE = "_miio._udp.local."
HANDSHAKE = "miio-handshake"
MAX_DEVICE_ID = 2**32 - 1
_INSTANCE = re.compile(r"(?P<model>[a-z0-9]+(?:-[a-z0-9_]+)+)_miio(?P<did>\d+)", re.IGNORECASE)
_MAC = re.compile(r"[0-9a-f]{12}|([0-9a-f]{2}[:-]){5}[0-9a-f]{2}", re.IGNORECASE)


def dotted_model(dashed: str) -> str:
    """`chuangmi-plug-m1` → `chuangmi.plug.m1` (vendor and type never hold a dash; the variant may)."""
    return ".".join(dashed.lower().split("-", 2))


def from_record(service_type: str, name: str, address: str, port: int, properties: Mapping[str, str],
                *, brand: str, operations: list[str]) -> Discovered | None:
    """The device a `_miio._udp` record announces; None for any other service type."""
    if service_type != SERVICE_TYPE:
        return None
    instance = name.removesuffix(f".{service_type}").removesuffix(service_type).rstrip(".")
    identifiers: dict[str, str] = {}
    problems: list[str] = []
    model = None
    match = _INSTANCE.fullmatch(instance)
    if match is None:
        problems.append(f"its instance name {instance!r} is not <model>_miio<device id>")
    elif not 1 <= int(match["did"]) <= MAX_DEVICE_ID:
        problems.append(f"its device id {match['did']} is not one (1 to {MAX_DEVICE_ID})")
    else:
        model = dotted_model(match["model"])
        identifiers["device_id"] = str(int(match["did"]))
    mac = properties.get("mac")
    if mac and _MAC.fullmatch(mac) is None:
        problems.append(f"its TXT mac {mac!r} is not a MAC address")
    elif mac:
        identifiers["mac"] = normalize_identifier(IdentifierKind.MAC, mac)
    problem = f"{'; '.join(problems)}: not trusted, never sent a token" if problems else None
    return Discovered(adapter="miio", brand=brand, name=instance, address=address, port=port or None, model=model,
                      identifiers=identifiers, via=service_type, operations=[] if problem else operations,
                      problem=problem)


def from_hello(hello: HelloReply, address: str, port: int, *, brand: str, operations: list[str]) -> Discovered:
    """The device that answered a unicast hello at `address`."""
    return Discovered(adapter="miio", brand=brand, name=f"miio{hello.device_id}", address=address, port=port,
                      identifiers={"device_id": str(hello.device_id)}, via=HANDSHAKE, operations=operations)


def from_garbled_hello(detail: str, address: str, port: int, *, brand: str) -> Discovered:
    """Something at `address` answered the hello, but not with a miIO packet."""
    return Discovered(adapter="miio", brand=brand, name=f"miio@{address}", address=address, port=port,
                      via=HANDSHAKE, problem=f"{detail}: not trusted, never sent a token")
