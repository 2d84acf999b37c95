"""SmartThings capabilities as weaklink capabilities: one per (component, capability) worth tracing.

SmartThings splits one feature over several capabilities: a bulb is `switch` + `switchLevel`
+ `colorTemperature` + `colorControl`, a thermostat `thermostatMode` + two setpoints + its
operating state. Each such family becomes one capability (the first member present leads,
the others' readings become its attributes), so that a chain names "the porch light", not
its colour. Sensors stay one capability per reading. Capabilities that describe the device
rather than something it does (`refresh`, `healthCheck`, `configuration`, `ocf`, vendors'
`samsungce.*` settings …) are left out, and so is `geolocation`: a precise location.
"""

from __future__ import annotations

from dataclasses import dataclass
from weaklink.model import Capability, CapabilityKind
from weaklink.redact import is_secret_key

from .naming import PLATFORM, capability_id
from .readings import Knowledge, Reading
from .schema import Component, Device


@dataclass(frozen=True)
class Feature:
    """How one SmartThings capability maps: its kind, the attribute that is its state, its words."""

    kind: CapabilityKind
    attribute: str | None  # the attribute whose value is the capability's state
    label: str  # what it is called after the device's name
    device_class: str | None = None


K = CapabilityKind
FEATURES: dict[str, Feature] = {
    "switch": Feature(K.SWITCH, "switch", "switch"),
    "lock": Feature(K.LOCK, "lock", "lock"),
    "garageDoorControl": Feature(K.COVER, "door", "garage door", "garage"),
    "doorControl": Feature(K.COVER, "door", "door", "door"),
    "windowShade": Feature(K.COVER, "windowShade", "shade", "shade"),
    "motionSensor": Feature(K.MOTION, "motion", "motion", "motion"),
    "contactSensor": Feature(K.CONTACT, "contact", "contact", "opening"),
    "waterSensor": Feature(K.MOISTURE, "water", "water", "moisture"),
    "smokeDetector": Feature(K.SMOKE, "smoke", "smoke", "smoke"),
    "carbonMonoxideDetector": Feature(K.BINARY_SENSOR, "carbonMonoxide", "carbon monoxide", "carbon_monoxide"),
    "presenceSensor": Feature(K.PRESENCE, "presence", "presence", "presence"),
    "securitySystem": Feature(K.ALARM, "securitySystemStatus", "security system"),
    "thermostatMode": Feature(K.CLIMATE, "thermostatMode", "thermostat"),
    "thermostat": Feature(K.CLIMATE, "thermostatMode", "thermostat"),
    "airConditionerMode": Feature(K.CLIMATE, "airConditionerMode", "air conditioner"),
    "thermostatOperatingState": Feature(K.CLIMATE, "thermostatOperatingState", "thermostat"),
    "thermostatHeatingSetpoint": Feature(K.CLIMATE, "heatingSetpoint", "thermostat"),
    "thermostatCoolingSetpoint": Feature(K.CLIMATE, "coolingSetpoint", "thermostat"),
    "thermostatFanMode": Feature(K.CLIMATE, "thermostatFanMode", "thermostat"),
    "button": Feature(K.BUTTON, "button", "button"),
    "momentary": Feature(K.BUTTON, None, "button"),
    "temperatureMeasurement": Feature(K.SENSOR, "temperature", "temperature", "temperature"),
    "relativeHumidityMeasurement": Feature(K.SENSOR, "humidity", "humidity", "humidity"),
    "illuminanceMeasurement": Feature(K.SENSOR, "illuminance", "illuminance", "illuminance"),
    "carbonDioxideMeasurement": Feature(K.SENSOR, "carbonDioxide", "carbon dioxide", "carbon_dioxide"),
    "airQualitySensor": Feature(K.SENSOR, "airQuality", "air quality", "aqi"),
    "dustSensor": Feature(K.SENSOR, "dustLevel", "dust", "pm10"),
    "voltageMeasurement": Feature(K.SENSOR, "voltage", "voltage", "voltage"),
    "powerMeter": Feature(K.SENSOR, "power", "power", "power"),
    "energyMeter": Feature(K.SENSOR, "energy", "energy", "energy"),
    "powerConsumptionReport": Feature(K.SENSOR, None, "power consumption", "energy"),  # its value is a report
    "battery": Feature(K.SENSOR, "battery", "battery", "battery"),
    "washerOperatingState": Feature(K.SENSOR, "machineState", "cycle"),
    "dryerOperatingState": Feature(K.SENSOR, "machineState", "cycle"),
    "dishwasherOperatingState": Feature(K.SENSOR, "machineState", "cycle"),
    "ovenOperatingState": Feature(K.SENSOR, "machineState", "cooking"),
    "robotCleanerMovement": Feature(K.SENSOR, "robotCleanerMovement", "movement"),
    "valve": Feature(K.VALVE, "valve", "valve"),
    "mediaPlayback": Feature(K.MEDIA, "playbackStatus", "player"),
    "audioMute": Feature(K.MEDIA, "mute", "speaker"),
    "alarm": Feature(K.SIREN, "alarm", "siren"),
    "fanSpeed": Feature(K.FAN, "fanSpeed", "fan"),
    "soundSensor": Feature(K.BINARY_SENSOR, "sound", "sound", "sound"),
    "accelerationSensor": Feature(K.BINARY_SENSOR, "acceleration", "vibration", "vibration"),
    "tamperAlert": Feature(K.BINARY_SENSOR, "tamper", "tamper", "tamper"),
    "videoStream": Feature(K.CAMERA, None, "camera"),
    "videoCapture": Feature(K.CAMERA, None, "camera"),
    "imageCapture": Feature(K.CAMERA, None, "camera"),
}

