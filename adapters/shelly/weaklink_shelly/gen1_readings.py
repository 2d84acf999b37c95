"""Gen1 components beside `relays`, read from `/status` (and names from `/settings`).

Bulbs and dimmers report `lights` (RGBW2 in colour mode too), rollers (a Shelly 2/2.5 in
roller mode) `rollers`, the EM and 3EM `emeters`, battery sensors their readings at the top
(`sensor`, `tmp`, `hum`, `lux`, `bat`, `flood`, `smoke`), the Gas `gas_sensor` and
`concentration`, the TRV `thermostats`.
"""

from __future__ import annotations

from typing import Any

from weaklink.model import CapabilityKind

from .readings import Reading, measured, number, on_off

_GAS_ALARMS = frozenset({"mild", "heavy"})


def gen1_readings(status: dict[str, Any], settings: dict[str, Any] | None) -> list[Reading]:
    """Every non-relay component of a Gen1 `/status` the tracer can use."""
    settings = settings if isinstance(settings, dict) else {}
    readings = [*_lights(status, settings), *_rollers(status), *_meters(status), *_thermostats(status)]
    readings.extend(_sensors(status))
    return readings


def _items(status: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = status.get(key)
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _lights(status: dict[str, Any], settings: dict[str, Any]) -> list[Reading]:
    names = [light.get("name") if isinstance(light, dict) else None for light in settings.get("lights") or []]
    readings = []
    for index, light in _items(status, "lights"):
        name = names[index] if index < len(names) and isinstance(names[index], str) and names[index] else None
        attributes = {"brightness": light["brightness"]} if number(light.get("brightness")) is not None else {}
        readings.append(Reading(f"light:{index}", CapabilityKind.LIGHT, on_off(light.get("ison")), None, name,
                                attributes))
    return readings


def _rollers(status: dict[str, Any]) -> list[Reading]:
    readings = []
    for index, roller in _items(status, "rollers"):
        state = roller.get("state") if isinstance(roller.get("state"), str) else None  # open, close, stop
        attributes = {"position": roller["current_pos"]} if number(roller.get("current_pos")) is not None else {}
        readings.append(Reading(f"cover:{index}", CapabilityKind.COVER, state, None, None, attributes))
    return readings


def _meters(status: dict[str, Any]) -> list[Reading]:
    """The EM's `emeters`, and the meters of a device without relays (a bulb's, a dimmer's)."""
    readings = [measured(f"em:{i}", meter.get("power"), "power", "W") for i, meter in _items(status, "emeters")]
    if "relays" not in status:  # a relay's meter is read with the relay
        readings += [measured(f"meter:{i}", meter.get("power"), "power", "W") for i, meter in _items(status, "meters")]
    return [reading for reading in readings if reading is not None]


def _thermostats(status: dict[str, Any]) -> list[Reading]:
    readings = []
    for index, thermostat in _items(status, "thermostats"):
        target, current = thermostat.get("target_t"), thermostat.get("tmp")
        attributes = {}
        if isinstance(target, dict) and number(target.get("value")) is not None:
            attributes["target_C"] = target["value"]
        if isinstance(current, dict) and number(current.get("value")) is not None:
            attributes["current_C"] = current["value"]
        enabled = target.get("enabled") if isinstance(target, dict) else None
        state = None if not isinstance(enabled, bool) else ("heat" if enabled else "off")
        readings.append(Reading(f"thermostat:{index}", CapabilityKind.CLIMATE, state, None, None, attributes))
    return readings


def _sensors(status: dict[str, Any]) -> list[Reading]:
    readings: list[Reading | None] = []
    raw = status.get("sensor")
    sensor: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if isinstance(sensor.get("state"), str):  # door/window: open, close
        readings.append(Reading("contact", CapabilityKind.CONTACT, "on" if sensor["state"] == "open" else "off",
                                "door", None, {"raw_state": sensor["state"]}))
    if isinstance(sensor.get("motion"), bool):
        readings.append(Reading("motion", CapabilityKind.MOTION, on_off(sensor["motion"]), "motion"))
    if "flood" in status:
        readings.append(Reading("flood", CapabilityKind.MOISTURE, on_off(status["flood"]), "moisture"))
    if isinstance(status.get("smoke"), bool):
        readings.append(Reading("smoke", CapabilityKind.SMOKE, on_off(status["smoke"]), "smoke"))
    gas = status.get("gas_sensor")
    if isinstance(gas, dict) and isinstance(gas.get("alarm_state"), str):
        readings.append(Reading("gas", CapabilityKind.SMOKE, "on" if gas["alarm_state"] in _GAS_ALARMS else "off",
                                "gas", None, {"alarm_state": gas["alarm_state"]}))
    concentration = status.get("concentration")
    if isinstance(concentration, dict):
        readings.append(measured("gas_concentration", concentration.get("ppm"), "gas", "ppm"))
    if "relays" not in status and "lights" not in status:  # a battery sensor's readings; a relay's `tmp` is its own
        readings.append(measured("temperature", _value(status.get("tmp"), "tC"), "temperature", "°C"))
    readings.append(measured("humidity", _value(status.get("hum"), "value"), "humidity", "%"))
    readings.append(measured("illuminance", _value(status.get("lux"), "value"), "illuminance", "lx"))
    readings.append(measured("battery", _value(status.get("bat"), "value"), "battery", "%"))
    return [reading for reading in readings if reading is not None]


def _value(part: object, key: str) -> object:
    if not isinstance(part, dict) or part.get("is_valid") is False:
        return None
    return part.get(key)
