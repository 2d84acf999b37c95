"""The event stream's framing: messages whole however the bytes are split, and mapped to state changes."""

from __future__ import annotations

import json

import pytest

from weaklink.model import Capability, CapabilityKind, EventRecord, StateChange
from weaklink_hue.events import MALFORMED_EVENT, Known, SseMessage, SseParser, changes

EVENT = [{"creationtime": "2026-01-02T03:04:05.678Z", "id": "e1", "type": "update",
          "data": [{"id": "L1", "type": "light", "on": {"on": True}, "owner": {"rid": "D1", "rtype": "device"}}]}]
STREAM = (": hi\n\n" f"id: 1718000000:0\ndata: {json.dumps(EVENT)}\n\n"
          "id: 1718000000:1\r\nevent: other\r\ndata: [\r\ndata: ]\r\n\r\n")


def messages(chunks: list[bytes]) -> list[SseMessage]:
    parser = SseParser()
    return [message for chunk in chunks for message in parser.feed(chunk)]


def test_whole_stream() -> None:
    assert messages([STREAM.encode()]) == [SseMessage(json.dumps(EVENT), "1718000000:0"),
                                           SseMessage("[\n]", "1718000000:1", "other")]


def test_split_anywhere() -> None:
    data = STREAM.encode()
    for cut in range(1, len(data)):  # inside a field, a JSON string, between \r and \n…
        assert messages([data[:cut], data[cut:]]) == messages([data]), cut


def test_byte_by_byte() -> None:
    data = STREAM.encode()
    assert messages([data[i:i + 1] for i in range(len(data))]) == messages([data])


def known() -> Known:
    return Known.of([Capability(id="hue:light/L1", kind=CapabilityKind.LIGHT, device_id="hue:device/D1", state="off",
                                attributes={"brightness": 10.0})])


def test_updates_become_state_changes() -> None:
    memory = known()
    [change] = changes(SseMessage(json.dumps(EVENT)), memory)
    assert isinstance(change, StateChange) and (change.entity_id, change.state) == ("hue:light/L1", "on")
    assert change.at.isoformat() == "2026-01-02T03:04:05.678000+00:00" and change.attributes == {"brightness": 10.0}
    link = [{"creationtime": "2026-01-02T03:04:06Z", "type": "update", "data": [
        {"id": "Z1", "type": "zigbee_connectivity", "status": "connectivity_issue",
         "owner": {"rid": "D1", "rtype": "device"}}]}]
    [lost] = changes(SseMessage(json.dumps(link)), memory)
    assert (lost.entity_id, lost.state, lost.attributes["zigbee_status"]) == ("hue:light/L1", "unavailable",  # type: ignore[union-attr]
                                                                              "connectivity_issue")
    link[0]["data"][0]["status"] = "connected"  # type: ignore[index]
    [back] = changes(SseMessage(json.dumps(link)), memory)
    assert back.state == "on"  # type: ignore[union-attr]
    gone = [{"type": "delete", "data": [{"id": "L1", "type": "light"}]}]
    assert changes(SseMessage(json.dumps(gone)), memory)[0].state is None  # type: ignore[union-attr]


@pytest.mark.parametrize("data", ['[{"creationtime": "2026', '{"not": "a list"}'])
def test_garbage_is_a_record_not_an_exception(data: str) -> None:
    [record] = changes(SseMessage(data, "7:0"), known())
    assert isinstance(record, EventRecord) and record.event_type == MALFORMED_EVENT and record.data["id"] == "7:0"
