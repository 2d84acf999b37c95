"""The state a CLIP v2 resource reports, for a snapshot and for the event stream alike."""

from __future__ import annotations

from .naming import on_off
from .resources import ButtonService, Contact, Light, LightLevel, MotionSensor, Resource, Temperature

CONTACT_OPEN = "no_contact"


def reading(resource: Resource) -> tuple[str | None, dict[str, object]]:
    """The state and attributes `resource` carries; state None when it carries none (a partial update)."""
    if isinstance(resource, Light):
        attributes: dict[str, object] = {"brightness": resource.dimming.brightness} if resource.dimming else {}
        return (on_off(resource.on.on) if resource.on else None), attributes
    if isinstance(resource, MotionSensor) and resource.motion is not None:
        motion = resource.motion
        value = motion.motion_report.motion if motion.motion_report else motion.motion
        attributes = {"motion_valid": motion.motion_valid} if motion.motion_valid is not None else {}
        return (on_off(value) if value is not None else None), attributes
    if isinstance(resource, Contact) and resource.contact_report is not None:
        state = resource.contact_report.state
        return on_off(state == CONTACT_OPEN), {"contact_report": state}
    if isinstance(resource, ButtonService) and resource.button is not None:
        report = resource.button.button_report
        return (report.event if report else resource.button.last_event), {}
    if isinstance(resource, Temperature) and resource.temperature is not None:
        return _measured(resource.temperature.value("temperature")), {"unit": "°C"}
    if isinstance(resource, LightLevel) and resource.light is not None:
        return _measured(resource.light.value("light_level")), {"unit": "10000·log10(lux)+1"}
    return None, {}


def _measured(value: object) -> str | None:
    return None if value is None else str(value)
