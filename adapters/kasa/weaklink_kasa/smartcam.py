"""A Tapo camera, doorbell or H200 hub dump (python-kasa's `smartcam` fixtures), and what hangs off a hub.

python-kasa records these devices' answers under their own method names: `getDeviceInfo`
(`device_info.basic_info`: id, model, firmware, MAC, the hub's `local_ip`), `getConnectionType`
(`wifi` or `ethernet`), `getLensMaskConfig` (the privacy mask: the camera sees nothing),
`getDetectionConfig` (motion detection), `getSirenStatus` (a hub's siren), `getChildDeviceList`
and `getChildDeviceComponentList` (what is paired to a hub, in the SMART protocol's shape, read
as a SMART hub's children are). A camera paired to a hub has its own dump too, holding what the
hub says of it (`child_info_from_parent`) beside its own answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.exports import validated
from weaklink.model import CapabilityKind, Device, HomeFragment, LogEntry, Role, Transport

from .document import discovery_of, smart_answer, text
from .features import Feature, capabilities
from .naming import BRAND, PLATFORM, device_ref, identifiers_of, is_masked, native_id
from .smart_children import hub_child, read_children, shared_macs
from .smartcam_detect import FROM_PARENT, INFO
from .smartcam_models import BasicInfo, GetDeviceInfo

_CHILDREN = {"get_child_device_list": "getChildDeviceList",
             "get_child_device_component_list": "getChildDeviceComponentList"}


def smartcam_fragment(document: dict[str, Any], path: Path) -> HomeFragment:
    """The camera, doorbell or hub a smartcam dump describes, and a hub's paired devices;
    `ExportError` naming the field when the device itself cannot be read."""
    info = _basic_info(document, path)
    discovery = discovery_of(document)
    native = native_id(info.native, (info.mac, text(discovery, "mac")), info.device_model,
                       text(discovery, "device_model"), info.hardware, info.firmware, info.device_type)
    if native is None:
        raise ExportError("no dev_id and no MAC: which device is this?", source=path, field=f"{INFO}.device_info")
    device = _device(document, info, native, discovery)
    log: list[LogEntry] = []
    features = _camera(document, info) + _hub(document, info)
    caps = capabilities(device.id, device.name, features, available=info.online is not False)
    children = read_children({key: document.get(theirs) for key, theirs in _CHILDREN.items()}, path, log,
                             parent_id=native)
    devices = [device]
    shared = shared_macs(children)
    for child in children:
        child_device, child_caps = hub_child(child, device, path, shared)
        devices.append(child_device)
        caps += child_caps
    return HomeFragment(source=str(path), platform=PLATFORM, devices=devices, capabilities=caps, log=log)


def _basic_info(document: dict[str, Any], path: Path) -> BasicInfo:
    answer = document.get(INFO)
    if isinstance(answer, dict):
        return validated(GetDeviceInfo, answer, path, at=INFO).device_info.basic_info
    parent = document.get(FROM_PARENT)
    if isinstance(parent, dict):
        return validated(BasicInfo, parent, path, at=FROM_PARENT)
    refused = f" (it answered error {answer})" if isinstance(answer, int) else ""
    raise ExportError(f"no device info{refused}: which device is this?", source=path, field=INFO)


def _device(document: dict[str, Any], info: BasicInfo, native: str, discovery: dict[str, Any]) -> Device:
    parent = info.parent_device_id
    link = (smart_answer(document, "getConnectionType") or {}).get("link_type")
    if parent:  # paired to a hub (a battery doorbell to the H200): its link is the hub's radio
        transport = Transport.RF
    else:
        transport = Transport.ETHERNET if link == "ethernet" else Transport.WIFI
    return Device(
        id=device_ref(native), name=info.name or info.device_model or native, brand=BRAND,
        model=info.device_model or text(discovery, "device_model"), role=Role.HUB if info.is_hub else Role.DEVICE,
        transport=transport, hub_id=device_ref(parent) if parent and not is_masked(parent) else None,
        host=None if parent else (info.local_ip or text(discovery, "ip")), sw_version=info.firmware,
        identifiers=identifiers_of(native, info.mac, text(discovery, "mac")),
    )


def _camera(document: dict[str, Any], info: BasicInfo) -> list[Feature]:
    """A camera's video, motion detection, a doorbell's button, a battery camera's battery."""
    if info.is_hub:
        return []
    found: list[Feature] = []
    masked = _enabled(document, "getLensMaskConfig", "lens_mask", "lens_mask_info")
    if masked or info.camera_switch == "off":  # behind its privacy mask, or switched off: it sees nothing
        state: str | None = "off"
    elif masked is False or info.camera_switch == "on":
        state = "on"
    else:
        state = None
    attributes = {"privacy_mode": masked} if masked is not None else {}
    found.append(Feature("camera", CapabilityKind.CAMERA, state, attributes=attributes))
    detection = _enabled(document, "getDetectionConfig", "motion_detection", "motion_det")
    if detection is not None:
        found.append(Feature("motion", CapabilityKind.MOTION, device_class="motion",
                             attributes={"enabled": detection}))
    if info.is_doorbell:
        found.append(Feature("doorbell", CapabilityKind.BUTTON, device_class="doorbell"))
    if info.battery_percent is not None:
        battery: dict[str, object] = {"unit": "%"}
        if info.low_battery is not None:
            battery["low"] = info.low_battery
        found.append(Feature("battery", CapabilityKind.SENSOR, str(info.battery_percent), device_class="battery",
                             attributes=battery))
    return found


def _hub(document: dict[str, Any], info: BasicInfo) -> list[Feature]:
    """A hub's siren."""
    siren = smart_answer(document, "getSirenStatus")
    if not info.is_hub or siren is None:
        return []
    status = siren.get("status")
    return [Feature("alarm", CapabilityKind.SIREN, status if status in ("on", "off") else None)]


def _enabled(document: dict[str, Any], method: str, section: str, entry: str) -> bool | None:
    """An `enabled: on/off` setting, as the camera answered `method` (None when it did not say)."""
    part = (smart_answer(document, method) or {}).get(section)
    value = part.get(entry) if isinstance(part, dict) else None
    enabled = value.get("enabled") if isinstance(value, dict) else None
    return {"on": True, "off": False}.get(enabled) if isinstance(enabled, str) else None

