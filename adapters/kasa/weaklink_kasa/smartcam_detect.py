"""Recognising a smartcam dump (Tapo cameras, doorbells, the H200 hub) by its shape."""

from __future__ import annotations

from typing import Any

INFO = "getDeviceInfo"
FROM_PARENT = "child_info_from_parent"


def is_smartcam(document: dict[str, Any]) -> bool:
    """Whether `document` is a smartcam dump: `getDeviceInfo.device_info.basic_info`, or what a hub
    says of its camera (`child_info_from_parent`, with the device's `device_type`)."""
    answer = document.get(INFO)
    info = answer.get("device_info") if isinstance(answer, dict) else None
    if isinstance(info, dict) and isinstance(info.get("basic_info"), dict):
        return True
    parent = document.get(FROM_PARENT)
    return isinstance(parent, dict) and str(parent.get("device_type", "")).startswith("SMART.")
