"""The miIO live adapter: identify devices, and open sessions to the ones a home file names.

A home file's miIO host:

    - adapter: miio
      name: Kitchen plug
      address: 192.168.1.40
      credentials: {token: env:KITCHEN_PLUG_TOKEN}   # 32 hex digits
      options: {device_id: 123786956, poll_interval: 1.0}

`device_id` (optional, but the identity check needs it) is the did the device announces in
its mDNS name and in its hello; `poll_interval` is how often `observe()` reads the device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from weaklink.adapters import AdapterManifest
from weaklink.errors import InputError
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec
from weaklink.live.secrets import CredentialError

from .errors import IdentityMismatch, MiioFailure
from .hello import MIIO_PORT, say_hello
from .identify import MAX_DEVICE_ID, from_garbled_hello, from_hello, from_record

if TYPE_CHECKING:
    from .session import MiioSession

DEFAULT_POLL_INTERVAL = 1.0
_TOKEN = re.compile(r"[0-9a-fA-F]{32}")


class MiioAdapter:
    """Finds miIO devices (mDNS `_miio._udp`, or a unicast hello) and talks to them with their token."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """The device a `_miio._udp` record announces (with `problem` set when its identity is malformed)."""
        return from_record(service_type, name, address, port, properties,
                           brand=self.manifest.brand, operations=self.manifest.host_operations)

    async def identify_host(self, address: str, timeout: float) -> Discovered | None:
        """The device answering a hello sent to `address` only (never broadcast); None when nothing does."""
        try:
            hello = await say_hello(address, timeout)
        except MiioFailure as failure:
            if failure.reason != "malformed":
                return None
            return from_garbled_hello(failure.detail, address, MIIO_PORT, brand=self.manifest.brand)
        return from_hello(hello, address, MIIO_PORT, brand=self.manifest.brand, operations=self.manifest.host_operations)

    def prepare(self) -> None:
        """Load python-miio before hosts are visited."""
        from . import client, session  # noqa: F401

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> MiioSession:
        """A session to `host`, after checking that the device answering there is the one named.

        `IdentityMismatch` when another device answers (it is sent nothing). A device that does not
        answer at all still gets a session: its probe says why, and it is greeted again before
        any command.
        """
        token = host.credentials.get("token")
        if token is None or _TOKEN.fullmatch(token.reveal()) is None:
            raise CredentialError(f"{host.label} needs its miIO token: 32 hex digits", field="credentials.token")
        # python-miio loads on first use: an offline command never needs it
        from .client import MiioClient
        from .session import MiioSession

        client = MiioClient(host.address, token, port=host.port or MIIO_PORT, expected_id=_device_id(host))
        session = MiioSession(host, client, timeout=timeout,
                              poll_interval=_positive(host, "poll_interval", DEFAULT_POLL_INTERVAL))
        try:
            await client.greet(timeout)
        except IdentityMismatch:
            await session.close()
            raise
        except MiioFailure as failure:
            session.connect_failure = failure  # unreachable for now: the probe reports it
        except BaseException:  # the caller's time ran out: leave nothing open
            await session.close()
            raise
        return session


def _device_id(host: HostSpec) -> int | None:
    value: Any = host.options.get("device_id")
    if value is None:
        return None
    if isinstance(value, bool) or not str(value).isdigit() or not 1 <= int(value) <= MAX_DEVICE_ID:
        raise InputError(f"{host.label}: device_id {value!r} is not a miIO device id (1 to {MAX_DEVICE_ID})",
                         field="options.device_id")
    return int(value)


def _positive(host: HostSpec, option: str, default: float) -> float:
    value: Any = host.options.get(option, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(f"{host.label}: {option} must be a positive number of seconds", field=f"options.{option}")
    return float(value)
