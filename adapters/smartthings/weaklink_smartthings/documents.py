"""Telling SmartThings documents apart by their content, and reading one.

Four answers of the REST API are read, whatever the files are called:

| kind | request | shape |
|---|---|---|
| device list | `GET /v1/devices` | `{"items": [{"deviceId", "components": [...]}, ...], "_links": ...}` |
| device list | `smartthings devices --json` (the CLI) | `[{"deviceId", "components": [...]}, ...]` |
| device | `GET /v1/devices/{id}` | `{"deviceId", "components": [...], "type", ...}` |
| health | `GET /v1/devices/{id}/health` | `{"deviceId", "state", "lastUpdatedDate"}` |
| status | `GET /v1/devices/{id}/status` | `{"components": {"main": {"<capability>": {"<attribute>": {"value"}}}}}` |

The other list answers of the API (locations, rooms, scenes, rules) hold no `deviceId`, and
a device profile has components but no `deviceId`: none of them is claimed.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.exports import validated

from .schema import Device, DeviceArray, DeviceHealth, DeviceList, DeviceStatus

HEALTH_STATES = frozenset({"ONLINE", "OFFLINE", "UNKNOWN"})


class DocumentKind(StrEnum):
    """Which answer of the REST API a document is."""

    DEVICE_LIST = "device list"
    DEVICE = "device"
    HEALTH = "health"
    STATUS = "status"


Parsed = DeviceList | DeviceArray | Device | DeviceHealth | DeviceStatus


def kind_of(document: Any) -> DocumentKind | None:
    """Which SmartThings answer `document` (parsed JSON) is, or None when it is none of them."""
    if isinstance(document, list):
        return DocumentKind.DEVICE_LIST if any(_is_device(item) for item in document) else None
    if not isinstance(document, dict):
        return None
    items = document.get("items")
    if isinstance(items, list):
        # One well-formed device is enough to know the list: a broken item is then an error to report.
        return DocumentKind.DEVICE_LIST if any(_is_device(item) for item in items) else None
    if "deviceId" in document and isinstance(document.get("components"), list):
        return DocumentKind.DEVICE
    if "deviceId" in document and "state" in document and "components" not in document and (
        "lastUpdatedDate" in document or document.get("state") in HEALTH_STATES
    ):
        return DocumentKind.HEALTH
    if _is_status(document.get("components")):
        return DocumentKind.STATUS
    return None


def _is_device(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("deviceId"), str) and isinstance(item.get("components"), list)


def _is_status(components: Any) -> bool:
    """Components → capabilities → attributes, at least one of which holds a `value`."""
    if not isinstance(components, dict) or not components:
        return False
    return any(
        isinstance(attribute, dict) and "value" in attribute
        for capabilities in components.values() if isinstance(capabilities, dict)
        for attributes in capabilities.values() if isinstance(attributes, dict)
        for attribute in attributes.values()
    )


_MODELS: dict[DocumentKind, type[Parsed]] = {
    DocumentKind.DEVICE_LIST: DeviceList,
    DocumentKind.DEVICE: Device,
    DocumentKind.HEALTH: DeviceHealth,
    DocumentKind.STATUS: DeviceStatus,
}


def parse(document: Any, path: Path) -> Parsed:
    """`document`, read from `path`, as the SmartThings answer it is.

    `ExportError` naming the file (and the first field that does not fit) when it is not one.
    """
    kind = kind_of(document)
    if kind is None:
        raise ExportError("not an answer of the SmartThings REST API (a device list, device, health or status)",
                          source=path)
    if isinstance(document, list):
        return validated(DeviceArray, document, path)
    return validated(_MODELS[kind], document, path)


def devices_in(parsed: Parsed) -> list[Device]:
    """The devices a document describes (none for a health or a status)."""
    if isinstance(parsed, DeviceList):
        return parsed.items
    if isinstance(parsed, DeviceArray):
        return parsed.root
    return [parsed] if isinstance(parsed, Device) else []
