"""What the simulated TP-Link plugs and strips share, whichever protocol they speak (Kasa's legacy
protocol in `kasa`, Tapo's SMART over KLAP in `tapo`): their spec's identity, outlets and load,
and how values are derived from a host's name."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class OutletCount(Protocol):
    """A model's table entry: all the shared spec needs of it."""

    @property
    def outlets(self) -> int:
        """0: a plug with one relay."""


def digest(brand: str, name: str, purpose: str) -> str:
    """A stable upper-case hex value derived from a host's `name` (or model) for one `purpose`."""
    return hashlib.sha256(f"weaklink-sim:{brand}:{purpose}:{name}".encode()).hexdigest().upper()


class TpLinkSpec(BaseModel):
    """A TP-Link plug or strip in the simulated home's YAML. Ids, MAC and outlet names default to
    values derived from `name`. A subclass names its brand, MAC range and models, and adds its
    `kind`, `model` (with its default) and protocol fields."""

    model_config = ConfigDict(extra="forbid")

    BRAND: ClassVar[str]
    MAC_PREFIX: ClassVar[tuple[str, str, str]]  # a TP-Link range
    MODELS: ClassVar[Mapping[str, OutletCount]]

    name: str
    address: str
    model: str
    device_id: str = Field(default="", pattern=r"^([0-9A-F]{40})?$", description="40 hex digits (derived).")
    mac: str = Field(default="", pattern=r"^(([0-9A-F]{2}:){5}[0-9A-F]{2})?$", description="Derived when empty.")
    on: bool = Field(default=False, description="The relay (every outlet of a strip) at start.")
    outlets: list[str] = Field(default_factory=list, description="A strip's outlet names (default: Outlet 1…).")
    load_watts: float = Field(default=60.0, ge=0, description="What the load on each relay draws while on.")
    rssi: int = Field(default=-52, le=0)

    @model_validator(mode="before")
    @classmethod
    def _upper(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {**data, **{key: data[key].upper() for key in ("device_id", "mac") if isinstance(data.get(key), str)}}
        return data

    @field_validator("model")
    @classmethod
    def _known_model(cls, model: str) -> str:
        if model not in cls.MODELS:
            raise ValueError(f"model {model!r} is not simulated (models: {', '.join(cls.MODELS)})")
        return model

    @model_validator(mode="after")
    def _derive_identity(self) -> TpLinkSpec:
        known = self.MODELS[self.model]
        self.device_id = self.device_id or self.digest(self.name, "device")[:40]
        if not self.mac:
            tail = self.digest(self.name, "mac")[:6]
            self.mac = ":".join([*self.MAC_PREFIX, tail[0:2], tail[2:4], tail[4:6]])
        if known.outlets == 0 and self.outlets:
            raise ValueError(f"a {self.model} is a plug: it has no outlets to name")
        if known.outlets and len(self.outlets) not in (0, known.outlets):
            raise ValueError(f"a {self.model} has {known.outlets} outlets, not {len(self.outlets)}")
        self.outlets = self.outlets or [f"Outlet {i}" for i in range(1, known.outlets + 1)]
        return self

    @classmethod
    def digest(cls, name: str, purpose: str) -> str:
        """A value derived from `name` for `purpose`, this brand's own."""
        return digest(cls.BRAND, name, purpose)
