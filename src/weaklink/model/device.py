"""Devices, hubs and the capabilities they expose, normalized across brands."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Transport(StrEnum):
    """How a device reaches whatever controls it."""

    WIFI = "wifi"
    ETHERNET = "ethernet"
    ZIGBEE = "zigbee"
    ZWAVE = "zwave"
    THREAD = "thread"
    BLE = "ble"
    RF = "rf"
    CLOUD = "cloud"
    VIRTUAL = "virtual"
    UNKNOWN = "unknown"

    @property
    def is_radio(self) -> bool:
        """True for low-power radios that hang off a hub or coordinator."""
        return self in {Transport.ZIGBEE, Transport.ZWAVE, Transport.THREAD, Transport.BLE, Transport.RF}

    @property
    def is_ip(self) -> bool:
        """True for devices that are hosts on the home network themselves."""
        return self in {Transport.WIFI, Transport.ETHERNET}


class Role(StrEnum):
    """What part a device plays in the home."""

    DEVICE = "device"
    HUB = "hub"  # a bridge, gateway or radio coordinator other devices hang off
    PHONE = "phone"
    SERVICE = "service"  # a cloud service or software-only "device" (e.g. sun, a weather service)


class IdentifierKind(StrEnum):
    """Kinds of stable identifier that let two sources agree on one physical device."""

    MAC = "mac"
    ZIGBEE = "zigbee"  # IEEE 64-bit address
    ZWAVE = "zwave"  # home id + node id
    SERIAL = "serial"
    UPNP = "upnp"
    BLUETOOTH = "bluetooth"
    VENDOR = "vendor"  # a brand-specific id, written "<namespace>:<id>"


_HEX = re.compile(r"[^0-9a-f]")


def normalize_identifier(kind: IdentifierKind, value: str) -> str:
    """Return the canonical spelling of an identifier, so equal ids compare equal.

    MACs and IEEE addresses are written by brands with colons, dashes, dots or nothing, in
    either case, and Hue often appends a `-0b` endpoint suffix to an IEEE address.
    """
    value = value.strip()
    if kind in (IdentifierKind.MAC, IdentifierKind.BLUETOOTH):
        digits = _HEX.sub("", value.lower())
        if len(digits) == 12:
            return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
        return value.lower()
    if kind is IdentifierKind.ZIGBEE:
        digits = _HEX.sub("", value.lower().removeprefix("0x"))
        if len(digits) == 18:  # Hue appends the endpoint: 00:17:88:01:…:00-0b
            digits = digits[:16]
        if len(digits) == 16:
            return ":".join(digits[i : i + 2] for i in range(0, 16, 2))
        return value.lower()
    if kind is IdentifierKind.SERIAL:
        return value.upper()
    return value


class Identifier(BaseModel):
    """A stable identifier of a physical device (MAC, Zigbee IEEE, serial, …)."""

    model_config = ConfigDict(frozen=True)

    kind: IdentifierKind
    value: str

    @field_validator("value")
    @classmethod
    def _normalize(cls, value: str, info) -> str:  # type: ignore[no-untyped-def]
        kind = info.data.get("kind")
        return normalize_identifier(kind, value) if kind else value

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CapabilityKind(StrEnum):
    """Normalized kinds the tracer reasons about without knowing the brand."""

    LIGHT = "light"
    SWITCH = "switch"
    LOCK = "lock"
    COVER = "cover"  # garage doors, blinds, gates
    ALARM = "alarm"
    VALVE = "valve"
    CLIMATE = "climate"
    FAN = "fan"
    SIREN = "siren"
    CAMERA = "camera"
    MEDIA = "media"
    PRESENCE = "presence"  # a person or phone being home or away
    MOTION = "motion"
    CONTACT = "contact"
    MOISTURE = "moisture"
    SMOKE = "smoke"
    BUTTON = "button"  # a momentary press: doorbells, remotes, virtual buttons
    EVENT = "event"
    SENSOR = "sensor"  # any other measured value
    BINARY_SENSOR = "binary_sensor"  # any other on/off reading
    NOTIFY = "notify"
    AUTOMATION = "automation"
    SCRIPT = "script"
    SCENE = "scene"
    HELPER = "helper"  # input_boolean, timer and the like
    OTHER = "other"


class Capability(BaseModel):
    """One thing a device can report or do, named in its source's own terms.

    For Home Assistant this is an entity: `id` is its entity id (`light.driveway`).
    `available` is False when the source reported it unavailable at snapshot time.
    """

    id: str
    kind: CapabilityKind
    name: str | None = None
    device_id: str | None = None
    integration_id: str | None = None
    platform: str | None = None  # the integration domain that provides it, e.g. "hue"
    device_class: str | None = None
    unique_id: str | None = None
    state: str | None = None
    available: bool = True
    disabled: bool = False
    attributes: dict[str, object] = Field(default_factory=dict)


class Device(BaseModel):
    """A physical device (or hub, phone, service) as one source knows it.

    `id` is unique within its source; `identifiers` are what the home graph matches on when
    another source knows the same device. `hub_id` is the device this one reaches the home
    through (a Zigbee light's bridge); `host` is its address when it is a network host.
    """

    id: str
    name: str
    brand: str | None = None
    model: str | None = None
    area: str | None = None
    role: Role = Role.DEVICE
    transport: Transport = Transport.UNKNOWN
    identifiers: list[Identifier] = Field(default_factory=list)
    hub_id: str | None = None
    host: str | None = None
    integration_ids: list[str] = Field(default_factory=list)
    sw_version: str | None = None
    disabled: bool = False
