"""What act() sends: the CLIP v2 and v1 bodies for switching and dimming a light."""

from __future__ import annotations

from weaklink_hue.commands import light_command


def test_v2_bodies() -> None:
    on = light_command("v2", "hue:light/abc", "light.turn_on", {"brightness_pct": 40})
    assert (on.path, on.body) == ("light/abc", {"on": {"on": True}, "dimming": {"brightness": 40.0}})
    off = light_command("v2", "hue:light/abc", "turn_off", {"brightness_pct": 40})
    assert off.body == {"on": {"on": False}}  # no dimming when switching off
    toggle = light_command("v2", "hue:light/abc", "toggle", {})
    assert toggle.toggle and toggle.light == "light/abc" and toggle.turned(True).body == {"on": {"on": True}}


def test_v1_bodies() -> None:
    on = light_command("v1", "hue:lights/3", "turn_on", {"brightness": 128})
    assert (on.path, on.body) == ("lights/3/state", {"on": True, "bri": 127})
    assert light_command("v1", "hue:lights/3", "turn_on", {"brightness_pct": 0.1}).body == {"on": True, "bri": 1}
    assert light_command("v1", "hue:lights/3", "turn_on", {"brightness_pct": 500}).body == {"on": True, "bri": 254}
