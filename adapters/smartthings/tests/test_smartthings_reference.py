"""Every real SmartThings answer of the shared reference dumps imports (pysmartthings' recordings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from smartthings_fixtures import REFERENCE, reference_files, require_reference

from weaklink.graph import HomeGraph
from weaklink.homefolder import import_home
from weaklink_smartthings import SmartThingsAdapter

ADAPTER = SmartThingsAdapter()
FILES = reference_files("smartthings")
FOLDER = REFERENCE / "smartthings"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REFERENCE).as_posix())
def test_every_reference_file_is_recognised_and_imports(path: Path) -> None:
    require_reference(path)
    assert ADAPTER.detect(path)
    fragment = ADAPTER.load(path)
    assert fragment.platform == "smartthings" and fragment.source == str(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document.get("components"), list) or "items" in document:
        described = {item["deviceId"] for item in document.get("items", [document])}
        assert {d.id.removeprefix("smartthings:") for d in fragment.devices} >= described
        assert all(c.device_id in {d.id for d in fragment.devices} for c in fragment.capabilities)
    else:
        # A health or status about no device the folder describes: recognised, adds nothing, says so.
        assert not fragment.devices and not fragment.capabilities
        assert [entry.message for entry in fragment.log if entry.level == "WARNING" and entry.at is None]


def test_the_reference_folder_is_one_graph_with_one_node_per_device() -> None:
    require_reference(FOLDER / "devices.json")
    imported = import_home(FOLDER, [ADAPTER])
    graph = HomeGraph.from_fragments(imported.fragments)
    ids = set()
    for path in FOLDER.glob("devices*.json"):
        ids |= {item["deviceId"] for item in json.loads(path.read_text())["items"]}
    assert sorted(d.id for d in graph.devices) == sorted(f"smartthings:{i}" for i in ids)  # device.json repeats one
    assert not imported.skipped


def test_real_devices_map_by_their_type() -> None:
    require_reference(FOLDER / "devices_4.json")
    by_name = {d.name: d for path in FOLDER.glob("devices*.json") for d in ADAPTER.load(path).devices}
    hub = by_name["SmartThings Hub - FamilyHub"]
    assert (hub.role.value, hub.host, hub.sw_version) == ("hub", "192.168.20.13", "000.054.00013")
    assert {str(i) for i in hub.identifiers} >= {"zigbee:d0:52:a8:c6:b0:f5:00:01", "mac:70:2c:1f:8d:d9:64"}
    assert by_name["Front Porch Lights"].transport.value == "zwave"  # a legacy DTH, by its deviceNetworkType
    assert by_name["Bathroom spot"].transport.value == "cloud"
    assert by_name["Bathroom spot"].brand == "Signify Netherlands B.V."
    assert by_name["Dryer"].transport.value == "wifi"
    assert by_name["SmartTag+ black"].transport.value == "ble"


def test_the_keys_and_certificates_of_the_real_dumps_never_reach_the_model() -> None:
    require_reference(FOLDER / "devices_5.json")
    secrets: list[str] = []
    for name in ("devices_4.json", "devices_5.json"):
        text = (FOLDER / name).read_text()
        secrets += re.findall(r'"(?:encryptionKey|privacyIdSeed|privacyIdInitialVector|zwaveStaticDsk)": "([^"]+)"', text)
        secrets += re.findall(r'"(?:ownerId|saGuid)": "([^"]+)"', text)
        secrets += re.findall(r"-----BEGIN CERTIFICATE-----\\n(\S{40})", text)
        dumped = ADAPTER.load(FOLDER / name).model_dump_json()
        assert not [secret for secret in secrets if secret in dumped]
    assert len(secrets) > 10
