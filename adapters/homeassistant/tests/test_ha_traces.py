"""Runs of automations and scripts from saved and downloaded traces."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ha_fixtures import HOME
from weaklink.errors import ExportError
from weaklink_homeassistant.automations import load_automations
from weaklink_homeassistant.registries import load_registries
from weaklink_homeassistant.traces import load_saved_traces, load_trace_file, load_trace_folder, run_from_trace

AUTOMATIONS = load_automations(HOME, load_registries(HOME)).automations
DOWNLOADED = next((HOME / "traces").glob("*.json"))


def test_saved_traces() -> None:
    runs = load_saved_traces(HOME, AUTOMATIONS)
    assert [(r.automation, r.result) for r in runs] == [
        ("automation.garage_light_on_motion", "condition_failed"),
        ("script.welcome_home", "finished"),
        ("automation.arrive_home", "error"),
    ]
    assert all(r.source == ".storage/trace.saved_traces" for r in runs)


def test_the_incident_run() -> None:
    incident = load_saved_traces(HOME, AUTOMATIONS)[-1]
    assert incident.started_at == datetime(2026, 11, 16, 0, 2, 10, 418223, tzinfo=UTC)
    assert incident.finished_at == datetime(2026, 11, 16, 0, 2, 21, 220871, tzinfo=UTC)
    assert incident.trigger == "state of person.alex"
    assert (incident.context_id, incident.context_parent_id) == ("01JCTB6V2K9X4M7P0R3S5U8W1Y", "01JCTB6V2H0F3J6L9N2Q5S8V1X")
    assert incident.services_called == ["cover.open_cover", "light.turn_on", "alarm_control_panel.alarm_disarm"]
    assert incident.targets == ["cover.garage_door", "light.driveway", "alarm_control_panel.simplisafe"]
    assert incident.error == "Timeout while calling SimpliSafe: Request timed out"
    (branch,) = incident.conditions
    assert (branch.path, branch.result, branch.entities) == ("action/1/choose/0/conditions/0", True, ["sun.sun"])
    assert branch.detail == "state 'below_horizon', wanted 'below_horizon'"


def test_failed_conditions_name_the_entity_and_its_state() -> None:
    motion = load_saved_traces(HOME, AUTOMATIONS)[0]
    (condition,) = motion.conditions
    assert (condition.path, condition.result) == ("condition/0", False)
    assert condition.entities == ["binary_sensor.garage_door_contact"]
    assert condition.detail == "state 'on', wanted 'off'"
    assert motion.services_called == []


def test_without_automations_runs_are_named_by_their_id() -> None:
    runs = load_saved_traces(HOME)
    assert runs[-1].automation == "automation.1700000000001"
    assert runs[1].automation == "script.welcome_home"


def test_downloaded_trace() -> None:
    run = load_trace_file(DOWNLOADED, AUTOMATIONS)
    assert (run.automation, run.result, run.error) == ("automation.arrive_home", "finished", None)
    assert run.services_called == [
        "cover.open_cover", "light.turn_on", "alarm_control_panel.alarm_disarm", "script.welcome_home",
    ]
    assert run.started_at == datetime(2026, 11, 15, 0, 2, 10, 418223, tzinfo=UTC)
    assert [r.source for r in load_trace_folder(HOME, AUTOMATIONS)] == [f"traces/{DOWNLOADED.name}"]


def test_no_secret_from_a_trace_survives() -> None:
    runs = load_saved_traces(HOME, AUTOMATIONS) + [load_trace_file(DOWNLOADED, AUTOMATIONS)]
    dumped = json.dumps([r.model_dump(mode="json") for r in runs])
    assert "CANARY" not in dumped  # service_data and config hold the resolved alarm code
    assert "41.8375" not in dumped  # trigger variables hold the person's coordinates


@pytest.mark.parametrize(
    ("execution", "state", "result"),
    [
        ("finished", "stopped", "finished"),
        ("failed_conditions", "stopped", "condition_failed"),
        ("error", "stopped", "error"),
        ("aborted", "stopped", "aborted"),
        ("cancelled", "stopped", "aborted"),
        ("failed_single", "stopped", "aborted"),
        ("failed_max_runs", "stopped", "aborted"),
        (None, "running", "running"),
        ("something_new", "stopped", "unknown"),
    ],
)
def test_script_execution_maps_to_a_result(execution: str | None, state: str, result: str) -> None:
    extended = {"domain": "script", "item_id": "x", "state": state, "script_execution": execution,
                "timestamp": {"start": "2026-01-01T00:00:00+00:00", "finish": None}, "trace": {}}
    assert run_from_trace(extended, source=Path("t.json")).result == result


def test_an_unknown_outcome_with_an_error_is_an_error() -> None:
    extended = {"domain": "automation", "item_id": "1", "state": "stopped", "error": "boom",
                "timestamp": {"start": "2026-01-01T00:00:00"}, "trace": {}}
    run = run_from_trace(extended, source=Path("t.json"))
    assert (run.result, run.error, run.started_at.tzinfo) == ("error", "boom", UTC)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "malformed JSON"),
        ('{"logbookEntries": []}', "not a Home Assistant trace"),
        ('{"trace": {"domain": "automation"}}', "'domain' and 'item_id'"),
        ('{"trace": {"domain": "automation", "item_id": "1", "timestamp": {"start": "yesterday"}}}', "not a timestamp"),
        ('{"trace": {"domain": "automation", "item_id": "1", "timestamp": {"start": "2026-01-01T00:00:00"}, "trace": []}}', "mapping of paths"),
        ('{"trace": {"domain": "automation", "item_id": "1", "timestamp": {"start": "2026-01-01T00:00:00"}, "trace": {"action/0": [3]}}}', "not an object"),
    ],
)
def test_malformed_trace_files_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "trace.json"
    path.write_text(content)
    with pytest.raises(ExportError, match=message) as caught:
        load_trace_file(path)
    assert caught.value.source == str(path)


def test_saved_traces_of_an_unknown_version_are_refused(home: Path) -> None:
    path = home / ".storage/trace.saved_traces"
    document = json.loads(path.read_text())
    document["version"] = 2
    path.write_text(json.dumps(document))
    with pytest.raises(ExportError, match="version 2 is not supported") as caught:
        load_saved_traces(home)
    assert caught.value.source == str(path)


def test_malformed_saved_traces_give_the_line(home: Path) -> None:
    path = home / ".storage/trace.saved_traces"
    path.write_text(path.read_text().replace('"state": "stopped",', '"state": "stopped"', 1))
    with pytest.raises(ExportError) as caught:
        load_saved_traces(home)
    assert caught.value.line is not None and caught.value.line > 1
