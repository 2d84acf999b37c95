"""What a live Home Assistant's states and config entries say about the home's health.

Each finding names its element in HA's own terms and its layer:

- `integration`, element = the integration's domain: a config entry that is not `loaded`
  (`setup_error`, `setup_retry`, `not_loaded`, `migration_error`, …) or is disabled;
- `logic`, element = the automation's entity id: an automation that is off (its triggers no
  longer run it) or unavailable (HA could not set it up);
- an entity that is `unavailable`, element = its entity id: `integration` when its config
  entry is not loaded or every entity of that entry is unavailable too; otherwise `device`,
  with the evidence the tracer needs to move it to `hub` or `radio` with the home graph (which
  integration, how many of its other entities are fine).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from weaklink.model import ProbeResult
from weaklink.redact import redact_text

from .livemap import UNAVAILABLE

Json = dict[str, Any]

_ENTRY_TROUBLE = {
    "setup_error": "failed to set up",
    "setup_retry": "failed to set up and is retrying",
    "migration_error": "failed to migrate its configuration",
    "not_loaded": "is not loaded",
    "failed_unload": "failed to unload",
    "setup_in_progress": "is still setting up",
    "unload_in_progress": "is unloading",
}


def _entry_problem(entry: Json) -> str | None:
    """What is wrong with a config entry, in words; None when it is loaded and enabled."""
    if entry.get("disabled_by"):
        return f"is disabled (by {entry['disabled_by']})"
    state = entry.get("state")
    if state == "loaded":
        return None
    reason = f": {entry['reason']}" if entry.get("reason") else ""
    return f"{_ENTRY_TROUBLE.get(str(state), f'is in state {state}')}{reason} (config entry state {state})"


def entry_results(entries: list[Json], at: datetime) -> list[ProbeResult]:
    """One `integration` result per config entry."""
    results = []
    for entry in entries:
        domain = str(entry.get("domain"))
        title = redact_text(str(entry.get("title") or domain))  # cloud accounts title entries with an e-mail
        problem = _entry_problem(entry)
        detail = f"the {domain} integration ({title!r}) " + (problem or "is loaded")
        results.append(ProbeResult(element=domain, layer="integration", ok=problem is None, detail=detail, at=at))
    return results


def automation_results(states: list[Json], at: datetime) -> list[ProbeResult]:
    """One `logic` result per automation: is it on?"""
    results = []
    for state in states:
        entity_id = str(state["entity_id"])
        if not entity_id.startswith("automation."):
            continue
        alias = (state.get("attributes") or {}).get("friendly_name") or entity_id
        value = state.get("state")
        if value == "off":
            detail = f"automation {alias!r} ({entity_id}) is turned off: its triggers no longer run it"
        elif value == UNAVAILABLE:
            detail = f"automation {alias!r} ({entity_id}) is unavailable: Home Assistant could not set it up"
        else:
            detail = f"automation {alias!r} ({entity_id}) is on"
        results.append(ProbeResult(element=entity_id, layer="logic", ok=value not in ("off", UNAVAILABLE),
                                   detail=detail, at=at))
    return results


def entity_results(states: list[Json], registry: list[Json], entries: list[Json], at: datetime) -> list[ProbeResult]:
    """One result per entity (automations aside): available, or unavailable and why it may be."""
    entries_by_id = {entry.get("entry_id"): entry for entry in entries}
    registered = {item.get("entity_id"): item for item in registry}

    def provider(entity_id: str) -> tuple[str, str | None, Json | None]:
        """The key of the integration that provides the entity, its domain, and its entry."""
        item = registered.get(entity_id, {})
        entry = entries_by_id.get(item.get("config_entry_id"))
        if entry is not None:
            return f"entry:{entry.get('entry_id')}", str(entry.get("domain")), entry
        platform = item.get("platform")
        return (f"platform:{platform}", str(platform), None) if platform else (f"entity:{entity_id}", None, None)

    devices = [state for state in states if not str(state["entity_id"]).startswith("automation.")]
    total, down = Counter[str](), Counter[str]()
    for state in devices:
        key = provider(str(state["entity_id"]))[0]
        total[key] += 1
        down[key] += state.get("state") == UNAVAILABLE
    results = []
    for state in devices:
        entity_id = str(state["entity_id"])
        key, domain, entry = provider(entity_id)
        if state.get("state") != UNAVAILABLE:
            results.append(ProbeResult(element=entity_id, layer="device", ok=True,
                                       detail=f"{entity_id} is {state.get('state')}", at=at))
            continue
        layer, detail = _unavailable(entity_id, domain, entry, total[key], down[key])
        results.append(ProbeResult(element=entity_id, layer=layer, ok=False, detail=detail, at=at))
    return results


def _unavailable(entity_id: str, domain: str | None, entry: Json | None, total: int, down: int) -> tuple[str, str]:
    """The layer and the evidence for one unavailable entity."""
    head = f"{entity_id} is unavailable in Home Assistant"
    if domain is None:
        return "device", f"{head} (no integration provides it)"
    if entry is not None and (problem := _entry_problem(entry)) is not None:
        return "integration", f"{head}: its {domain} integration {problem}"
    if total > 1 and down == total:
        return "integration", f"{head}, as are all {total} entities of the {domain} integration"
    if total == 1:
        return "device", f"{head}; it is the only entity of the {domain} integration, which is loaded"
    return "device", (f"{head} while {total - down} of the other {total - 1} entities of the {domain} integration "
                      "are available")
