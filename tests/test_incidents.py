"""Every incident planted in the example home is named right: element, layer and cause.

The incidents come from `examples/ha-home.incidents.yaml`, which the generator writes from
the same table that plants them in the recorder database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from weaklink.home import OpenHome, open_home
from weaklink.render import report_json
from weaklink.scenario import load_scenario

ROOT = Path(__file__).parents[1]
HOME = ROOT / "examples" / "ha-home"
INCIDENTS = YAML(typ="safe").load((ROOT / "examples" / "ha-home.incidents.yaml").read_text())
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())


@pytest.fixture(scope="module")
def home() -> Iterator[OpenHome]:
    with open_home(HOME) as opened:
        yield opened


def test_the_example_home_holds_every_required_incident_kind() -> None:
    causes = {incident["cause"] for incident in INCIDENTS}
    assert {
        None, "trigger_not_observed", "automation_disabled", "condition_false", "target_entity_renamed",
        "integration_disabled", "integration_unavailable", "hub_offline", "radio_link_lost", "device_offline",
        "did_not_act", "too_late",
    } <= causes


@pytest.mark.parametrize("incident", INCIDENTS, ids=[i["id"] for i in INCIDENTS])
def test_incident_is_named_right(home: OpenHome, incident: dict) -> None:
    scenario = load_scenario(ROOT / "scenarios" / f"{incident['chain']}.yaml")
    at = datetime.fromisoformat(str(incident["at"]))
    report = home.tracer().trace(scenario, at)
    assert report.verdict.value == incident["verdict"], report.summary
    if incident["verdict"] == "ok":
        assert report.broken_link is None
        assert all(step.status.value == "passed" for step in report.steps)
    else:
        link = report.broken_link
        assert link is not None
        assert (link.element, link.layer.value, link.cause) == (incident["element"], incident["layer"], incident["cause"])
        statuses = [step.status.value for step in report.steps]
        assert statuses[link.step - 1] == "failed"
        assert all(s == "passed" for s in statuses[: link.step - 1])
        assert all(s == "not_reached" for s in statuses[link.step :])
        assert link.evidence, "a finding rests on evidence"
        assert link.summary in report.summary
    jsonschema.validate(json.loads(report_json(report)), SCHEMA)


def test_unrelated_unavailable_devices_do_not_fool_the_radio_diagnosis(home: OpenHome) -> None:
    # On the radio incident's day other devices elsewhere were unavailable too (a Zigbee
    # motion sensor in the basement, a Shelly plug); the finding stays on the driveway light.
    scenario = load_scenario(ROOT / "scenarios" / "driveway_arrival.yaml")
    report = home.tracer().trace(scenario, datetime.fromisoformat("2026-11-11T18:50:00-05:00"))
    assert report.broken_link is not None
    assert report.broken_link.element == "light.driveway"
    assert not any("basement" in (e.element or "") or "fridge" in (e.element or "") for e in report.broken_link.evidence)


def test_without_at_the_latest_run_is_traced(home: OpenHome) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "driveway_arrival.yaml")
    report = home.tracer().trace(scenario)
    latest = max(datetime.fromisoformat(str(i["at"])) for i in INCIDENTS if i["chain"] == "driveway_arrival")
    assert report.incident.triggered_at is not None
    assert abs((latest - report.incident.triggered_at).total_seconds()) < 3600


def test_every_run_of_a_chain_over_the_history(home: OpenHome) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "driveway_arrival.yaml")
    reports = list(home.tracer().runs(scenario))
    planted = [i for i in INCIDENTS if i["chain"] == "driveway_arrival" and i["cause"] != "trigger_not_observed"]
    assert len(reports) == len(planted)
    assert sorted(r.broken_link.cause if r.broken_link else "ok" for r in reports) == sorted(
        i["cause"] or "ok" for i in planted)
