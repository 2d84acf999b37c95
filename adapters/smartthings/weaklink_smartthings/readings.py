"""What is known of a device beyond its description: its readings and its health.

Several documents can tell the same thing (a device list saved with `includeStatus=true`,
then a status saved later): for each attribute, and for the health, the newest report wins;
of two reports without a time, the first one read (in file-name order) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .schema import ComponentStatus, Device, HealthState

# healthCheck's attribute: SmartThings' own watch of the device ("online"/"offline").
HEALTH_CHECK = ("healthCheck", "DeviceWatch-DeviceStatus")


@dataclass(frozen=True)
class Reading:
    """One attribute's last reported value."""

    value: Any
    unit: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Health:
    """Whether SmartThings could reach the device, and when it last said so."""

    state: str  # ONLINE, OFFLINE, UNKNOWN (upper case; others kept as given)
    at: datetime | None = None


def _newer(current: Reading | Health | None, candidate: Reading | Health) -> bool:
    if current is None:
        return True
    if candidate.at is None:
        return False
    return current.at is None or _utc(candidate.at) > _utc(current.at)


def _utc(moment: datetime) -> datetime:
    # a time without a zone is read as UTC, as the API writes every time in UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class Knowledge:
    """Every reading and the health of one device, merged from every document that tells them."""

    readings: dict[tuple[str, str, str], Reading] = field(default_factory=dict)  # (component, capability, attribute)
    health: Health | None = None

    def add_status(self, components: dict[str, ComponentStatus]) -> None:
        """Take in a status (`components` of `GET …/status`)."""
        for component, capabilities in components.items():
            for capability, attributes in capabilities.items():
                self.add_capability_status(component, capability, attributes)

    def add_capability_status(self, component: str, capability: str, attributes: dict[str, Any]) -> None:
        """Take in one capability's attributes (as a status or `includeStatus=true` gives them)."""
        for attribute, state in attributes.items():
            reading = Reading(state.value, state.unit, state.timestamp)
            key = (component, capability, attribute)
            if _newer(self.readings.get(key), reading):
                self.readings[key] = reading

    def add_health(self, health: HealthState) -> None:
        """Take in a health report (`GET …/health`, or `includeHealth=true`)."""
        if health.state:
            candidate = Health(health.state.upper(), health.lastUpdatedDate)
            if _newer(self.health, candidate):
                self.health = candidate

    def add_device(self, device: Device) -> None:
        """Take in what a device's own description carries (`includeHealth`, `includeStatus`)."""
        if device.healthState is not None:
            self.add_health(device.healthState)
        for component in device.components:
            for capability in component.capabilities:
                if capability.status:
                    self.add_capability_status(component.id, capability.id, capability.status)

    def merged(self, other: Knowledge) -> Knowledge:
        """A copy holding what both know (the newest of each)."""
        result = Knowledge(dict(self.readings), self.health)
        for key, reading in other.readings.items():
            if _newer(result.readings.get(key), reading):
                result.readings[key] = reading
        if other.health is not None and _newer(result.health, other.health):
            result.health = other.health
        return result

    def reading(self, component: str, capability: str, attribute: str) -> Reading | None:
        """The reading of one attribute, if any document gave it."""
        return self.readings.get((component, capability, attribute))

    def offline(self) -> bool:
        """Whether the newest word on the device's connectivity is that it is offline.

        The health endpoint and healthCheck's `DeviceWatch-DeviceStatus` say the same thing
        from two places; whichever is newer is believed.
        """
        latest: Health | None = self.health
        for (_, capability, attribute), reading in self.readings.items():
            if (capability, attribute) == HEALTH_CHECK and isinstance(reading.value, str):
                watched = Health(reading.value.upper(), reading.at)
                if _newer(latest, watched):
                    latest = watched
        return latest is not None and latest.state == "OFFLINE"
