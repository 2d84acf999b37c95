"""The raw network map: radio links with their quality, between devices the device list knows too."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from z2m_fixtures import (
    AIR_PURIFIER,
    COORDINATOR,
    GARAGE_TEMPERATURE,
    HALLWAY_BULB,
    HOME_DEVICES,
    NETWORK_MAP,
    OLD_PLUG,
    device_id,
    document,
    load,
    write,
)

from weaklink.graph import HomeGraph
from weaklink.model import RadioLink, Role

WEAK = 30  # below this LQI a Zigbee link drops messages


def raw_map() -> dict[str, Any]:
    """A fresh copy of the fixture's map (the `value` of the response)."""
    return copy.deepcopy(document(NETWORK_MAP)["data"]["value"])


def test_a_weak_link_shows_up_with_its_quality_and_both_ends_resolved() -> None:
    fragment = load(NETWORK_MAP)
    devices = {d.id: d for d in fragment.devices}
    weak = [link for link in fragment.radio_links if link.link_quality is not None and link.link_quality < WEAK]
    assert weak == [RadioLink(source=device_id(HALLWAY_BULB), target=device_id(GARAGE_TEMPERATURE),
                              link_quality=21, relationship="child", depth=2)]
    assert devices[weak[0].source].name == "Hallway bulb"  # the router whose neighbour table it is
    assert devices[weak[0].target].name == "Garage temperature"  # the sensor it hears badly


def test_every_link_joins_two_devices_of_the_fragment() -> None:
    fragment = load(NETWORK_MAP)
    ids = {d.id for d in fragment.devices}
    assert len(fragment.radio_links) == len(document(NETWORK_MAP)["data"]["value"]["links"]) == 28
    assert all(link.source in ids and link.target in ids and link.source != link.target
               for link in fragment.radio_links)
    assert all(link.link_quality is not None for link in fragment.radio_links)


def test_the_map_and_the_device_list_agree_on_ids_and_merge_into_one_graph() -> None:
    listed, mapped = load(HOME_DEVICES), load(NETWORK_MAP)
    listed_ids = {d.id for d in listed.devices}
    assert {d.id for d in mapped.devices} == listed_ids  # the disabled plug too, though the map has no node for it
    for device in mapped.devices:
        twin = next(d for d in listed.devices if d.id == device.id)
        assert device.identifiers == twin.identifiers
    graph = HomeGraph.from_fragments([listed, mapped])
    assert len(graph.devices) == len(listed_ids)
    sensor = graph.device(device_id(GARAGE_TEMPERATURE))
    assert sensor is not None and graph.hub_of(sensor).id == device_id(COORDINATOR)
    assert {c.id.rsplit("/", 1)[1] for c in graph.capabilities_of(sensor)} == {"temperature", "humidity", "battery"}


def test_the_coordinator_is_the_hub_of_the_map() -> None:
    fragment = load(NETWORK_MAP)
    [hub] = fragment.hubs
    assert hub.id == device_id(COORDINATOR)
    assert {d.hub_id for d in fragment.devices if d.role is not Role.HUB} == {hub.id}


def test_model_and_brand_come_from_the_nodes() -> None:
    devices = {d.id: d for d in load(NETWORK_MAP).devices}
    bulb = devices[device_id(HALLWAY_BULB)]
    assert (bulb.name, bulb.brand, bulb.model) == ("Hallway bulb", "IKEA", "LED1836G9")


@pytest.mark.parametrize("wrap", ["response", "data", "value"])
def test_each_wrapping_of_the_map_gives_the_same_links(wrap: str, tmp_path: Path) -> None:
    response = document(NETWORK_MAP)
    saved = {"response": response, "data": response["data"], "value": response["data"]["value"]}[wrap]
    assert load(write(tmp_path / "map.json", saved)).radio_links == load(NETWORK_MAP).radio_links


def test_a_neighbour_the_map_has_no_node_for_is_kept_under_its_address() -> None:
    fragment = load(NETWORK_MAP)
    plug = next(d for d in fragment.devices if d.id == device_id(OLD_PLUG))
    assert plug.name == OLD_PLUG and [str(i) for i in plug.identifiers] == ["zigbee:00:12:4b:00:22:c3:d4:e5"]
    assert [(l.source, l.link_quality) for l in fragment.radio_links if l.target == plug.id] == [
        (device_id(COORDINATOR), 201)]


def test_an_unknown_neighbour_address_is_found_by_its_network_address(tmp_path: Path) -> None:
    value = raw_map()
    weak = next(link for link in value["links"] if link["lqi"] == 21)
    weak["source"]["ieeeAddr"] = "0x0000000000000000"  # what some Xiaomi routers report
    fragment = load(write(tmp_path / "map.json", value))
    assert RadioLink(source=device_id(HALLWAY_BULB), target=device_id(GARAGE_TEMPERATURE), link_quality=21,
                     relationship="child", depth=2) in fragment.radio_links


def test_a_neighbour_with_neither_address_known_is_left_out_with_a_warning(tmp_path: Path) -> None:
    value = raw_map()
    weak = next(link for link in value["links"] if link["lqi"] == 21)
    weak["source"] = {"ieeeAddr": "0xffffffffffffffff", "networkAddress": 65000}
    fragment = load(write(tmp_path / "map.json", value))
    assert len(fragment.radio_links) == 27
    assert not any(link.link_quality == 21 for link in fragment.radio_links)
    assert any("network address 65000" in entry.message and entry.at is None for entry in fragment.log)


def test_a_router_that_did_not_answer_the_scan_is_a_warning() -> None:
    silent = [node for node in raw_map()["nodes"] if node.get("failed")]
    assert [(node["ieeeAddr"], node["failed"]) for node in silent] == [(AIR_PURIFIER, ["routingTable"])]
    [warning] = load(NETWORK_MAP).log
    assert warning.level == "WARNING" and warning.source == "networkmap.json" and warning.at is None
    assert warning.message.startswith("Bedroom air purifier did not answer the network scan's routing table request")


def test_lqi_is_read_under_either_name_and_only_in_range(tmp_path: Path) -> None:
    value = raw_map()
    del value["links"][0]["lqi"]  # an older map: `linkquality` only
    value["links"][0]["linkquality"] = 77
    value["links"][1]["lqi"] = 300  # not an LQI
    links = load(write(tmp_path / "map.json", value)).radio_links
    assert (links[0].link_quality, links[1].link_quality) == (77, None)


def test_relationships_read_as_words_and_inactive_ones_are_left_out(tmp_path: Path) -> None:
    value = raw_map()
    value["links"][0]["relationship"] = 4  # a previous child: not an active link
    value["links"][1]["relationship"] = "Sibling"
    value["links"][2]["relationship"] = 3
    links = load(write(tmp_path / "map.json", value)).radio_links
    assert len(links) == 27
    assert (links[0].relationship, links[1].relationship) == ("sibling", "none")


def test_links_written_with_flat_addresses_only_are_read(tmp_path: Path) -> None:
    value = raw_map()
    for link in value["links"]:  # the shape of maps of about 2020
        del link["source"], link["target"]
    assert load(write(tmp_path / "map.json", value)).radio_links == load(NETWORK_MAP).radio_links