# Families: the first member a component has leads; the others fold into it. `folded` members
# never lead (a shade's `switchLevel` is its position, not a switch).
Family = tuple[tuple[str, ...], tuple[str, ...]]  # (may lead, only folded)
_LIGHT: Family = (("switch", "switchLevel"), ("colorControl", "colorTemperature"))
_FAMILIES: list[Family] = [
    (("switch",), ("switchLevel",)),
    (("garageDoorControl", "doorControl", "windowShade"), ("windowShadeLevel",)),
    (("thermostatMode", "thermostat", "airConditionerMode", "thermostatOperatingState",
      "thermostatHeatingSetpoint", "thermostatCoolingSetpoint", "thermostatFanMode"), ("airConditionerFanMode",)),
    (("mediaPlayback", "audioMute"), ("audioVolume", "mediaInputSource", "tvChannel")),
    (("videoStream", "videoCapture", "imageCapture"), ()),
]
# What each folded capability adds to its leader, attribute by attribute.
_FOLDED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "switchLevel": ("level",),
    "colorControl": ("hue", "saturation"),
    "colorTemperature": ("colorTemperature",),
    "windowShadeLevel": ("shadeLevel",),
    "thermostatMode": ("thermostatMode",),
    "thermostat": ("thermostatMode",),
    "airConditionerMode": ("airConditionerMode",),
    "thermostatOperatingState": ("thermostatOperatingState",),
    "thermostatHeatingSetpoint": ("heatingSetpoint",),
    "thermostatCoolingSetpoint": ("coolingSetpoint",),
    "thermostatFanMode": ("thermostatFanMode",),
    "airConditionerFanMode": ("fanMode",),
    "audioMute": ("mute",),
    "audioVolume": ("volume",),
    "mediaInputSource": ("inputSource",),
    "tvChannel": ("tvChannel",),
}
# A component is a light when it has colour, or says so: the legacy `light` marker capability,
# or the category the device's profile gives it.
_LIGHT_MARKERS = frozenset({"colorControl", "colorTemperature", "light"})
_LIGHT_CATEGORIES = frozenset({"light"})
# Samsung appliances report, per component, the capabilities (and on `main`, the components)
# their model lacks after all: (capability, attribute) of those lists.
_DISABLED_CAPABILITIES = ("custom.disabledCapabilities", "disabledCapabilities")
_DISABLED_COMPONENTS = ("custom.disabledComponents", "disabledComponents")


def is_light(component: Component) -> bool:
    """Whether the component is a light (colour, the `light` marker, or a Light category)."""
    ids = {capability.id for capability in component.capabilities}
    categories = {(category.name or "").lower() for category in component.categories}
    return bool(ids & _LIGHT_MARKERS) or bool(categories & _LIGHT_CATEGORIES)


