"""A legacy-protocol (IOT) Kasa dump: one Wi-Fi device, its relay, light or outlets, and its sensors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from weaklink.errors import ExportError
from weaklink.exports import validated
from weaklink.model import CapabilityKind, Device, HomeFragment, LogEntry, Transport

from .document import discovery_of, iot_answer, text, warning
from .features import Feature, capabilities
from .iot_models import BrightnessReading, IotChild, LightState, PirConfig, Realtime, SysInfo
from .naming import BRAND, PLATFORM, device_ref, identifiers_of, native_id, number, on_off

SYSINFO = "system.get_sysinfo"
_LIGHTING = "smartlife.iot.smartbulb.lightingservice"
# Plugs answer `emeter`; bulbs and dimmers `smartlife.iot.common.emeter`.
_EMETERS = ("emeter", "smartlife.iot.common.emeter")


def iot_fragment(document: dict[str, Any], path: Path, *, source: str | None = None) -> HomeFragment:
    """The device an IOT dump describes; `ExportError` naming the field when it cannot be read.

    A live session builds its snapshot from the same document with this same function
    (`source` then says where it was read), so that both give one device the same ids."""
    raw = _sysinfo(document["system"]["get_sysinfo"])
    info = validated(SysInfo, raw, path, at=SYSINFO)
    if info.err_code != 0:
        raise ExportError(f"the device refused get_sysinfo (err_code {info.err_code})", source=path,
                          field=f"{SYSINFO}.err_code")
    native = native_id(info.device_id, (info.mac, info.mic_mac, info.ethernet_mac), info.model, info.hw_ver,
                       info.sw_ver, info.device_type)
    if native is None:
        raise ExportError("no deviceId and no MAC: which device is this?", source=path, field=f"{SYSINFO}.deviceId")
    ref = device_ref(native)
    name = info.alias or info.model or native
    device = Device(
        id=ref, name=name, brand=BRAND, model=info.model, transport=Transport.WIFI,
        host=text(discovery_of(document), "ip"),  # newer dumps add the discovery answer, with the address
        sw_version=info.sw_ver, identifiers=identifiers_of(native, info.mac, info.mic_mac, info.ethernet_mac),
    )
    log: list[LogEntry] = []
    features = [*_switching(document, info, path, log), *_camera(raw, info), *_sensors(document, path)]
    return HomeFragment(source=source or str(path), platform=PLATFORM, devices=[device],
                        capabilities=capabilities(ref, name, features), log=log)


def _sysinfo(raw: Any) -> Any:
    """`get_sysinfo`'s device: a Kasa camera (EC60, EC70) nests it one level down, under `system`."""
    if isinstance(raw, dict) and isinstance(raw.get("system"), dict) and not {"deviceId", "mac", "model"} & set(raw):
        return {"err_code": raw.get("err_code", 0), **raw["system"]}
    return raw


def _camera(raw: Any, info: SysInfo) -> list[Feature]:
    """A Kasa camera's video (`camera_switch` off: the camera is switched off, it records nothing)."""
    if "IPCAMERA" not in info.device_type.upper():
        return []
    switch = raw.get("camera_switch") if isinstance(raw, dict) else None
    state = {"on": "on", "off": "off"}.get(switch) if isinstance(switch, str) else None
    return [Feature("camera", CapabilityKind.CAMERA, state)]


def _switching(document: dict[str, Any], info: SysInfo, path: Path, log: list[LogEntry]) -> list[Feature]:
    """The outlets of a strip, else the light of a bulb, else the relay of a plug or switch."""
    if info.children:
        return _outlets(info.children, path, log)
    light = info.light_state
    if light is None and (answer := iot_answer(document, _LIGHTING, "get_light_state")) is not None:
        light = validated(LightState, answer, path, at=f"{_LIGHTING}.get_light_state")
    if light is not None or "SMARTBULB" in info.device_type:
        state = light.on_off if light else None
        attributes = {"brightness": light.brightness} if light and state and light.brightness is not None else {}
        return [Feature("light", CapabilityKind.LIGHT, on_off(state), attributes=attributes)]
    if info.relay_state is None:
        return []
    if info.brightness is not None:  # a dimmer (HS220, KS230, KP405…): what it drives is a light
        attributes = {"brightness": info.brightness} if info.relay_state else {}
        return [Feature("light", CapabilityKind.LIGHT, on_off(info.relay_state), attributes=attributes)]
    return [Feature("switch", CapabilityKind.SWITCH, on_off(info.relay_state))]


def _outlets(children: list[dict[str, object]], path: Path, log: list[LogEntry]) -> list[Feature]:
    # The firmware lists outlets in slot order: the position is the outlet's number on the strip.
    outlets = []
    for position, raw in enumerate(children, start=1):
        try:
            child = IotChild.model_validate(raw)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            log.append(warning(path, f"left out outlet {position} ({SYSINFO}.children.{position - 1}"
                                     f"{'.' + where if where else ''}): {problem['msg']}"))
            continue
        outlets.append(Feature("outlet", CapabilityKind.SWITCH, on_off(child.state), index=str(position),
                               name=child.alias, unique_id=child.id))
    return outlets


def _sensors(document: dict[str, Any], path: Path) -> list[Feature]:
    """The energy meter, and a motion-sensing switch's PIR and ambient light sensor."""
    features = []
    for module in _EMETERS:
        if (answer := iot_answer(document, module, "get_realtime")) is not None:
            watts = validated(Realtime, answer, path, at=f"{module}.get_realtime").watts
            features.append(Feature("energy", CapabilityKind.SENSOR, None if watts is None else number(watts),
                                    device_class="power", attributes={"unit": "W"}))
            break
    if (answer := iot_answer(document, "smartlife.iot.PIR", "get_config")) is not None:
        pir = validated(PirConfig, answer, path, at="smartlife.iot.PIR.get_config")
        attributes = {} if pir.enable is None else {"enabled": bool(pir.enable)}
        features.append(Feature("motion", CapabilityKind.MOTION, device_class="motion", attributes=attributes))
    if iot_answer(document, "smartlife.iot.LAS", "get_config") is not None:
        reading = iot_answer(document, "smartlife.iot.LAS", "get_current_brt")
        value = None if reading is None else validated(BrightnessReading, reading, path,
                                                       at="smartlife.iot.LAS.get_current_brt").value
        features.append(Feature("ambient_light", CapabilityKind.SENSOR, None if value is None else str(value),
                                device_class="illuminance", attributes={"unit": "%"}))
    return features
