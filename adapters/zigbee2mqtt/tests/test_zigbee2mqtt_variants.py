"""Variations real `bridge/devices` payloads show, each as the smallest payload that has it."""

from __future__ import annotations

from pathlib import Path

from z2m_fixtures import device_id, load, write

from weaklink.model import CapabilityKind, Role

CO_SENSOR = "0x00158d000205d5aa"


def test_a_build_id_padded_with_nul_bytes_is_no_firmware_version(tmp_path: Path) -> None:
    # Zigbee2MQTT 1.x passes a device's Basic cluster strings on as they are: some firmware
    # fills them with NUL bytes.
    payload = [
        {"definition": None, "endpoints": {}, "friendly_name": "Coordinator", "ieee_address": "0x00124b0014d9b3aa",
         "interview_completed": True, "interviewing": False, "network_address": 0, "supported": False,
         "type": "Coordinator"},
        {"definition": {"model": "SCA01ZB", "vendor": "Feibit", "description": "CO sensor", "exposes": [
            {"access": 1, "name": "carbon_monoxide", "property": "carbon_monoxide", "type": "binary",
             "value_off": False, "value_on": True}]},
         "friendly_name": "Boiler room CO", "ieee_address": CO_SENSOR, "interview_completed": True,
         "model_id": "FNB56-COS06FB1.7\u0000", "manufacturer": " \u0000", "network_address": 9914,
         "power_source": "Battery", "software_build_id": "\u0000" * 9, "supported": True, "type": "EndDevice"},
    ]
    fragment = load(write(tmp_path / "devices.json", payload))
    hub, sensor = fragment.devices
    assert hub.role is Role.HUB and sensor.hub_id == hub.id
    assert (sensor.id, sensor.sw_version, sensor.model, sensor.brand) == (device_id(CO_SENSOR), None, "SCA01ZB",
                                                                          "Feibit")
    assert "\\u0000" not in fragment.model_dump_json()
    assert [(c.kind, c.id.rpartition("/")[2]) for c in fragment.capabilities] == [
        (CapabilityKind.SMOKE, "carbon_monoxide")]
