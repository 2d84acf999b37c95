"""The Zigbee2MQTT adapter: what Zigbee2MQTT publishes, saved as files, read offline."""

from __future__ import annotations

from pathlib import Path

from weaklink.adapters import AdapterManifest
from weaklink.errors import ExportError
from weaklink.exports import read_json, sniff_json, validated
from weaklink.model import HomeFragment

from .devices import map_device_list
from .documents import DocumentKind, kind_of, network_map_part
from .mapped import Mapped
from .naming import PLATFORM
from .networkmap import map_network
from .payloads import DeviceEntry, NetworkMap


class Zigbee2MqttAdapter:
    """Reads Zigbee2MQTT's `bridge/devices` payload (or one entry of it) and its raw network map."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def detect(self, path: Path) -> bool:
        """Whether `path` is a file holding one of Zigbee2MQTT's payloads (by content)."""
        try:
            return kind_of(sniff_json(path)) is not None
        except Exception:  # detect is offered every file of a home: it must never raise
            return False

    def load(self, path: Path) -> HomeFragment:
        """Read the payload at `path` into a home fragment.

        Raises ExportError naming the file and the field (or line) when it cannot be read.
        """
        document = read_json(path)
        kind = kind_of(document)
        source = path.name  # where a warning came from; the fragment names the whole path
        if kind is DocumentKind.DEVICE_LIST:
            entries = [validated(DeviceEntry, item, path, at=str(index)) for index, item in enumerate(document)]
            mapped = map_device_list(entries, source)
        elif kind is DocumentKind.DEVICE_ENTRY:
            mapped = map_device_list([validated(DeviceEntry, document, path)], source)
        elif kind is DocumentKind.NETWORK_MAP:
            value, at = network_map_part(document)
            mapped = map_network(validated(NetworkMap, value, path, at=at), source)
        else:
            raise ExportError("neither a Zigbee2MQTT bridge/devices payload nor a raw network map", source=path)
        return _fragment(mapped, str(path))

    def open_history(self, path: Path) -> None:
        """Zigbee2MQTT's payloads hold no recorded history."""
        return None


def _fragment(mapped: Mapped, source: str) -> HomeFragment:
    return HomeFragment(source=source, platform=PLATFORM, devices=mapped.devices, capabilities=mapped.capabilities,
                        radio_links=mapped.radio_links, log=mapped.log)
