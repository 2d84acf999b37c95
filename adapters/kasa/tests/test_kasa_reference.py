"""Every reference dump (python-kasa's own fixtures, beside the repo) imports, and maps as its raw data says.

The checks are derived from each file's raw answers, not from a list of expected models, so
that dumps of devices never seen here are held to the same rules.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from kasa_fixtures import REFERENCE, document, load, reference_files, require_reference
from weaklink.graph.home_graph import HomeGraph
from weaklink.model import CapabilityKind, IdentifierKind, Role, Transport
from weaklink_kasa import KasaAdapter

FILES = reference_files()


def masked(native_id: str) -> bool:
    """python-kasa's fixtures mask ids: all zeros, or SCRUBBED_… for children."""
    return set(native_id) == {"0"} or "SCRUBBED" in native_id


def check_id(device_id: str, native_id: str) -> None:
    """The device's own id when the dump has it; never the redaction placeholder."""
    if masked(native_id):
        assert device_id != f"kasa:{native_id}" and device_id.startswith("kasa:")
    else:
        assert device_id == f"kasa:{native_id}"
ON_OFF = {CapabilityKind.SWITCH, CapabilityKind.LIGHT, CapabilityKind.FAN}


def test_the_reference_folder_holds_dumps_of_both_protocols() -> None:
    require_reference()
    names = [p.name for p in FILES]
    assert any(n.startswith("iot_") for n in names) and any(n.startswith("smart_") for n in names), names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_reference_dump_imports_with_an_identified_device(path: Path) -> None:
    require_reference()
    adapter = KasaAdapter()
    assert adapter.detect(path)
    fragment = adapter.load(path)
    assert fragment.platform == "kasa" and fragment.source == str(path)
    assert fragment.devices
    assert any(i.kind in (IdentifierKind.MAC, IdentifierKind.VENDOR) for d in fragment.devices for i in d.identifiers)
    device_ids = [d.id for d in fragment.devices]
    capability_ids = [c.id for c in fragment.capabilities]
    assert len(device_ids) == len(set(device_ids)) and len(capability_ids) == len(set(capability_ids))
    assert all(i.startswith("kasa:") for i in device_ids)
    assert {c.device_id for c in fragment.capabilities} <= set(device_ids)
    assert all(c.id.startswith(f"{c.device_id}/") and c.platform == "kasa" for c in fragment.capabilities)
    assert {c.kind for c in fragment.capabilities} <= set(adapter.manifest.capabilities)
    again = adapter.load(path)
    assert [d.id for d in again.devices] == device_ids and [c.id for c in again.capabilities] == capability_ids


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("iot_")] or [REFERENCE / "MISSING"],
                         ids=lambda p: p.name)
def test_iot_dumps_map_their_relay_light_or_outlets(path: Path) -> None:
    require_reference()
    info = document(path)["system"]["get_sysinfo"]
    fragment = load(path)
    [device] = fragment.devices
    assert device.transport is Transport.WIFI and device.model == info["model"] and device.sw_version == info["sw_ver"]
    check_id(device.id, info["deviceId"])
    assert device.id in {i.value for i in device.identifiers}
    switching = [c for c in fragment.capabilities if c.kind in ON_OFF]
    if "children" in info:
        assert [c.state for c in switching] == ["on" if child["state"] else "off" for child in info["children"]]
        assert all(c.name == child["alias"] for c, child in zip(switching, info["children"]) if child.get("alias"))
        assert all(c.kind is CapabilityKind.SWITCH for c in switching)
    elif "light_state" in info or "relay_state" in info:
        raw = info["light_state"]["on_off"] if "light_state" in info else info["relay_state"]
        [capability] = switching
        assert capability.state == ("on" if raw else "off") and capability.name == info["alias"]
        dims = "light_state" in info or "brightness" in info
        assert capability.kind is (CapabilityKind.LIGHT if dims else CapabilityKind.SWITCH)
    raw_doc = document(path)
    meters = [m for m in ("emeter", "smartlife.iot.common.emeter")
              if isinstance(raw_doc.get(m, {}).get("get_realtime"), dict)]
    energy = [c for c in fragment.capabilities if c.id.endswith("/energy")]
    assert len(energy) == (1 if meters else 0)


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("smart_")] or [REFERENCE / "MISSING"],
                         ids=lambda p: p.name)
def test_smart_dumps_map_the_device_and_its_children(path: Path) -> None:
    require_reference()
    raw = document(path)
    info = raw["get_device_info"]
    fragment = load(path)
    device = fragment.devices[0]
    check_id(device.id, info["device_id"])
    assert device.model == (info.get("model") or raw.get("discovery_result", {}).get("result", {}).get("device_model"))
    if info.get("nickname"):
        assert device.name == base64.b64decode(info["nickname"]).decode()  # the device keeps it base64-encoded
    assert device.sw_version == info["fw_ver"]
    if info.get("parent_device_id") and not info.get("ip"):
        # a hub sensor's own dump (python-kasa's smart/child files): on the hub's radio, no address of its own
        assert device.transport is Transport.RF
        assert device.hub_id == (None if masked(info["parent_device_id"]) else f"kasa:{info['parent_device_id']}")
    else:
        assert device.transport is Transport.WIFI
        if info.get("ip"):
            assert device.host == info["ip"]
    hub = str(info.get("type", "")).endswith("HUB")
    assert device.role is (Role.HUB if hub else Role.DEVICE)
    mine = [c for c in fragment.capabilities if c.device_id == device.id]
    if "device_on" in info:
        [relay] = [c for c in mine if c.kind in ON_OFF and ":" not in c.id.rsplit("/", 1)[1]]
        assert relay.state == ("on" if info["device_on"] else "off")
    children = raw.get("get_child_device_list", {}).get("child_device_list", [])
    if hub:
        assert len(fragment.devices) == 1 + len(children)
        for child, paired in zip(children, fragment.devices[1:], strict=True):
            check_id(paired.id, child["device_id"])
            assert paired.hub_id == device.id
            assert paired.transport is Transport.RF and paired.model == child["model"]
            theirs = [c for c in fragment.capabilities if c.device_id == paired.id]
            assert theirs and all(c.available is (child.get("status") != "offline") for c in theirs)
    else:
        assert len(fragment.devices) == 1
        parts = [c for c in mine if ":" in c.id.rsplit("/", 1)[1] and c.kind in ON_OFF]
        assert len(parts) == len([c for c in children if "device_on" in c])



def test_a_folder_of_masked_dumps_keeps_its_devices_apart() -> None:
    # python-kasa masks every id and the device half of every MAC: what is left must not merge
    # a folder's devices into one, and the same dump read twice must still be one device
    require_reference()
    fragments = [load(path) for path in FILES]
    graph = HomeGraph.from_fragments([*fragments, load(FILES[0])])
    assert len(graph.devices) == sum(len(f.devices) for f in fragments)
    macs = [i.value for f in fragments for d in f.devices for i in d.identifiers if i.kind is IdentifierKind.MAC]
    assert not [mac for mac in macs if mac.endswith("00:00:00")]
