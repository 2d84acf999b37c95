"""A saved discovery as part of a home: what `weaklink discover --format json` wrote.

Discovery names devices weaklink has no full adapter for (a HomeKit accessory, a Matter
node, an ESPHome board, a Cast speaker, a Sonos player) from their mDNS records alone. Saved
to a file and put in a home folder, they join the graph as devices with their brand, model,
address and identifiers, so that a chain that crosses them can at least name them, and the
same device known to Home Assistant (by MAC, say) is one node.

This reader is weaklink's own, registered under the `weaklink.adapters` entry point like any
adapter (`discovery`), because it reads a file weaklink writes, not a brand's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..adapters import AdapterManifest
from ..exports import read_json, sniff_json, validated
from ..model import Device, HomeFragment, Identifier, IdentifierKind, Transport
from .contract import Discovered
from .discover import DiscoveryResult

_KINDS = {"mac": IdentifierKind.MAC, "serial": IdentifierKind.SERIAL, "ieee": IdentifierKind.ZIGBEE}


class SavedDiscovery(BaseModel):
    """The file `weaklink discover --format json` writes."""

    model_config = ConfigDict(extra="ignore")

    elapsed_seconds: float
    hosts: list[Discovered]

    @classmethod
    def of(cls, result: DiscoveryResult) -> SavedDiscovery:
        """What a discovery found, as `weaklink discover --format json` writes it."""
        return cls(elapsed_seconds=round(result.elapsed, 3), hosts=result.found)


def _is_saved(document: Any) -> bool:
    return (isinstance(document, dict) and "elapsed_seconds" in document and isinstance(document.get("hosts"), list)
            and all(isinstance(h, dict) and "via" in h and "address" in h for h in document["hosts"]))


def device_of(host: Discovered) -> Device:
    """The device a discovered host is: its id from its first identifier (else its address).

    A brand's own id is written `<adapter>:<id>`, as that adapter writes it (a Shelly's
    `shelly:shelly1-17EAD2`), so that the host and the adapter's own account of it are one
    device; a brand known from mDNS alone has no adapter, so its ids are `<kind>:<id>`.
    """
    identifiers = [Identifier(kind=_KINDS[kind], value=value) if kind in _KINDS else
                   Identifier(kind=IdentifierKind.VENDOR, value=f"{host.adapter or kind}:{value}")
                   for kind, value in sorted(host.identifiers.items()) if value]
    namespace = host.adapter or "mdns"
    key = next((f"{kind}:{value}" for kind, value in sorted(host.identifiers.items()) if value), host.address)
    return Device(id=f"{namespace}:{key}", name=host.name, brand=host.brand, model=host.model,
                  transport=Transport.UNKNOWN, host=host.address, identifiers=identifiers)


class SavedDiscoveryAdapter:
    """Reads saved discoveries into devices (weaklink's own format)."""

    manifest = AdapterManifest(
        name="discovery", brand="weaklink discovery",
        description="Reads what `weaklink discover --format json` saved: every host found, with its brand, model, "
                    "address and identifiers, including brands known from mDNS alone.",
        protocols=["weaklink-discovery"], operations=["offline"], quality="bronze")

    def detect(self, path: Path) -> bool:
        """Whether `path` is a saved discovery, whatever its name."""
        return _is_saved(sniff_json(path))

    def load(self, path: Path) -> HomeFragment:
        """Every trusted host of the saved discovery as a device (an untrusted one, failing its
        brand's identity check, is left out: it is not known to be what it claims)."""
        saved = validated(SavedDiscovery, read_json(path), path)
        devices: dict[str, Device] = {}
        for host in saved.hosts:
            if host.problem is None:
                device = device_of(host)
                devices.setdefault(device.id, device)
        return HomeFragment(source=str(path), platform="discovery", devices=list(devices.values()))

    def open_history(self, path: Path) -> None:
        """A discovery is a moment, not a history."""
        return None
