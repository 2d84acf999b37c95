"""What a live trace saw, kept as a History so the recorded-history tracer can replay it.

A live trace observes the home while the chain runs; everything the sessions report (the
states at the start, each change, each event) goes into a `MemoryHistory`. When the chain
has had its time, the same tracer that replays a recorder database walks this history, so
a live report and a recorded one are built by one piece of code, to one contract.

Only what one trace observes is kept (minutes of a handful of hosts), so plain sorted lists
are enough; they are kept in arrival order, which is time order for a live feed, and sorted
on the rare out-of-order arrival.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from datetime import datetime

from ..model import EventRecord, StateChange


class MemoryHistory:
    """A History (see `weaklink.history`) filled as things happen."""

    def __init__(self, source: str = "live observation") -> None:
        self.source = source
        self._states: dict[str, list[StateChange]] = {}
        self._events: dict[str, list[EventRecord]] = {}

    # ------------------------------------------------------------------ filling

    def add(self, item: StateChange | EventRecord) -> None:
        """Record one observed state or event."""
        if isinstance(item, StateChange):
            _insert(self._states.setdefault(item.entity_id, []), item)
        else:
            _insert(self._events.setdefault(item.event_type, []), item)

    def extend(self, items: Iterable[StateChange | EventRecord]) -> None:
        """Record several."""
        for item in items:
            self.add(item)

    # ------------------------------------------------------------------ History

    def span(self) -> tuple[datetime, datetime] | None:
        """The first and last time anything was observed."""
        times = [row.at for rows in (*self._states.values(), *self._events.values()) for row in (rows[0], rows[-1])]
        return (min(times), max(times)) if times else None

    def state_changes(self, entity_ids: Iterable[str], start: datetime, end: datetime) -> Iterator[StateChange]:
        """Observed states of these entities in [start, end], oldest first."""
        rows = [row for entity in set(entity_ids) for row in _window(self._states.get(entity, []), start, end)]
        yield from sorted(rows, key=lambda row: row.at)

    def state_at(self, entity_id: str, when: datetime) -> StateChange | None:
        """The last state of the entity observed at or before `when`."""
        rows = self._states.get(entity_id, [])
        index = bisect.bisect_right(rows, when, key=lambda row: row.at)
        return rows[index - 1] if index else None

    def events(self, event_types: Iterable[str], start: datetime, end: datetime) -> Iterator[EventRecord]:
        """Observed events of these types in [start, end], oldest first."""
        rows = [row for kind in set(event_types) for row in _window(self._events.get(kind, []), start, end)]
        yield from sorted(rows, key=lambda row: row.at)

    def by_context(self, context_ids: Iterable[str]) -> Iterator[StateChange | EventRecord]:
        """States and events whose context or parent context is one of these."""
        wanted = set(context_ids)
        rows: list[StateChange | EventRecord] = [
            row for rows in (*self._states.values(), *self._events.values()) for row in rows
            if row.context_id in wanted or row.context_parent_id in wanted
        ]
        yield from sorted(rows, key=lambda row: row.at)

    def close(self) -> None:
        """Nothing to release."""


def _insert(rows: list, item: StateChange | EventRecord) -> None:  # type: ignore[type-arg]
    if not rows or rows[-1].at <= item.at:
        rows.append(item)
    else:
        rows.insert(bisect.bisect_right(rows, item.at, key=lambda row: row.at), item)


def _window(rows: list, start: datetime, end: datetime) -> list:  # type: ignore[type-arg]
    low = bisect.bisect_left(rows, start, key=lambda row: row.at)
    high = bisect.bisect_right(rows, end, key=lambda row: row.at)
    return rows[low:high]
