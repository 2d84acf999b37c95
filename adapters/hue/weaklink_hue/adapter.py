"""The Hue adapter: finds bridges (`_hue._tcp`), checks who they are, and opens sessions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from weaklink.adapters import AdapterManifest
from weaklink.errors import InputError
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec
from weaklink.model import HomeFragment

from .dump import detect_dump, load_dump
from .errors import BridgeFault, BridgeUnreachable, HueError, IdentityMismatch
from .identity import mac_of, normalize_bridge_id
from .naming import BRAND

if TYPE_CHECKING:
    from .session import HueSession

SERVICE_TYPE = "_hue._tcp.local."
CONFIG_PROBE = "hue-api-config"  # how a bridge named by address (not mDNS) was found


class HueAdapter:
    """Philips Hue bridges: a bridge's resources read offline; live on the LAN: discover,
    snapshot, probe, observe, act."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def detect(self, path: Path) -> bool:
        """Whether `path` holds a bridge's CLIP v2 resources (`weaklink_hue.dump`), whatever its name."""
        return detect_dump(path)

    def load(self, path: Path) -> HomeFragment:
        """The bridge and its devices from a resources dump (ExportError naming the file when it cannot be read)."""
        return load_dump(path)

    def open_history(self, path: Path) -> None:
        """A dump is a moment, not a history."""
        return None

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """The bridge a `_hue._tcp` record announces; with `problem` set when its `bridgeid` is not a bridge id."""
        if service_type != SERVICE_TYPE:
            return None
        raw = properties.get("bridgeid", "")
        bridge_id = normalize_bridge_id(raw)
        problem = None if bridge_id else (
            f"its mDNS record says bridgeid {raw!r}, which is not a Hue bridge id (16 hex digits with fffe in the "
            "middle): not trusted, no credentials will be sent")
        identifiers = {"bridgeid": bridge_id, "mac": mac_of(bridge_id)} if bridge_id else {"bridgeid": raw}
        return Discovered(adapter=self.manifest.name, brand=BRAND, name=name.removesuffix(f".{service_type}"),
                          address=address, port=port, model=properties.get("modelid") or None,
                          identifiers=identifiers, via=service_type, operations=self.manifest.host_operations,
                          problem=problem)

    async def identify_host(self, address: str, timeout: float) -> Discovered | None:
        """The bridge at `address` (`host` or `host:port`), asked without a key; None if it is not one."""
        from .client import DEFAULT_PORT, BridgeClient  # aiohttp loads on first use, not at start-up

        host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
        client = BridgeClient(host, int(port) if port.isdigit() else DEFAULT_PORT, None, None)
        try:
            config = await client.verify(timeout)
        except HueError:
            return None
        finally:
            await client.close()
        assert client.bridge_id is not None
        return Discovered(adapter=self.manifest.name, brand=BRAND, name=config.name or "Hue Bridge",
                          address=client.address, port=client.port, model=config.modelid,
                          identifiers={"bridgeid": client.bridge_id, "mac": config.mac or mac_of(client.bridge_id)},
                          via=CONFIG_PROBE, operations=self.manifest.host_operations)

    def prepare(self) -> None:
        """Load the live client (aiohttp) before hosts are visited."""
        from . import client, session  # noqa: F401

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> HueSession:
        """A session with the bridge `host` names, its identity checked before any credential is sent.

        Raises IdentityMismatch when the host is not that bridge (another `bridgeid` than
        `options["bridge_id"]`, or a certificate that does not name it). A bridge that does
        not answer yet is not an error here: the session checks its identity again before
        its first request with the key, and probe() reports what is wrong.
        """
        expected = host.options.get("bridge_id")
        if expected is not None and normalize_bridge_id(expected) is None:
            raise InputError(f"{expected!r} is not a Hue bridge id (16 hex digits)", field="options.bridge_id")
        from .client import BridgeClient  # aiohttp loads on first use, not at start-up
        from .session import HueSession

        client = BridgeClient(host.address, host.port, expected, host.credentials.get("app_key"))
        session = HueSession(host, client, timeout)
        try:
            await client.verify(timeout)
        except (BridgeUnreachable, BridgeFault) as failure:
            session.connect_failure = failure  # reported by probe(); nothing was sent but the identity request
        except BaseException:  # not that bridge, or the caller's time ran out: leave nothing open
            await client.close()
            raise
        return session
