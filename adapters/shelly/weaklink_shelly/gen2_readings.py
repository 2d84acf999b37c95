"""Gen2+ components other than `switch:<i>`, read from `Shelly.GetStatus` (and names from `GetConfig`).

Components are `<type>:<id>` keys. Lights (`light`, `cct`, `rgb`, `rgbw`, `rgbcct`), covers,
circuit breakers (`cb`), energy meters (`em`, `em1`, `pm1`), sensors (`temperature`,
`humidity`, `illuminance`, `voltmeter`, `devicepower`, `smoke`, `presencezone`), the Wall
Display's `thermostat`, Cury's two fragrance slots, and the role-named virtual components
that Shelly-platform devices of other makers (XT1: thermostats, irrigation controllers) publish.
"""

from __future__ import annotations

from typing import Any

from weaklink.model import CapabilityKind

from .readings import Reading, measured, number, on_off

LIGHTS = frozenset({"light", "cct", "rgb", "rgbw", "rgbcct"})
_TEMPERATURE_ROLES = frozenset({"current_temperature", "average_temperature", "temperature"})


def gen2_readings(status: dict[str, Any], config: dict[str, Any] | None) -> list[Reading]:
    """Every non-switch component of a Gen2+ status the tracer can use."""
    config = config if isinstance(config, dict) else {}
    readings: list[Reading] = []
    for key, value in status.items():
        kind, colon, _ = key.partition(":")
        if not colon or not isinstance(value, dict):
            continue
        raw = config.get(key)
        settings: dict[str, Any] = raw if isinstance(raw, dict) else {}
        name = settings.get("name") if isinstance(settings.get("name"), str) and settings.get("name") else None
        readings.extend(_component(key, kind, value, settings, name))
    readings.extend(_services(status, config))
    return readings


def _component(key: str, kind: str, value: dict[str, Any], settings: dict[str, Any], name: str | None
               ) -> list[Reading]:
    if kind in LIGHTS:
        attributes = {"brightness": value["brightness"]} if number(value.get("brightness")) is not None else {}
        return [Reading(key, CapabilityKind.LIGHT, on_off(value.get("output")), None, name, attributes)]
    if kind == "cb":  # a circuit breaker: its contact, which the device (or the user) opens
        return [Reading(key, CapabilityKind.SWITCH, on_off(value.get("output")), "circuit_breaker", name)]
    if kind == "cover":
        state = value.get("state") if isinstance(value.get("state"), str) else None
        attributes = {"position": value["current_pos"]} if number(value.get("current_pos")) is not None else {}
        return [Reading(key, CapabilityKind.COVER, state, None, name, attributes)]
    if kind == "thermostat":
        attributes = {k: value[k] for k in ("target_C", "current_C") if number(value.get(k)) is not None}
        enabled = settings.get("enable", value.get("enable"))
        mode = "cool" if settings.get("type") == "cooling" else "heat"
        state = None if not isinstance(enabled, bool) else (mode if enabled else "off")
        return [Reading(key, CapabilityKind.CLIMATE, state, None, name, attributes)]
    if kind == "smoke":
        return [Reading(key, CapabilityKind.SMOKE, on_off(value.get("alarm")), "smoke", name)]
    if kind == "presencezone":
        return [Reading(key, CapabilityKind.MOTION, on_off(value.get("value")), "occupancy", name)]
    if kind == "illuminance" and number(value.get("lux")) is None:
        level = value.get("illumination")  # the presence sensor says dark/twilight/bright, no lux
        return [Reading(key, CapabilityKind.SENSOR, level, "illuminance", name)] if isinstance(level, str) else []
    if kind == "cury":
        return _cury(key, value)
    reading = _measurement(key, kind, value, name)
    return [reading] if reading is not None else []


def _measurement(key: str, kind: str, value: dict[str, Any], name: str | None) -> Reading | None:
    if kind == "em":
        return measured(key, value.get("total_act_power"), "power", "W", name)
    if kind == "em1":
        return measured(key, value.get("act_power"), "power", "W", name)
    if kind == "pm1":
        return measured(key, value.get("apower"), "power", "W", name)
    if kind == "temperature":
        return measured(key, value.get("tC"), "temperature", "°C", name)
    if kind == "humidity":
        return measured(key, value.get("rh"), "humidity", "%", name)
    if kind == "illuminance":
        return measured(key, value.get("lux"), "illuminance", "lx", name)
    if kind == "voltmeter":
        return measured(key, value.get("voltage"), "voltage", "V", name)
    if kind == "devicepower":
        battery = value.get("battery")
        return measured(key, battery.get("percent") if isinstance(battery, dict) else None, "battery", "%", name)
    return None


def _cury(key: str, value: dict[str, Any]) -> list[Reading]:
    """Cury's fragrance slots (left, right), each switched on or off."""
    slots = value.get("slots")
    if not isinstance(slots, dict):
        return []
    return [Reading(f"{key}/{slot}", CapabilityKind.SWITCH, on_off(part.get("on")), None, None,
                    {"intensity": part["intensity"]} if number(part.get("intensity")) is not None else {})
            for slot, part in slots.items() if isinstance(part, dict)]


def _services(status: dict[str, Any], config: dict[str, Any]) -> list[Reading]:
    """Virtual components (`number:<id>`, `boolean:<id>`) whose config names their role."""
    readings: list[Reading] = []
    roles: dict[str, tuple[str, Any]] = {}
    for key, settings in config.items():
        role = settings.get("role") if isinstance(settings, dict) else None
        state = status.get(key)
        if isinstance(role, str) and isinstance(state, dict) and "value" in state:
            roles[role] = (key, state["value"])
            name = settings.get("name") if isinstance(settings.get("name"), str) else None
            readings.extend(_role_reading(key, role, state["value"], name))
    if "target_temperature" in roles:  # a thermostat service: its set point, and whether it runs
        attributes = {"target_C": roles["target_temperature"][1]}
        if "current_temperature" in roles:
            attributes["current_C"] = roles["current_temperature"][1]
        enabled = roles.get("enable", (None, None))[1]
        mode = roles.get("working_mode", (None, None))[1]
        state = "off" if enabled is False else (mode if isinstance(mode, str) else on_off(enabled))
        readings.append(Reading("thermostat", CapabilityKind.CLIMATE, state, None, None, attributes))
    return readings


def _role_reading(key: str, role: str, value: Any, name: str | None) -> list[Reading]:
    if role in _TEMPERATURE_ROLES:
        reading = measured(key, value, "temperature", "°C", name)
    elif role == "current_humidity":
        reading = measured(key, value, "humidity", "%", name)
    elif role.startswith("zone") and role[4:].isdigit():  # an irrigation controller's valve
        reading = Reading(key, CapabilityKind.VALVE, on_off(value), "water", name)
    else:
        reading = None
    return [reading] if reading is not None else []
