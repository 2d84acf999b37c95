"""The Shelly live adapter: find Shellies, and open sessions to the ones a home file names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from weaklink.adapters import AdapterManifest
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec
from weaklink.model import HomeFragment

from .discovery import MANIFEST, identify_host, identify_record
from .dump import detect_dump, load_dump
from .errors import IdentityMismatch, RequestFailed

if TYPE_CHECKING:
    from .session import ShellySession


class ShellyAdapter:
    """Shelly relays, Gen1 (REST) and Gen2+ (JSON-RPC): whole-device dumps read offline; live:
    discover, snapshot, probe, observe, act."""

    manifest: AdapterManifest = MANIFEST

    def detect(self, path: Path) -> bool:
        """Whether `path` is a Shelly whole-device dump (`weaklink_shelly.dump`), whatever its name."""
        return detect_dump(path)

    def load(self, path: Path) -> HomeFragment:
        """The device a whole-device dump describes (ExportError naming the file and part when it cannot be read)."""
        return load_dump(path)

    def open_history(self, path: Path) -> None:
        """A dump is a moment, not a history."""
        return None

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """The Shelly an mDNS record (`_shelly._tcp`, or a Shelly's `_http._tcp`) announces."""
        return identify_record(service_type, name, address, port, properties)

    async def identify_host(self, address: str, timeout: float) -> Discovered | None:
        """The Shelly answering at `address` (`host` or `host:port`), asked without credentials."""
        return await identify_host(address, timeout)

    def prepare(self) -> None:
        """Load the live client (aiohttp) before hosts are visited."""
        import aiohttp  # noqa: F401

        from . import session  # noqa: F401

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> ShellySession:
        """A session to `host`, once it proved to be the Shelly expected.

        Raises IdentityMismatch (no credential sent) when another device, or no Shelly, answers.
        A host that does not answer at all still gets a session: `probe()` then says why, and
        its identity is checked before any credential goes to it.
        """
        import aiohttp  # loaded on first use: an offline command never needs it

        from .session import ShellySession

        session = ShellySession(host, aiohttp.ClientSession(), timeout)
        try:
            await session.identify(timeout)
        except RequestFailed as failure:
            session.connect_failure = failure  # a sick host: probe() reports it
        except BaseException:  # not that Shelly, or the caller's time ran out: leave nothing open
            await session.close()
            raise
        return session
