"""The recorded history of a broken hop around the incident: the rows a vendor reads first.

The report's evidence says what weaklink concluded; a vendor's engineer also wants the rows
it concluded from. From the home's recorded history (Home Assistant's recorder database,
or any history an adapter opened) this takes, for the hop's entities only and only in a
window around the traced run:

- the state each entity had when the window opens, then every state written in it;
- the runs of the automations and scripts that carry the hop;
- the service calls that targeted the hop's entities.

Who made a change (`context_user_id`) is left out: the vendor needs what happened, not which
member of the household did it. Nothing here is scrubbed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from ..history import service_call_targets
from ..home import OpenHome
from ..model import StateChange
from ..report import TraceReport
from .hop import Hop

BEFORE = timedelta(hours=1)  # an hour before the trigger: a device that dropped off earlier shows it
AFTER = timedelta(minutes=10)  # after the last deadline: whether it came back, and when
MAX_ROWS = 5_000  # of states; a chatty sensor is cut there, and the file says so
_DROPPED = ("context_user_id",)


@dataclass(frozen=True)
class Window:
    """The stretch of recorded time sent."""

    start: datetime
    end: datetime


def history_window(report: TraceReport) -> Window:
    """From an hour before the chain's trigger (or the time asked about) to ten minutes after
    its last step was due or seen."""
    incident = report.incident
    begin = incident.triggered_at or incident.requested_at or incident.window_start
    ends = [t for step in report.steps for t in (step.deadline, step.happened_at) if t is not None]
    finish = max([begin, *ends])
    return Window(begin - BEFORE, finish + AFTER)


def hop_history(report: TraceReport, hop: Hop | None, home: OpenHome) -> dict[str, Any] | None:
    """The hop's recorded rows in the window, as one JSON document; None when there is no
    hop, no entity in it, or no recorded history."""
    recording = home.recording
    if hop is None or not hop.entities or not recording.histories:
        return None
    window = history_window(report)
    entities = sorted(set(hop.entities))
    opening = [_row(state) for entity in entities if (state := recording.state_at(entity, window.start))]
    states = [_row(state) for state in islice(recording.changes(entities, window.start, window.end), MAX_ROWS + 1)]
    runs = [run.model_dump(mode="json", exclude_none=True)
            for automation in hop.automations for run in recording.automation_runs(automation, window.start, window.end)]
    calls = [_without_user(event.model_dump(mode="json", exclude_none=True))
             for event in recording.service_calls(window.start, window.end)
             if service_call_targets(event.data) & set(entities)]
    return {
        "window": {"start": _utc(window.start), "end": _utc(window.end)},
        "entities": entities,
        "state_when_the_window_opens": opening,
        "states": states[:MAX_ROWS],
        "states_cut_at": MAX_ROWS if len(states) > MAX_ROWS else None,
        "automation_runs": sorted(runs, key=lambda run: run["started_at"]),
        "service_calls": calls,
        "sources": recording.sources,
    }


def _utc(moment: datetime) -> str:
    """Written as the rows' times are: UTC, with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _row(state: StateChange) -> dict[str, Any]:
    return _without_user(state.model_dump(mode="json", exclude_none=True))


def _without_user(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in _DROPPED}
