"""The Kasa/Tapo adapter: python-kasa device dumps read offline, whatever the files are called;
live, legacy-protocol (IOT) Kasa devices on TCP/UDP 9999, and Tapo plugs and strips on the
SMART protocol over KLAP (HTTP), with the TP-Link account's credentials.

A home file's Kasa host (legacy protocol, no credentials):

    - adapter: kasa
      name: Coffee maker plug
      address: 192.168.1.50
      options: {device_id: 6975B3FC2E6F1692E137B929094E5F19279B42C4, poll_interval: 1.0}

A Tapo host (SMART over KLAP): the account's `username` and `password` as credentials, which
is what makes the session a KLAP one (port 80 unless `port:` says otherwise):

    - adapter: kasa
      name: Dehumidifier plug
      address: 192.168.1.51
      credentials: {username: env:TAPO_USERNAME, password: env:TAPO_PASSWORD}
      options: {device_id: 802…A711}

`device_id` (get_sysinfo's `deviceId`, get_device_info's `device_id`) and/or `mac` name the
device meant: nothing is switched on a device that does not answer as that one.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weaklink.adapters import AdapterManifest
from weaklink.errors import ExportError, InputError
from weaklink.exports import read_json, sniff_json
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec
from weaklink.model import HomeFragment

from .discovery import MANIFEST, identify_host
from .document import protocol_of
from .errors import RequestFailed
from .iot import iot_fragment
from .smart import smart_fragment
from .smartcam import smartcam_fragment

if TYPE_CHECKING:
    from .session import KasaSession
    from .tapo_session import TapoSession

ACCOUNT = ("username", "password")  # a Tapo host's credentials: the TP-Link account

_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$")


class KasaAdapter:
    """Reads one device dump in python-kasa's fixture format (legacy IOT or SMART protocol); talks
    to legacy-protocol Kasa devices and to Tapo (KLAP) plugs and strips live: identify, snapshot,
    probe, observe, act, dump."""

    manifest: AdapterManifest = MANIFEST

    def detect(self, path: Path) -> bool:
        """Whether `path` is a Kasa/Tapo device dump, recognised by its content (never raises)."""
        try:
            return protocol_of(sniff_json(path)) is not None
        except Exception:  # detect is offered every file of a home: whatever is there must not stop the import
            return False

    def load(self, path: Path) -> HomeFragment:
        """The device in the dump at `path` and what hangs off it (a hub's sensors, a strip's outlets).

        Raises ExportError naming the file (and the field, or line) when it cannot be read.
        """
        document = read_json(path)
        protocol = protocol_of(document)
        if protocol is None:
            raise ExportError("not a Kasa/Tapo device dump (no system.get_sysinfo, get_device_info or getDeviceInfo)",
                              source=path)
        if protocol == "iot":
            return iot_fragment(document, path)
        if protocol == "smartcam":
            return smartcam_fragment(document, path)
        return smart_fragment(document, path)

    def open_history(self, path: Path) -> None:
        """A dump is a moment, not a history."""
        return None

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """None: legacy Kasa devices announce nothing over mDNS (they answer `identify_host`)."""
        return None

    async def identify_host(self, address: str, timeout: float) -> Discovered | None:
        """The Kasa device answering a unicast UDP get_sysinfo at `address` (`host` or `host:port`), or
        the Tapo device answering a discovery probe on its UDP 20002 (what is known without credentials)."""
        return await identify_host(address, timeout)

    def prepare(self) -> None:
        """Load the live side before hosts are visited (a Tapo session's HTTP client and cryptography)."""
        from . import session, tapo_session  # noqa: F401

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> KasaSession | TapoSession:
        """A session to `host`, once it answered as the Kasa device expected (a Tapo device: once it
        proved it knows the TP-Link account, and then answered as the device expected).

        Raises IdentityMismatch when another device, or no Kasa device, answers. A host that does
        not answer at all (or answers garbage, or does not prove it knows the account) still gets
        a session: `probe()` then says why, and its identity is checked again before any command
        goes to it.
        """
        from .session import DEFAULT_POLL_INTERVAL, KasaSession

        _check_identity_options(host)
        poll_interval = _positive(host, "poll_interval", DEFAULT_POLL_INTERVAL)
        if _account(host):
            return await _connect_tapo(host, timeout, poll_interval)
        session = KasaSession(host, timeout, poll_interval)
        try:
            await session.identify(timeout)
        except RequestFailed as failure:
            session.connect_failure = failure  # a sick host: probe() reports it
        return session


def _account(host: HostSpec) -> bool:
    """Whether the host is a Tapo one: the home file gives the TP-Link account (both halves of it)."""
    given = [key for key in ACCOUNT if key in host.credentials]
    if given and len(given) < len(ACCOUNT):
        missing = next(key for key in ACCOUNT if key not in given)
        raise InputError(f"{host.label}: a Tapo device's credentials are the TP-Link account's username and "
                         f"password; {missing} is missing", field=f"credentials.{missing}")
    return bool(given)


async def _connect_tapo(host: HostSpec, timeout: float, poll_interval: float) -> TapoSession:
    import aiohttp  # loaded on first use: an offline command never needs it

    from .tapo_session import TapoSession

    # The session cookie is handled by the transport (a cookie jar refuses one from an IP address).
    # Every request has its own connection: a device that restarted or went away meanwhile is met
    # as it is now, not as a stale kept-alive connection that breaks mid-request.
    client = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                   connector=aiohttp.TCPConnector(force_close=True))
    session = TapoSession(host, client, timeout, poll_interval)
    try:
        # one deadline for the handshake and the identity request together
        async with asyncio.timeout(timeout):
            await session.identify(timeout)
    except TimeoutError:
        session.connect_failure = RequestFailed("network", "timeout", f"{session.where} did not shake hands and "
                                                f"answer get_device_info within {timeout:g} s")
    except RequestFailed as failure:
        session.connect_failure = failure  # a sick host, or one that did not prove it knows the account
    except BaseException:  # not that device, or the caller's time ran out: leave nothing open
        await session.close()
        raise
    return session


def _check_identity_options(host: HostSpec) -> None:
    device_id: Any = host.options.get("device_id")
    if device_id is not None and (not isinstance(device_id, str) or not device_id.strip()):
        raise InputError(f"{host.label}: device_id {device_id!r} is not a Kasa deviceId (the get_sysinfo "
                         "`deviceId`, 40 hex digits)", field="options.device_id")
    mac: Any = host.options.get("mac")
    if mac is not None and (not isinstance(mac, str) or _MAC.fullmatch(mac.strip()) is None):
        raise InputError(f"{host.label}: mac {mac!r} is not a MAC address", field="options.mac")


def _positive(host: HostSpec, option: str, default: float) -> float:
    value: Any = host.options.get(option, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(f"{host.label}: {option} must be a positive number of seconds", field=f"options.{option}")
    return float(value)
