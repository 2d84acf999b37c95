"""Each SmartThings device type maps to how it is reached, what identifies it and who made it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from smartthings_fixtures import (
    EVERY_FIXTURE,
    FIXTURES,
    HUB_ID,
    LOCK_ID,
    MODEL_HUB_ID,
    MODELS,
    MOTION_ID,
    document,
    hub_named,
    model,
    write,
)

from weaklink.graph import EdgeKind, HomeGraph
from weaklink.homefolder import import_home
from weaklink.model import Device, Role, Transport
from weaklink_smartthings import SmartThingsAdapter

ADAPTER = SmartThingsAdapter()
HUB = f"smartthings:{HUB_ID}"

# fixture prefix: (role, transport, hub, identifiers besides the SmartThings one, brand, model, sw_version, host)
EXPECTED = {
    "hub_": (Role.HUB, Transport.ETHERNET, None, {"zigbee:d0:52:a8:ab:12:34:00:01", "mac:28:6d:97:0a:1b:2c"},
             "Samsung SmartThings", "V3_HUB", "000.055.00019", "192.168.1.20"),
    "zigbee_": (Role.DEVICE, Transport.ZIGBEE, HUB, {"zigbee:28:6d:97:00:01:07:a1:b2"},
                "Samjin", "Samsung Motion Sensor", None, None),
    "zwave_": (Role.DEVICE, Transport.ZWAVE, HUB, set(), None, "Schlage Connect Smart Deadbolt", None, None),
    "viper_": (Role.DEVICE, Transport.CLOUD, None, {"vendor:viper:CG0812AB34CD"},
               "Chamberlain", "MyQ-G0401", "5.1.10", None),
    "lan_": (Role.DEVICE, Transport.UNKNOWN, HUB, {"mac:94:10:3e:a1:b2:c3"},
             "Belkin International Inc.", "WeMo Insight Smart Plug", None, None),
    "matter_": (Role.DEVICE, Transport.UNKNOWN, HUB, {"vendor:matter:NL45A19-7F3E21C4"},
                "Nanoleaf", "Nanoleaf Essentials A19", None, None),
}


def the_device(path: Path) -> Device:
    native = document(path)["deviceId"]
    return next(d for d in ADAPTER.load(path).devices if d.id == f"smartthings:{native}")


def test_every_model_fixture_is_expected() -> None:
    assert sorted(prefix for prefix in EXPECTED) == sorted(p.name.split("_")[0] + "_" for p in MODELS)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_each_type_maps_to_its_transport_identifiers_and_maker(prefix: str) -> None:
    path = model(prefix)
    role, transport, hub, hardware, brand, model_name, sw_version, host = EXPECTED[prefix]
    device = the_device(path)
    native = document(path)["deviceId"]
    assert (device.role, device.transport, device.hub_id) == (role, transport, hub)
    assert {str(i) for i in device.identifiers} == hardware | {f"vendor:smartthings:{native}"}
    assert (device.brand, device.model, device.sw_version, device.host) == (brand, model_name, sw_version, host)
    assert device.name == document(path)["label"]


def test_a_hub_nothing_describes_is_a_placeholder() -> None:
    fragment = ADAPTER.load(model("zigbee_"))
    assert [d.id for d in fragment.devices] == [f"smartthings:{MOTION_ID}", HUB]
    placeholder = fragment.devices[1]
    assert (placeholder.role, placeholder.name) == (Role.HUB, "SmartThings hub 0d7a3e91")
    assert [str(i) for i in placeholder.identifiers] == [f"vendor:{HUB}"]


def test_a_hub_described_in_another_file_of_the_home_is_the_one_devices_hang_off(tmp_path: Path) -> None:
    for prefix in ("zigbee_", "zwave_", "lan_"):
        shutil.copyfile(model(prefix), tmp_path / model(prefix).name)
    write(tmp_path / "zz-hub.json", hub_named(HUB_ID))  # read last: its name must still win
    fragments = import_home(tmp_path, [ADAPTER]).fragments
    assert all(d.name == "Hall cupboard hub" for f in fragments for d in f.devices if d.id == HUB)
    graph = HomeGraph.from_fragments(fragments)
    [hub] = graph.hubs()
    assert (hub.name, hub.model, hub.host) == ("Hall cupboard hub", "V3_HUB", "192.168.1.20")
    behind = {d.name: graph.link_to_hub(d) for d in graph.behind(hub)}
    assert behind == {"Hallway motion": EdgeKind.RADIO_LINK, "Front door lock": EdgeKind.RADIO_LINK,
                      "Porch lamp plug": EdgeKind.VIA}


def test_a_zwave_device_whose_hub_is_described_gets_its_home_and_node_id(tmp_path: Path) -> None:
    listing = write(tmp_path / "devices.json", {"items": [hub_named(HUB_ID), document(model("zwave_"))],
                                                "_links": {}})
    lock = next(d for d in ADAPTER.load(listing).devices if d.id == f"smartthings:{LOCK_ID}")
    # hub zwaveHomeID E5A3C2F1 and node 0B, written as Z-Wave JS writes them
    assert f"zwave:{0xE5A3C2F1}-11" in {str(i) for i in lock.identifiers}
    assert lock.hub_id == HUB and len(ADAPTER.load(listing).devices) == 2  # no placeholder: the hub is listed


def test_a_child_hangs_off_its_parent_when_the_home_describes_it(tmp_path: Path) -> None:
    parent = document(model("zigbee_"))
    child = {"deviceId": "11111111-2222-4333-8444-555555555555", "label": "Outlet 2", "type": "EDGE_CHILD",
             "parentDeviceId": MOTION_ID, "components": [{"id": "main", "capabilities": [{"id": "switch"}]}]}
    fragment = ADAPTER.load(write(tmp_path / "devices.json", {"items": [parent, child]}))
    mapped = next(d for d in fragment.devices if d.name == "Outlet 2")
    assert mapped.hub_id == f"smartthings:{MOTION_ID}" and mapped.transport is Transport.ZIGBEE
    alone = ADAPTER.load(write(tmp_path / "other" / "child" / "child.json", child))
    assert alone.devices[0].hub_id == f"smartthings:{MOTION_ID}" and alone.devices[0].transport is Transport.UNKNOWN


@pytest.mark.parametrize(("changes", "transport"), [
    ({"type": "VIRTUAL"}, Transport.VIRTUAL),
    ({"type": "BLE_D2D"}, Transport.BLE),
    ({"type": "DTH", "dth": {"deviceNetworkType": "ZIGBEE", "hubId": HUB_ID}}, Transport.ZIGBEE),
    ({"type": "OCF", "components": [{"id": "main", "capabilities": [{"id": "sec.wifiConfiguration"}]}]}, Transport.WIFI),
    ({"type": "OCF"}, Transport.UNKNOWN),  # a TV may be wired
    ({"type": "SOMETHING_NEW"}, Transport.UNKNOWN),
    ({"type": None}, Transport.ZIGBEE),  # an older answer: its zigbee block tells
])
def test_other_types_and_unknown_ones(changes: dict[str, object], transport: Transport, tmp_path: Path) -> None:
    device = document(model("zigbee_")) | changes
    if changes["type"] is not None:
        device.pop("zigbee")
    assert ADAPTER.load(write(tmp_path / "device.json", device)).devices[0].transport is transport


def test_a_mobile_presence_device_is_a_phone(tmp_path: Path) -> None:
    phone = {"deviceId": "22222222-3333-4444-8555-666666666666", "label": "Sam's phone", "type": "MOBILE",
             "components": [{"id": "main", "capabilities": [{"id": "presenceSensor"}]}]}
    assert ADAPTER.load(write(tmp_path / "phone.json", phone)).devices[0].role is Role.PHONE


def test_all_zero_addresses_of_radios_not_fitted_are_no_identifiers(tmp_path: Path) -> None:
    hub = document(model("hub_"))
    hub["hub"]["hubEui"] = "0000000000000000"
    hub["hub"]["hubData"] |= {"zigbeeEui": "0000000000000000", "macAddress": "00:00:00:00:00:00"}
    device = ADAPTER.load(write(tmp_path / "hub.json", hub)).devices[0]
    assert [str(i) for i in device.identifiers] == [f"vendor:smartthings:{MODEL_HUB_ID}"]


def test_the_cli_s_device_array_reads_as_the_api_s_device_list(tmp_path: Path) -> None:
    items = [document(p) for p in MODELS]
    api = ADAPTER.load(write(tmp_path / "api" / "devices.json", {"items": items, "_links": {}}))
    cli = ADAPTER.load(write(tmp_path / "cli" / "devices.json", items))
    assert api.model_dump(exclude={"source"}) == cli.model_dump(exclude={"source"})


def test_device_ids_are_stable_and_unique(tmp_path: Path) -> None:
    listing = write(tmp_path / "devices.json", {"items": [document(p) for p in MODELS], "_links": {}})
    first, again = ADAPTER.load(listing), ADAPTER.load(listing)
    ids = [d.id for d in first.devices]
    assert ids == [d.id for d in again.devices] and len(ids) == len(set(ids)) == len(MODELS) + 1  # + the placeholder
    assert all(i.startswith("smartthings:") for i in ids)


@pytest.mark.parametrize("fixture", EVERY_FIXTURE, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixture_loads_with_stable_unique_ids(fixture: Path) -> None:
    first, again = ADAPTER.load(fixture), ADAPTER.load(fixture)
    assert first == again and first.devices and not first.log
    devices = [d.id for d in first.devices]
    capabilities = [c.id for c in first.capabilities]
    assert len(devices) == len(set(devices)) and len(capabilities) == len(set(capabilities))
    assert {c.device_id for c in first.capabilities} <= set(devices)

