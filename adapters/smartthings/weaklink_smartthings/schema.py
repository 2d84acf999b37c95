"""The SmartThings REST API's documents, as read at the boundary (pydantic).

Only what weaklink maps is modelled: every other field is ignored, which is also how secrets
stay out (a BLE tag's `encryptionKey`, a hub's Z-Wave DSK and TLS certificate, the owner's
id are never read). What identifies a document (`deviceId`, component and capability ids,
the nesting of a status) must have its type; any other field of an unexpected type is read
as absent rather than failing the file, because SmartThings adds and changes fields freely.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel


def _text(value: Any) -> str | None:
    """A string field, tolerant: numbers are read as their text, anything else as absent."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _when(value: Any) -> datetime | None:
    """An ISO 8601 time, or absent when it is not one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _objects(value: Any) -> list[Any]:
    """A list of objects, tolerant: a missing or null list is empty."""
    return [] if value is None else value


Text = Annotated[str | None, BeforeValidator(_text)]
When = Annotated[datetime | None, BeforeValidator(_when)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _details(value: Any) -> Any:
    """A per-type detail block (`zigbee`, `viper`, …): an object, or absent."""
    return value if isinstance(value, dict) else None


# ----------------------------------------------------------------- status


class AttributeState(_Document):
    """One attribute's last reported value (`{"value": …, "unit": …, "timestamp": …}`)."""

    value: Any = None
    unit: Text = None
    timestamp: When = None


CapabilityStatus = dict[str, AttributeState]  # attribute name → its state
ComponentStatus = dict[str, CapabilityStatus]  # capability id → its attributes


class HealthState(_Document):
    """A device's connectivity as SmartThings last saw it."""

    state: Text = None  # ONLINE, OFFLINE, UNKNOWN (others tolerated)
    lastUpdatedDate: When = None


class DeviceHealth(HealthState):
    """`GET /v1/devices/{id}/health`."""

    deviceId: str


class DeviceStatus(_Document):
    """`GET /v1/devices/{id}/status`: every attribute of every capability of every component.

    The API's answer names no device; `deviceId` is read when whoever saved it added one.
    """

    components: dict[str, ComponentStatus]
    healthState: Annotated[HealthState | None, BeforeValidator(_details)] = None
    deviceId: Text = None


# ----------------------------------------------------------------- devices


class CapabilityReference(_Document):
    """A capability of a component; `status` is filled by `?includeStatus=true`."""

    id: str
    status: Annotated[CapabilityStatus | None, BeforeValidator(_details)] = None


class Category(_Document):
    """A component's category (`Light`, `Switch`, `Hub`, …)."""

    name: Text = None


class Component(_Document):
    """A functional part of a device (`main`, a fridge's `freezer`, …)."""

    id: str
    label: Text = None
    capabilities: Annotated[list[CapabilityReference], BeforeValidator(_objects)] = Field(default_factory=list)
    categories: Annotated[list[Category], BeforeValidator(_objects)] = Field(default_factory=list)


class RadioDetails(_Document):
    """The `zigbee`, `zwave`, `lan`, `matter`, `dth` and `virtual` blocks: the hub a device hangs off."""

    eui: Text = None  # zigbee: the IEEE address
    networkId: Text = None  # zigbee: short address; zwave: node id (hex); lan: often the MAC
    hubId: Text = None
    uniqueId: Text = None  # matter: the vendor's unique id
    deviceNetworkType: Text = None  # dth: ZWAVE, ZIGBEE, LAN, …


class ViperDetails(_Document):
    """The `viper` block of a cloud-connected device."""

    uniqueIdentifier: Text = None
    manufacturerName: Text = None
    modelName: Text = None
    swVersion: Text = None
    hwVersion: Text = None
    endpointAppId: Text = None  # the cloud-to-cloud connector


class OcfDetails(_Document):
    """The `ocf` block of a directly connected device (Samsung appliances and TVs)."""

    ocfDeviceType: Text = None
    manufacturerName: Text = None
    modelNumber: Text = None
    firmwareVersion: Text = None
    vendorId: Text = None


class HubData(_Document):
    """The few facts of a hub's `hubData` weaklink uses (never its DSK or certificate)."""

    hardwareType: Text = None
    macAddress: Text = None
    localIP: Text = None
    zigbeeEui: Text = None
    zwaveHomeID: Text = None


class HubDetails(_Document):
    """The `hub` block of a hub device."""

    hubEui: Text = None
    firmwareVersion: Text = None
    hubData: Annotated[HubData | None, BeforeValidator(_details)] = None


class IrDetails(_Document):
    """The `ir` / `irOcf` block: an infrared remote's parent device."""

    parentDeviceId: Text = None


Radio = Annotated[RadioDetails | None, BeforeValidator(_details)]


class Device(_Document):
    """`GET /v1/devices/{id}`, or one item of `GET /v1/devices`."""

    deviceId: str
    name: Text = None
    label: Text = None
    manufacturerName: Text = None
    deviceManufacturerCode: Text = None
    deviceTypeName: Text = None
    deviceNetworkType: Text = None
    type: Text = None
    parentDeviceId: Text = None
    components: Annotated[list[Component], BeforeValidator(_objects)] = Field(default_factory=list)
    zigbee: Radio = None
    zwave: Radio = None
    lan: Radio = None
    matter: Radio = None
    dth: Radio = None
    virtual: Radio = None
    viper: Annotated[ViperDetails | None, BeforeValidator(_details)] = None
    ocf: Annotated[OcfDetails | None, BeforeValidator(_details)] = None
    hub: Annotated[HubDetails | None, BeforeValidator(_details)] = None
    ir: Annotated[IrDetails | None, BeforeValidator(_details)] = None
    irOcf: Annotated[IrDetails | None, BeforeValidator(_details)] = None
    healthState: Annotated[HealthState | None, BeforeValidator(_details)] = None  # ?includeHealth=true

    @property
    def integration_type(self) -> str:
        """The integration type, upper case (`ZIGBEE`, `VIPER`, …), or "" when not given."""
        return (self.type or "").upper()

    def capability_ids(self) -> set[str]:
        """Every capability id of every component."""
        return {capability.id for component in self.components for capability in component.capabilities}


class DeviceList(_Document):
    """`GET /v1/devices`: `{"items": [...], "_links": {...}}`."""

    items: list[Device]


class DeviceArray(RootModel[list[Device]]):
    """The device list as the SmartThings CLI writes it (`smartthings devices --json`): the
    items of every page, as one JSON array."""
