"""Who a Home Assistant host is: from its mDNS record, and before any credential is sent.

What a real Home Assistant tells about itself without credentials (checked in HA's source):

- its mDNS record `<location name>._home-assistant._tcp.local.` (the `zeroconf` component):
  TXT `uuid` (the instance id, `uuid4().hex`: 32 hex digits, kept in `.storage/core.uuid`),
  `version`, `location_name`, `base_url`/`internal_url`/`external_url`,
  `requires_api_password`; the record's host name is `<uuid>.local.`;
- the WebSocket API's greeting, `{"type": "auth_required", "ha_version": …}`.

Nothing else: every REST call, `GET /api/` included, answers `401: Unauthorized` without a
token, and the unauthenticated `/api/discovery_info` (which returned the uuid) is gone from
HA's `api` component. So the check before the token is sent is:

1. the host's `/api/websocket` greets as Home Assistant does (a version string in
   `auth_required`); anything else answering there is not Home Assistant;
2. when the home file names the instance (`options: {uuid: …}`), mDNS must resolve HA's
   host name `<uuid>.local.` to the address the home file gives. Resolving it elsewhere means
   the address now belongs to someone else (or HA moved); no answer means the identity cannot
   be confirmed. Either way the token is not sent. Without a `uuid` option the address alone
   is trusted, as a browser trusts a URL.

mDNS is asked on `options["mdns_interfaces"]` when given; for a host on a loopback address,
on 127.0.0.1 only (the simulated home); otherwise on the default interface.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from weaklink.live.contract import Discovered, HostSpec
from zeroconf import AddressResolverIPv4, InterfaceChoice, IPVersion
from zeroconf import Error as ZeroconfError
from zeroconf.asyncio import AsyncZeroconf

from .errors import IdentityMismatch, IdentityUnconfirmed, NetworkError
from .websocket import HAWebSocket

SERVICE_TYPE = "_home-assistant._tcp.local."
DEFAULT_PORT = 8123
BRAND = "Home Assistant"
MDNS_SHARE = 0.6  # of a check's time, for mDNS to confirm the instance (a LAN answers in well under 0.2 s)

_UUID = re.compile(r"^[0-9a-f]{32}$")
# 2025.11.2, 2024.1.0b3, 2025.12.0.dev20251101, and before 2021 0.118.5
_VERSION = re.compile(r"^(\d{4}\.\d{1,2}|0\.\d{1,3})\.\d+")


def identify(service_type: str, name: str, address: str, port: int, properties: Mapping[str, str],
             adapter: str, operations: list[str]) -> Discovered | None:
    """The instance a `_home-assistant._tcp` record announces; with `problem` set when its
    `uuid` or `version` is not what Home Assistant publishes."""
    if service_type != SERVICE_TYPE:
        return None
    uuid, version = properties.get("uuid", ""), properties.get("version", "")
    problems = []
    if not _UUID.match(uuid):
        problems.append(f"uuid {uuid!r} is not a Home Assistant instance id (32 hex digits)")
    if not _VERSION.match(version):
        problems.append(f"version {version!r} is not a Home Assistant version")
    instance = name.removesuffix(f".{SERVICE_TYPE}") if name.endswith(SERVICE_TYPE) else name.split(".")[0]
    return Discovered(
        adapter=adapter, brand=BRAND, name=(properties.get("location_name") or instance).strip(), address=address,
        port=port, model=f"{BRAND} {version}" if version else BRAND,
        identifiers={"uuid": uuid} if uuid else {}, via=service_type, operations=operations,
        problem="; ".join(problems) + ": not trusted" if problems else None,
    )


@dataclass(frozen=True)
class Endpoint:
    """Where a host's API is: `address` may be an address, a host name or a URL."""

    host: str
    port: int
    secure: bool

    @classmethod
    def of(cls, spec: HostSpec) -> Endpoint:
        """The endpoint a home file's host names."""
        if "://" in spec.address:
            parts = urlsplit(spec.address)
            secure = parts.scheme in ("https", "wss")
            return cls(parts.hostname or "", parts.port or spec.port or DEFAULT_PORT, secure)
        return cls(spec.address, spec.port or DEFAULT_PORT, bool(spec.options.get("ssl", False)))

    @property
    def base_url(self) -> str:
        """The instance's base URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}"

    @property
    def websocket_url(self) -> str:
        """The WebSocket API's URL."""
        return f"{self.base_url.replace('http', 'ws', 1)}/api/websocket"


