"""Runs of automations and scripts from HA's traces.

Two sources, one shape. `.storage/trace.saved_traces` (key `trace.saved_traces`, version 1)
is what HA writes at shutdown: `data` maps `"automation.<id>"` / `"script.<key>"` to a list
of `{"extended_dict": …, "short_dict": …}`. A trace downloaded from the UI's trace view is
`{"trace": <extended dict>, "logbookEntries": […]}`; users save them under `traces/`.

An extended dict holds `domain`, `item_id` (an automation's `id:`, a script's key),
`run_id`, `state` (`running`/`stopped`), `script_execution` (`finished`,
`failed_conditions`, `failed_single`, `failed_max_runs`, `aborted`, `cancelled`,
`error`), `timestamp.start/finish`, `trigger` (automations: the trigger's description),
`context` (`id`, `parent_id`, `user_id`), `error`, `config`, and `trace`: a mapping of
paths (`trigger/0`, `condition/0`, `action/1/choose/0/sequence/0`) to the list of steps
run there, each with `timestamp`, optional `error` and optional `result` (`{"result":
bool}` for conditions, `{"params": {"domain", "service", "service_data", "target"}}` for
service calls).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.model import Automation, AutomationRun, ConditionResult
from weaklink.model.evidence import RunResult

from .registries import STORAGE_DIR

SAVED_TRACES_KEY = "trace.saved_traces"
TRACES_DIR = "traces"

_EXECUTION_RESULTS: dict[str, RunResult] = {
    "finished": "finished",
    "failed_conditions": "condition_failed",
    "error": "error",
    "aborted": "aborted",
    "cancelled": "aborted",
    "failed_single": "aborted",
    "failed_max_runs": "aborted",
}
_CONDITION_STEP = re.compile(r"(^|/)(condition|conditions)/\d+$")
_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")


def _time(value: Any, where: str, source: Path) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ExportError(f"{where} is not a timestamp", source=source, field=where)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ExportError(f"{where} is not a timestamp: {value!r}", source=source, field=where) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _entity_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and _ENTITY_ID.match(item)]


def _config_at(config: Any, path: str) -> Any:
    """The config node a trace path points at (`action/0/choose/1/conditions/0`), if found."""
    node = config
    parts = path.split("/")
    index = 0
    while index < len(parts) and node is not None:
        part = parts[index]
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        elif isinstance(node, dict):
            if part in ("if",) and index + 1 < len(parts) and parts[index + 1] == "condition":
                node, index = node.get("if"), index + 1  # `if/condition/0` → the `if:` list
            elif part == "sequence" and "sequence" not in node:
                node = [node]  # a bare parallel branch, wrapped by HA in a sequence
            else:
                node = node.get(part, node.get(part + "s") if part in ("trigger", "condition", "action") else None)
        else:
            node = None
        index += 1
    return node


def _condition_entities(config: Any, path: str) -> list[str]:
    node = _config_at(config, path)
    if isinstance(node, dict):
        return _entity_list(node.get("entity_id"))
    return []


def _condition_detail(steps: Mapping[str, list[Any]], path: str) -> str:
    """What the entity checks under a condition found (`state 'off', wanted 'on'`)."""
    details = []
    for sub_path, sub_steps in steps.items():
        if not sub_path.startswith(path + "/"):
            continue
        for step in sub_steps:
            result = step.get("result") if isinstance(step, dict) else None
            if isinstance(result, dict) and "state" in result:
                wanted = result.get("wanted_state")
                details.append(f"state {result['state']!r}" + (f", wanted {wanted!r}" if wanted is not None else ""))
            elif isinstance(result, dict) and "message" in result:
                details.append(str(result["message"]))
    return "; ".join(details)


def run_from_trace(
    extended: Any,
    *,
    source: Path,
    short: Any = None,
    automation_ids: Mapping[str, str] | None = None,
    label: str | None = None,
) -> AutomationRun:
    """One AutomationRun from an extended trace dict; ExportError naming the file when malformed.

    `automation_ids` maps automations' `id:` to their entity ids; `label` is how the run
    names its source (defaults to the file's path).
    """
    if not isinstance(extended, dict):
        raise ExportError("a trace is a JSON object", source=source)
    domain, item_id = extended.get("domain"), extended.get("item_id")
    if not isinstance(domain, str) or item_id is None:
        raise ExportError("trace without 'domain' and 'item_id'", source=source, field="domain")
    item_id = str(item_id)
    if domain == "automation":
        entity_id = (automation_ids or {}).get(item_id, f"automation.{item_id}")
    else:
        entity_id = f"{domain}.{item_id}"
    timestamp = extended.get("timestamp") if isinstance(extended.get("timestamp"), dict) else {}
    started = _time(timestamp.get("start"), "timestamp.start", source)
    if started is None:
        raise ExportError("trace without a start time", source=source, field="timestamp.start")
    steps = extended.get("trace")
    steps = {} if steps is None else steps
    if not isinstance(steps, dict):
        raise ExportError("'trace' is not a mapping of paths to steps", source=source, field="trace")
    config = extended.get("config")
    context = extended.get("context") if isinstance(extended.get("context"), dict) else {}
    execution = extended.get("script_execution")
    error = extended.get("error")
    if extended.get("state") == "running":
        result: RunResult = "running"
    else:
        result = _EXECUTION_RESULTS.get(str(execution), "unknown")
    run = AutomationRun(
        automation=entity_id,
        started_at=started,
        finished_at=_time(timestamp.get("finish"), "timestamp.finish", source),
        result=result,
        trigger=_trigger_description(extended, short),
        context_id=context.get("id"),
        context_parent_id=context.get("parent_id"),
        source=label or str(source),
    )
    services: list[str] = []
    targets: list[str] = []
    for path, path_steps in steps.items():
        if not isinstance(path_steps, list):
            raise ExportError(f"steps at {path!r} are not a list", source=source, field=f"trace.{path}")
        for step in path_steps:
            if not isinstance(step, dict):
                raise ExportError(f"a step at {path!r} is not an object", source=source, field=f"trace.{path}")
            step_result = step.get("result") if isinstance(step.get("result"), dict) else {}
            if step.get("error") and error is None:
                error = str(step["error"])
            if _CONDITION_STEP.search(path):
                outcome = step_result.get("result")
                run.conditions.append(
                    ConditionResult(
                        path=path,
                        result=outcome if isinstance(outcome, bool) else None,
                        entities=_condition_entities(config, path),
                        detail=_condition_detail(steps, path),
                    )
                )
            params = step_result.get("params")
            if isinstance(params, dict) and params.get("domain") and params.get("service"):
                services.append(f"{params['domain']}.{params['service']}")
                target = params.get("target") if isinstance(params.get("target"), dict) else {}
                data = params.get("service_data") if isinstance(params.get("service_data"), dict) else {}
                targets += _entity_list(target.get("entity_id")) + _entity_list(data.get("entity_id"))
            elif isinstance(step_result.get("scene"), str):
                services.append("scene.turn_on")
                targets += _entity_list(step_result["scene"])
    run.services_called = list(dict.fromkeys(services))
    run.targets = list(dict.fromkeys(targets))
    run.error = str(error) if error is not None else None
    if run.result == "unknown" and run.error:
        run.result = "error"
    return run


def _trigger_description(extended: dict[str, Any], short: Any) -> str | None:
    for holder in (extended, short):
        if isinstance(holder, dict) and isinstance(holder.get("trigger"), str):
            return str(holder["trigger"])
    return None


def _label(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise ExportError(f"malformed JSON: {exc.msg}", source=path, line=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise ExportError(f"not UTF-8 text ({exc.reason})", source=path) from exc
    except OSError as exc:
        raise ExportError(f"cannot read: {exc.strerror}", source=path) from exc


def automation_ids(automations: Iterable[Automation]) -> dict[str, str]:
    """An automation's `id:` (what traces call it) → its entity id."""
    return {a.config_id: a.entity_id for a in automations if a.kind == "automation" and a.config_id is not None}


def load_saved_traces(root: Path, automations: Iterable[Automation] = ()) -> list[AutomationRun]:
    """Every run in `<root>/.storage/trace.saved_traces`, oldest first."""
    path = root / STORAGE_DIR / SAVED_TRACES_KEY
    if not path.is_file():
        return []
    document = _read_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise ExportError("not a saved-traces store (expected 'data' mapping keys to traces)", source=path)
    if document.get("key", SAVED_TRACES_KEY) != SAVED_TRACES_KEY:
        raise ExportError(f"this is {document.get('key')!r}, not {SAVED_TRACES_KEY!r}", source=path, field="key")
    if document.get("version") != 1:
        raise ExportError(
            f"{SAVED_TRACES_KEY} format version {document.get('version')} is not supported (this release reads 1)",
            source=path,
            field="version",
        )
    ids = automation_ids(automations)
    runs = []
    for key, traces in document["data"].items():
        if not isinstance(traces, list):
            raise ExportError(f"traces of {key!r} are not a list", source=path, field=f"data.{key}")
        for trace in traces:
            if not isinstance(trace, dict) or "extended_dict" not in trace:
                raise ExportError(f"a trace of {key!r} has no 'extended_dict'", source=path, field=f"data.{key}")
            runs.append(
                run_from_trace(
                    trace["extended_dict"], short=trace.get("short_dict"), source=path, automation_ids=ids,
                    label=_label(path, root),
                )
            )
    return sorted(runs, key=lambda run: run.started_at)


def load_trace_file(path: Path, automations: Iterable[Automation] = (), label: str | None = None) -> AutomationRun:
    """A trace downloaded from HA's trace view (`{"trace": …, "logbookEntries": […]}`).

    Pass the home's automations so the run names the automation by entity id rather than
    by its `id:`.
    """
    document = _read_json(path)
    if isinstance(document, dict) and isinstance(document.get("trace"), dict):
        extended = document["trace"]
    elif isinstance(document, dict) and "extended_dict" in document:
        extended = document["extended_dict"]  # one item copied out of trace.saved_traces
    else:
        raise ExportError("not a Home Assistant trace (expected a 'trace' object)", source=path)
    return run_from_trace(extended, source=path, automation_ids=automation_ids(automations), label=label)


def load_trace_folder(root: Path, automations: Iterable[Automation] = ()) -> list[AutomationRun]:
    """Every downloaded trace under `<root>/traces/`, oldest first."""
    folder = root / TRACES_DIR
    if not folder.is_dir():
        return []
    automations = list(automations)
    runs = [load_trace_file(path, automations, _label(path, root)) for path in sorted(folder.glob("*.json"))]
    return sorted(runs, key=lambda run: run.started_at)
