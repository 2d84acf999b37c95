"""A Hue bridge's resources on disk, read offline.

Accepted, whatever the file is called:
- what `GET /clip/v2/resource` answers: `{"errors": [], "data": [...]}`;
- the bare list of resources (aiohue keeps its fixtures so);
- `{"config": <GET /api/config>, "resources": [...]}`, the layout `weaklink dump` writes: the
  public configuration adds the bridge's name, model, MAC and firmware.

The bridge is found by its `bridge` resource (its `bridge_id`); every device, light and
sensor becomes what a live snapshot would make of it, with the same ids. A resource that
cannot be read is left out with a warning naming it, as the bridge's other resources still
describe the home (aiohue does the same). Offline, a bridge id that is not a real one (a
redacted dump's) is kept as given: nothing is sent to anyone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.exports import read_json, sniff_json, validated
from weaklink.model import HomeFragment, LogEntry

from .config import BridgeConfig
from .fragment_v2 import fragment_v2
from .identity import mac_of, normalize_bridge_id
from .resources import Bridge, parse_resources

WARNING_LOGGER = "weaklink.hue"
# Resource types only a Hue bridge's CLIP v2 API lists: one of them must be there.
_CLIP_TYPES = frozenset({"bridge", "bridge_home", "zigbee_connectivity", "zigbee_device_discovery", "entertainment",
                         "grouped_light", "device_software_update", "behavior_instance"})


def resources_of(document: Any) -> list[Any] | None:
    """The resource list a dump holds, in any of the accepted layouts (None: not one)."""
    if isinstance(document, dict):
        document = document.get("data", document.get("resources"))
    return document if isinstance(document, list) else None


def is_dump(document: Any) -> bool:
    """True when `document` lists CLIP v2 resources (each with an `id` and a `type`) of a bridge."""
    resources = resources_of(document)
    if not resources or not all(isinstance(r, dict) and isinstance(r.get("type"), str) and "id" in r
                                for r in resources):
        return False
    return any(r["type"] in _CLIP_TYPES for r in resources)


def detect_dump(path: Path) -> bool:
    """Whether `path` holds a bridge's CLIP v2 resources, whatever its name."""
    return is_dump(sniff_json(path))


def load_dump(path: Path) -> HomeFragment:
    """The bridge and everything behind it; `ExportError` naming the file when it is no bridge's resources."""
    document = read_json(path)
    if not is_dump(document):
        raise ExportError("not a Hue bridge's CLIP v2 resources (a `data` list of resources with `id` and `type`)",
                          source=path)
    resources, unreadable = parse_resources(resources_of(document) or [])
    bridge = next((r for r in resources if isinstance(r, Bridge)), None)
    if bridge is None or not bridge.bridge_id:
        raise ExportError("the resources have no `bridge` resource with a `bridge_id`: whose bridge is this?",
                          source=path, field="data")
    raw_config = document.get("config") if isinstance(document, dict) else None
    config = validated(BridgeConfig, raw_config, path, at="config") if raw_config is not None else BridgeConfig()
    bridge_id = normalize_bridge_id(bridge.bridge_id) or bridge.bridge_id.lower()
    if config.mac is None and normalize_bridge_id(bridge_id) is not None:
        config = config.model_copy(update={"mac": mac_of(bridge_id)})
    fragment = fragment_v2(resources, config, bridge_id, None, str(path))
    fragment.log = [LogEntry(at=None, level="WARNING", logger=WARNING_LOGGER, source=str(path),
                             message=f"left out {item.type} {item.id}: {item.reason}") for item in unreadable]
    return fragment
