"""Recognising Zigbee2MQTT's payloads by their shape, whatever the file is called.

- `bridge/devices`: a JSON array of device entries;
- one entry of it alone: an object with `ieee_address`, `type` and a field only Zigbee2MQTT's
  entries have;
- the raw network map: the `bridge/response/networkmap` payload (`{"data": {"type": "raw",
  "value": {...}}, "status": "ok"}`), its `data` alone, or the map itself (`nodes` with
  `ieeeAddr`, and `links`), which is what the frontend's download and the 1.x legacy topic give.

A graphviz or plantuml map is text, not these: it is not recognised (request `raw`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

_ENTRY_KEYS = ("friendly_name", "network_address", "interview_completed", "interview_state", "definition")
RAW = "raw"


class DocumentKind(StrEnum):
    """Which of Zigbee2MQTT's payloads a document is."""

    DEVICE_LIST = "bridge/devices"
    DEVICE_ENTRY = "bridge/devices entry"
    NETWORK_MAP = "networkmap"


def is_entry(item: Any) -> bool:
    """Whether `item` looks like one device of `bridge/devices`."""
    return (isinstance(item, dict) and isinstance(item.get("ieee_address"), str) and isinstance(item.get("type"), str)
            and any(key in item for key in _ENTRY_KEYS))


def _is_topology(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("nodes"), list) and isinstance(value.get("links"), list)
            and any(isinstance(node, dict) and "ieeeAddr" in node for node in value["nodes"]))


def _is_raw_response(value: Any) -> bool:
    return (isinstance(value, dict) and value.get("type") == RAW and isinstance(value.get("value"), dict)
            and "nodes" in value["value"])


def kind_of(document: Any) -> DocumentKind | None:
    """Which payload `document` is, or None when it is none of Zigbee2MQTT's."""
    if isinstance(document, list):
        return DocumentKind.DEVICE_LIST if any(is_entry(item) for item in document) else None
    if not isinstance(document, dict):
        return None
    if is_entry(document):
        return DocumentKind.DEVICE_ENTRY
    if _is_raw_response(document.get("data")) or _is_raw_response(document) or _is_topology(document):
        return DocumentKind.NETWORK_MAP
    return None


def network_map_part(document: dict[str, Any]) -> tuple[Any, str]:
    """The map itself inside a network-map document, and its dotted path there (for errors)."""
    if _is_raw_response(document.get("data")):
        return document["data"]["value"], "data.value"
    if _is_raw_response(document):
        return document["value"], "value"
    return document, ""
