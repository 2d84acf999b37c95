"""The SmartThings adapter: REST API answers saved as files, read offline."""

from __future__ import annotations

from pathlib import Path

from weaklink.adapters import AdapterManifest
from weaklink.exports import read_json, sniff_json
from weaklink.model import HomeFragment

from .documents import kind_of, parse
from .fragment import build_fragment
from .home import home_of


class SmartThingsAdapter:
    """Reads SmartThings device lists, devices, health and status answers saved as files.

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
