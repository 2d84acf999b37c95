"""What a live Home Assistant answers over its WebSocket API, in the weaklink home model.

The registries the API lists are the entries HA keeps in `.storage`, so they are read with
the same models (`registries.py`) and mapped by the same code (`devices.py`) as offline.
Three differences are bridged here:

- `config/area_registry/list` calls an area's id `area_id` (`.storage` says `id`);
- `config/entity_registry/list` leaves out `original_device_class` and the unit, which the
  entity's state attributes carry;
- `config_entries/get` gives each entry's `state` (`loaded`, `setup_retry`, …) and `reason`,
  which `.storage` never holds: a live integration has a health.

Every capability gets the state its entity has now (ids are entity ids, as offline); an entity
without a registry entry (a YAML one without `unique_id`) becomes a capability from its state
alone. Automations are normalized from their configuration exactly as YAML ones are, and
their runs come from `trace/get`. An entry HA lists that does not parse is skipped and said
so in the fragment's log, rather than failing the whole snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from weaklink.errors import ExportError
from weaklink.model import (
    Automation,
    AutomationRun,
    Capability,
    EventRecord,
    HomeFragment,
    Integration,
    IntegrationHealth,
    LogEntry,
    StateChange,
)
from weaklink.redact import redact, redact_text

from .automations import automation_from_config
from .devices import PLATFORM, capability_kind, map_areas, map_capabilities, map_devices, map_integrations
from .registries import (
    AreaEntry,
    AreaRegistry,
    ConfigEntries,
    ConfigEntry,
    DeviceEntry,
    DeviceRegistry,
    EntityEntry,
    EntityRegistry,
    Registries,
)
from .traces import automation_ids, run_from_trace
from .yamlconfig import WARNING_LOGGER

Json = dict[str, Any]
M = TypeVar("M", bound=BaseModel)

UNAVAILABLE = "unavailable"
# Attributes that can carry a credential in a URL (a camera's `entity_picture` holds its access token).
_DROPPED_ATTRIBUTES = frozenset({"entity_picture", "access_token"})
_ENTRY_HEALTH = {
    "loaded": IntegrationHealth.OK,
    "setup_error": IntegrationHealth.FAILED,
    "migration_error": IntegrationHealth.FAILED,
    "failed_unload": IntegrationHealth.FAILED,
    "setup_retry": IntegrationHealth.RETRYING,
    "not_loaded": IntegrationHealth.NOT_LOADED,
}


@dataclass
class ApiView:
    """What a snapshot asked the instance, as it answered (lists HA refused are empty)."""

    states: list[Json]
    config: Json = field(default_factory=dict)
    devices: list[Json] = field(default_factory=list)
    entities: list[Json] = field(default_factory=list)
    areas: list[Json] = field(default_factory=list)
    entries: list[Json] = field(default_factory=list)
    automation_configs: dict[str, Json] = field(default_factory=dict)  # entity id → configuration
    traces: list[Json] = field(default_factory=list)  # `trace/get` answers
    warnings: list[str] = field(default_factory=list)


def safe_attributes(attributes: Any) -> dict[str, object]:
    """A state's attributes without anything secret (tokens in URLs, precise locations, codes)."""
    if not isinstance(attributes, dict):
        return {}
    kept = {str(key): value for key, value in attributes.items() if key not in _DROPPED_ATTRIBUTES}
    return {key: redact_text(value) if isinstance(value, str) else value for key, value in redact(kept).items()}


def _parse(model: type[M], items: Iterable[Any], what: str, warnings: list[str]) -> list[M]:
    parsed = []
    for item in items:
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            warnings.append(f"skipped an entry of the {what} Home Assistant listed: {where}: {error['msg']}")
    return parsed


