"""SmartThings capabilities become one weaklink capability per feature worth tracing."""

from __future__ import annotations

from pathlib import Path

import pytest
from smartthings_fixtures import EVERY_FIXTURE, FIXTURES, MODELS, document, model, reference_files, write

from weaklink.model import CapabilityKind as K
from weaklink_smartthings import SmartThingsAdapter
from weaklink_smartthings.capabilities import kinds

ADAPTER = SmartThingsAdapter()

# fixture prefix: {capability id after the device: kind}
EXPECTED = {
    "hub_": {},
    "zigbee_": {"main/motionSensor": K.MOTION, "main/temperatureMeasurement": K.SENSOR, "main/battery": K.SENSOR},
    "zwave_": {"main/lock": K.LOCK, "main/battery": K.SENSOR, "main/tamperAlert": K.BINARY_SENSOR},
    "viper_": {"main/doorControl": K.COVER, "main/contactSensor": K.CONTACT},
    "lan_": {"main/switch": K.SWITCH, "main/powerMeter": K.SENSOR, "main/energyMeter": K.SENSOR},
    "matter_": {"main/switch": K.LIGHT},
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_each_model_exposes_its_features(prefix: str) -> None:
    path = model(prefix)
    native = document(path)["deviceId"]
    fragment = ADAPTER.load(path)
    mine = {c.id.removeprefix(f"smartthings:{native}/"): c.kind for c in fragment.capabilities
            if c.device_id == f"smartthings:{native}"}
    assert mine == EXPECTED[prefix]
    assert all(c.platform == "smartthings" and c.available and c.state is None for c in fragment.capabilities)


@pytest.mark.parametrize("path", EVERY_FIXTURE + reference_files("smartthings"), ids=lambda p: p.name)
def test_kinds_used_are_declared_in_the_manifest(path: Path) -> None:
    if not path.is_file():
        pytest.fail(f"the reference dumps are missing: {path}")
    declared = set(ADAPTER.manifest.capabilities)
    assert {c.kind for c in ADAPTER.load(path).capabilities} <= declared
    assert kinds() <= declared


def test_a_light_folds_its_level_and_colour_into_one_capability(tmp_path: Path) -> None:
    bulb = document(model("matter_"))
    status = {"components": {"main": {
        "switch": {"switch": {"value": "on", "timestamp": "2025-11-14T21:00:00Z"}},
        "switchLevel": {"level": {"value": 80, "unit": "%"}},
        "colorTemperature": {"colorTemperature": {"value": 2700, "unit": "K"}},
        "colorControl": {"hue": {"value": 12.5}, "saturation": {"value": 40}, "color": {"value": {"hue": 1}}},
    }}}
    write(tmp_path / "bulb.json", bulb)
    write(tmp_path / f"{bulb['deviceId']}.json", status)
    [light] = ADAPTER.load(tmp_path / "bulb.json").capabilities
    assert (light.kind, light.state, light.name) == (K.LIGHT, "on", "Porch light")
    assert light.attributes == {"component": "main", "capability": "switch", "reported_at": "2025-11-14T21:00:00+00:00",
                                "level": 80, "colorTemperature": 2700, "hue": 12.5, "saturation": 40,
                                "folded": ["switchLevel", "colorControl", "colorTemperature"]}
    assert "color" not in light.attributes


@pytest.mark.parametrize(("capabilities", "categories", "expected"), [
    (["switch", "switchLevel"], ["Light"], {"main/switch": K.LIGHT}),  # a dimmer its profile calls a light
    (["switch", "switchLevel", "light"], [], {"main/switch": K.LIGHT}),  # the legacy marker
    (["switch", "switchLevel"], ["Switch"], {"main/switch": K.SWITCH}),  # a dimmer that is no light
    (["windowShade", "switchLevel", "windowShadeLevel"], ["Blind"], {"main/windowShade": K.COVER}),
    (["garageDoorControl", "contactSensor"], [], {"main/garageDoorControl": K.COVER, "main/contactSensor": K.CONTACT}),
    (["thermostatMode", "thermostatHeatingSetpoint", "thermostatOperatingState", "temperatureMeasurement"], [],
     {"main/thermostatMode": K.CLIMATE, "main/temperatureMeasurement": K.SENSOR}),
    (["waterSensor", "smokeDetector", "presenceSensor", "securitySystem", "button", "valve", "alarm"], [],
     {"main/waterSensor": K.MOISTURE, "main/smokeDetector": K.SMOKE, "main/presenceSensor": K.PRESENCE,
      "main/securitySystem": K.ALARM, "main/button": K.BUTTON, "main/valve": K.VALVE, "main/alarm": K.SIREN}),
    (["mediaPlayback", "audioVolume", "audioMute"], [], {"main/mediaPlayback": K.MEDIA}),
    (["refresh", "healthCheck", "geolocation", "geofence", "lockCodes", "samsungce.kidsLock"], [], {}),
])
def test_capabilities_map_by_family(capabilities: list[str], categories: list[str], expected: dict[str, K],
                                    tmp_path: Path) -> None:
    device = {"deviceId": "33333333-4444-4555-8666-777777777777", "label": "Thing", "type": "ZIGBEE",
              "components": [{"id": "main", "capabilities": [{"id": c} for c in capabilities],
                              "categories": [{"name": c, "categoryType": "manufacturer"} for c in categories]}]}
    fragment = ADAPTER.load(write(tmp_path / "device.json", device))
    found = {c.id.removeprefix("smartthings:33333333-4444-4555-8666-777777777777/"): c.kind
             for c in fragment.capabilities}
    assert found == expected


def test_components_other_than_main_are_named_and_disabled_ones_marked(tmp_path: Path) -> None:
    fridge = {"deviceId": "44444444-5555-4666-8777-888888888888", "label": "Fridge", "type": "OCF",
              "components": [
                  {"id": "main", "capabilities": [{"id": "contactSensor"}, {"id": "temperatureMeasurement"}]},
                  {"id": "freezer", "label": "freezer", "capabilities": [{"id": "temperatureMeasurement"}]},
                  {"id": "icemaker", "capabilities": [{"id": "switch"}]}]}
    status = {"components": {
        "main": {"custom.disabledCapabilities": {"disabledCapabilities": {"value": ["temperatureMeasurement"]}},
                 "custom.disabledComponents": {"disabledComponents": {"value": ["icemaker"]}}},
        "freezer": {"temperatureMeasurement": {"temperature": {"value": -18, "unit": "C"}}}}}
    write(tmp_path / "fridge.json", fridge)
    write(tmp_path / f"status-{fridge['deviceId']}.json", status)
    by_id = {c.id.rsplit("8888/", 1)[1]: c for c in ADAPTER.load(tmp_path / "fridge.json").capabilities}
    assert by_id["freezer/temperatureMeasurement"].name == "Fridge freezer temperature"
    assert (by_id["freezer/temperatureMeasurement"].state, by_id["freezer/temperatureMeasurement"].attributes["unit"]) \
        == ("-18", "C")
    assert by_id["main/temperatureMeasurement"].disabled and by_id["icemaker/switch"].disabled
    assert not by_id["main/contactSensor"].disabled and not by_id["freezer/temperatureMeasurement"].disabled


def test_capability_ids_name_device_component_and_capability() -> None:
    for path in MODELS:
        native = document(path)["deviceId"]
        for capability in ADAPTER.load(path).capabilities:
            device, component, feature = capability.id.rsplit("/", 2)
            assert device == capability.device_id == f"smartthings:{native}"
            assert (capability.attributes["component"], capability.attributes["capability"]) == (component, feature)
    assert FIXTURES.is_dir()
