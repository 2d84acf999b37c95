"""A SmartThings answer that is recognised but malformed is an ExportError naming the file and the place."""

from __future__ import annotations

from pathlib import Path

import pytest
from smartthings_fixtures import document, model, write

from weaklink.errors import ExportError
from weaklink_smartthings import SmartThingsAdapter

ADAPTER = SmartThingsAdapter()


def refused(path: Path) -> ExportError:
    with pytest.raises(ExportError) as raised:
        ADAPTER.load(path)
    assert raised.value.source == str(path)
    return raised.value


def test_a_file_cut_short_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    text = model("zigbee_").read_text()
    path.write_text(text[: len(text) // 2])
    error = refused(path)
    assert error.line is not None and error.line > 1 and "not valid JSON" in error.message


@pytest.mark.parametrize(("content", "field"), [
    ({"items": [document(model("zigbee_")), {"deviceId": 7, "components": []}], "_links": {}}, "items.1.deviceId"),
    ({"items": [document(model("zigbee_")) | {"components": [{"label": "main", "capabilities": []}]}]},
     "items.0.components.0.id"),
    ({"items": [document(model("zigbee_")) | {"components": [{"id": "main", "capabilities": [{"version": 1}]}]}]},
     "items.0.components.0.capabilities.0.id"),
    ([document(model("zigbee_")), document(model("zwave_")) | {"components": "main"}], "1.components"),
    (document(model("zwave_")) | {"deviceId": None}, "deviceId"),
    ({"deviceId": ["x"], "state": "OFFLINE", "lastUpdatedDate": "2025-11-14T23:41:07.512Z"}, "deviceId"),
    ({"components": {"main": {"switch": {"switch": "on"}, "motionSensor": {"motion": {"value": "active"}}}}},
     "components.main.switch.switch"),
    ({"components": {"main": {"switch": ["on"], "motionSensor": {"motion": {"value": "active"}}}}},
     "components.main.switch"),
])
def test_a_field_that_does_not_fit_is_named(content: object, field: str, tmp_path: Path) -> None:
    path = write(tmp_path / "saved.json", content)
    assert ADAPTER.detect(path)  # recognised: then refused, saying where
    assert refused(path).field == field


def test_a_file_that_is_no_smartthings_answer_is_refused_when_loaded_anyway(tmp_path: Path) -> None:
    error = refused(write(tmp_path / "rooms.json", {"items": [{"roomId": "a", "name": "Hall"}]}))
    assert "SmartThings" in error.message


def test_fields_of_unexpected_types_and_unknown_values_are_tolerated(tmp_path: Path) -> None:
    device = document(model("zigbee_")) | {
        "type": "NEW_KIND_OF_DEVICE", "label": 12, "viper": "not an object", "components": [
            {"id": "main", "capabilities": [{"id": "motionSensor", "version": "2"}, {"id": "future.capability"}],
             "categories": None}],
        "healthState": {"state": "SLEEPING", "lastUpdatedDate": "yesterday"}, "somethingNew": {"a": 1}}
    fragment = ADAPTER.load(write(tmp_path / "device.json", device))
    assert fragment.devices[0].name == "12" and fragment.devices[0].transport.value == "unknown"
    assert [c.id.rsplit("/", 1)[1] for c in fragment.capabilities] == ["motionSensor"]
    assert fragment.capabilities[0].available  # an unknown health state is no "offline"
