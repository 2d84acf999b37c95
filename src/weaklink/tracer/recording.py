"""One view over everything recorded about the home: history stores, saved runs and logs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from ..history import History
from ..model import AutomationRun, EventRecord, LogEntry, StateChange


class Recording:
    """The recorded evidence the tracer replays, whatever stores it.

    Wraps the histories the adapters opened (states and events) together with the automation
    runs read from saved traces and the platform's log lines.
    """

    def __init__(
        self,
        histories: Sequence[History],
        runs: Iterable[AutomationRun] = (),
        log: Iterable[LogEntry] = (),
    ) -> None:
        self.histories = list(histories)
        self.runs = sorted(runs, key=lambda run: run.started_at)
        self.log = [entry for entry in log if entry.at is not None]
        self._renames: dict[str, tuple[str, datetime] | None] = {}

    @property
    def sources(self) -> list[str]:
        """Where the histories are read from."""
        return [history.source for history in self.histories]

    def span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest time anything was recorded."""
        spans = [span for history in self.histories if (span := history.span())]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def state_at(self, entity_id: str, when: datetime) -> StateChange | None:
        """The entity's state at `when`, from whichever history knows it."""
        found = [s for history in self.histories if (s := history.state_at(entity_id, when))]
        return max(found, key=lambda s: s.at) if found else None

    def changes(self, entity_ids: Iterable[str], start: datetime, end: datetime) -> Iterator[StateChange]:
        """Recorded states of these entities in [start, end], oldest first."""
        ids = list(entity_ids)
        if len(self.histories) == 1:
            yield from self.histories[0].state_changes(ids, start, end)
            return
        rows = [row for history in self.histories for row in history.state_changes(ids, start, end)]
        yield from sorted(rows, key=lambda row: row.at)

    def events(self, event_types: Iterable[str], start: datetime, end: datetime) -> Iterator[EventRecord]:
        """Recorded events of these types in [start, end], oldest first."""
        types = list(event_types)
        rows = [row for history in self.histories for row in history.events(types, start, end)]
        yield from sorted(rows, key=lambda row: row.at)

    def has_history_for(self, entity_id: str) -> bool:
        """True when any history ever recorded this entity."""
        span = self.span()
        return bool(span) and self.state_at(entity_id, span[1] + timedelta(seconds=1)) is not None

    def still_present(self, entity_id: str) -> bool:
        """True when the entity's last recorded state is not a removal (renamed or deleted
        entities end with one: Home Assistant removes the old id's state)."""
        span = self.span()
        if not span:
            return False
        last = self.state_at(entity_id, span[1] + timedelta(seconds=1))
        return last is not None and not last.removed

    def renamed(self, entity_id: str) -> tuple[str, datetime] | None:
        """The id `entity_id` was renamed to, and when, as the registry's update events record it.

        Home Assistant moves an entity's whole recorded history to its new id when it is
        renamed, so before that moment the entity's states are found under the new id.
        """
        if entity_id not in self._renames:
            span = self.span()
            found = None
            if span is not None:
                for event in self.events(["entity_registry_updated"], span[0], span[1]):
                    new_id = event.data.get("entity_id")
                    if event.data.get("old_entity_id") == entity_id and isinstance(new_id, str) and new_id != entity_id:
                        found = (new_id, event.at)
            self._renames[entity_id] = found
        return self._renames[entity_id]

    def service_calls(self, start: datetime, end: datetime, service: str | None = None) -> list[EventRecord]:
        """`call_service` events in the window, optionally only of one `domain.service`."""
        calls = []
        for event in self.events(["call_service"], start, end):
            name = f"{event.data.get('domain')}.{event.data.get('service')}"
            if service is None or name == service:
                calls.append(event)
        return calls

    def automation_runs(self, automation: str, start: datetime, end: datetime) -> list[AutomationRun]:
        """Runs of an automation or script in the window: saved traces first, then events.

        A run known from both a saved trace and an `automation_triggered`/`script_started`
        event (same context id) is reported once, from the trace, which knows more.
        """
        runs = [r for r in self.runs if r.automation == automation and start <= r.started_at <= end]
        seen = {run.context_id for run in runs if run.context_id}
        event_type = "script_started" if automation.startswith("script.") else "automation_triggered"
        for event in self.events([event_type], start, end):
            if event.data.get("entity_id") != automation or (event.context_id and event.context_id in seen):
                continue
            runs.append(
                AutomationRun(
                    automation=automation,
                    started_at=event.at,
                    result="unknown",
                    trigger=str(event.data.get("source") or "") or None,
                    context_id=event.context_id,
                    context_parent_id=event.context_parent_id,
                    source=self.histories[0].source if self.histories else None,
                )
            )
        return sorted(runs, key=lambda run: run.started_at)

    def log_for(self, domain: str, start: datetime, end: datetime) -> list[LogEntry]:
        """Log lines about one integration domain in the window."""
        return [e for e in self.log if e.integration == domain and e.at is not None and start <= e.at <= end]

    def log_mentioning(self, text: str, start: datetime, end: datetime) -> list[LogEntry]:
        """Log lines in the window whose message contains `text`."""
        return [e for e in self.log if e.at is not None and start <= e.at <= end and text in e.message]
