"""What the simulated SmartThings account's devices are, as the REST API describes them.

Each device kind is a profile: the integration type it joins SmartThings through by default
(a Zigbee or Z-Wave radio on the hub, a partner's cloud), its manufacturer category, the
`name` its driver gives it, its capabilities with the attributes they report at start, and
the (capability, attribute) its `state` sets. The commands the account carries out are a
table of (capability, command) to the attributes they change, with the arguments checked as
the API checks them (a `setLevel` beyond 100 is a constraint violation).

The values follow the adapter's fixtures (`adapters/smartthings/fixtures/`): capability
versions, categories with `categoryType`, attributes as `{"value", "unit", "timestamp"}`,
and the attributes a capability declares but has never reported as `{"value": null}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RADIO_TYPES = frozenset({"ZIGBEE", "ZWAVE", "LAN", "MATTER"})  # run by a driver on the hub


@dataclass(frozen=True)
class Reading:
    """An attribute's value at start (None: declared, never reported)."""

    value: Any
    unit: str | None = None


@dataclass(frozen=True)
class Profile:
    """One kind of device."""

    type: str  # the integration type it has unless the spec says otherwise
    category: str  # the manufacturer category of its main component
    name: str  # the `name` its driver (or partner) gives it
    maker: str  # a Zigbee manufacturer (`deviceManufacturerCode`), a Z-Wave code, or the partner
    capabilities: tuple[str, ...]
    readings: dict[tuple[str, str], Reading]
    main: tuple[str, str]  # the (capability, attribute) `state` sets
    states: tuple[str, ...]  # what `state` may be, the first being the default
    model: str | None = None  # a cloud device's model name
    firmware: str | None = None
    load_watts: float = 0.0  # what a plug's load draws while on
    extra: dict[str, Any] = field(default_factory=dict)


PROFILES: dict[str, Profile] = {
    "light": Profile(
        "ZIGBEE", "Light", "TRADFRI bulb E27 WS 806lm", "IKEA of Sweden",
        ("switch", "switchLevel", "colorTemperature", "refresh"),
        {("switch", "switch"): Reading("off"), ("switchLevel", "levelRange"): Reading(None),
         ("switchLevel", "level"): Reading(100, "%"), ("colorTemperature", "colorTemperatureRange"): Reading(None),
         ("colorTemperature", "colorTemperature"): Reading(2700, "K")},
        ("switch", "switch"), ("off", "on")),
    "switch": Profile(
        "ZIGBEE", "SmartPlug", "Samsung Smart Outlet", "Samjin",
        ("switch", "powerMeter", "refresh"),
        {("switch", "switch"): Reading("off"), ("powerMeter", "power"): Reading(0.0, "W")},
        ("switch", "switch"), ("off", "on"), load_watts=42.0),
    "lock": Profile(
        "ZWAVE", "SmartLock", "Schlage Connect Smart Deadbolt", "003B-0001-0469",
        ("lock", "battery", "refresh"),
        {("lock", "lock"): Reading("locked"), ("battery", "quantity"): Reading(None),
         ("battery", "battery"): Reading(87, "%"), ("battery", "type"): Reading(None)},
        ("lock", "lock"), ("locked", "unlocked")),
    "garage_door": Profile(
        "VIPER", "GarageDoor", "myQ Garage Door Opener", "Chamberlain",
        ("doorControl", "contactSensor", "refresh"),
        {("doorControl", "door"): Reading("closed"), ("contactSensor", "contact"): Reading("closed")},
        ("doorControl", "door"), ("closed", "open"), model="MyQ-G0401", firmware="5.1.10"),
    "motion": Profile(
        "ZIGBEE", "MotionSensor", "Samsung Motion Sensor", "Samjin",
        ("motionSensor", "temperatureMeasurement", "battery", "refresh"),
        {("motionSensor", "motion"): Reading("inactive"), ("temperatureMeasurement", "temperatureRange"): Reading(None),
         ("temperatureMeasurement", "temperature"): Reading(21.5, "C"), ("battery", "quantity"): Reading(None),
         ("battery", "battery"): Reading(90, "%"), ("battery", "type"): Reading(None)},
        ("motionSensor", "motion"), ("inactive", "active")),
    "contact": Profile(
        "ZIGBEE", "ContactSensor", "Samsung Multipurpose Sensor", "Samjin",
        ("contactSensor", "temperatureMeasurement", "battery", "refresh"),
        {("contactSensor", "contact"): Reading("closed"), ("temperatureMeasurement", "temperatureRange"): Reading(None),
         ("temperatureMeasurement", "temperature"): Reading(20.0, "C"), ("battery", "quantity"): Reading(None),
         ("battery", "battery"): Reading(95, "%"), ("battery", "type"): Reading(None)},
        ("contactSensor", "contact"), ("closed", "open")),
}

Change = tuple[str, str, Any]  # (capability, attribute, value)


def _no_arguments(*changes: Change) -> Callable[[list[Any]], list[Change] | str]:
    def run(arguments: list[Any]) -> list[Change] | str:
        return list(changes) if not arguments else "takes no arguments"
    return run


def _set_level(arguments: list[Any]) -> list[Change] | str:
    if not 1 <= len(arguments) <= 2 or not all(isinstance(a, int) and not isinstance(a, bool) for a in arguments):
        return "takes a level (0-100) and, optionally, a rate"
    level = arguments[0]
    if not 0 <= level <= 100:
        return f"level {level} is not within 0 and 100"
    return [("switchLevel", "level", level), ("switch", "switch", "on" if level else "off")]


def _set_color_temperature(arguments: list[Any]) -> list[Change] | str:
    if len(arguments) != 1 or not isinstance(arguments[0], int) or isinstance(arguments[0], bool):
        return "takes a colour temperature in kelvin"
    if not 1 <= arguments[0] <= 30000:
        return f"temperature {arguments[0]} is not within 1 and 30000"
    return [("colorTemperature", "colorTemperature", arguments[0])]


# (capability, command) -> the attribute changes it makes, or why the arguments are refused.
COMMANDS: dict[tuple[str, str], Callable[[list[Any]], list[Change] | str]] = {
    ("switch", "on"): _no_arguments(("switch", "switch", "on")),
    ("switch", "off"): _no_arguments(("switch", "switch", "off")),
    ("switchLevel", "setLevel"): _set_level,
    ("colorTemperature", "setColorTemperature"): _set_color_temperature,
    ("lock", "lock"): _no_arguments(("lock", "lock", "locked")),
    ("lock", "unlock"): _no_arguments(("lock", "lock", "unlocked")),
    ("doorControl", "open"): _no_arguments(("doorControl", "door", "open"), ("contactSensor", "contact", "open")),
    ("doorControl", "close"): _no_arguments(("doorControl", "door", "closed"), ("contactSensor", "contact", "closed")),
    ("refresh", "refresh"): _no_arguments(),
}
