"""The Kasa/Tapo adapter: python-kasa device dumps read offline, whatever the files are called."""

from __future__ import annotations

from pathlib import Path

from weaklink.adapters import AdapterManifest
from weaklink.errors import ExportError
from weaklink.exports import read_json, sniff_json
from weaklink.model import HomeFragment

from .document import protocol_of
from .iot import iot_fragment
from .smart import smart_fragment


class KasaAdapter:
    """Reads one device dump in python-kasa's fixture format (legacy IOT or SMART protocol)."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

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
            raise ExportError("not a Kasa/Tapo device dump (no system.get_sysinfo, no get_device_info)",
                              source=path)
        if protocol == "iot":
            return iot_fragment(document, path)
        return smart_fragment(document, path)

    def open_history(self, path: Path) -> None:
        """A dump is a moment, not a history."""
        return None
