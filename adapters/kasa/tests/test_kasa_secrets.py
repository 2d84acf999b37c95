"""Secrets in a dump never reach the model: Wi-Fi names, coordinates, the cloud account, Matter codes."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from kasa_fixtures import document, fixture, fixture_files, load, write
from weaklink_kasa import KasaAdapter

SSID = "CANARY-SSID-7731"
EMAIL = "canary.owner@example.org"
OWNER = "CANARYOWNER0001"
BSSID = "CANARYBSSID02"
SETUP_CODE = "CANARY-MATTER-3344"
LOCATION = "CANARY-LOCATION-55"
LATITUDE, LONGITUDE = 47.608013, -122.335167
LATITUDE_I, LONGITUDE_I = 476080, -1223351
PLAIN = (SSID, EMAIL, OWNER, BSSID, SETUP_CODE, LOCATION, str(LATITUDE), str(LONGITUDE), str(LATITUDE_I),
         str(LONGITUDE_I))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def plant_smart(info: dict[str, Any]) -> None:
    info.update(ssid=b64(SSID), latitude=LATITUDE, longitude=LONGITUDE, location=LOCATION)


def plant(doc: dict[str, Any]) -> None:
    """Canaries in every secret field this dump has, the way the device writes them."""
    if "system" in doc:
        doc["system"]["get_sysinfo"].update(latitude_i=LATITUDE_I, longitude_i=LONGITUDE_I, latitude=LATITUDE,
                                            longitude=LONGITUDE)
        doc.setdefault("cnCloud", {"get_info": {"err_code": 0}})["get_info"]["username"] = EMAIL
        return
    plant_smart(doc["get_device_info"])
    for child in doc.get("get_child_device_list", {}).get("child_device_list", []):
        plant_smart(child)
    if isinstance(doc.get("discovery_result"), dict):
        doc["discovery_result"]["result"]["owner"] = OWNER
    doc["get_wireless_scan_info"] = {"ap_list": [{"bssid": BSSID, "ssid": b64(SSID), "key_type": "wpa2_psk"}]}
    doc["get_matter_setup_info"] = {"setup_code": SETUP_CODE, "setup_payload": f"MT:{SETUP_CODE}"}


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_no_planted_canary_reaches_the_fragment(path: Path, tmp_path: Path) -> None:
    doc = document(path)
    plant(doc)
    copy = write(tmp_path / path.name, doc)
    fragment = KasaAdapter().load(copy)
    dumped = fragment.model_dump_json()
    assert fragment.devices and fragment.devices[0].id in dumped  # the copy was read, not refused
    leaked = [canary for canary in (*PLAIN, b64(SSID)) if canary in dumped]
    assert not leaked


def test_the_fixtures_own_secrets_stay_out_too() -> None:
    # the recorded dumps carry a home network's name and the home's coordinates, as real ones do
    hub = document(fixture("smart_H100"))["get_device_info"]
    assert hub["ssid"] and hub["latitude"]
    dumped = load(fixture("smart_H100")).model_dump_json()
    assert hub["ssid"] not in dumped and base64.b64decode(hub["ssid"]).decode() not in dumped
    assert str(hub["latitude"]) not in dumped and str(hub["longitude"]) not in dumped
    plug = document(fixture("iot_KP115"))
    assert plug["cnCloud"]["get_info"]["username"] not in load(fixture("iot_KP115")).model_dump_json()
