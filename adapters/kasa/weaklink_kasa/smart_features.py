"""The features a SMART device's info proves it has.

A feature exists when the device reports its field (a sensor that reports `open` is a
contact sensor, whatever its model): a model weaklink has never seen still maps. The device
type, child category and negotiated components only decide what kind a relay drives.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from weaklink.exports import validated
from weaklink.model import CapabilityKind

from .document import smart_answer
from .features import Feature
from .naming import number, on_off
from .smart_models import CurrentPower, DeviceInfo, EmeterData, EnergyUsage

_WATER_LEAK = "water_leak"
# A Tapo lock (DL100, DL110) reports its bolt as a number: 0 is extended (locked), 1 retracted.
_LOCK_STATES = {0: "locked", 1: "unlocked", 3: "jammed", 4: "jammed"}


def relay_key(info: DeviceInfo, components: frozenset[str]) -> tuple[str, CapabilityKind]:
    """What the device's on/off drives: a fan, a light (a bulb or anything that dims), else a switch."""
    category = info.category or ""
    if "fan" in category or info.fan_speed_level is not None or (
            "fan_control" in components and "brightness" not in components):
        return "fan", CapabilityKind.FAN
    if ((info.type or "").upper().endswith("BULB") or "dimmer" in category or "brightness" in components
            or info.brightness is not None):
        return "light", CapabilityKind.LIGHT
    return "switch", CapabilityKind.SWITCH


def relay(info: DeviceInfo, components: frozenset[str]) -> Feature | None:
    """The device's on/off (plug, switch, bulb, dimmer, fan), when it reports `device_on`."""
    if info.device_on is None:
        return None
    key, kind = relay_key(info, components)
    attributes: dict[str, object] = {}
    if kind is CapabilityKind.LIGHT and info.device_on and info.brightness is not None:
        attributes["brightness"] = info.brightness
    if info.overheated or (info.overheat_status not in (None, "normal")):
        attributes["overheated"] = True  # the firmware cut the relay: a device fault, not a command lost
    return Feature(key, kind, on_off(info.device_on), attributes=attributes)


def sensors(info: DeviceInfo, components: frozenset[str]) -> list[Feature]:
    """A hub's siren, and what a sensor, button or radiator valve reports."""
    found: list[Feature] = []
    if info.is_hub and ("alarm" in components or info.in_alarm is not None):
        found.append(Feature("alarm", CapabilityKind.SIREN, on_off(info.in_alarm)))
    if info.open is not None:
        found.append(Feature("contact", CapabilityKind.CONTACT, on_off(info.open), device_class="door"))
    if info.detected is not None:
        found.append(Feature("motion", CapabilityKind.MOTION, on_off(info.detected), device_class="motion"))
    if info.water_leak_status is not None:
        leaking = info.water_leak_status == _WATER_LEAK or bool(info.in_alarm)
        found.append(Feature(_WATER_LEAK, CapabilityKind.MOISTURE, on_off(leaking), device_class="moisture",
                             attributes={"status": info.water_leak_status}))
    if info.lock_status is not None:
        found.append(Feature("lock", CapabilityKind.LOCK, _LOCK_STATES.get(info.lock_status),
                             attributes={"lock_status": info.lock_status}))
    if "button" in (info.category or ""):
        found.append(Feature("button", CapabilityKind.BUTTON))
    found.extend(_climate(info))
    if info.current_humidity is not None:
        found.append(Feature("humidity", CapabilityKind.SENSOR, number(info.current_humidity),
                             device_class="humidity", attributes={"unit": "%"}))
    found.extend(_battery(info))
    return found


def _climate(info: DeviceInfo) -> list[Feature]:
    unit = {"celsius": "°C", "fahrenheit": "°F"}.get(info.temp_unit or "celsius", info.temp_unit or "°C")
    if info.target_temp is not None or (info.category or "") == "subg.trv":
        # A radiator valve: Home Assistant calls frost protection "off", anything else "heat".
        attributes: dict[str, object] = {"unit": unit,
                                         "hvac_action": "heating" if "heating" in (info.trv_states or []) else "idle"}
        if info.current_temp is not None:
            attributes["current_temperature"] = info.current_temp
        if info.target_temp is not None:
            attributes["target_temperature"] = info.target_temp
        return [Feature("climate", CapabilityKind.CLIMATE, "off" if info.frost_protection_on else "heat",
                        attributes=attributes)]
    if info.current_temp is not None:
        return [Feature("temperature", CapabilityKind.SENSOR, number(info.current_temp),
                        device_class="temperature", attributes={"unit": unit})]
    return []


def _battery(info: DeviceInfo) -> list[Feature]:
    if info.battery_percentage is not None:
        attributes: dict[str, object] = {"unit": "%"}
        if info.at_low_battery is not None:
            attributes["low"] = info.at_low_battery
        return [Feature("battery", CapabilityKind.SENSOR, str(info.battery_percentage), device_class="battery",
                        attributes=attributes)]
    if info.at_low_battery is not None:
        return [Feature("battery_low", CapabilityKind.BINARY_SENSOR, on_off(info.at_low_battery),
                        device_class="battery")]
    return []


def energy(answers: dict[str, Any], path: Path, *, at: str = "") -> Feature | None:
    """The energy meter, when the device answered one of its methods (its power now, in watts)."""
    prefix = f"{at}." if at else ""
    watts: float | None = None
    found = False
    if (answer := smart_answer(answers, "get_current_power")) is not None:
        found, watts = True, validated(CurrentPower, answer, path, at=f"{prefix}get_current_power").current_power
    if watts is None and (answer := smart_answer(answers, "get_emeter_data")) is not None:
        milli = validated(EmeterData, answer, path, at=f"{prefix}get_emeter_data").power_mw
        found, watts = True, None if milli is None else milli / 1000
    if watts is None and (answer := smart_answer(answers, "get_energy_usage")) is not None:
        milli = validated(EnergyUsage, answer, path, at=f"{prefix}get_energy_usage").current_power
        found, watts = True, None if milli is None else milli / 1000
    if not found:
        return None
    return Feature("energy", CapabilityKind.SENSOR, None if watts is None else number(watts),
                   device_class="power", attributes={"unit": "W"})


def with_radio(features: list[Feature], info: DeviceInfo) -> list[Feature]:
    """`features`, the first one carrying how well the hub hears the device (`rssi`, `signal_level`):
    where the tracer looks for a weak radio link."""
    radio = {key: value for key, value in (("rssi", info.rssi), ("signal_level", info.signal_level))
             if value is not None}
    if not features or not radio:
        return features
    return [replace(features[0], attributes={**features[0].attributes, **radio}), *features[1:]]
