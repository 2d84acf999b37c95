"""CLIP v2 resources, read shapes only: the fields weaklink uses, every other field ignored.

Resources point at each other with `{rid, rtype}` (a light's `owner` is its device; a
device's `services` are its light, its zigbee_connectivity, …). Every field but `id` and
`type` is optional because the event stream sends partial resources (an `update` carries
only what changed). One resource that cannot be read is skipped and reported, as aiohue
does, rather than failing the whole bridge.
"""

from __future__ import annotations

from collections.abc import Iterable
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

CONNECTIVITY_STATES = frozenset({"connected", "disconnected", "connectivity_issue", "unidirectional_incoming"})


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Ref(_Read):
    """A typed reference to another resource."""

    rid: str
    rtype: str


class Metadata(_Read):
    """A resource's name and archetype, as the user set them in the Hue app."""

    name: str | None = None
    archetype: str | None = None


class ProductData(_Read):
    """What a device is."""

    model_id: str | None = None
    manufacturer_name: str | None = None
    product_name: str | None = None
    software_version: str | None = None


class OnState(_Read):
    """`{"on": true}`."""

    on: bool


class Dimming(_Read):
    """Brightness in percent."""

    brightness: float


class MotionReport(_Read):
    """The newest motion report (newer firmware), beside the older flat `motion` flag."""

    motion: bool
    changed: str | None = None


class Motion(_Read):
    """A motion sensor's reading."""

    motion: bool | None = None
    motion_valid: bool | None = None
    motion_report: MotionReport | None = None


class ContactReport(_Read):
    """A contact sensor's reading: `contact` (closed) or `no_contact` (open)."""

    state: str
    changed: str | None = None


class ButtonReport(_Read):
    """A button's last press."""

    event: str
    updated: str | None = None


class Button(_Read):
    """A button's state."""

    button_report: ButtonReport | None = None
    last_event: str | None = None


class Reading(_Read):
    """A measured value: `{"temperature": 21.5, "temperature_valid": true, …}` or the light level's."""

    model_config = ConfigDict(extra="allow", frozen=True)

    def value(self, name: str) -> object:
        """The reading named `name` (from its newest report when there is one)."""
        extra = self.model_extra or {}
        report = extra.get(f"{name}_report")
        if isinstance(report, dict) and name in report:
            return report[name]
        return extra.get(name)


class TimeZone(_Read):
    """The bridge's IANA time zone."""

    time_zone: str | None = None


class Resource(_Read):
    """Any CLIP v2 resource: what every type has. Types weaklink reads have their own class."""

    id: str
    type: str
    id_v1: str | None = None
    owner: Ref | None = None

    @property
    def path(self) -> str:
        """Its CLIP path below `/clip/v2/resource/`: `light/<rid>`."""
        return f"{self.type}/{self.id}"


class Device(Resource):
    """A physical device (or the bridge itself), with the services it offers."""

    metadata: Metadata | None = None
    product_data: ProductData | None = None
    services: list[Ref] = []


class Room(Resource):
    """A room (or zone), with the devices in it."""

    metadata: Metadata | None = None
    children: list[Ref] = []


class Bridge(Resource):
    """The bridge's own resource."""

    bridge_id: str | None = None
    time_zone: TimeZone | None = None


class Light(Resource):
    """A light service."""

    metadata: Metadata | None = None
    on: OnState | None = None
    dimming: Dimming | None = None


class MotionSensor(Resource):
    """A motion service."""

    enabled: bool | None = None
    motion: Motion | None = None


class Contact(Resource):
    """A contact (door/window) service."""

    enabled: bool | None = None
    contact_report: ContactReport | None = None


class ButtonService(Resource):
    """One button of a switch or remote."""

    button: Button | None = None


class Temperature(Resource):
    """A temperature service."""

    temperature: Reading | None = None


class LightLevel(Resource):
    """A light-level service."""

    light: Reading | None = None


class ZigbeeConnectivity(Resource):
    """A device's Zigbee link as the bridge sees it."""

    status: str | None = None
    mac_address: str | None = None

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        # a status this release does not know is kept as "unknown", never guessed at
        return value if value is None or value in CONNECTIVITY_STATES else "unknown"


MODELS: dict[str, type[Resource]] = {
    "device": Device, "room": Room, "zone": Room, "bridge": Bridge, "light": Light, "motion": MotionSensor,
    "contact": Contact, "button": ButtonService, "temperature": Temperature, "light_level": LightLevel,
    "zigbee_connectivity": ZigbeeConnectivity,
}


class Unreadable(BaseModel):
    """A resource that could not be read, kept so that a probe can report it."""

    type: str
    id: str
    reason: str
    owner: str | None = None  # the rid of the device it belongs to, when that much could be read


def parse_resources(items: Iterable[object]) -> tuple[list[Resource], list[Unreadable]]:
    """The resources of a `data` list, and the ones that could not be read."""
    good: list[Resource] = []
    bad: list[Unreadable] = []
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        try:
            good.append(MODELS.get(kind if isinstance(kind, str) else "", Resource).model_validate(item))
        except ValidationError as error:
            described = item if isinstance(item, dict) else {}
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "resource"
            owner = described.get("owner")
            bad.append(Unreadable(type=str(described.get("type", "?")), id=str(described.get("id", "?")),
                                  reason=f"{where}: {first['msg']}",
                                  owner=str(owner.get("rid")) if isinstance(owner, dict) else None))
    return good, bad
