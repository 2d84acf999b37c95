"""A payload that is Zigbee2MQTT's but does not fit: an ExportError naming the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from z2m_fixtures import ENTRY_FILES, HOME_DEVICES, NETWORK_MAP, document, load, write

from weaklink.errors import ExportError
from weaklink.homefolder import import_home


def _error(path: Path) -> ExportError:
    with pytest.raises(ExportError) as raised:
        load(path)
    assert raised.value.source == str(path)
    return raised.value


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    path.write_text('[\n  {"ieee_address": "0x00158d0001e1a2b3",\n   "type": "EndDevice",,\n')
    assert _error(path).line == 3


def test_an_entry_of_the_list_that_does_not_fit_is_named_by_its_index(tmp_path: Path) -> None:
    entries = document(HOME_DEVICES)
    entries[3]["ieee_address"] = 1234567
    error = _error(write(tmp_path / "devices.json", entries))
    assert error.field == "3.ieee_address"


def test_an_address_that_is_no_ieee_address_is_named(tmp_path: Path) -> None:
    entry = {**document(ENTRY_FILES[0]), "ieee_address": "0x00158d00"}
    error = _error(write(tmp_path / "entry.json", entry))
    assert error.field == "ieee_address" and "IEEE" in error.message


@pytest.mark.parametrize(("change", "field"), [
    (lambda e: e["definition"].update(exposes={"type": "light"}), "definition.exposes"),
    (lambda e: e["definition"]["exposes"].append("occupancy"), "definition.exposes.8"),
    (lambda e: e.update(network_address="nearby"), "network_address"),
], ids=["exposes an object", "an expose a string", "a network address in words"])
def test_a_structure_that_is_not_zigbee2mqtt_s_is_named(change: Any, field: str, tmp_path: Path) -> None:
    entry = document(next(p for p in ENTRY_FILES if p.name == "Aqara_RTCGQ11LM.json"))
    change(entry)
    assert _error(write(tmp_path / "entry.json", entry)).field == field


def test_a_link_without_its_target_is_named_where_it_sits(tmp_path: Path) -> None:
    response = document(NETWORK_MAP)
    for link in response["data"]["value"]["links"][2:3]:
        del link["target"], link["targetIeeeAddr"]
    assert _error(write(tmp_path / "map.json", response)).field == "data.value.links.2.target"


def test_a_map_whose_nodes_are_not_a_list_is_named(tmp_path: Path) -> None:
    response = document(NETWORK_MAP)
    response["data"]["value"]["nodes"] = {"0x00124b0029a1b2c3": {}}
    assert _error(write(tmp_path / "map.json", response)).field == "data.value.nodes"


def test_a_file_of_no_zigbee2mqtt_payload_is_refused_by_name(tmp_path: Path) -> None:
    error = _error(write(tmp_path / "other.json", {"devices": []}))
    assert "Zigbee2MQTT" in error.message


def test_a_home_folder_with_a_broken_payload_stops_at_that_file(tmp_path: Path) -> None:
    entries = document(HOME_DEVICES)
    entries[0]["ieee_address"] = "coordinator"
    (tmp_path / "home").mkdir()
    broken = write(tmp_path / "home" / "devices (2).json", entries)
    with pytest.raises(ExportError) as raised:
        import_home(tmp_path / "home")
    assert raised.value.source == str(broken) and raised.value.field == "0.ieee_address"
