"""Read models of Home Assistant's `.storage` registries.

Every file under `.storage/` is written by HA's `helpers/storage.py` as one envelope:
`{"version": <major>, "minor_version": <minor>, "key": "<storage key>", "data": {...}}`
(`minor_version` is absent in files written before minor versions existed: it means 1).
HA bumps the minor version when it adds keys and the major version when the shape
changes incompatibly, so these models tolerate any key they do not know and refuse any
major version they were not written for.

Versions handled, checked against the migrations in home-assistant/core:

| file | majors | minors checked | notes |
|---|---|---|---|
| core.device_registry | 1, 2 | 1.1–1.12 | 1.1 may say `hub_device_id`; major 2 (which HA reads since 2025.2 but has not written yet) drops `config_entries` |
| core.entity_registry | 1 | 1.1–1.14 | `deleted_entities` since 1.11; later minors only add keys |
| core.area_registry | 1 | 1.1–1.6 | |
| core.config_entries | 1 | 1.1–1.5 | `data` and `options` hold credentials: dropped while parsing |
| person | 1, 2 | 2.1 | |
| core.restore_state | 1 | 1.1 | only entity ids and states are kept |
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from weaklink.errors import ExportError

STORAGE_DIR = ".storage"


class _Read(BaseModel):
    """A read model: unknown keys are tolerated and not kept."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _text(value: Any) -> Any:
    """HA writes some ids as numbers in old files; read scalars as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _pairs(value: Any) -> Any:
    """`connections`/`identifiers`: lists of [kind, value] (old files: longer tuples)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return value
    pairs = []
    for item in value:
        if isinstance(item, list) and len(item) >= 2:
            pairs.append([_text(part) for part in item])
        else:
            pairs.append(item)
    return pairs


Pair = list[str]


class DeviceEntry(_Read):
    """One device of `core.device_registry`."""

    id: str
    area_id: str | None = None
    config_entries: list[str] = Field(default_factory=list)
    config_entries_subentries: dict[str, list[str | None]] = Field(default_factory=dict)
    primary_config_entry: str | None = None
    connections: list[Pair] = Field(default_factory=list)
    identifiers: list[Pair] = Field(default_factory=list)
    disabled_by: str | None = None
    entry_type: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    model_id: str | None = None
    name: str | None = None
    name_by_user: str | None = None
    serial_number: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    via_device_id: str | None = None
    configuration_url: str | None = None
    labels: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        # 1.1 files may still say hub_device_id (renamed via_device_id before 1.2).
        if isinstance(data, dict) and "via_device_id" not in data and "hub_device_id" in data:
            data = {**data, "via_device_id": data["hub_device_id"]}
        return data

    @field_validator("connections", "identifiers", mode="before")
    @classmethod
    def _pair_list(cls, value: Any) -> Any:
        return _pairs(value)

    @field_validator(
        "sw_version", "hw_version", "serial_number", "model", "model_id", "name", "name_by_user", "manufacturer",
        mode="before",
    )
    @classmethod
    def _scalar_text(cls, value: Any) -> Any:
        return _text(value)

    @property
    def entry_ids(self) -> list[str]:
        """The config entries the device belongs to, primary first."""
        ids = list(dict.fromkeys([*self.config_entries, *self.config_entries_subentries]))
        if self.primary_config_entry in ids:
            ids.remove(self.primary_config_entry)
            ids.insert(0, self.primary_config_entry)
        return ids


class DeletedDeviceEntry(_Read):
    """A device HA remembers having removed."""

    id: str
    config_entries: list[str] = Field(default_factory=list)
    connections: list[Pair] = Field(default_factory=list)
    identifiers: list[Pair] = Field(default_factory=list)

    @field_validator("connections", "identifiers", mode="before")
    @classmethod
    def _pair_list(cls, value: Any) -> Any:
        return _pairs(value)


class DeviceRegistry(_Read):
    """`data` of `core.device_registry`."""

    devices: list[DeviceEntry] = Field(default_factory=list)
    deleted_devices: list[DeletedDeviceEntry] = Field(default_factory=list)


