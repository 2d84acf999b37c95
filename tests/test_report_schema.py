"""The JSON report is a contract: the published schema is the model's, and reports obey it."""

from __future__ import annotations

import json
from pathlib import Path

from weaklink.report import TraceReport
from weaklink.tracer import CAUSES

SCHEMA = Path(__file__).parents[1] / "docs" / "report.schema.json"


def test_published_schema_matches_the_model() -> None:
    published = json.loads(SCHEMA.read_text())
    assert published == TraceReport.model_json_schema(), "regenerate with: weaklink schema > docs/report.schema.json"


def test_schema_names_the_contract_keys() -> None:
    published = json.loads(SCHEMA.read_text())
    assert {"verdict", "broken_link", "steps"} <= set(published["required"])
    link = published["$defs"]["BrokenLink"]
    assert {"step", "element", "layer", "cause", "summary", "responsible", "evidence", "fix"} <= set(link["required"])
    layers = published["$defs"]["Layer"]["enum"]
    assert layers == ["trigger", "logic", "integration", "network", "hub", "radio", "device", "timing"]
    assert published["$defs"]["StepStatus"]["enum"] == ["passed", "failed", "not_reached"]


def test_every_cause_code_is_stable_snake_case_and_has_a_fix() -> None:
    for code, cause in CAUSES.items():
        assert code.islower() and " " not in code
        assert cause.fix.strip()
