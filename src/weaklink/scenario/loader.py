"""Loading scenario files, with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from ..yamlio import line_of, load_yaml, validate
from .model import Scenario


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; raise `ScenarioError` naming file, line and field."""
    document = load_yaml(path, error=ScenarioError)
    if not isinstance(document, dict):
        raise ScenarioError("a scenario is a mapping with 'name' and 'steps'", source=path, line=1)
    scenario = validate(document, Scenario, source=path, error=ScenarioError)
    scenario.source = str(path)
    scenario._lines = _step_lines(document)
    return scenario


def _step_lines(document: Any) -> dict[str, int]:
    """Where each step and each of its keys was written ('steps.1.entity' → line), so that
    checks made later against the home (an entity it does not have) can name the line."""
    lines: dict[str, int] = {}
    for index, step in enumerate(document["steps"]):  # validated: a list of mappings
        for path in (["steps", index], *(["steps", index, key] for key in step)):
            line = line_of(document, path)
            if line is not None:
                lines[".".join(str(part) for part in path)] = line
    return lines