def _interfaces(spec: HostSpec, host: str) -> list[str] | InterfaceChoice:
    chosen = spec.options.get("mdns_interfaces")
    if chosen:
        return [str(interface) for interface in chosen]
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return ["127.0.0.1"] if loopback else InterfaceChoice.Default


async def instance_addresses(uuid: str, interfaces: list[str] | InterfaceChoice, timeout: float) -> set[str]:
    """The IPv4 addresses mDNS resolves HA's host name `<uuid>.local.` to (empty: no answer)."""
    try:
        zeroconf = AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
    except (OSError, ZeroconfError):
        return set()  # no multicast here: nothing can be confirmed
    try:
        resolver = AddressResolverIPv4(f"{uuid}.local.")
        if await resolver.async_request(zeroconf.zeroconf, int(timeout * 1000)):
            return set(resolver.parsed_addresses(IPVersion.V4Only))
        return set()
    finally:
        await zeroconf.async_close()


async def _addresses_of(host: str, port: int) -> set[str]:
    try:
        return {str(ipaddress.ip_address(host))}
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, family=socket.AF_INET)
    except OSError:
        return set()
    return {str(item[4][0]) for item in found}


def _confirm(endpoint: Endpoint, uuid: str, version: str, where: set[str], here: set[str]) -> None:
    """Raise unless mDNS puts instance `uuid` (at `where`) at the address the connection went to (`here`)."""
    if not where:
        raise IdentityUnconfirmed(
            f"{endpoint.base_url} answers as Home Assistant {version}, but instance {uuid} does not answer "
            "over mDNS, so it is not confirmed to be that instance: the token was not sent")
    if not where & here:
        raise IdentityMismatch(
            f"{endpoint.base_url} is not Home Assistant {uuid}: that instance announces itself at "
            f"{', '.join(sorted(where))}; the token was not sent")


async def open_verified(spec: HostSpec, http: aiohttp.ClientSession, timeout: float) -> HAWebSocket:
    """A greeted (not yet authenticated) connection to the instance `spec` names, once its
    identity is checked; the token may be sent on it.

    Raises NetworkError (nothing answered; says where the instance moved when mDNS knows),
    IdentityMismatch, or IdentityUnconfirmed. Takes at most about `timeout`.
    """
    endpoint = Endpoint.of(spec)
    uuid = spec.options.get("uuid")
    lookup = None
    if uuid:
        # mDNS gets part of the time, so that silence is reported as such, not as the whole check timing out.
        lookup = asyncio.ensure_future(instance_addresses(str(uuid).lower(), _interfaces(spec, endpoint.host),
                                                          timeout * MDNS_SHARE))
    try:
        try:
            connection = await HAWebSocket.open(http, endpoint.websocket_url, timeout)
        except NetworkError as exc:
            where = await lookup if lookup is not None else set()
            here = await _addresses_of(endpoint.host, endpoint.port)
            if where and not where & here:
                raise NetworkError(f"{exc}; Home Assistant {uuid} now announces itself at "
                                   f"{', '.join(sorted(where))} (it moved)") from exc
            raise
        try:
            if lookup is not None:
                _confirm(endpoint, str(uuid), connection.ha_version, await lookup,
                         await _addresses_of(endpoint.host, endpoint.port))
        except BaseException:
            await connection.close()
            raise
        return connection
    finally:
        if lookup is not None and not lookup.done():
            lookup.cancel()
            await asyncio.gather(lookup, return_exceptions=True)
