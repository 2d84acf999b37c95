"""ESPHome records: the node by its MAC, its friendly name, hardware, network and firmware."""

from __future__ import annotations

import pytest
from mdns_records import BLUETOOTH_PROXY, ESPHOME, ESPHOME_NODE


def test_a_node_is_named_by_its_friendly_name_and_identified_by_its_mac() -> None:
    found = ESPHOME_NODE.identify()
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name, found.port, found.via, found.operations) == (
        None, "ESPHome", "Living Room Sensor", 6053, ESPHOME, [])
    assert found.model == "ESP32 esp32dev (wifi, ESPHome 2024.6.1)"
    assert found.identifiers == {"mac": "a0b76532f1c4"}


def test_a_project_built_on_esphome_is_named_by_its_project() -> None:
    found = BLUETOOTH_PROXY.identify()
    assert found is not None and found.problem is None
    assert found.name == "esp32-bluetooth-proxy-8e1f3a"  # no friendly_name: the node name
    assert found.model == "esphome.bluetooth-proxy 24.7.4.1 (ESP32 esp32dev, wifi, ESPHome 2024.7.3)"


def test_a_mac_written_with_colons_is_the_same_mac() -> None:
    found = ESPHOME_NODE.identify({"mac": "A0:B7:65:32:F1:C4"})
    assert found is not None and found.identifiers == {"mac": "a0b76532f1c4"}


@pytest.mark.parametrize("mac", [None, "", "a0b76532f1", "not-a-mac-addr", "a0b76532f1c4ff"])
def test_a_record_without_a_valid_mac_is_not_trusted(mac: str | None) -> None:
    found = ESPHOME_NODE.identify({"mac": mac})
    assert found is not None and found.problem is not None and found.problem.endswith("not trusted")
    assert ("no mac" in found.problem) if not mac else (repr(mac) in found.problem)
    assert found.name == "Living Room Sensor"
