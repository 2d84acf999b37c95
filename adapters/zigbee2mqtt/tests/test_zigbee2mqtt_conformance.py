"""The conformance kit, run against the Zigbee2MQTT adapter and its fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from z2m_fixtures import FIXTURES, document, load, write

from weaklink.testing import AdapterConformance, plant_canaries

# Fields no Zigbee2MQTT payload holds but a careless or future one might (the network key and
# the MQTT password live in its configuration; a location in any home tool's export).
SECRET_FIELDS = {"network_key": "01030507090B0D0F00020406080A0C0D", "mqtt_password": "hunter2",
                 "install_code": "83FED3407A939723A5C639B26916D505C3B5", "latitude": 41.8781, "longitude": -87.6298}


def with_secret_fields(value: Any) -> Any:
    """`value` with the secret fields added to every object at any depth."""
    if isinstance(value, dict):
        return {**{key: with_secret_fields(item) for key, item in value.items()}, **SECRET_FIELDS}
    if isinstance(value, list):
        return [with_secret_fields(item) for item in value]
    return value


class TestZigbee2MqttConformance(AdapterConformance):
    adapter = "zigbee2mqtt"
    fixtures = FIXTURES

    # The kit plants canaries only where a fixture already holds a secret, and Zigbee2MQTT's
    # payloads hold none: secret fields are added to every object of each fixture first.
    def test_planted_secrets_never_reach_the_model(self, fixture: Path, tmp_path: Path) -> None:  # type: ignore[override]
        copy = write(tmp_path / fixture.name, with_secret_fields(document(fixture)))
        canaries = plant_canaries(copy)
        assert len(canaries.planted) >= len(SECRET_FIELDS)
        leaked = canaries.found_in(load(copy).model_dump_json())
        assert not leaked, f"secrets reached the model: {leaked}"
