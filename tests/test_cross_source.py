"""One physical device reported by several sources is one node, with every source's account kept.

The home is exported from four sources at once, as a support desk receives it: Home
Assistant's config folder, a Hue bridge's resources, a Zigbee2MQTT device list and a Shelly
dump. Home Assistant knows the driveway light through its Hue integration (by IEEE address),
the kitchen leak sensor through ZHA (IEEE, the same sensor Zigbee2MQTT lists after a
migration) and the fridge plug by MAC (the Shelly dump's).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_support import HOME, ROOT, weaklink_process

from weaklink.graph import HomeGraph
from weaklink.homefolder import import_home

HUE = ROOT / "adapters" / "hue" / "fixtures" / "BSB002_1965111030.json"
Z2M = ROOT / "adapters" / "zigbee2mqtt" / "fixtures"
SHELLY = ROOT / "adapters" / "shelly" / "fixtures" / "SNPL-00112EU_1.1.0.json"
DRIVEWAY_IEEE, LEAK_IEEE, FRIDGE_MAC = "00:17:88:01:7e:d4:b7:58", "00:15:8d:00:4c:e5:1c:c9", "E8DB84D6F1A0"


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """A folder of the four sources' exports, named as a customer might."""
    shutil.copytree(HOME, tmp_path / "ha-config")
    bridge = json.loads(HUE.read_text())
    driveway = next(r for r in bridge["resources"] if r["type"] == "device" and r["metadata"]["name"] == "Driveway")
    for resource in bridge["resources"]:
        if resource["type"] == "zigbee_connectivity" and resource["owner"]["rid"] == driveway["id"]:
            resource["mac_address"] = DRIVEWAY_IEEE  # the light Home Assistant's Hue integration registered
    (tmp_path / "hue bridge.json").write_text(json.dumps(bridge))
    coordinator = json.loads((Z2M / "coordinator_zStack3x0.json").read_text())
    leak = json.loads((Z2M / "Aqara_SJCGQ11LM.json").read_text())
    leak["ieee_address"] = "0x" + LEAK_IEEE.replace(":", "")
    (tmp_path / "devices (1).json").write_text(json.dumps([coordinator, leak]))
    plug = json.loads(SHELLY.read_text())
    device_id = f"shellyplusplugs-{FRIDGE_MAC.lower()}"
    plug["shelly"].update(mac=FRIDGE_MAC, id=device_id)
    (tmp_path / "fridge.txt").write_text(json.dumps(plug))
    return tmp_path


def merged(graph: HomeGraph, identifier: str) -> list[tuple[str, str]]:
    """The (platform, id) of every source's account of the device with this identifier."""
    [device] = [d for d in graph.devices if any(i.value == identifier for i in d.identifiers)]
    return sorted((report.platform, report.device.id) for report in graph.reports_of(device))


def test_each_device_several_sources_report_is_one_node_with_every_account(exported: Path) -> None:
    imported = import_home(exported)
    assert {adapter for _, adapter in imported.read} == {"homeassistant", "hue", "zigbee2mqtt", "shelly"}
    graph = HomeGraph.from_fragments(imported.fragments)
    assert [platform for platform, _ in merged(graph, DRIVEWAY_IEEE)] == ["homeassistant", "hue"]
    assert [platform for platform, _ in merged(graph, LEAK_IEEE)] == ["homeassistant", "zigbee2mqtt"]
    fridge = merged(graph, "e8:db:84:d6:f1:a0")
    assert ("shelly", "shelly:shellyplusplugs-e8db84d6f1a0") in fridge and fridge[0][0] == "homeassistant"
    # and nothing else was merged away: the devices no other source knows are all still there
    alone = [d for d in graph.devices if len(graph.reports_of(d)) == 1]
    assert len(alone) == sum(len(f.devices) for f in imported.fragments) - 2 * 3


def test_the_graph_command_lists_each_devices_sources(exported: Path) -> None:
    done = weaklink_process("graph", "--home", exported, "--format", "json")
    assert done.returncode == 0, done.stderr
    devices = json.loads(done.stdout)["devices"]
    light = next(d for d in devices if any(i["value"] == DRIVEWAY_IEEE for i in d["identifiers"]))
    assert sorted(s["platform"] for s in light["sources"]) == ["homeassistant", "hue"]
    assert all(s["source"] for s in light["sources"])


def test_two_devices_one_brand_names_differently_stay_two_whatever_mac_they_claim(tmp_path: Path) -> None:
    # dumps with masked MACs (AA:BB:CC:…, as shared publicly) must not collapse into one device
    for name, device_id in (("a.json", "shellyplusplugs-aabbccddeeff"), ("b.json", "shellyplus1-aabbccddeeff")):
        plug = json.loads(SHELLY.read_text())
        plug["shelly"].update(mac="AABBCCDDEEFF", id=device_id)
        (tmp_path / name).write_text(json.dumps(plug))
    graph = HomeGraph.from_fragments(import_home(tmp_path).fragments)
    assert sorted(d.id for d in graph.devices) == ["shelly:shellyplus1-aabbccddeeff",
                                                   "shelly:shellyplusplugs-aabbccddeeff"]


def network_map(light_ieee: str, quality: int) -> dict[str, object]:
    """A Zigbee2MQTT raw network map: the coordinator, a router, and the light hanging off the router."""
    coordinator, router, light = "0x00124b0029a1b2c3", "0x000d6ffffe8a1b2c", "0x" + light_ieee.replace(":", "")
    nodes = [{"ieeeAddr": coordinator, "friendlyName": "Coordinator", "type": "Coordinator", "networkAddress": 0},
             {"ieeeAddr": router, "friendlyName": "Garage plug", "type": "Router", "networkAddress": 6699},
             {"ieeeAddr": light, "friendlyName": "Driveway", "type": "Router", "networkAddress": 4242}]
    links = [{"source": {"ieeeAddr": router, "networkAddress": 6699}, "target": {"ieeeAddr": coordinator,
              "networkAddress": 0}, "linkquality": 212, "lqi": 212, "depth": 1, "relationship": 1, "routes": []},
             {"source": {"ieeeAddr": light, "networkAddress": 4242}, "target": {"ieeeAddr": router,
              "networkAddress": 6699}, "linkquality": quality, "lqi": quality, "depth": 2, "relationship": 1,
              "routes": []}]
    return {"data": {"type": "raw", "routes": True, "value": {"nodes": nodes, "links": links}}, "status": "ok"}


@pytest.mark.parametrize("quality, weak", [(21, True), (180, False)])
def test_a_radio_finding_cites_the_mesh_map_of_the_device(tmp_path: Path, quality: int, weak: bool) -> None:
    shutil.copytree(HOME, tmp_path / "ha-config")
    (tmp_path / "networkmap.json").write_text(json.dumps(network_map(DRIVEWAY_IEEE, quality)))
    done = weaklink_process("trace", "--home", tmp_path, ROOT / "scenarios" / "driveway_arrival.yaml",
                            "--at", "2026-11-11T18:50:00-05:00", "--format", "json")
    assert done.returncode == 1, done.stderr
    link = json.loads(done.stdout)["broken_link"]
    assert (link["element"], link["cause"]) == ("light.driveway", "radio_link_lost")
    radio = [e["detail"] for e in link["evidence"] if e["kind"] == "radio"]
    assert radio == [f"the mesh map gives its link to Garage plug a quality of {quality} of 255"
                     + (" (under 50: a route that loses messages)" if weak else "")]
