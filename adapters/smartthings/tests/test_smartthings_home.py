"""A home saved as several files (device list, health, status) is one device per deviceId, with
the newest state and health of each, whichever file is read and in whatever order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from smartthings_fixtures import (
    HOME,
    HOME_HUB_ID,
    HOME_LOCK_ID,
    HOME_MOTION_ID,
    HUB_ID,
    MOTION_ID,
    copy_home,
    document,
    hub_named,
    model,
    write,
)

from weaklink.errors import ExportError
from weaklink.graph import EdgeKind, HomeGraph
from weaklink.homefolder import import_home
from weaklink.model import Capability, HomeFragment
from weaklink_smartthings import SmartThingsAdapter

ADAPTER = SmartThingsAdapter()
LOCK = f"smartthings:{HOME_LOCK_ID}"
MOTION = f"smartthings:{HOME_MOTION_ID}"
HUB = f"smartthings:{HOME_HUB_ID}"
STATUS = HOME / "device_status" / f"{HOME_MOTION_ID}.json"


def capabilities_of(fragment: HomeFragment, device: str) -> dict[str, Capability]:
    """The device's capabilities, by `<component>/<capability>`."""
    return {"/".join(c.id.rsplit("/", 2)[1:]): c for c in fragment.capabilities if c.device_id == device}


def test_a_device_offline_in_its_health_file_has_every_capability_unavailable() -> None:
    lock = capabilities_of(ADAPTER.load(HOME / "devices.json"), LOCK)
    assert set(lock) == {"main/lock", "main/battery", "main/tamperAlert"}
    # the list says ONLINE at 07:02 (includeHealth); health.json says OFFLINE at 23:41: the newer wins
    assert not any(c.available for c in lock.values())
    motion = capabilities_of(ADAPTER.load(HOME / "devices.json"), MOTION)
    assert all(c.available for c in motion.values())


def test_a_status_named_by_its_device_id_gives_that_device_its_states() -> None:
    motion = capabilities_of(ADAPTER.load(HOME / "devices.json"), MOTION)
    assert (motion["main/motionSensor"].state, motion["main/temperatureMeasurement"].state) == ("active", "21.5")
    assert motion["main/temperatureMeasurement"].attributes["unit"] == "C"
    assert motion["main/motionSensor"].attributes["reported_at"] == "2025-11-14T23:58:02.311000+00:00"


def test_every_file_of_the_home_describes_a_device_the_same_way() -> None:
    listed = ADAPTER.load(HOME / "devices.json")
    health, status = ADAPTER.load(HOME / "health.json"), ADAPTER.load(STATUS)
    # a health or status is about its device, and the hub that device hangs off
    assert [d.id for d in health.devices] == [LOCK, HUB] and [d.id for d in status.devices] == [MOTION, HUB]
    for fragment in (health, status):
        mine = {d.id: d for d in fragment.devices}
        assert mine == {d.id: d for d in listed.devices if d.id in mine}
        assert sorted(fragment.capabilities, key=lambda c: c.id) == \
            sorted((c for c in listed.capabilities if c.device_id in mine), key=lambda c: c.id)
    assert {str(i) for i in health.devices[0].identifiers} == {f"zwave:{0xC9F0A1B2}-20", f"vendor:{LOCK}"}


def test_the_home_is_one_device_per_id_whatever_the_order_of_the_files(tmp_path: Path) -> None:
    imported = import_home(copy_home(tmp_path / "home"), [ADAPTER]).fragments
    for fragments in (imported, list(reversed(imported))):
        graph = HomeGraph.from_fragments(fragments)
        assert sorted(d.id for d in graph.devices) == sorted([LOCK, MOTION, HUB])
        assert graph.capability(f"{MOTION}/main/motionSensor").state == "active"  # type: ignore[union-attr]
        assert not graph.capability(f"{LOCK}/main/lock").available  # type: ignore[union-attr]
        hub = graph.device(HUB)
        assert hub is not None and hub.name == "Study hub" and {d.id for d in graph.behind(hub)} == {LOCK, MOTION}
        assert graph.link_to_hub(graph.device(LOCK)) is EdgeKind.RADIO_LINK  # type: ignore[arg-type]


