"""The mDNS adapter: names the devices of brands weaklink has no full adapter for, from their
mDNS records alone, so that `weaklink discover` lists them.

Each brand's reader (one module each) turns a record of its service types into a
`Discovered` with `adapter=None` (no full adapter exists), `operations=[]` (weaklink can only
name it) and `via` the service type. A record that lacks, or garbles, the identity field its
type always carries is kept with its `problem`: listed, not trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from weaklink.adapters import AdapterManifest
from weaklink.errors import InputError
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec, LiveSession

from . import cast, esphome, homekit, matter, sonos
from .record import Record

Reader = Callable[[Record], Discovered]

READERS: dict[str, Reader] = {
    service_type: module.identify
    for module in (homekit, matter, esphome, cast, sonos)
    for service_type in module.SERVICE_TYPES
}


class MdnsAdapter:
    """HomeKit, Matter, ESPHome, Google Cast and Sonos devices, named from their mDNS records."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """The device an mDNS record announces, or None when its service type is none of this adapter's."""
        reader = READERS.get(service_type)
        if reader is None:
            return None
        return reader(Record.of(service_type, name, address, port, properties))

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> LiveSession:
        """Never: these devices are identified only; weaklink has no client that can open a session to them."""
        raise InputError(f"{host.label}: the mdns adapter only names devices it hears over mDNS (HomeKit, Matter, "
                         "ESPHome, Google Cast, Sonos); weaklink has no adapter that can open a session to them, "
                         "so nothing can be opened", field="adapter")