@dataclass(frozen=True)
class Context:
    """What every capability of one device shares."""

    device: Device
    device_id: str  # weaklink's id of the device
    name: str  # the device's name
    knowledge: Knowledge
    integration_id: str | None = None


def map_capabilities(context: Context) -> list[Capability]:
    """The capabilities of a device, one per (component, capability) worth tracing."""
    available = not context.knowledge.offline()
    disabled_components = set(_listed(context, "main", *_DISABLED_COMPONENTS))
    found: list[Capability] = []
    for component in context.device.components:
        disabled = set(_listed(context, component.id, *_DISABLED_CAPABILITIES))
        for leader, folded in _plan(component):
            off = component.id in disabled_components or leader in disabled
            found.append(_capability(context, component, leader, folded, available=available, disabled=off))
    return found


def _plan(component: Component) -> list[tuple[str, list[str]]]:
    """Which capabilities of a component lead, and which fold into each (in the component's order)."""
    present = [capability.id for capability in component.capabilities]
    families = ([_LIGHT] if is_light(component) else []) + _FAMILIES
    taken: set[str] = set()
    plan: dict[str, list[str]] = {}
    for may_lead, only_folded in families:
        leader = next((c for c in may_lead if c in present and c not in taken), None)
        if leader is None:
            continue
        members = [c for c in (*may_lead, *only_folded) if c in present and c not in taken and c != leader]
        plan[leader] = members
        taken.update((leader, *members))
    for capability in present:
        if capability not in taken and capability in FEATURES:
            plan[capability] = []
            taken.add(capability)
    return sorted(plan.items(), key=lambda item: present.index(item[0]))


def _capability(context: Context, component: Component, leader: str, folded: list[str], *,
                available: bool, disabled: bool) -> Capability:
    light = is_light(component) and leader in _LIGHT[0]
    feature = FEATURES.get(leader) or Feature(K.LIGHT, "level", "light")
    kind = K.LIGHT if light else feature.kind
    label = "light" if light else feature.label
    attributes: dict[str, object] = {"component": component.id, "capability": leader}
    reading = _reading(context, component.id, leader, feature.attribute)
    if reading is not None:
        if reading.unit:
            attributes["unit"] = reading.unit
        if reading.at is not None:
            attributes["reported_at"] = reading.at.isoformat()
    for member in folded:
        for attribute in _FOLDED_ATTRIBUTES.get(member, ()):
            value = _scalar(context.knowledge.reading(component.id, member, attribute))
            if value is not None and not is_secret_key(attribute):
                attributes[attribute] = value
    if folded:
        attributes["folded"] = folded
    return Capability(
        id=capability_id(context.device.deviceId, component.id, leader),
        kind=kind,
        name=_name(context.name, component, label),
        device_id=context.device_id,
        integration_id=context.integration_id,
        platform=PLATFORM,
        device_class=None if light else feature.device_class,
        state=_state(reading),
        available=available,
        disabled=disabled,
        attributes=attributes,
    )


def _name(device: str, component: Component, label: str) -> str:
    """"Porch light", "Hallway motion temperature", "Fridge freezer temperature": the label is
    left out when the device's name already says it."""
    parts = [device] if component.id == "main" else [device, component.label or component.id]
    if label.lower() not in " ".join(parts).lower():
        parts.append(label)
    return " ".join(parts)


def _reading(context: Context, component: str, capability: str, attribute: str | None) -> Reading | None:
    return context.knowledge.reading(component, capability, attribute) if attribute else None


def _scalar(reading: Reading | None) -> str | int | float | bool | None:
    value = reading.value if reading is not None else None
    return value if isinstance(value, str | int | float | bool) else None


def _state(reading: Reading | None) -> str | None:
    """The reading as a state: text as it is, numbers as their text, true/false in lower case."""
    value = _scalar(reading)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _listed(context: Context, component: str, capability: str, attribute: str) -> list[str]:
    """A list a component reports about itself (its disabled capabilities or components)."""
    reading = context.knowledge.reading(component, capability, attribute)
    if reading is None or not isinstance(reading.value, list):
        return []
    return [item for item in reading.value if isinstance(item, str)]


def kinds() -> set[CapabilityKind]:
    """Every kind this module can give (what the manifest must declare)."""
    return {feature.kind for feature in FEATURES.values()} | {K.LIGHT}
