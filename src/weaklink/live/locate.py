"""Where each host of a live home announces itself over mDNS, while it is being probed.

A home file names hosts by address, and addresses change: a router hands out another lease,
and the Shelly that was 192.168.1.12 is now .31. Home Assistant's integrations follow a device
through its mDNS announcements; weaklink does the same. While the hosts are visited, one
browser listens for the service types of the home's adapters and matches each announcement
to a host by the identity the home file gives it (`options`: a Hue `bridge_id`, a Shelly or
miIO `device_id` or `mac`, a Home Assistant `uuid`), or, for a host with none, by address.

What it tells the caller, host by host:
- announced at the address the home file gives: nothing to say;
- announced elsewhere: the host moved (`collect` visits it there, and says so);
- not announced at all: it answers (or not) but cannot be found by name, which is what makes
  a device vanish from Home Assistant the next time its address changes.

Only announcements that pass their adapter's identity check count; mDNS is asked on the
interfaces `interfaces_for` picks (127.0.0.1 alone when every host is on loopback).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zeroconf import Error as ZeroconfError

from .contract import Discovered, HostSpec, LiveAdapter
from .discover import DiscoveryResult, discover, identity_keys

# Home file options that name a host's identity, and the discovery identifier each one is.
IDENTITY_OPTIONS = {"uuid": "uuid", "bridge_id": "bridgeid", "bridgeid": "bridgeid", "device_id": "device_id",
                    "mac": "mac", "serial": "serial"}


def host_keys(host: HostSpec) -> set[tuple[str, str]]:
    """The identity keys the home file gives `host`, in discovery's terms."""
    named = {IDENTITY_OPTIONS[key]: str(value) for key, value in host.options.items()
             if key in IDENTITY_OPTIONS and value not in (None, "")}
    return identity_keys(named)


def announces(host: HostSpec, found: Discovered) -> bool:
    """True when the trusted announcement `found` is `host`'s: the same identity, or, for a
    host the home file gives no identity, the same address (and port, when both say one)."""
    if found.problem is not None or (found.adapter is not None and found.adapter != host.adapter):
        return False
    keys = host_keys(host)
    if keys:
        return bool(keys & identity_keys(found.identifiers))
    return found.address == host.address and (None in (found.port, host.port) or found.port == host.port)


def interfaces_for(hosts: Sequence[HostSpec]) -> list[str] | None:
    """The interfaces to listen on: the ones a host names (`options.mdns_interfaces`), 127.0.0.1
    when every host is on loopback, otherwise every interface (None)."""
    named = sorted({str(i) for host in hosts for i in host.options.get("mdns_interfaces", []) or []})
    if named:
        return named
    if hosts and all(_loopback(host.address) for host in hosts):
        return ["127.0.0.1"]
    return None


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


def announcing(hosts: Sequence[HostSpec], result: DiscoveryResult) -> list[Discovered | None]:
    """For each host, the announcement that is its (None: not heard)."""
    return [next((found for found in result.found if announces(host, found)), None) for host in hosts]


@dataclass
class Whereabouts:
    """Each host's announcement (None: not heard), and whether listening ended because
    everything was heard (`settled`) rather than because the time ran out: only then does
    silence mean a host is not announced."""

    heard: list[Discovered | None]
    settled: bool


async def locate(hosts: Sequence[HostSpec], adapters: Mapping[str, LiveAdapter],
                 seconds: float) -> Whereabouts | None:
    """Listen up to `seconds` for the hosts' announcements (less once every one is heard, or
    once the network has gone quiet). None when mDNS cannot be used here."""
    wanted = {host.adapter: adapters[host.adapter] for host in hosts
              if host.adapter in adapters and adapters[host.adapter].manifest.mdns_types}  # type: ignore[attr-defined]
    if not wanted:
        return Whereabouts([None] * len(hosts), settled=True)
    listened = [host for host in hosts if host.adapter in wanted]

    def everyone_heard(result: DiscoveryResult) -> bool:
        return all(found is not None for found in announcing(listened, result))

    try:
        result = await discover(wanted, interfaces=interfaces_for(hosts), seconds=seconds, until=everyone_heard)
    except (OSError, ZeroconfError):
        return None
    return Whereabouts(announcing(hosts, result), settled=result.elapsed < seconds)
