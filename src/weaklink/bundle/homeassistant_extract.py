"""The broken hop's part of a Home Assistant config folder, never the whole folder.

From `.storage/` the registry entries of the hop's entities, devices and config entries;
from the automation files the configuration of the automations and scripts carrying the
hop; from `home-assistant.log` (and the previous runs' logs) the records that mention the
hop's entities, automations, integrations or hosts. Nothing here is scrubbed yet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..graph import HomeGraph
from ..home import OpenHome
from ..yamlio import Tagged, parse_yaml, plain
from .hop import Hop
from .pseudonyms import address_identifier

# The registries read, each with the list in its `data` that holds the hop's entries.
REGISTRIES = {"core.entity_registry": "entities", "core.device_registry": "devices", "core.config_entries": "entries"}
_LOG_FILES = ("home-assistant.log.old", "home-assistant.log.1", "home-assistant.log")  # oldest run first
_LOG_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_MAX_LOG_RECORDS = 5_000
_MAX_RECORD_LINES = 30


@dataclass
class HomeAssistantPart:
    """What one config folder holds about the hop, not yet scrubbed."""

    json: dict[str, Any]  # bundle path → document
    text: dict[str, str]  # bundle path → text
    addresses: set[str]  # IP addresses of the hop's devices found in their config entries


def is_config_folder(path: Path) -> bool:
    """Whether `path` is a Home Assistant config folder."""
    return path.is_dir() and ((path / ".storage").is_dir() or (path / "configuration.yaml").is_file())


def home_assistant_part(folder: Path, prefix: str, hop: Hop, home: OpenHome,
                        addresses: Iterable[str] = ()) -> HomeAssistantPart:
    """From a config folder, only what is about the hop, as files under `prefix`.

    `addresses` are the hop's addresses found before (in other config folders): log records
    mentioning them are kept too.
    """
    graph = home.graph
    part = HomeAssistantPart(json={}, text={}, addresses=set())
    named = set(hop.entities) | set(hop.automations)
    device_ids = {report.device.id for device in hop.devices for report in graph.reports_of(device)
                  if report.source == str(folder)}
    # each list of a registry kept, and the field of an item that says whether it is the hop's
    wanted: dict[str, tuple[str, set[str]]] = {
        "entities": ("entity_id", named), "deleted_entities": ("entity_id", named), "devices": ("id", device_ids),
        "entries": ("entry_id", set(hop.integrations))}
    for registry, main in REGISTRIES.items():
        document = _read_json(folder / ".storage" / registry)
        if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
            continue
        kept = {key: [item for item in items if isinstance(item, dict) and item.get(field) in allowed]
                for key, items in document["data"].items() if key in wanted and isinstance(items, list)
                for field, allowed in [wanted[key]]}
        kept.setdefault(main, [])
        part.json[f"{prefix}/{registry}.json"] = {**{k: v for k, v in document.items() if k != "data"}, "data": kept}
        if registry == "core.config_entries":
            for entry in kept["entries"]:
                host = entry.get("data", {}).get("host") if isinstance(entry.get("data"), dict) else None
                if isinstance(host, str) and address_identifier(host):
                    part.addresses.add(host)
    automations = [_automation_config(folder, graph, entity_id) for entity_id in hop.automations]
    part.json[f"{prefix}/automations.json"] = [a for a in automations if a is not None]
    terms = _log_terms(hop, graph, {*addresses, *part.addresses} | {d.host for d in hop.devices if d.host})
    for log_name in _LOG_FILES:
        log = folder / log_name
        if log.is_file():
            part.text[f"{prefix}/{log_name}"] = "".join(_log_records(log, terms))
    return part


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _automation_config(folder: Path, graph: HomeGraph, entity_id: str) -> dict[str, Any] | None:
    """An automation's (or script's) configuration, as written in its file."""
    automation = graph.automation(entity_id)
    if automation is None or automation.source is None:
        return None
    path = (folder / automation.source.file).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    try:
        document = plain(parse_yaml(path.read_text(encoding="utf-8"), source=path))
    except (OSError, UnicodeDecodeError, InputError):  # the adapter read it; a re-read that fails is left out
        return None
    config: Any = None
    if isinstance(document, list):
        config = next((item for item in document if isinstance(item, dict)
                       and str(item.get("id")) == str(automation.config_id)), None)
    elif isinstance(document, dict):
        config = document.get(str(automation.config_id))
    if config is None:
        return None
    where = f"{automation.source.file}:{automation.source.line}" if automation.source.line else automation.source.file
    return {"entity_id": entity_id, "source": where, "config": _untagged(config)}


def _untagged(value: Any) -> Any:
    """YAML tags as text: `!secret alarm_code` names the secret, it never holds its value."""
    if isinstance(value, Tagged):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def _log_terms(hop: Hop, graph: HomeGraph, addresses: set[str]) -> re.Pattern[str] | None:
    patterns = [rf"(?<!\w){re.escape(name)}(?!\w)" for name in (*hop.entities, *hop.automations)]
    for domain in hop.domains(graph):
        patterns.append(rf"(?:components\.|for '?){re.escape(domain)}\b")
    patterns += [rf"(?<![0-9.]){re.escape(address)}(?![0-9])" for address in sorted(addresses)]
    return re.compile("|".join(patterns)) if patterns else None


def _log_records(path: Path, terms: re.Pattern[str] | None) -> Iterator[str]:
    """The records of a log (a line and its traceback) that mention the hop."""
    if terms is None:
        return
    kept = 0
    record: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in chain(lines, [""]):  # streamed: a log can be larger than memory
            if (not line or _LOG_RECORD.match(line)) and record:
                if terms.search("".join(record)):
                    kept += 1
                    yield "".join(r if r.endswith("\n") else r + "\n" for r in record[:_MAX_RECORD_LINES])
                    if kept >= _MAX_LOG_RECORDS:
                        return
                record = []
            if line and len(record) <= _MAX_RECORD_LINES:
                record.append(line)
