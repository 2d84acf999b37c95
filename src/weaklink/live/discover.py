"""Finding every host of every known brand on the network.

Two ways in: mDNS (one browser for the service types every installed live adapter declares,
each record resolved and handed to the adapter that declared its type), and direct
identification of addresses the user names, for brands that do not announce themselves
reliably (miIO devices answer a unicast handshake; adapters that can do this offer
`async identify_host(address, timeout) -> Discovered | None`).

The network interfaces are the caller's choice; tests and the simulated home always pass
127.0.0.1, so nothing is sent anywhere else. Browsing ends when the time is up, or earlier
once nothing new has been heard for `settle` seconds after the first answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from zeroconf import InterfaceChoice, IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from .contract import Discovered, LiveAdapter

RESOLVE_TIMEOUT = 1.5  # seconds a record may take to resolve
CACHE_RECHECK = 0.05  # seconds between fresh looks at the cache while a record resolves


@dataclass
class DiscoveryResult:
    """What discovery found, and what it heard but could not use."""

    found: list[Discovered] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # records announced but never resolved
    elapsed: float = 0.0

    def by_brand(self) -> dict[str, list[Discovered]]:
        """The hosts found, grouped by brand, each group sorted by address."""
        groups: dict[str, list[Discovered]] = {}
        for host in sorted(self.found, key=lambda h: (h.brand, _address_key(h.address), h.name)):
            groups.setdefault(host.brand, []).append(host)
        return groups


def _address_key(address: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in address.split("."))
    except ValueError:
        return (999,)


def _text_properties(properties: Mapping[bytes, bytes | None]) -> dict[str, str]:
    return {key.decode(errors="replace"): (value or b"").decode(errors="replace") for key, value in properties.items()}


class _Browser:
    """One discovery run: browse, resolve, identify."""

    def __init__(self, adapters: Mapping[str, LiveAdapter], on_found: Callable[[Discovered], None] | None) -> None:
        self.by_type: dict[str, list[LiveAdapter]] = {}
        for adapter in adapters.values():
            for service_type in adapter.manifest.mdns_types:  # type: ignore[attr-defined]
                self.by_type.setdefault(service_type, []).append(adapter)
        self.on_found = on_found
        self.result = DiscoveryResult()
        self.pending: set[asyncio.Task[None]] = set()
        self.seen: set[tuple[str, str]] = set()
        self.last_news = time.monotonic()

    def handler(self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is not ServiceStateChange.Added or (service_type, name) in self.seen:
            return
        self.seen.add((service_type, name))
        self.last_news = time.monotonic()
        task = asyncio.ensure_future(self.resolve(zeroconf, service_type, name))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def resolve(self, zeroconf: Zeroconf, service_type: str, name: str) -> None:
        info = await resolve_service(zeroconf, service_type, name, RESOLVE_TIMEOUT)
        if info is None or not info.parsed_addresses(IPVersion.V4Only):
            self.result.unresolved.append(name)
            return
        address = info.parsed_addresses(IPVersion.V4Only)[0]
        properties = _text_properties(info.properties)
        for adapter in self.by_type.get(service_type, []):
            host = adapter.identify(service_type, name, address, info.port or 0, properties)
            if host is not None:
                self.add(host)
                return

    def add(self, host: Discovered) -> None:
        keys = _identity(host)
        for index, known in enumerate(self.result.found):
            if keys & _identity(known):
                # one host found twice (several service types, or mDNS and a handshake): keep the
                # first answer, completed with what the second one knows
                self.result.found[index] = known.model_copy(update={
                    "model": known.model or host.model,
                    "identifiers": {**host.identifiers, **known.identifiers},
                })
                return
        self.result.found.append(host)
        self.last_news = time.monotonic()
        if self.on_found is not None:
            self.on_found(host)


async def resolve_service(zeroconf: Zeroconf, service_type: str, name: str, timeout: float) -> AsyncServiceInfo | None:
    """The record `name` resolved (SRV, TXT and address), or None if it is not within `timeout` seconds.

    zeroconf's own request can miss an answer: it hands a packet's records to the waiting
    request before they are in its cache, so when a host's address comes before the SRV that
    names the host, in one packet, the request sees the SRV, looks for the address in the
    cache, finds nothing, and waits for an answer that already came. Seen with 200 hosts on
    one responder: one record in twenty never resolved. So, while the request runs, the
    cache is read afresh every `CACHE_RECHECK` seconds.
    """
    info = AsyncServiceInfo(service_type, name)
    request = asyncio.ensure_future(info.async_request(zeroconf, int(timeout * 1000)))
    try:
        while True:
            done, _ = await asyncio.wait({request}, timeout=CACHE_RECHECK)
            if done:
                return info if request.result() else None
            cached = AsyncServiceInfo(service_type, name)
            if cached.load_from_cache(zeroconf):
                return cached
    finally:
        request.cancel()


def identity_keys(identifiers: Mapping[str, str]) -> set[tuple[str, str]]:
    """Hardware ids in comparable form: `AA:BB:…`, `aa-bb-…` and `aabb…` are one MAC."""
    return {(kind, value.lower().replace(":", "").replace("-", "")) for kind, value in identifiers.items() if value}


def _identity(host: Discovered) -> set[tuple[str, str]]:
    """What makes two records the same host: any hardware id they share, or the same address and port."""
    return identity_keys(host.identifiers) | {("address", f"{host.address}:{host.port}")}


async def discover(
    adapters: Mapping[str, LiveAdapter],
    *,
    interfaces: Sequence[str] | None = None,
    hosts: Iterable[str] = (),
    seconds: float = 3.0,
    settle: float = 0.6,
    on_found: Callable[[Discovered], None] | None = None,
    until: Callable[[DiscoveryResult], bool] | None = None,
) -> DiscoveryResult:
    """Find every host the installed live adapters know, within `seconds`.

    `interfaces` are the addresses of the interfaces to browse on (None: all of them);
    `hosts` are addresses to identify directly (unicast only); `until` ends the search early
    once what was found is enough for the caller.
    """
    browser = _Browser(adapters, on_found)
    started = time.monotonic()
    choice = list(interfaces) if interfaces is not None else InterfaceChoice.All
    zeroconf = AsyncZeroconf(interfaces=choice, ip_version=IPVersion.V4Only)
    service_browser = None
    try:
        direct = [asyncio.ensure_future(_identify_host(adapters, address, seconds, browser)) for address in hosts]
        if browser.by_type:
            service_browser = AsyncServiceBrowser(zeroconf.zeroconf, sorted(browser.by_type), handlers=[browser.handler])
        while time.monotonic() - started < seconds:
            if until is not None and until(browser.result):
                break
            quiet = time.monotonic() - browser.last_news
            if (browser.seen or not browser.by_type) and quiet >= settle and not browser.pending \
                    and all(task.done() for task in direct):
                break
            await asyncio.sleep(0.05)
        for task in [*browser.pending, *direct]:
            task.cancel()
        await asyncio.gather(*browser.pending, *direct, return_exceptions=True)
    finally:
        if service_browser is not None:
            await service_browser.async_cancel()
        await zeroconf.async_close()
    browser.result.elapsed = time.monotonic() - started
    return browser.result


async def _identify_host(adapters: Mapping[str, LiveAdapter], address: str, timeout: float, browser: _Browser) -> None:
    for adapter in adapters.values():
        identify_host = getattr(adapter, "identify_host", None)
        if identify_host is None:
            continue
        try:
            host = await asyncio.wait_for(identify_host(address, timeout), timeout)
        except (TimeoutError, OSError):
            continue
        if host is not None:
            browser.add(host)
            return
