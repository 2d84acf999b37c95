"""The CLIP v2 event stream: server-sent events parsed as they arrive, into state changes.

The bridge holds `GET /eventstream/clip/v2` open and writes frames:

    : hi

    id: 1718000000:0
    data: [{"creationtime": "…Z", "id": "…", "type": "update", "data": [{partial resource}, …]}]

`SseParser` takes the bytes in whatever pieces the network delivers them (a frame may be
split anywhere, even inside a line ending) and returns whole messages. `changes` turns one
message into `StateChange`s whose entity ids are the snapshot's capability ids; a
zigbee_connectivity update becomes a change of every capability of its device (to
`unavailable`, or back to its last known state). A frame that is not valid JSON becomes
an `EventRecord` saying so, never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from weaklink.model import Capability, EventRecord, StateChange

from .naming import V2_KINDS, capability_id
from .readings import reading
from .resources import ZigbeeConnectivity, parse_resources

MALFORMED_EVENT = "hue_malformed_event"
UNAVAILABLE = "unavailable"


@dataclass
class SseMessage:
    """One server-sent event: its `id`, `event` name and `data` (lines joined by newlines)."""

    data: str
    id: str | None = None
    event: str = "message"


class SseParser:
    """Server-sent events (the WHATWG format) parsed incrementally from bytes."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._id: str | None = None
        self._event = ""

    def feed(self, chunk: bytes) -> list[SseMessage]:
        """Every message completed by `chunk`."""
        self._buffer += chunk
        messages = []
        for line in self._lines():
            if message := self._line(line):
                messages.append(message)
        return messages

    def _lines(self) -> Iterator[str]:
        while True:
            cut = min((i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0), default=-1)
            if cut < 0 or (self._buffer[cut:cut + 1] == b"\r" and cut + 1 == len(self._buffer)):
                return  # no line end yet, or a \r that may be the first half of \r\n
            end = cut + 2 if self._buffer[cut:cut + 2] == b"\r\n" else cut + 1
            line, self._buffer = self._buffer[:cut], self._buffer[end:]
            yield line.decode("utf-8", errors="replace")

    def _line(self, line: str) -> SseMessage | None:
        if not line:  # a blank line dispatches the message
            message = SseMessage("\n".join(self._data), self._id, self._event or "message") if self._data else None
            self._data, self._event = [], ""
            return message
        if line.startswith(":"):
            return None  # a comment (the bridge's `: hi`)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "id":
            self._id = value
        elif name == "event":
            self._event = value
        return None


@dataclass
class Known:
    """What observe() knows of the bridge between events: each capability's last state and device."""

    states: dict[str, str | None] = field(default_factory=dict)
    attributes: dict[str, dict[str, object]] = field(default_factory=dict)
    by_device: dict[str, list[str]] = field(default_factory=dict)  # device rid -> capability ids

    @classmethod
    def of(cls, capabilities: list[Capability]) -> Known:
        """What a snapshot's capabilities say."""
        known = cls()
        for capability in capabilities:
            known.states[capability.id] = capability.state
            known.attributes[capability.id] = dict(capability.attributes)
            if capability.device_id:
                rid = capability.device_id.rpartition("/")[2]
                known.by_device.setdefault(rid, []).append(capability.id)
        return known


def _time(text: object) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


def changes(message: SseMessage, known: Known) -> list[StateChange | EventRecord]:
    """The state changes one event-stream message carries."""
    try:
        events = json.loads(message.data)
        if not isinstance(events, list):
            raise ValueError("not a list of events")
    except ValueError as error:
        return [EventRecord(event_type=MALFORMED_EVENT, at=datetime.now(UTC),
                            data={"id": message.id, "reason": str(error), "size": len(message.data)})]
    found: list[StateChange | EventRecord] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        at = _time(event.get("creationtime"))
        resources, _ = parse_resources(event.get("data") or [])
        for resource in resources:
            if isinstance(resource, ZigbeeConnectivity) and resource.status and resource.owner is not None:
                found += _link_changed(resource, at, known)
            elif resource.type in V2_KINDS:
                entity = capability_id(resource.type, resource.id)
                if event.get("type") == "delete":
                    found.append(StateChange(entity_id=entity, state=None, at=at))
                    continue
                state, attributes = reading(resource)
                attributes = known.attributes.setdefault(entity, {}) | attributes
                known.attributes[entity] = attributes
                state = state if state is not None else known.states.get(entity)
                if state is None:
                    continue
                known.states[entity] = state
                found.append(StateChange(entity_id=entity, state=state, at=at, attributes=dict(attributes)))
    return found


def _link_changed(link: ZigbeeConnectivity, at: datetime, known: Known) -> list[StateChange | EventRecord]:
    assert link.owner is not None
    found: list[StateChange | EventRecord] = []
    for entity in known.by_device.get(link.owner.rid, []):
        attributes = known.attributes.setdefault(entity, {})
        attributes["zigbee_status"] = link.status
        state = known.states.get(entity) if link.status == "connected" else UNAVAILABLE
        found.append(StateChange(entity_id=entity, state=state, at=at, attributes=dict(attributes)))
    return found
