"""What to send a bridge to switch a light: the path and body of a CLIP v2 or v1 PUT."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .client import Api
from .errors import UnsupportedAction

SERVICES = ("turn_on", "turn_off", "toggle")


@dataclass(frozen=True)
class LightCommand:
    """One light command: where it goes, and whether it still has to learn the light's state (toggle)."""

    api: Api
    item: str
    on: bool
    percent: float | None = None
    toggle: bool = False

    @property
    def light(self) -> str:
        """The light's path (`light/<rid>`, `lights/<id>`)."""
        return f"light/{self.item}" if self.api == "v2" else f"lights/{self.item}"

    @property
    def path(self) -> str:
        """Where the command is PUT."""
        return self.light if self.api == "v2" else f"{self.light}/state"

    @property
    def body(self) -> dict[str, Any]:
        """What is PUT: CLIP v2's `{"on": {"on": …}, "dimming": …}` or v1's `{"on": …, "bri": 1–254}`."""
        dimmed = self.on and bool(self.percent)
        if self.api == "v2":
            return {"on": {"on": self.on}} | ({"dimming": {"brightness": self.percent}} if dimmed else {})
        return {"on": self.on} | ({"bri": max(1, min(254, round((self.percent or 0) * 2.54)))} if dimmed else {})

    def turned(self, on: bool) -> LightCommand:
        """The command once a toggle knows which way to go."""
        return replace(self, on=on, toggle=False)


def light_command(api: Api, entity_id: str, service: str, data: Mapping[str, Any]) -> LightCommand:
    """The command for `service` (`turn_on`, `turn_off`, `toggle`, or `light.turn_on`…) on a Hue light, with
    `brightness_pct` (0–100) or `brightness` (0–255) as Home Assistant's service data has them."""
    action = service.rpartition(".")[2]
    collection, _, item = entity_id.removeprefix("hue:").partition("/")
    if action not in SERVICES:
        raise UnsupportedAction(f"{service!r} is not a light service weaklink can call on a Hue light "
                                f"({', '.join(SERVICES)})")
    if not entity_id.startswith("hue:") or collection not in ("light", "lights") or not item:
        raise UnsupportedAction(f"{entity_id} is not a Hue light: only lights can be switched")
    if (api == "v2") != (collection == "light"):
        own = "light/<rid>" if api == "v2" else "lights/<id>"
        raise UnsupportedAction(f"{entity_id} is not how this bridge names its lights: it speaks {api}, hue:{own}")
    return LightCommand(api, item, on=action == "turn_on", percent=_percent(data), toggle=action == "toggle")


def _percent(data: Mapping[str, Any]) -> float | None:
    try:
        if (percent := data.get("brightness_pct")) is not None:
            return max(0.0, min(100.0, float(percent)))
        if (level := data.get("brightness")) is not None:
            return max(0.0, min(100.0, float(level) / 255 * 100))
    except (TypeError, ValueError):
        raise UnsupportedAction(f"brightness {dict(data)!r} is not a number") from None
    return None
