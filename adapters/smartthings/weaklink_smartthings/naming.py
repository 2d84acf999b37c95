"""The ids weaklink gives what SmartThings describes."""

from __future__ import annotations

PLATFORM = "smartthings"


def device_id(native_id: str) -> str:
    """weaklink's id of a SmartThings device: `smartthings:<deviceId>` (the hub's too: its
    deviceId is the `hubId` the devices behind it name)."""
    return f"{PLATFORM}:{native_id}"


def capability_id(native_id: str, component: str, capability: str) -> str:
    """weaklink's id of one capability of one component: `smartthings:<deviceId>/<component>/<capability>`."""
    return f"{device_id(native_id)}/{component}/{capability}"
