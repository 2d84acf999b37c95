"""A SMART-protocol dump: the Wi-Fi device (or a hub sensor's own dump) and what hangs off it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.exports import validated
from weaklink.model import CapabilityKind, Device, HomeFragment, LogEntry, Role, Transport

from .document import discovery_of, smart_answer, text
from .features import Feature, capabilities
from .naming import BRAND, PLATFORM, decode_nickname, device_ref, identifiers_of, is_masked, native_id
from .smart_children import hub_child, outlet_features, read_children, shared_macs
from .smart_features import energy, relay, sensors, with_radio
from .smart_models import ComponentList, DeviceInfo

INFO = "get_device_info"


def smart_fragment(document: dict[str, Any], path: Path, *, source: str | None = None) -> HomeFragment:
    """The device a SMART dump describes, its outlets or its hub's sensors; `ExportError`
    naming the field when the device itself cannot be read.

    A live Tapo session builds its snapshot from the same document with this same function
    (`source` then says where it was read), so that both give one device the same ids."""
    raw = document.get(INFO)
    if not isinstance(raw, dict):
        refused = f" (it answered error {raw})" if isinstance(raw, int) else ""
        raise ExportError(f"no device info{refused}: which device is this?", source=path, field=INFO)
    info = validated(DeviceInfo, raw, path, at=INFO)
    discovery = discovery_of(document)
    native = native_id(info.device_id, (info.mac, text(discovery, "mac")), info.model,
                       text(discovery, "device_model"), info.hw_ver, info.fw_ver, info.type)
    if native is None:
        raise ExportError("no device_id and no MAC: which device is this?", source=path, field=f"{INFO}.device_id")
    components = _components(document, path)
    log: list[LogEntry] = []
    children = read_children(document, path, log, parent_id=native)
    # A hub by its type, or by what is paired to it over the sub-GHz radio.
    hub = info.is_hub or any(child.info.is_sub_ghz for child in children)
    device = _device(info, native, discovery, hub=hub)
    features = [f for f in (relay(info, components), *sensors(info, components), energy(document, path),
                            *_vacuum(info, document)) if f is not None]
    if info.is_sub_ghz:  # a hub sensor's own dump: its link to the hub is what it is
        features = with_radio(features, info)
    # A hub's children are devices of their own; a strip's outlets are parts of the strip.
    shared = shared_macs(children)
    paired = [hub_child(child, device, path, shared) for child in children] if hub else []
    features.extend(outlet_features([] if hub else children, device.name, path))
    devices = [device, *(child for child, _ in paired)]
    caps = capabilities(device.id, device.name, features, available=info.status != "offline")
    caps += [capability for _, theirs in paired for capability in theirs]
    return HomeFragment(source=source or str(path), platform=PLATFORM, devices=devices, capabilities=caps, log=log)


def _device(info: DeviceInfo, native: str, discovery: dict[str, Any], *, hub: bool) -> Device:
    # A hub sensor's own dump (python-kasa's smart/child files) names its hub, and has no address.
    radio = info.is_sub_ghz
    parent = info.parent_device_id if radio and not is_masked(info.parent_device_id) else None
    return Device(
        id=device_ref(native), name=decode_nickname(info.nickname) or info.model or native, brand=BRAND,
        model=info.model or text(discovery, "device_model"), role=Role.HUB if hub else Role.DEVICE,
        transport=Transport.RF if radio else Transport.WIFI,
        hub_id=device_ref(parent) if parent else None,
        host=None if radio else (info.ip or text(discovery, "ip")), sw_version=info.fw_ver,
        identifiers=identifiers_of(native, info.mac, text(discovery, "mac")),
    )


def _components(document: dict[str, Any], path: Path) -> frozenset[str]:
    answer = smart_answer(document, "component_nego")
    return validated(ComponentList, answer, path, at="component_nego").ids if answer is not None else frozenset()


def _vacuum(info: DeviceInfo, document: dict[str, Any]) -> list[Feature]:
    """A robot vacuum (RV30…): what it is, and its battery."""
    if "ROBOVAC" not in (info.type or "").upper():
        return []
    found = [Feature("vacuum", CapabilityKind.OTHER)]
    battery = (smart_answer(document, "getBatteryInfo") or {}).get("battery_percentage")
    if isinstance(battery, int):
        found.append(Feature("battery", CapabilityKind.SENSOR, str(battery), device_class="battery",
                             attributes={"unit": "%"}))
    return found
