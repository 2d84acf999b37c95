"""Variations real dumps of other models show: each written here as the smallest dump that has it.

- Tapo cameras, doorbells and the H200 hub (the smartcam protocol: `getDeviceInfo`), and a hub
  camera's own dump (`child_info_from_parent`);
- a Kasa camera (EC70) nesting its `get_sysinfo` under `system`;
- a Tapo door lock's `lock_status`;
- an H110 hub's infrared remotes, which all report the hub's blaster MAC.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kasa_fixtures import load, write
from weaklink.homefolder import import_home
from weaklink.model import CapabilityKind, IdentifierKind, Role, Transport
from weaklink_kasa import KasaAdapter

CAMERA_ID = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
HUB_ID = "0F1E2D3C4B5A69788796A5B4C3D2E1F001234567"


def camera(**basic: Any) -> dict[str, Any]:
    """A Tapo camera's dump, as python-kasa's smartcam dumper writes it (the parts weaklink reads)."""
    info = {"dev_id": CAMERA_ID, "device_alias": "Porch camera", "device_model": "C120",
            "device_type": "SMART.IPCAMERA", "hw_version": "2.0", "sw_version": "1.2.3 Build 240101",
            "mac": "F0-A7-31-12-34-56", "latitude": 51.5, "longitude": -0.12, **basic}
    return {
        "discovery_result": {"error_code": 0, "result": {"device_model": "C120", "ip": "192.0.2.40",
                                                         "mac": "F0-A7-31-12-34-56", "owner": "f" * 32}},
        "getDeviceInfo": {"device_info": {"basic_info": info}},
        "getConnectionType": {"link_type": "wifi", "rssiValue": -61, "ssid": "SECRET-SSID-b64"},
        "getLensMaskConfig": {"lens_mask": {"lens_mask_info": {"enabled": "off"}}},
        "getDetectionConfig": {"motion_detection": {"motion_det": {"enabled": "on", "sensitivity": "medium"}}},
    }


def hub() -> dict[str, Any]:
    """An H200 hub on a cable, with a siren and one contact sensor paired."""
    return {
        "getDeviceInfo": {"device_info": {"basic_info": {
            "dev_id": HUB_ID, "device_alias": "Hub", "device_model": "H200", "device_type": "SMART.TAPOHUB",
            "sw_version": "1.3.6", "mac": "24-2F-D0-AB-CD-EF", "local_ip": "192.0.2.41"}}},
        "getConnectionType": {"link_type": "ethernet"},
        "getSirenStatus": {"status": "off", "time_left": 0},
        "getChildDeviceList": {"child_device_list": [{
            "device_id": "802E1D0C2B3A4958", "model": "T110", "category": "subg.trigger.contact-sensor",
            "nickname": "RnJvbnQgZG9vcg==", "mac": "A86E84112233", "open": True, "status": "online",
            "parent_device_id": HUB_ID, "rssi": -50, "type": "SMART.TAPOSENSOR"}], "start_index": 0, "sum": 1},
        "getChildDeviceComponentList": {"child_component_list": [
            {"device_id": "802E1D0C2B3A4958", "component_list": [{"id": "device", "ver_code": 2}]}]},
    }


def test_a_camera_dump_is_a_wifi_camera_with_its_motion_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "camera.json", camera())
    assert KasaAdapter().detect(path)
    [device] = load(path).devices
    fragment = load(path)
    assert (device.id, device.model, device.transport, device.host, device.role) == (
        f"kasa:{CAMERA_ID}", "C120", Transport.WIFI, "192.0.2.40", Role.DEVICE)
    assert {i.kind for i in device.identifiers} >= {IdentifierKind.MAC}
    kinds = {c.id.rpartition("/")[2]: (c.kind, c.state) for c in fragment.capabilities}
    assert kinds["camera"] == (CapabilityKind.CAMERA, "on")
    assert kinds["motion"][0] is CapabilityKind.MOTION


def test_a_camera_behind_its_privacy_mask_sees_nothing(tmp_path: Path) -> None:
    masked = camera()
    masked["getLensMaskConfig"]["lens_mask"]["lens_mask_info"]["enabled"] = "on"
    [cam] = [c for c in load(write(tmp_path / "c.json", masked)).capabilities if c.kind is CapabilityKind.CAMERA]
    assert cam.state == "off" and cam.attributes["privacy_mode"] is True


def test_a_camera_dump_keeps_its_secrets_out(tmp_path: Path) -> None:
    text = load(write(tmp_path / "c.json", camera())).model_dump_json()
    assert "SECRET-SSID" not in text and "51.5" not in text and "f" * 32 not in text


def test_an_h200_hub_dump_is_a_hub_with_its_siren_and_its_sensors(tmp_path: Path) -> None:
    fragment = load(write(tmp_path / "hub.json", hub()))
    hub_device, sensor = fragment.devices
    assert (hub_device.role, hub_device.transport, hub_device.host) == (Role.HUB, Transport.ETHERNET, "192.0.2.41")
    assert (sensor.model, sensor.transport, sensor.hub_id, sensor.name) == (
        "T110", Transport.RF, hub_device.id, "Front door")
    states = {(c.device_id, c.kind): c.state for c in fragment.capabilities}
    assert states[(hub_device.id, CapabilityKind.SIREN)] == "off"
    assert states[(sensor.id, CapabilityKind.CONTACT)] == "on"


def test_a_hub_cameras_own_dump_is_a_doorbell_behind_its_hub(tmp_path: Path) -> None:
    doorbell = {"child_info_from_parent": {
        "device_id": "5566778899AABBCCDDEEFF00112233445566778A", "alias": "Doorbell", "device_model": "D230",
        "device_type": "SMART.TAPODOORBELL", "sw_ver": "1.1.19", "hw_ver": "1.20", "mac": "F0:09:0D:44:55:66",
        "parent_device_id": HUB_ID, "battery_percent": 90, "low_battery": False, "online": True}}
    path = write(tmp_path / "doorbell.json", doorbell)
    assert KasaAdapter().detect(path)
    fragment = load(path)
    [device] = fragment.devices
    assert (device.model, device.transport, device.hub_id, device.host) == ("D230", Transport.RF, f"kasa:{HUB_ID}",
                                                                          None)
    kinds = {c.kind: c.state for c in fragment.capabilities}
    assert CapabilityKind.BUTTON in kinds and kinds[CapabilityKind.SENSOR] == "90"


def test_a_camera_dump_and_its_hubs_dump_import_together(tmp_path: Path) -> None:
    write(tmp_path / "hub.json", hub())
    write(tmp_path / "cam.json", camera())
    imported = import_home(tmp_path)
    assert sorted(adapter for _, adapter in imported.read) == ["kasa", "kasa"] and not imported.skipped


def test_a_smartcam_dump_without_its_device_info_says_so(tmp_path: Path) -> None:
    broken = camera()
    broken["getDeviceInfo"]["device_info"]["basic_info"] = {"dev_id": 7}
    with pytest.raises(Exception) as raised:
        load(write(tmp_path / "broken.json", broken))
    assert "broken.json" in str(raised.value) and "getDeviceInfo" in str(raised.value)


def test_a_kasa_camera_nesting_its_sysinfo_is_one_camera(tmp_path: Path) -> None:
    dump = {"system": {"get_sysinfo": {"err_code": 0, "system": {
        "alias": "Kitchen", "deviceId": "8006C153F2A3DE2A09AF8C3F2C4E31FA1A23B456", "hw_ver": "2.0",
        "mac": "50:C7:BF:01:02:03", "model": "EC70(US)", "sw_ver": "2.3.14", "type": "IOT.IPCAMERA",
        "camera_switch": "off", "latitude": 40.7}}}}
    fragment = load(write(tmp_path / "ec70.json", dump))
    [device] = fragment.devices
    assert (device.model, device.name) == ("EC70(US)", "Kitchen")
    assert [(c.kind, c.state) for c in fragment.capabilities] == [(CapabilityKind.CAMERA, "off")]
    assert "40.7" not in fragment.model_dump_json()


@pytest.mark.parametrize(("status", "state"), [(0, "locked"), (1, "unlocked"), (3, "jammed"), (2, None)])
def test_a_tapo_locks_bolt_is_its_lock(tmp_path: Path, status: int, state: str | None) -> None:
    dump = {"component_nego": {"component_list": [{"id": "lock", "ver_code": 1}]},
            "get_device_info": {"device_id": "9F" * 20, "model": "DL110", "type": "SMART.TAPOLOCK",
                                "mac": "D8-44-89-01-02-03", "fw_ver": "1.0.9", "lock_status": status,
                                "battery_percentage": 42}}
    [lock] = [c for c in load(write(tmp_path / "lock.json", dump)).capabilities if c.kind is CapabilityKind.LOCK]
    assert lock.state == state


def test_infrared_remotes_sharing_the_hubs_blaster_mac_stay_apart(tmp_path: Path) -> None:
    remote = {"category": "ir.remote", "mac": "982203A1B2C3", "parent_device_id": "AB" * 20,
              "type": "SMART.TAPOREMOTE", "fw_ver": ""}
    dump = {"get_device_info": {"device_id": "AB" * 20, "model": "H110", "type": "SMART.TAPOHUB",
                                "mac": "18-69-45-0A-0B-0C", "fw_ver": "1.4.4", "ip": "192.0.2.42"},
            "get_child_device_list": {"child_device_list": [
                {**remote, "device_id": "11" * 20, "model": "TV", "nickname": "VFY="},
                {**remote, "device_id": "22" * 20, "model": "AC", "nickname": "QUM=", "current_temp": 22}]}}
    fragment = load(write(tmp_path / "h110.json", dump))
    _, tv, ac = fragment.devices
    for remote_device in (tv, ac):
        assert remote_device.transport is Transport.VIRTUAL and remote_device.sw_version is None
        assert not [i for i in remote_device.identifiers if i.kind is IdentifierKind.MAC]
    assert tv.id != ac.id


def test_every_kind_these_dumps_give_is_declared_in_the_manifest(tmp_path: Path) -> None:
    lock = {"get_device_info": {"device_id": "9F" * 20, "model": "DL110", "type": "SMART.TAPOLOCK",
                                "mac": "D8-44-89-01-02-03", "lock_status": 0}}
    used = {c.kind for name, dump in (("c", camera()), ("h", hub()), ("l", lock))
            for c in load(write(tmp_path / f"{name}.json", dump)).capabilities}
    assert {CapabilityKind.CAMERA, CapabilityKind.LOCK, CapabilityKind.SIREN} <= used
    assert used <= set(KasaAdapter.manifest.capabilities)