def test_the_same_device_in_a_list_and_in_its_own_file_is_one_device(tmp_path: Path) -> None:
    shutil.copyfile(model("zigbee_"), tmp_path / "device.json")
    write(tmp_path / "devices.json", {"items": [document(model("zigbee_")), hub_named(HUB_ID)], "_links": {}})
    graph = HomeGraph.from_fragments(import_home(tmp_path, [ADAPTER]).fragments)
    assert sorted(d.name for d in graph.devices) == ["Hall cupboard hub", "Hallway motion"]


def test_a_status_whose_name_holds_no_device_id_adds_nothing_and_says_so(tmp_path: Path) -> None:
    home = copy_home(tmp_path / "home")
    moved = home / "device_status" / "motion sensor.json"
    (home / "device_status" / f"{HOME_MOTION_ID}.json").rename(moved)
    fragment = ADAPTER.load(moved)
    assert not fragment.devices and not fragment.capabilities
    assert "save it as <deviceId>.json" in fragment.log[0].message and fragment.log[0].source == str(moved)
    motion = capabilities_of(ADAPTER.load(home / "devices.json"), MOTION)
    assert motion["main/motionSensor"].state is None


def test_a_status_is_attached_by_its_folder_name_its_own_device_id_or_a_name_holding_the_id(tmp_path: Path) -> None:
    status = document(STATUS)
    places = {
        "folder": (f"{HOME_MOTION_ID}/status.json", status),
        "prefixed": (f"status-{HOME_MOTION_ID} (2).json", status),
        "field": ("whatever.json", status | {"deviceId": HOME_MOTION_ID}),
    }
    for name, (where, content) in places.items():
        home = tmp_path / name
        write(home / where, content)
        shutil.copyfile(HOME / "devices.json", home / "devices.json")
        motion = capabilities_of(ADAPTER.load(home / "devices.json"), MOTION)
        assert motion["main/motionSensor"].state == "active", name
        assert [d.id for d in ADAPTER.load(home / where).devices] == [MOTION, HUB], name


def test_the_newest_reading_and_health_win(tmp_path: Path) -> None:
    home = copy_home(tmp_path / "home")
    write(home / f"later-{HOME_MOTION_ID}.json", {"components": {"main": {
        "motionSensor": {"motion": {"value": "inactive", "timestamp": "2025-11-15T00:03:02.000Z"}},
        "temperatureMeasurement": {"temperature": {"value": 30, "unit": "C", "timestamp": "2025-11-01T00:00:00Z"}},
        "healthCheck": {"DeviceWatch-DeviceStatus": {"value": "offline", "timestamp": "2025-11-15T00:05:00Z"}}}}})
    write(home / "lock-health.json", {"deviceId": HOME_LOCK_ID, "state": "ONLINE",
                                      "lastUpdatedDate": "2025-11-15T06:00:00.000Z"})
    fragment = ADAPTER.load(home / "devices.json")
    motion, lock = capabilities_of(fragment, MOTION), capabilities_of(fragment, LOCK)
    assert motion["main/motionSensor"].state == "inactive"  # newer than the other status
    assert motion["main/temperatureMeasurement"].state == "21.5"  # older than the other status: not taken
    assert not motion["main/motionSensor"].available  # SmartThings' watch saw it go offline after the list
    assert all(c.available for c in lock.values())  # back online after the OFFLINE health


def test_a_sibling_that_cannot_be_read_is_left_out_and_reported_when_read(tmp_path: Path) -> None:
    home = copy_home(tmp_path / "home")
    broken = write(home / "broken-health.json", {"deviceId": 42, "state": "OFFLINE", "lastUpdatedDate": "x"})
    assert [d.id for d in ADAPTER.load(home / "devices.json").devices] == [HUB, MOTION, LOCK]
    with pytest.raises(ExportError) as raised:
        ADAPTER.load(broken)
    assert raised.value.source == str(broken) and raised.value.field == "deviceId"


def test_documents_of_a_parent_folder_holding_no_device_document_are_not_the_home(tmp_path: Path) -> None:
    write(tmp_path / f"{MOTION_ID}.json", document(STATUS))  # beside no device document
    device = write(tmp_path / "devices" / "motion.json", document(model("zigbee_")))
    fragment = ADAPTER.load(device)
    assert all(c.state is None for c in fragment.capabilities)
