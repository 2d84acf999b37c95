"""What the kit cannot know: how WLED's answer maps to lights."""

from __future__ import annotations

from pathlib import Path

from weaklink.model import IdentifierKind
from weaklink_wled import WLEDAdapter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_the_strip_and_each_named_segment_are_lights_with_their_state() -> None:
    fragment = WLEDAdapter().load(FIXTURES / "esp32_0.14.4.json")
    [device] = fragment.devices
    assert (device.id, device.host, device.sw_version) == ("wled:a8032ab0cc14", "192.168.1.58", "0.14.4")
    assert [i.value for i in device.identifiers if i.kind is IdentifierKind.MAC] == ["a8:03:2a:b0:cc:14"]
    lights = {c.name: c for c in fragment.capabilities}
    assert {name: light.state for name, light in lights.items()} == {"Eaves": "on", "Porch eaves": "on",
                                                                     "Garage eaves": "off"}
    assert lights["Eaves"].attributes == {"brightness": 180, "leds": 300, "power_share": 0.368}


def test_a_strip_that_is_off_has_every_segment_off() -> None:
    fragment = WLEDAdapter().load(FIXTURES / "esp8266_0.13.3.json")
    assert [(c.name, c.state) for c in fragment.capabilities] == [("Kitchen strip", "off")]


def test_firmware_older_than_the_brand_field_is_still_recognised() -> None:
    assert WLEDAdapter().detect(FIXTURES / "esp8266_0.9.1.json")
    [device] = WLEDAdapter().load(FIXTURES / "esp8266_0.9.1.json").devices
    assert (device.brand, device.model) == ("WLED", "esp8266")
