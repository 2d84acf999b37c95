"""Nothing secret, and nothing the user typed freely, reaches the model."""

from __future__ import annotations

from pathlib import Path

from z2m_fixtures import HOME_DEVICES, NETWORK_MAP, document, load, write

CANARIES = {
    "description": "CANARY-NOTE-alarm code 4711",  # the user's free-text note on a device
    "network_key": "CANARY-NETWORK-KEY-0102030405060708",
    "mqtt_password": "CANARY-MQTT-PASSWORD",
    "pan_id": "CANARY-PAN-6754",
    "latitude": 41.83712345,
    "longitude": -87.68612345,
}


def test_canaries_planted_in_the_device_list_appear_nowhere(tmp_path: Path) -> None:
    entries = document(HOME_DEVICES)
    for entry in entries:
        entry.update(CANARIES)
        if entry.get("definition"):
            entry["definition"].update(CANARIES)
        for endpoint in entry["endpoints"].values():
            endpoint.update(CANARIES)
    dumped = load(write(tmp_path / "devices.json", entries)).model_dump_json()
    assert not [value for value in CANARIES.values() if str(value) in dumped]
    assert "Hallway motion" in dumped  # the planted copy was read


def test_canaries_planted_in_the_network_map_appear_nowhere(tmp_path: Path) -> None:
    response = document(NETWORK_MAP)
    response.update(CANARIES)
    response["data"].update(CANARIES)
    for item in response["data"]["value"]["nodes"] + response["data"]["value"]["links"]:
        item.update(CANARIES)
    fragment = load(write(tmp_path / "map.json", response))
    dumped = fragment.model_dump_json()
    assert not [value for value in CANARIES.values() if str(value) in dumped]
    assert len(fragment.radio_links) == 28
