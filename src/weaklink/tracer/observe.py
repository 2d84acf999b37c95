"""Finding when a step happened in recorded history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..model import EventRecord, StateChange
from ..scenario import Step
from .recording import Recording


@dataclass(frozen=True)
class Occurrence:
    """A step observed happening."""

    at: datetime
    detail: str
    already: bool = False  # the entity was already in the expected state when the step began
    record: StateChange | EventRecord | None = None


def _data_matches(expected: dict[str, object], actual: dict[str, object]) -> bool:
    for key, value in expected.items():
        if key not in actual:
            return False
        if isinstance(value, dict) and isinstance(actual[key], dict):
            if not _data_matches(value, actual[key]):  # type: ignore[arg-type]
                return False
        elif str(actual[key]) != str(value):
            return False
    return True


def occurrences(recording: Recording, step: Step, entity: str | None, start: datetime, end: datetime) -> list[Occurrence]:
    """Every time in [start, end] the step's expectation became true, oldest first.

    For a state step that is each transition into one of the expected states (rows that
    only change attributes are not transitions); for a service step each matching call;
    for an event step each matching event.
    """
    if step.state:
        assert entity is not None
        found = []
        before = recording.state_at(entity, start - timedelta(microseconds=1))
        previous = before.state if before else None
        for change in recording.changes([entity], start, end):
            # The first state ever recorded is a snapshot (start-up), not a transition.
            if change.state in step.state and previous is not None and previous not in step.state:
                found.append(Occurrence(change.at, f"{entity} became {change.state}", record=change))
            previous = change.state
        return found
    if step.service:
        return [
            Occurrence(call.at, f"{step.service} was called", record=call)
            for call in recording.service_calls(start, end, step.service)
        ]
    assert step.event is not None
    return [
        Occurrence(event.at, f"{event.event_type} fired", record=event)
        for event in recording.events([step.event.type], start, end)
        if _data_matches(step.event.data, event.data)
    ]


def first_occurrence(
    recording: Recording, step: Step, entity: str | None, start: datetime, end: datetime
) -> Occurrence | None:
    """When the step happened after `start` (at the latest `end`), or None.

    An entity already in the expected state when the step begins counts as the step having
    happened at `start`: the chain does not need it to change.
    """
    if step.state and entity is not None:
        current = recording.state_at(entity, start)
        if current is not None and current.state in step.state:
            return Occurrence(start, f"{entity} was already {current.state}", already=True, record=current)
    found = occurrences(recording, step, entity, start, end)
    return found[0] if found else None


def last_occurrence_before(
    recording: Recording, step: Step, entity: str | None, start: datetime, end: datetime
) -> Occurrence | None:
    """The latest time in [start, end] the step's expectation became true."""
    found = occurrences(recording, step, entity, start, end)
    return found[-1] if found else None
