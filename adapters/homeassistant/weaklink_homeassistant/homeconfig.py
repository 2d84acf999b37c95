"""The home's core settings from `.storage/core.config`: its time zone and its name.

HA also keeps the home's latitude, longitude and elevation there; they are never read.
Settings given under `homeassistant:` in configuration.yaml take precedence over the
stored ones, as they do in HA itself.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from .registries import StoreFormat, read_store

# Versions 1.1–1.4 exist (core_config.py); 1.2 renamed unit_system to unit_system_v2.


class CoreConfig(BaseModel):
    """`data` of `.storage/core.config`, without the home's coordinates."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    time_zone: str | None = None
    location_name: str | None = None
    country: str | None = None
    language: str | None = None
    currency: str | None = None
    unit_system_v2: str | None = None
    unit_system: str | None = None


CORE_CONFIG = StoreFormat("core.config", frozenset({1}), CoreConfig.model_validate)


class HomeConfig(BaseModel):
    """What weaklink keeps of the home's core settings."""

    model_config = ConfigDict(frozen=True)

    time_zone: str | None = None
    location_name: str | None = None
    country: str | None = None
    unit_system: str | None = None

    def tz(self) -> tzinfo | None:
        """The home's time zone, or None when unknown or not a valid IANA name."""
        if not self.time_zone:
            return None
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return None


def load_home_config(root: Path, configuration: Any = None) -> HomeConfig:
    """Read the core settings, letting configuration.yaml's `homeassistant:` override them."""
    stored = read_store(root, CORE_CONFIG) or CoreConfig()
    values: dict[str, str | None] = {
        "time_zone": stored.time_zone,
        "location_name": stored.location_name,
        "country": stored.country,
        "unit_system": stored.unit_system_v2 or stored.unit_system,
    }
    core = configuration.get("homeassistant") if isinstance(configuration, dict) else None
    if isinstance(core, dict):
        for key, yaml_key in (("time_zone", "time_zone"), ("location_name", "name"), ("country", "country")):
            if isinstance(core.get(yaml_key), str):
                values[key] = core[yaml_key]
    return HomeConfig(**values)
