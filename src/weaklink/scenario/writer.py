"""Writing a scenario back out as YAML (for derived chains a user wants to keep)."""

from __future__ import annotations

from ..yamlio import yaml_text
from .model import Scenario


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario in the scenario file format."""
    steps = []
    for step in scenario.steps:
        item: dict[str, object] = {}
        if step.name:
            item["name"] = step.name
        for key in ("entity", "device", "capability", "service", "automation"):
            if getattr(step, key):
                item[key] = getattr(step, key)
        if step.state:
            item["state"] = step.state[0] if len(step.state) == 1 else list(step.state)
        if step.event:
            item["event"] = step.event.model_dump(exclude_defaults=True) | {"type": step.event.type}
        if step.within is not None:
            item["within"] = f"{step.within.total_seconds():g}s"
        steps.append(item)
    document: dict[str, object] = {"name": scenario.name}
    if scenario.description:
        document["description"] = scenario.description
    document["steps"] = steps
    return yaml_text(document)