class EntityEntry(_Read):
    """One entity of `core.entity_registry`."""

    entity_id: str
    unique_id: str
    platform: str
    id: str | None = None
    config_entry_id: str | None = None
    device_id: str | None = None
    area_id: str | None = None
    disabled_by: str | None = None
    hidden_by: str | None = None
    device_class: str | None = None
    original_device_class: str | None = None
    name: str | None = None
    original_name: str | None = None
    has_entity_name: bool = False
    entity_category: str | None = None
    unit_of_measurement: str | None = None
    translation_key: str | None = None

    @field_validator("unique_id", mode="before")
    @classmethod
    def _unique_text(cls, value: Any) -> Any:
        # HA stored non-string unique ids for years (it only logs an error about them).
        return _text(value)

    @property
    def domain(self) -> str:
        """The entity's domain, e.g. `light`."""
        return self.entity_id.split(".", 1)[0]


class DeletedEntityEntry(_Read):
    """An entity HA remembers having removed (kept to restore its id if it returns)."""

    entity_id: str
    unique_id: str
    platform: str
    id: str | None = None
    config_entry_id: str | None = None

    @field_validator("unique_id", mode="before")
    @classmethod
    def _unique_text(cls, value: Any) -> Any:
        return _text(value)


class EntityRegistry(_Read):
    """`data` of `core.entity_registry`."""

    entities: list[EntityEntry] = Field(default_factory=list)
    deleted_entities: list[DeletedEntityEntry] = Field(default_factory=list)


class AreaEntry(_Read):
    """One area of `core.area_registry`."""

    id: str
    name: str
    floor_id: str | None = None


class AreaRegistry(_Read):
    """`data` of `core.area_registry`."""

    areas: list[AreaEntry] = Field(default_factory=list)


class ConfigEntry(_Read):
    """One config entry of `core.config_entries`, without its `data` and `options`."""

    entry_id: str
    domain: str
    title: str | None = None
    source: str | None = None
    disabled_by: str | None = None
    version: int | None = None
    minor_version: int | None = None
    pref_disable_polling: bool | None = None
    # Only in files written before 2021: the entry's IoT class ("cloud_poll", "local_push", …).
    connection_class: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_credentials(cls, data: Any) -> Any:
        # `data`, `options` and subentries' data hold passwords, tokens and keys: never read.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in ("data", "options", "subentries")}
        return data

    @field_validator("title", mode="before")
    @classmethod
    def _title_text(cls, value: Any) -> Any:
        return _text(value)


class ConfigEntries(_Read):
    """`data` of `core.config_entries`."""

    entries: list[ConfigEntry] = Field(default_factory=list)


class Person(_Read):
    """A person of `.storage/person` and the device trackers that place them."""

    id: str
    name: str
    user_id: str | None = None
    device_trackers: list[str] = Field(default_factory=list)

    @field_validator("device_trackers", mode="before")
    @classmethod
    def _trackers(cls, value: Any) -> Any:
        # A past HA bug stored null here; HA itself repairs it on load.
        return [] if value is None else value


class Persons(_Read):
    """`data` of `.storage/person`."""

    items: list[Person] = Field(default_factory=list)


class RestoredState(_Read):
    """The part of a `core.restore_state` item weaklink keeps: which entity, which state."""

    entity_id: str
    state: str


class RestoredItem(_Read):
    """One item of `core.restore_state` (attributes are not read: they may hold locations)."""

    state: RestoredState

    @model_validator(mode="before")
    @classmethod
    def _state_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("state"), dict):
            state = data["state"]
            return {"state": {"entity_id": state.get("entity_id"), "state": _text(state.get("state"))}}
        return data


M = TypeVar("M")


@dataclass(frozen=True)
class StoreFormat(Generic[M]):
    """How to read one `.storage` file: its key, the major versions we read, and `data`'s model."""

    key: str
    majors: frozenset[int]
    parse: Callable[[Any], M]


class _RestoreStates(_Read):
    items: list[RestoredItem] = Field(default_factory=list)


DEVICE_REGISTRY = StoreFormat("core.device_registry", frozenset({1, 2}), DeviceRegistry.model_validate)
ENTITY_REGISTRY = StoreFormat("core.entity_registry", frozenset({1}), EntityRegistry.model_validate)
AREA_REGISTRY = StoreFormat("core.area_registry", frozenset({1}), AreaRegistry.model_validate)
CONFIG_ENTRIES = StoreFormat("core.config_entries", frozenset({1}), ConfigEntries.model_validate)
PERSONS = StoreFormat("person", frozenset({1, 2}), Persons.model_validate)
RESTORE_STATE = StoreFormat("core.restore_state", frozenset({1}), lambda data: _RestoreStates(items=data))


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location if not (isinstance(part, str) and "[" in part))


