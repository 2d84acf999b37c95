"""Integrations, areas, and the home fragment an adapter returns."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from .automation import Automation
from .device import Capability, Device, Role
from .evidence import AutomationRun, LogEntry


class IntegrationHealth(StrEnum):
    """How well a platform's link to a vendor is working, as far as the source knows."""

    OK = "ok"
    DISABLED = "disabled"
    FAILED = "failed"  # set-up error, auth expired, migration error
    RETRYING = "retrying"  # not ready yet, will retry
    NOT_LOADED = "not_loaded"
    UNKNOWN = "unknown"


class Integration(BaseModel):
    """A platform's link to a vendor (a Home Assistant config entry, say).

    `platform` is the hub software that hosts it (`homeassistant`); `domain` is the vendor
    side as the platform names it (`hue`, `shelly`, `simplisafe`). `data` and `options` are
    never kept: they hold credentials.
    """

    id: str
    platform: str
    domain: str
    title: str | None = None
    health: IntegrationHealth = IntegrationHealth.UNKNOWN
    disabled_by: str | None = None
    detail: str | None = None


class Area(BaseModel):
    """A room or zone of the home."""

    id: str
    name: str


class DeletedCapability(BaseModel):
    """An entity the platform remembers having deleted (HA's `deleted_entities`)."""

    id: str
    unique_id: str | None = None
    platform: str | None = None
    integration_id: str | None = None


class RadioLink(BaseModel):
    """One link of a low-power radio mesh, as the coordinator mapped it (Zigbee2MQTT's network
    map, say): `source` hears `target` with `link_quality` (LQI, 0–255: below about 50 a route
    drops messages). Both are device ids of the same fragment."""

    source: str
    target: str
    link_quality: int | None = Field(default=None, ge=0, le=255)
    relationship: str | None = None  # parent, child, sibling, as the coordinator reports it
    depth: int | None = None  # hops from the coordinator


class HomeFragment(BaseModel):
    """Everything one source knows about the home: what an adapter returns.

    Ids of devices are unique within the fragment; capabilities, automations and
    integrations use the source's own ids. `source` names where it was read from.
    """

    source: str
    platform: str
    time_zone: str | None = None  # IANA name, for reading local times the user types
    location_name: str | None = None
    devices: list[Device] = Field(default_factory=list)
    capabilities: list[Capability] = Field(default_factory=list)
    deleted_capabilities: list[DeletedCapability] = Field(default_factory=list)
    integrations: list[Integration] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list)
    automations: list[Automation] = Field(default_factory=list)
    runs: list[AutomationRun] = Field(default_factory=list)
    log: list[LogEntry] = Field(default_factory=list)
    radio_links: list[RadioLink] = Field(default_factory=list)

    @property
    def hubs(self) -> list[Device]:
        """The devices other devices hang off."""
        return [device for device in self.devices if device.role is Role.HUB]
