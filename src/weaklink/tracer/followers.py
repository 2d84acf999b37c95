"""Which automations run after which, as recorded history shows it."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from ..scenario.derive import CONTEXT_LINK_WINDOW, FOLLOWER_WINDOW
from .recording import Recording


def followers_from_history(recording: Recording, start: datetime | None = None, end: datetime | None = None) -> dict[str, list[str]]:
    """Map each automation to the automations that ran because of it.

    A run whose context parent is another run's context was caused by it (Home Assistant
    links them for about 5 s). Past that, a run that follows another within
    `FOLLOWER_WINDOW` in at least two of its runs and half of them is taken as a follower.
    """
    span = recording.span()
    if span is None:
        return {}
    start, end = start or span[0], end or span[1]
    by_context: dict[str, str] = {}
    recent: list[tuple[datetime, str]] = []
    linked: dict[str, set[str]] = defaultdict(set)
    after: Counter[tuple[str, str]] = Counter()
    runs: Counter[str] = Counter()
    for event in recording.events(["automation_triggered"], start, end):
        name = str(event.data.get("entity_id") or "")
        if not name:
            continue
        runs[name] += 1
        parent = by_context.get(event.context_parent_id or "")
        if parent and parent != name:
            linked[parent].add(name)
        else:
            recent = [(at, other) for at, other in recent if event.at - at <= FOLLOWER_WINDOW]
            for at, other in recent:
                if other != name and event.at - at > CONTEXT_LINK_WINDOW:
                    after[(other, name)] += 1
        if event.context_id:
            by_context[event.context_id] = name
        recent.append((event.at, name))
    followers = {leader: sorted(names) for leader, names in linked.items()}
    for (leader, follower), count in after.items():
        if count >= 2 and count * 2 >= runs[leader] and follower not in followers.get(leader, []):
            followers.setdefault(leader, []).append(follower)
    return followers
