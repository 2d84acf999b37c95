"""The SmartThings adapter: REST API answers saved as files, read offline; and the same REST API live.

A home file's SmartThings host is the account, reached through Samsung's cloud:

    - adapter: smartthings
      name: SmartThings
      address: api.smartthings.com
      credentials: {token: env:SMARTTHINGS_TOKEN}      # a personal access token
      options: {allow: ["smartthings:<lock's deviceId>/main/lock"]}   # optional: what act may operate

Discovery is not offered: a SmartThings hub announces nothing on the home network that would
say which account it belongs to or let weaklink reach its devices (everything goes through the
cloud), so `identify` recognises no mDNS record and there is no `identify_host`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weaklink.adapters import AdapterManifest
from weaklink.errors import InputError
from weaklink.exports import read_json, sniff_json
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec
from weaklink.model import HomeFragment

from .documents import kind_of, parse
from .endpoint import endpoint_of
from .errors import IdentityMismatch, RequestFailed
from .fragment import build_fragment
from .home import home_of

if TYPE_CHECKING:
    from .session import SmartThingsSession


class SmartThingsAdapter:
    """Reads SmartThings device lists, devices, health and status answers saved as files; talks to
    a SmartThings account live through the REST API: snapshot, probe, observe, act, dump.

    Each file is read with the other SmartThings documents of its folder (see `home`), so that
    a device is described the same way whichever of its files is read.
    """

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def detect(self, path: Path) -> bool:
        """Whether `path` is a file holding a SmartThings device list, device, health or status."""
        return kind_of(sniff_json(path)) is not None

    def load(self, path: Path) -> HomeFragment:
        """Read the SmartThings document at `path`, with its home, into a home fragment.

        Raises ExportError naming the file (and the line, or the field) when it is malformed.
        """
        parsed = parse(read_json(path), path)
        return build_fragment(path, parsed, home_of(path))

    def open_history(self, path: Path) -> None:
        """None: these answers hold the last reported states, not a history."""
        return None

    # ------------------------------------------------------------------ live

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """None: SmartThings is reached through its cloud, and its hubs announce nothing that leads there."""
        return None

    def prepare(self) -> None:
        """Load the live side (aiohttp and its TLS context) before hosts are visited."""
        from . import session  # noqa: F401

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> SmartThingsSession:
        """A session to the account `host` names, once its API proved it is the API (no token sent before).

        Raises InputError for an entry that cannot be used (no token, a base URL over plain HTTP
        beyond this machine), IdentityMismatch when the host is not the API. A cloud that does not
        answer still gets a session: its first probe says why.
        """
        from .session import DEFAULT_POLL_INTERVAL, SmartThingsSession
        from .transport import Deadline

        endpoint = endpoint_of(host)
        token = host.credentials.get("token")
        if token is None or not token.reveal().strip():
            raise InputError(f"{host.label}: no personal access token ('token') in its credentials",
                             field="credentials.token")
        session = SmartThingsSession(host, endpoint, token, timeout, _positive(host, "poll_interval",
                                                                               DEFAULT_POLL_INTERVAL),
                                     _allowed(host))
        try:
            await session.identify(Deadline(timeout))
        except RequestFailed as failure:
            session.connect_failure = failure  # a sick cloud: probe() reports it
        except IdentityMismatch:
            await session.close()
            raise
        return session


def _positive(host: HostSpec, option: str, default: float) -> float:
    value: Any = host.options.get(option, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(f"{host.label}: {option} must be a positive number of seconds", field=f"options.{option}")
    return float(value)


def _allowed(host: HostSpec) -> list[str]:
    value: Any = host.options.get("allow", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"{host.label}: allow must list capability or device ids", field="options.allow")
    return value
