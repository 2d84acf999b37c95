"""Recognising a python-kasa device dump, and reading the answers recorded in it.

`python -m kasa.dump_devinfo` writes one JSON object per device:

- legacy IOT protocol (Kasa plugs, strips, bulbs, switches): modules at the top
  (`system`, `emeter`, `smartlife.iot.dimmer`, …), each mapping methods to answers; the
  device's identity is `system.get_sysinfo`. A module or method the device refused is
  recorded as `{"err_code": -1, "err_msg": …}`.
- SMART protocol (Tapo, newer Kasa): method names at the top (`get_device_info`,
  `component_nego`, `get_child_device_list`, …), and `discovery_result`; a method the device
  refused is recorded as its error code, a bare number such as `-1001`.
- smartcam protocol (Tapo cameras, doorbells, the H200 hub): camelCase methods
  (`getDeviceInfo` with `device_info.basic_info`, `getChildDeviceList`, …); a hub's camera
  also has a dump of what the hub says of it (`child_info_from_parent`).

Only the shapes only these dumps have are recognised: `system.get_sysinfo`, or
`get_device_info` beside a SMART device's own fields or its `component_nego`, or a smartcam
`getDeviceInfo.device_info.basic_info`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from weaklink.model import LogEntry

from .smartcam_detect import is_smartcam

Protocol = Literal["iot", "smart", "smartcam"]
WARNING_LOGGER = "weaklink.kasa"

# Fields of a SMART device's own `get_device_info` (a Tapo plug's, a hub's, a hub sensor's).
_SMART_INFO_FIELDS = ("fw_ver", "nickname", "hw_ver", "model")


def protocol_of(document: Any) -> Protocol | None:
    """Which protocol's dump `document` is, or None when it is no Kasa/Tapo device dump."""
    if not isinstance(document, dict):
        return None
    system = document.get("system")
    if isinstance(system, dict) and "get_sysinfo" in system:
        return "iot"
    if "get_device_info" not in document:
        return "smartcam" if is_smartcam(document) else None
    info = document["get_device_info"]
    if isinstance(info, dict):
        kind = info.get("type")
        if isinstance(kind, str) and kind.startswith("SMART."):
            return "smart"
        if "device_id" in info and any(name in info for name in _SMART_INFO_FIELDS):
            return "smart"
    negotiated = document.get("component_nego")
    if isinstance(negotiated, dict) and "component_list" in negotiated:
        return "smart"  # a SMART dump whose device info is broken: claimed, so that load says why
    return None


def smart_answer(document: dict[str, Any], method: str) -> dict[str, Any] | None:
    """What a SMART device answered to `method`; None when it was not asked or refused (an error code)."""
    answer = document.get(method)
    return answer if isinstance(answer, dict) else None


def discovery_of(document: dict[str, Any]) -> dict[str, Any]:
    """What the device said when it was discovered (`discovery_result.result`), or nothing."""
    result = (smart_answer(document, "discovery_result") or {}).get("result")
    return result if isinstance(result, dict) else {}


def text(answer: dict[str, Any], key: str) -> str | None:
    """A non-empty string the answer holds under `key`, or None."""
    value = answer.get(key)
    return value if isinstance(value, str) and value else None


def iot_answer(document: dict[str, Any], module: str, method: str) -> dict[str, Any] | None:
    """What an IOT device's `module` answered to `method`; None when it was not asked, or the
    module or method was refused (a non-zero `err_code`)."""
    answers = document.get(module)
    if not isinstance(answers, dict) or _refused(answers):
        return None
    answer = answers.get(method)
    if not isinstance(answer, dict) or _refused(answer):
        return None
    return answer


def _refused(answer: dict[str, Any]) -> bool:
    return answer.get("err_code", 0) not in (0, None)


def warning(path: Path, message: str) -> LogEntry:
    """A remark about reading `path`: something left out, the rest of the dump still read."""
    return LogEntry(at=None, level="WARNING", logger=WARNING_LOGGER, message=message, source=str(path))