def parse_store(text: str | bytes, fmt: StoreFormat[M], *, source: str | Path) -> M:
    """Parse the text of a `.storage` file; raise ExportError naming the file and the fault."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"malformed JSON: {exc.msg}", source=source, line=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise ExportError(f"not UTF-8 text ({exc.reason})", source=source) from exc
    if not isinstance(document, dict):
        raise ExportError("not a Home Assistant storage file (expected a JSON object)", source=source)
    key = document.get("key")
    if key is not None and key != fmt.key:
        raise ExportError(f"this is {key!r}, not {fmt.key!r}", source=source, field="key")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ExportError("no integer 'version': not a Home Assistant storage file", source=source, field="version")
    minor = document.get("minor_version", 1)
    if version not in fmt.majors:
        known = ", ".join(str(v) for v in sorted(fmt.majors))
        raise ExportError(
            f"{fmt.key} format version {version}.{minor} is not supported (this release reads major version {known})",
            source=source,
            field="version",
        )
    if "data" not in document:
        raise ExportError("no 'data' in storage file", source=source, field="data")
    data = document["data"]
    try:
        model = fmt.parse(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = _field_path(("data", *error["loc"]))
        if error["type"] == "missing":
            message = f"missing required key {error['loc'][-1]!r}"
        else:
            message = f"{error['msg']} (got {type(error.get('input')).__name__})"
        raise ExportError(message, source=source, field=path) from exc
    return model


def read_store(root: Path, fmt: StoreFormat[M]) -> M | None:
    """Read `<root>/.storage/<key>`, or None when HA never wrote that file."""
    path = root / STORAGE_DIR / fmt.key
    if not path.is_file():
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read: {exc.strerror}", source=path) from exc
    return parse_store(raw, fmt, source=path)


class Registries(BaseModel):
    """Everything read from `.storage` that describes the home's devices and entities."""

    model_config = ConfigDict(frozen=True)

    devices: DeviceRegistry = Field(default_factory=DeviceRegistry)
    entities: EntityRegistry = Field(default_factory=EntityRegistry)
    areas: AreaRegistry = Field(default_factory=AreaRegistry)
    config_entries: ConfigEntries = Field(default_factory=ConfigEntries)
    persons: Persons = Field(default_factory=Persons)
    restored_states: dict[str, str] = Field(default_factory=dict)

    def entity_by_unique_id(self, platform: str, unique_id: str) -> EntityEntry | None:
        """The registry entry HA created for `unique_id` of `platform`, if any."""
        for entity in self.entities.entities:
            if entity.platform == platform and entity.unique_id == unique_id:
                return entity
        return None

    def entity_ids_by_registry_id(self) -> dict[str, str]:
        """Registry uuid → entity id (device triggers and actions refer to entities by uuid)."""
        return {entity.id: entity.entity_id for entity in self.entities.entities if entity.id}


def load_registries(root: Path, warn: Callable[[str, Path], None] | None = None) -> Registries:
    """Read every registry present under `<root>/.storage`; absent files are empty.

    `core.restore_state` is auxiliary: when it cannot be read, `warn` is told and it is
    skipped rather than failing the whole import.
    """
    restored: dict[str, str] = {}
    try:
        states = read_store(root, RESTORE_STATE)
    except ExportError as exc:
        if warn is None:
            raise
        warn(f"last states not read: {exc.message}", root / STORAGE_DIR / RESTORE_STATE.key)
        states = None
    if states is not None:
        restored = {item.state.entity_id: item.state.state for item in states.items}
    return Registries(
        devices=read_store(root, DEVICE_REGISTRY) or DeviceRegistry(),
        entities=read_store(root, ENTITY_REGISTRY) or EntityRegistry(),
        areas=read_store(root, AREA_REGISTRY) or AreaRegistry(),
        config_entries=read_store(root, CONFIG_ENTRIES) or ConfigEntries(),
        persons=read_store(root, PERSONS) or Persons(),
        restored_states=restored,
    )
