"""The read shapes of what Zigbee2MQTT publishes (pydantic, at the boundary).

Only the fields weaklink uses are declared; everything else (endpoints, bindings, options, the
user's own `description`, fields later releases add) is ignored. Values that are merely unknown
(a new device type, a new interview state) are kept as text; only a structure that is not
Zigbee2MQTT's (an IEEE address that is no address, a list where an object belongs) is an error.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .naming import native_ieee

_READ = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)


class Expose(BaseModel):
    """One exposed feature of a definition (`binary`, `numeric`, `enum`, …) or a composite
    (`light`, `switch`, `lock`, `cover`, `climate`, `fan`) holding `features`."""

    model_config = _READ

    type: str
    name: str | None = None
    label: str | None = None
    property_: str | None = Field(default=None, alias="property")
    endpoint: str | None = None
    access: int | None = None
    category: str | None = None
    unit: str | None = None
    features: list[Expose] = Field(default_factory=list)

    def can_set(self) -> bool:
        """Whether it takes a `/set` command (bit 2 of `access`): a setting, not a reading."""
        return bool((self.access or 0) & 0b010)


class Definition(BaseModel):
    """What zigbee-herdsman-converters knows of the model; absent (or null) when it knows nothing."""

    model_config = _READ

    model: str | None = None
    vendor: str | None = None
    description: str | None = None
    exposes: list[Expose] = Field(default_factory=list)
    source: str | None = None  # 2.x: native, generated (Zigbee2MQTT guessed it), external

    @field_validator("exposes", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class DeviceEntry(BaseModel):
    """One device of the `bridge/devices` payload (Zigbee2MQTT 1.x and 2.x)."""

    model_config = _READ

    ieee_address: str
    type: str = "Unknown"  # Coordinator, Router, EndDevice, GreenPower, Unknown
    friendly_name: str | None = None
    network_address: int | None = None
    supported: bool | None = None
    disabled: bool = False
    interview_completed: bool | None = None
    interviewing: bool | None = None
    interview_state: str | None = None  # 2.x: PENDING, IN_PROGRESS, SUCCESSFUL, FAILED
    power_source: str | None = None
    model_id: str | None = None
    manufacturer: str | None = None
    software_build_id: str | None = None
    definition: Definition | None = None

    @field_validator("ieee_address")
    @classmethod
    def _native_ieee(cls, value: str) -> str:
        return native_ieee(value)

    @field_validator("software_build_id", "model_id", "manufacturer", mode="before")
    @classmethod
    def _readable(cls, value: Any) -> Any:
        # Some firmware pads its Basic cluster strings with NUL bytes (a Feibit CO sensor's build
        # id is nine of them): what is left once they and spaces are stripped, or nothing.
        if isinstance(value, str):
            return value.replace("\x00", "").strip() or None
        return value

    @field_validator("disabled", mode="before")
    @classmethod
    def _null_is_enabled(cls, value: Any) -> Any:
        return False if value is None else value

    @property
    def name(self) -> str:
        """The friendly name, or the address when it has none."""
        return self.friendly_name or self.ieee_address

    def interview(self) -> str:
        """`successful`, `in_progress`, `pending` or `failed` (or a newer state, lower-cased).

        1.x has no `interview_state`: an interview neither completed nor running is one that
        failed, as Zigbee2MQTT's frontend shows it."""
        if self.interview_state:
            return self.interview_state.strip().lower()
        if self.interviewing:
            return "in_progress"
        if self.interview_completed is False:
            return "failed"
        return "successful"

    def is_supported(self) -> bool:
        """Whether Zigbee2MQTT has a real definition for it (not none, not one it generated)."""
        if self.supported is not None:
            return self.supported
        return self.definition is not None and self.definition.source != "generated"


class LinkEnd(BaseModel):
    """One end of a network map link."""

    model_config = _READ

    ieeeAddr: str
    networkAddress: int | None = None

    @field_validator("ieeeAddr")
    @classmethod
    def _native_ieee(cls, value: str) -> str:
        return native_ieee(value)


class MapLink(BaseModel):
    """One neighbour-table row: `target` (the device scanned) hears `source` (its neighbour)."""

    model_config = _READ

    source: LinkEnd
    target: LinkEnd
    lqi: int | None = None
    linkquality: int | None = None  # the older name of `lqi` (deprecated in 2.x, both are sent)
    depth: int | None = None
    relationship: int | str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat_ends(cls, value: Any) -> Any:
        # maps of about 2020 wrote the ends flat only (sourceIeeeAddr, targetIeeeAddr)
        if isinstance(value, dict) and "source" not in value and "sourceIeeeAddr" in value:
            value = {**value, "source": {"ieeeAddr": value["sourceIeeeAddr"], "networkAddress": value.get("sourceNwkAddr")}}
        if isinstance(value, dict) and "target" not in value and "targetIeeeAddr" in value:
            value = {**value, "target": {"ieeeAddr": value["targetIeeeAddr"]}}
        return value

    @property
    def quality(self) -> int | None:
        """The link quality indicator (0-255), whichever name it came under."""
        return self.lqi if self.lqi is not None else self.linkquality


class NodeDefinition(BaseModel):
    """The part of a definition a network map node carries."""

    model_config = _READ

    model: str | None = None
    vendor: str | None = None


class MapNode(BaseModel):
    """One device of the network map."""

    model_config = _READ

    ieeeAddr: str
    friendlyName: str | None = None
    type: str = "Unknown"
    networkAddress: int | None = None
    manufacturerName: str | None = None
    modelID: str | None = None
    failed: list[str] = Field(default_factory=list)  # which scan requests it did not answer
    definition: NodeDefinition | None = None

    @field_validator("ieeeAddr")
    @classmethod
    def _native_ieee(cls, value: str) -> str:
        return native_ieee(value)

    @field_validator("failed", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class NetworkMap(BaseModel):
    """The raw network map: devices and the links their neighbour tables report."""

    model_config = _READ

    nodes: list[MapNode]
    links: list[MapLink] = Field(default_factory=list)
