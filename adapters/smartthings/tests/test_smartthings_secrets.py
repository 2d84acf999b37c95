"""Secrets never enter the model: canaries planted in copies of the fixtures appear nowhere in it."""

from __future__ import annotations

import json
from pathlib import Path

from smartthings_fixtures import HOME_LOCK_ID, HOME_MOTION_ID, copy_home, document, model, write

from weaklink.graph import HomeGraph
from weaklink.homefolder import import_home
from weaklink.render.graph_views import graph_json
from weaklink_smartthings import SmartThingsAdapter

ADAPTER = SmartThingsAdapter()
LATITUDE, LONGITUDE = 51.5873421, -0.2764913  # digits no fixture holds


def plant(tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the fixture home, with canaries wherever SmartThings puts secrets or precise locations."""
    home = copy_home(tmp_path / "home")
    canaries = [f"CANARY-{name}-7f3e" for name in ("DSK", "CERT", "OWNER", "BLEKEY", "SEED", "IV", "CONFIG",
                                                  "SAGUID", "TOKEN", "CODE", "LOCATION", "PASSWORD", "SSID")]
    dsk, cert, owner, ble_key, seed, vector, config, guid, token, code, location, password, ssid = canaries
    listing = document(home / "devices.json")
    hub, motion, lock = listing["items"]
    hub["hub"]["hubData"] |= {"zwaveStaticDsk": dsk, "hedgeTlsCertificate": cert}
    for item in listing["items"]:
        item |= {"ownerId": owner, "latitude": LATITUDE, "longitude": LONGITUDE, "location": location}
    tag = document(model("viper_")) | {"deviceId": "55555555-6666-4777-8888-999999999999", "type": "BLE_D2D",
                                        "ownerId": owner}
    tag["bleD2D"] = {"encryptionKey": ble_key, "identifier": "TAGSERIAL1", "configurationUrl": config,
                     "metadata": {"privacyIdSeed": seed, "privacyIdInitialVector": vector,
                                  "onboardedBy": {"saGuid": guid}}}
    tag["components"][0]["capabilities"] += [{"id": "geolocation"}, {"id": "wifiConfiguration"}]
    listing["items"].append(tag)
    write(home / "devices.json", listing)
    write(home / f"{tag['deviceId']}.json", {"components": {"main": {
        "geolocation": {"latitude": {"value": LATITUDE}, "longitude": {"value": LONGITUDE},
                        "accuracy": {"value": 3.5}},
        "wifiConfiguration": {"ssid": {"value": ssid}, "password": {"value": password}}}}})
    write(home / f"lock-{HOME_LOCK_ID}.json", {"components": {"main": {
        "lock": {"lock": {"value": "locked", "data": {"codeId": "3", "codeName": code}}},
        "lockCodes": {"lockCodes": {"value": json.dumps({"3": code})}, "codeReport": {"value": code}}}}})
    health = document(home / "health.json") | {"token": token}
    write(home / "health.json", health)
    status = home / "device_status" / f"{HOME_MOTION_ID}.json"
    write(status, document(status) | {"access_token": token})
    return home, canaries


def test_no_planted_canary_reaches_any_fragment_or_the_graph(tmp_path: Path) -> None:
    home, canaries = plant(tmp_path)
    fragments = import_home(home, [ADAPTER]).fragments
    dumped = "\n".join(fragment.model_dump_json() for fragment in fragments)
    dumped += graph_json(HomeGraph.from_fragments(fragments))
    assert "Back door lock" in dumped and "locked" in dumped  # the planted files were read
    assert not [canary for canary in canaries if canary in dumped]
    for coordinate in (LATITUDE, LONGITUDE):
        assert str(coordinate) not in dumped and str(coordinate)[:7] not in dumped
    assert "TAGSERIAL1" not in dumped


def test_each_planted_file_alone_leaks_nothing(tmp_path: Path) -> None:
    home, canaries = plant(tmp_path)
    for path in sorted(home.rglob("*.json")):
        dumped = ADAPTER.load(path).model_dump_json()
        assert not [canary for canary in canaries if canary in dumped], path.name