def registries_of(view: ApiView) -> Registries:
    """The registries as `.storage` would hold them, from the API's lists and states."""
    attributes = {state.get("entity_id"): state.get("attributes") or {} for state in view.states}

    def entity(item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        extra = attributes.get(item.get("entity_id"), {})
        return {"original_device_class": extra.get("device_class"),
                "unit_of_measurement": extra.get("unit_of_measurement"), **item}

    def area(item: Any) -> Any:
        return {"id": item.get("area_id"), **item} if isinstance(item, dict) else item

    warnings = view.warnings
    return Registries(
        devices=DeviceRegistry(devices=_parse(DeviceEntry, view.devices, "device registry", warnings)),
        entities=EntityRegistry(entities=_parse(EntityEntry, map(entity, view.entities), "entity registry", warnings)),
        areas=AreaRegistry(areas=_parse(AreaEntry, map(area, view.areas), "area registry", warnings)),
        config_entries=ConfigEntries(entries=_parse(ConfigEntry, view.entries, "config entries", warnings)),
        # An automation is enabled when it is on: the current states play the part of the restored ones.
        restored_states={str(state["entity_id"]): str(state.get("state")) for state in view.states},
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _with_states(capabilities: list[Capability], states: list[Json]) -> list[Capability]:
    by_id = {state["entity_id"]: state for state in states}
    found = []
    for capability in capabilities:
        state = by_id.pop(capability.id, None)
        if state is None:
            found.append(capability)
            continue
        attributes = safe_attributes(state.get("attributes"))
        found.append(capability.model_copy(update={
            "state": str(state.get("state")), "available": state.get("state") != UNAVAILABLE,
            "name": capability.name or _text(attributes.get("friendly_name")),
            "attributes": {**capability.attributes, **attributes}}))
    for entity_id, state in by_id.items():  # entities HA has no registry entry for
        attributes = safe_attributes(state.get("attributes"))
        kind = capability_kind(entity_id.split(".", 1)[0], _text(attributes.get("device_class")))
        found.append(Capability(id=entity_id, kind=kind, name=_text(attributes.get("friendly_name")),
                                state=str(state.get("state")), available=state.get("state") != UNAVAILABLE,
                                attributes=attributes))
    return found


def _integrations(registries: Registries, entries: list[Json]) -> list[Integration]:
    raw = {entry.get("entry_id"): entry for entry in entries if isinstance(entry, dict)}
    found = []
    for integration in map_integrations(registries):
        entry = raw.get(integration.id, {})
        state = entry.get("state")
        if integration.health is IntegrationHealth.UNKNOWN and isinstance(state, str):
            reason = entry.get("reason")
            detail = None if state == "loaded" else f"{state}: {reason}" if reason else state
            integration = integration.model_copy(update={
                "health": _ENTRY_HEALTH.get(state, IntegrationHealth.UNKNOWN),
                "detail": redact_text(detail) if detail else None})
        found.append(integration)
    return found


def _latest_trace_configs(traces: list[Json]) -> dict[str, Json]:
    """Each automation's configuration (by its `id`) as its latest trace recorded it."""
    latest: dict[str, tuple[str, Json]] = {}
    for trace in traces:
        item_id, config = trace.get("item_id"), trace.get("config")
        started = str((trace.get("timestamp") or {}).get("start", ""))
        if trace.get("domain") == "automation" and isinstance(config, dict) and item_id is not None:
            if str(item_id) not in latest or started > latest[str(item_id)][0]:
                latest[str(item_id)] = (started, config)
    return {item_id: config for item_id, (_, config) in latest.items()}


def _automations(view: ApiView, registries: Registries, label: str) -> tuple[list[Automation], list[LogEntry]]:
    taken = {entity.entity_id for entity in registries.entities.entities}
    from_traces = _latest_trace_configs(view.traces)
    automations, log, unknown = [], [], []
    for state in view.states:
        entity_id = str(state["entity_id"])
        if not entity_id.startswith("automation."):
            continue
        attributes = state.get("attributes") or {}
        config = view.automation_configs.get(entity_id) or from_traces.get(str(attributes.get("id")))
        automation = None
        if config is not None:
            automation, warnings = automation_from_config(config, label=f"{label} {entity_id}", registries=registries,
                                                          taken=taken)
            log += warnings
        if automation is None:
            unknown.append(entity_id)
            automation = Automation(entity_id=entity_id, config_id=_text(attributes.get("id")),
                                    alias=_text(attributes.get("friendly_name")), mode=str(attributes.get("mode", "single")))
        automation.entity_id = entity_id  # the state says which entity this configuration is
        automation.enabled = automation.enabled and state.get("state") == "on"
        automations.append(automation)
    if unknown:
        view.warnings.append(f"the configuration of {', '.join(unknown)} could not be read (neither automation/config "
                             "nor a trace gave it): their triggers and actions are unknown")
    return automations, log


def _runs(view: ApiView, automations: list[Automation], label: str) -> list[AutomationRun]:
    ids = automation_ids(automations)
    runs = []
    for trace in view.traces:
        try:
            runs.append(run_from_trace(trace, source=Path(label), automation_ids=ids, label=f"{label} trace/get"))
        except ExportError as exc:
            view.warnings.append(f"skipped a trace Home Assistant returned: {exc.message}")
    return sorted(runs, key=lambda run: run.started_at)


def fragment_of(view: ApiView, source: str) -> HomeFragment:
    """The home fragment a live instance's answers describe; `source` names the instance."""
    view.states = [state for state in view.states if isinstance(state, dict) and isinstance(state.get("entity_id"), str)]
    registries = registries_of(view)
    automations, log = _automations(view, registries, source)
    runs = _runs(view, automations, source)
    log += [LogEntry(at=None, level="WARNING", logger=WARNING_LOGGER, message=redact_text(message), source=source)
            for message in view.warnings]
    time_zone, location = view.config.get("time_zone"), view.config.get("location_name")
    return HomeFragment(
        source=source,
        platform=PLATFORM,
        time_zone=time_zone if isinstance(time_zone, str) else None,
        location_name=location if isinstance(location, str) else None,
        devices=map_devices(registries),
        capabilities=_with_states(map_capabilities(registries), view.states),
        integrations=_integrations(registries, view.entries),
        areas=map_areas(registries),
        automations=automations,
        runs=runs,
        log=log,
    )


# ---------------------------------------------------------------------- events


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _context(holder: Any) -> dict[str, str | None]:
    context = holder.get("context") if isinstance(holder, dict) and isinstance(holder.get("context"), dict) else {}
    return {"context_id": context.get("id"), "context_parent_id": context.get("parent_id"),
            "context_user_id": context.get("user_id")}


def evidence_of(event: Json) -> StateChange | EventRecord | None:
    """A pushed event as evidence: `state_changed` as a StateChange, anything else as an EventRecord."""
    kind, data = event.get("event_type"), event.get("data")
    if not isinstance(kind, str) or not isinstance(data, dict):
        return None
    fired = _time(event.get("time_fired")) or datetime.now(UTC)
    if kind != "state_changed":
        return EventRecord(event_type=kind, at=fired, data=redact(data), **_context(event))
    entity_id, new = data.get("entity_id"), data.get("new_state")
    if not isinstance(entity_id, str):
        return None
    if not isinstance(new, dict):  # the entity was removed
        return StateChange(entity_id=entity_id, state=None, at=fired, **_context(event))
    return StateChange(entity_id=entity_id, state=str(new.get("state")), at=_time(new.get("last_updated")) or fired,
                       changed_at=_time(new.get("last_changed")), attributes=safe_attributes(new.get("attributes")),
                       **_context(new if isinstance(new.get("context"), dict) else event))


def keep(items: Any, check: Callable[[Any], bool] = lambda item: isinstance(item, dict)) -> list[Any]:
    """The items of a list answer that pass `check` (an answer that is not a list: none)."""
    return [item for item in items if check(item)] if isinstance(items, list) else []
