"""Deriving a chain from an automation, so nobody has to write YAML to ask "why didn't it run?".

The first step is the automation's trigger; the next steps are what its actions should make
true (their targets' expected states, the services it calls), following the scripts it runs
and the automations its targets trigger in turn. Followers are found two ways: from the
configuration (an automation whose trigger watches a state this chain sets), and from
recorded history, where an automation's run carries the context of the run that caused it —
Home Assistant only links contexts for about 5 seconds, so a follower that runs later is
matched by a time window instead.
"""

from __future__ import annotations

from datetime import timedelta

from ..errors import UnknownElementError
from ..graph import HomeGraph
from ..model import Automation, Trigger
from ..redact import REDACTED
from .model import DEFAULT_BUDGET, EventMatch, Scenario, Step

CONTEXT_LINK_WINDOW = timedelta(seconds=5)  # Home Assistant's own limit for linking contexts
FOLLOWER_WINDOW = timedelta(seconds=90)  # beyond context links: a follower runs within this
_MAX_DEPTH = 4
_SUN_STATES = {"sunset": "below_horizon", "sunrise": "above_horizon"}


def _first_step(automation: Automation) -> Step:
    for trigger in automation.triggers:
        step = _trigger_step(trigger)
        if step is not None:
            return step
    return Step(name=f"{automation.entity_id} runs",
                event=EventMatch(type="automation_triggered", data={"entity_id": automation.entity_id}))


def _trigger_step(trigger: Trigger) -> Step | None:
    if trigger.kind == "state" and trigger.entity_ids and trigger.to:
        return Step(entity=trigger.entity_ids[0], state=trigger.to)
    if trigger.kind == "sun":
        event = str(trigger.raw.get("event", ""))
        if event in _SUN_STATES:
            return Step(name=f"the sun {'sets' if event == 'sunset' else 'rises'}", entity="sun.sun", state=[_SUN_STATES[event]])
    if trigger.kind == "zone" and trigger.entity_ids:
        zone = str(trigger.raw.get("zone", "zone.home"))
        if zone == "zone.home" and str(trigger.raw.get("event", "enter")) == "enter":
            return Step(entity=trigger.entity_ids[0], state=["home"])
    if trigger.kind == "event" and trigger.event_type:
        return Step(event=EventMatch(type=trigger.event_type, data=_matchable(trigger.event_data)))
    return None


def _matchable(data: dict[str, object]) -> dict[str, object]:
    """Event data to match, without the values the adapter masked (a keypad code, a token):
    "**REDACTED**" is in no recorded event, so keeping it would make the trigger never match."""
    kept: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            value = _matchable(value)
            if not value:
                continue
        if value != REDACTED:
            kept[key] = value
    return kept


class _Deriver:
    def __init__(self, graph: HomeGraph, followers: dict[str, list[str]]) -> None:
        self.graph = graph
        self.followers = followers
        self.steps: list[Step] = []
        self.seen_subjects: set[str] = set()
        self.visited: set[str] = set()

    def walk(self, automation: Automation, carrier: str, depth: int) -> None:
        if automation.entity_id in self.visited or depth > _MAX_DEPTH:
            return
        self.visited.add(automation.entity_id)
        waited = timedelta()
        for action in automation.actions:
            if action.delay_seconds:
                waited += timedelta(seconds=action.delay_seconds)
            budget = DEFAULT_BUDGET + waited
            called = [t for t in action.targets if t.startswith("script.")] if action.kind == "script" else []
            if action.service and action.service.startswith("script.") and action.service != "script.turn_on":
                called.append(action.service)
            for script_id in called:
                script = self.graph.automation(script_id)
                if script is not None:
                    self.walk(script, carrier, depth + 1)
            if called:
                continue
            if action.targets and action.expected_state:
                for target in action.targets:
                    self._add(Step(entity=target, state=[action.expected_state], within=budget, automation=carrier))
            elif action.service and action.kind == "service" and not action.service.startswith(("automation.", "script.")):
                self._add(Step(service=action.service, within=budget, automation=carrier))
        for target, state in self._set_states(automation):
            for follower in self.graph.automations_triggered_by(target):
                if any(target in t.entity_ids and (not t.to or state in t.to) for t in follower.triggers):
                    self.walk(follower, follower.entity_id, depth + 1)
        for follower_id in self.followers.get(automation.entity_id, []):
            follower = self.graph.automation(follower_id)
            if follower is not None:
                self.walk(follower, follower.entity_id, depth + 1)

    def _set_states(self, automation: Automation) -> list[tuple[str, str]]:
        return [(t, a.expected_state) for a in automation.actions if a.expected_state for t in a.targets]

    def _add(self, step: Step) -> None:
        if step.subject not in self.seen_subjects:
            self.seen_subjects.add(step.subject)
            self.steps.append(step)


def derive_scenario(graph: HomeGraph, automation_id: str, followers: dict[str, list[str]] | None = None) -> Scenario:
    """The chain an automation should carry, from its trigger to everything it should cause.

    `followers` maps an automation to automations that history shows running after it (see
    `followers_from_history`). Raises `UnknownElementError` when the automation does not
    exist, and when it acts on nothing a chain could check.
    """
    automation = graph.automation(automation_id)
    if automation is None:
        known = sorted(a.entity_id for a in graph.automations if a.kind == "automation")
        raise UnknownElementError(f"{automation_id} is not an automation of this home (it has: {', '.join(known[:8])}"
                                  f"{', …' if len(known) > 8 else ''})", field="--automation")
    deriver = _Deriver(graph, followers or {})
    first = _first_step(automation)
    deriver.seen_subjects.add(first.subject)
    deriver.walk(automation, automation.entity_id, 0)
    if not deriver.steps:
        raise UnknownElementError(f"{automation_id} acts on nothing a chain can check", field="--automation")
    return Scenario(
        name=f"{automation.alias or automation.entity_id}",
        description=f"Derived from {automation.entity_id}" + (f" ({automation.source})" if automation.source else ""),
        steps=[first, *deriver.steps],
        source=f"derived from {automation.entity_id}",
    )


def derivable(graph: HomeGraph, followers: dict[str, list[str]] | None = None) -> list[Scenario]:
    """Every chain that can be derived from the home's automations."""
    chains = []
    for automation in sorted(graph.automations, key=lambda a: a.entity_id):
        if automation.kind != "automation":
            continue
        try:
            chains.append(derive_scenario(graph, automation.entity_id, followers))
        except UnknownElementError:
            continue
    return chains
