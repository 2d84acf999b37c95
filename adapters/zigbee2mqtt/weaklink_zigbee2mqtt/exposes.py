"""Which of a device's exposed features become capabilities, and of what kind.

A definition's `exposes` list everything Zigbee2MQTT can read or set on a device. Only what a
chain of automations can hinge on becomes a capability:

- a composite actuator (`light`, `switch`, `lock`, `cover`, `climate`, `fan`): one capability
  each (per endpoint), its own features (brightness, setpoint, …) staying inside it;
- a reading of a known meaning: `occupancy`/`presence` (motion), `contact`, `water_leak`
  (moisture), `smoke`, `gas`, `carbon_monoxide` (smoke), and `battery_low`, `tamper`,
  `vibration` (binary sensors);
- the `action` of a remote or button (button);
- a measured value worth a trigger or a check: temperature, humidity, pressure, illuminance,
  CO2, VOC, PM2.5/PM10, formaldehyde, soil moisture, power, energy, and the battery level (a
  flat battery is why a sensor goes quiet).

Left out on purpose: `linkquality` (the network map says more, per link), battery `voltage`,
current and mains voltage (detail), device temperature, counters, every setting (anything
that takes a `/set`: calibration, timeouts, LED and child-lock switches) and commands
(`identify`, `effect`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from weaklink.model import CapabilityKind

from .payloads import Expose

COMPOSITE_KINDS: dict[str, CapabilityKind] = {
    "light": CapabilityKind.LIGHT,
    "switch": CapabilityKind.SWITCH,
    "lock": CapabilityKind.LOCK,
    "cover": CapabilityKind.COVER,
    "climate": CapabilityKind.CLIMATE,
    "fan": CapabilityKind.FAN,
}
BINARY_KINDS: dict[str, CapabilityKind] = {
    "occupancy": CapabilityKind.MOTION,
    "presence": CapabilityKind.MOTION,  # mmWave "presence" is a room being occupied, not a person home
    "contact": CapabilityKind.CONTACT,
    "water_leak": CapabilityKind.MOISTURE,
    "smoke": CapabilityKind.SMOKE,
    "gas": CapabilityKind.SMOKE,
    "carbon_monoxide": CapabilityKind.SMOKE,
    "battery_low": CapabilityKind.BINARY_SENSOR,
    "tamper": CapabilityKind.BINARY_SENSOR,
    "vibration": CapabilityKind.BINARY_SENSOR,
}
MEASURED = frozenset({
    "temperature", "humidity", "pressure", "illuminance", "illuminance_lux", "co2", "voc", "pm25", "pm10",
    "formaldehyd", "soil_moisture", "power", "energy", "battery",
})
ACTION = "action"


@dataclass(frozen=True)
class Feature:
    """A feature worth a capability.

    `key` is unique within the device: the state property it is published under (`occupancy`,
    `temperature_l2`) or, for a composite, its type and endpoint (`light`, `switch_l1`).
    """

    key: str
    kind: CapabilityKind
    device_class: str | None = None  # the feature's own name, for a reading (`temperature`)
    published_as: str | None = None  # the property of the device's state that carries it
    unit: str | None = None

    @property
    def words(self) -> str:
        """The key as words, to name the capability (`water leak`, `switch l1`)."""
        return self.key.replace("_", " ")


def features(exposes: Iterable[Expose]) -> list[Feature]:
    """The features of a definition's top-level `exposes` worth a capability, in their order."""
    found: dict[str, Feature] = {}
    for expose in exposes:
        feature = _feature(expose)
        if feature is not None and feature.key not in found:
            found[feature.key] = feature
    return list(found.values())


def _feature(expose: Expose) -> Feature | None:
    if expose.type in COMPOSITE_KINDS:
        key = f"{expose.type}_{expose.endpoint}" if expose.endpoint else expose.type
        return Feature(key, COMPOSITE_KINDS[expose.type])
    name = expose.name
    if not name or expose.can_set():  # a setting or a command, not a reading
        return None
    kind: CapabilityKind | None = None
    if expose.type == "binary":
        kind = BINARY_KINDS.get(name)
    elif expose.type == "numeric" and name in MEASURED:
        kind = CapabilityKind.SENSOR
    elif expose.type in ("enum", "text") and name == ACTION:
        kind = CapabilityKind.BUTTON
    if kind is None:
        return None
    key = expose.property_ or name
    return Feature(key, kind, device_class=name, published_as=key, unit=expose.unit)
