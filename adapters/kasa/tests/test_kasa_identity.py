"""The same device gets the same ids in every dump of it, and identifiers the graph can merge on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kasa_fixtures import document, fixture, fixture_files, load, write
from weaklink.graph.home_graph import HomeGraph
from weaklink.model import Identifier, IdentifierKind
from weaklink_kasa.naming import decode_nickname, mac_digits


def redumped(doc: dict[str, Any]) -> dict[str, Any]:
    """The same device dumped again later: readings, signal and times changed, keys in another order."""
    text = json.dumps(doc, sort_keys=False)
    again = json.loads(text)
    if "system" in again:
        info = again["system"]["get_sysinfo"]
        info.update(rssi=-71, on_time=99999)
        if "relay_state" in info:
            info["relay_state"] = 1 - info["relay_state"]
        for child in info.get("children", []):
            child["state"] = 1 - child["state"]
        if "light_state" in info:
            info["light_state"]["on_off"] = 1 - info["light_state"]["on_off"]
    else:
        info = again["get_device_info"]
        info.update(rssi=-70, signal_level=1)
        if "device_on" in info:
            info["device_on"] = not info["device_on"]
        for child in again.get("get_child_device_list", {}).get("child_device_list", []):
            child.update(rssi=-88, status="offline")
            if "device_on" in child:
                child["device_on"] = not child["device_on"]
    return dict(reversed(list(again.items())))


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_the_same_device_dumped_twice_gets_the_same_ids(path: Path, tmp_path: Path) -> None:
    first = load(path)
    second = load(write(tmp_path / "later" / "another name.json", redumped(document(path))))
    assert [d.id for d in second.devices] == [d.id for d in first.devices]
    assert [c.id for c in second.capabilities] == [c.id for c in first.capabilities]
    assert [d.identifiers for d in second.devices] == [d.identifiers for d in first.devices]
    assert [c.model_dump() for c in second.capabilities] != [c.model_dump() for c in first.capabilities]


def test_macs_are_normalised_however_the_device_writes_them() -> None:
    smart = load(fixture("smart_P110")).devices[0]  # 3C-84-6A-D2-17-90
    iot = load(fixture("iot_KL130")).devices[0]  # mic_mac 1C3BF3A4B7E2
    assert Identifier(kind=IdentifierKind.MAC, value="3c:84:6a:d2:17:90") in smart.identifiers
    assert Identifier(kind=IdentifierKind.MAC, value="1c:3b:f3:a4:b7:e2") in iot.identifiers
    assert mac_digits("00:00:00:00:00:00") is None and mac_digits("not a mac") is None


def test_the_device_id_is_a_vendor_identifier_in_both_namespaces() -> None:
    device = load(fixture("smart_S505")).devices[0]
    native = document(fixture("smart_S505"))["get_device_info"]["device_id"]
    vendor = {i.value for i in device.identifiers if i.kind is IdentifierKind.VENDOR}
    assert device.id == f"kasa:{native}" and vendor == {f"kasa:{native}", f"tplink:{native}"}


@pytest.mark.parametrize("masked_mac", ["00:00:00:00:00:00", "50:C7:BF:00:00:00"])
def test_a_masked_mac_is_no_identifier(masked_mac: str, tmp_path: Path) -> None:
    # dump_devinfo keeps a MAC's maker half only: every plug of that maker would share it
    doc = document(fixture("iot_KP115"))
    doc["system"]["get_sysinfo"]["mac"] = masked_mac
    [device] = load(write(tmp_path / "plug.json", doc)).devices
    assert [i.kind for i in device.identifiers] == [IdentifierKind.VENDOR, IdentifierKind.VENDOR]


def masked_like_dump_devinfo(doc: dict[str, Any]) -> dict[str, Any]:
    """What python-kasa's dump_devinfo leaves of a dump's ids: zeros, and the MACs' maker halves."""
    def mask(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: mask(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [mask(v) for v in value]
        if key in ("deviceId", "device_id", "parent_device_id", "original_device_id") and isinstance(value, str):
            return "0" * len(value)
        if key in ("mac", "mic_mac") and isinstance(value, str):
            if len(value) == 12:
                return value[:6] + "000000"
            return value[:8] + ("-00-00-00" if "-" in value else ":00:00:00")
        return value
    return mask(doc)  # type: ignore[no-any-return]


def test_masked_dumps_get_stand_in_ids_that_keep_devices_apart(tmp_path: Path) -> None:
    plug = load(write(tmp_path / "a.json", masked_like_dump_devinfo(document(fixture("smart_P110"))))).devices[0]
    again = load(write(tmp_path / "b.json", masked_like_dump_devinfo(document(fixture("smart_P110"))))).devices[0]
    switch = load(write(tmp_path / "c.json", masked_like_dump_devinfo(document(fixture("smart_S505"))))).devices[0]
    assert plug.id.startswith("kasa:masked-") and plug.id == again.id != switch.id
    assert [i.value for i in plug.identifiers] == [plug.id]  # no MAC, no tplink:000… for HA to match
    hub = load(write(tmp_path / "hub.json", masked_like_dump_devinfo(document(fixture("smart_H100")))))
    ids = [d.id for d in hub.devices]
    assert len(set(ids)) == 7 and all(d.hub_id == ids[0] for d in hub.devices[1:])
    assert len(HomeGraph.from_fragments([hub, load(fixture("smart_H100"))]).devices) == 14


def test_a_device_with_no_device_id_is_known_by_its_mac(tmp_path: Path) -> None:
    doc = document(fixture("iot_KL130"))
    del doc["system"]["get_sysinfo"]["deviceId"]
    [device] = load(write(tmp_path / "bulb.json", doc)).devices
    assert device.id == "kasa:1c3bf3a4b7e2"


def test_a_hub_child_reporting_the_hubs_mac_does_not_take_it(tmp_path: Path) -> None:
    doc = document(fixture("smart_H100"))
    hub_mac = doc["get_device_info"]["mac"]
    for child in doc["get_child_device_list"]["child_device_list"]:
        child["mac"] = hub_mac.replace("-", "")
    fragment = load(write(tmp_path / "hub.json", doc))
    hub, *paired = fragment.devices
    assert all(i.kind is not IdentifierKind.MAC for d in paired for i in d.identifiers)
    assert len(HomeGraph.from_fragments([fragment]).devices) == len(fragment.devices)  # not merged into the hub


def test_a_hub_and_its_sensors_own_dump_merge_into_one_home() -> None:
    graph = HomeGraph.from_fragments([load(fixture("smart_H100")), load(fixture("smart_child_T310"))])
    assert len(graph.devices) == len(load(fixture("smart_H100")).devices)
    [thermometer] = [d for d in graph.devices if d.model == "T310"]
    hub = graph.hub_of(thermometer)
    assert hub is not None and hub.model == "H100"


@pytest.mark.parametrize("raw, name", [
    ("SGFsbHdheSBIdWI=", "Hallway Hub"),  # base64, as the device keeps it
    ("S8O8Y2hl", "Küche"),
    ("Desk", "Desk"),  # decodes to bytes that are no text: taken as written
    ("Porch Light", "Porch Light"),  # not base64 at all
    ("", None), (None, None),
])
def test_nicknames_are_decoded_when_base64(raw: str | None, name: str | None) -> None:
    assert decode_nickname(raw) == name
