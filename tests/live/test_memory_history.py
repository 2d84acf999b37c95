"""A live observation kept in memory answers the History questions like a recorder database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from weaklink.history import History
from weaklink.live.memory import MemoryHistory
from weaklink.model import EventRecord, StateChange

T0 = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def state(entity: str, value: str, seconds: float, context: str | None = None, parent: str | None = None) -> StateChange:
    return StateChange(entity_id=entity, state=value, at=at(seconds), context_id=context, context_parent_id=parent)


def test_it_is_a_history_answering_by_entity_time_and_context() -> None:
    history = MemoryHistory()
    assert isinstance(history, History) and history.span() is None
    history.extend([
        state("person.alex", "not_home", 0), state("light.driveway", "off", 0),
        state("person.alex", "home", 10, context="C1"),
        EventRecord(event_type="automation_triggered", at=at(10.1), data={"entity_id": "automation.arrive_home"},
                    context_id="C2", context_parent_id="C1"),
        state("light.driveway", "on", 12, context="C2"),
        state("light.driveway", "off", 5),  # arrived late, from a slower feed: still kept in time order
    ])
    assert history.span() == (at(0), at(12))
    assert [s.state for s in history.state_changes(["light.driveway"], at(0), at(20))] == ["off", "off", "on"]
    assert [s.state for s in history.state_changes(["light.driveway", "person.alex"], at(1), at(11))] == ["off", "home"]
    assert history.state_at("light.driveway", at(11)).state == "off"  # type: ignore[union-attr]
    assert history.state_at("light.driveway", at(12)).state == "on"  # type: ignore[union-attr]
    assert history.state_at("light.driveway", at(-1)) is None
    assert [e.data["entity_id"] for e in history.events(["automation_triggered"], at(0), at(20))] == ["automation.arrive_home"]
    assert list(history.events(["call_service"], at(0), at(20))) == []
    linked = list(history.by_context(["C1"]))
    assert [type(row).__name__ for row in linked] == ["StateChange", "EventRecord"]
