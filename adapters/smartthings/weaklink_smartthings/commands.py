"""Turning weaklink's services into SmartThings commands, and the safety rule around them.

`act(entity, service)` names a capability the snapshot gave
(`smartthings:<deviceId>/<component>/<capability>`) and a service as weaklink says it
(`turn_on`, `light.turn_off`, `lock`, `open_cover`…); this module picks the SmartThings
command (`switch.on`, `lock.unlock`, `doorControl.open`) and the value the capability should
report once the device carried it out, which is how a probe later tells a device that
accepted a command and did nothing.

| capability | services → command |
|---|---|
| `switch` (lights, plugs) | `turn_on`/`on` → on, `turn_off`/`off` → off, `toggle` |
| `lock` | `lock` (or `turn_off`: weaklink asks for the state `locked` that way) → lock, `unlock` (`turn_on`) → unlock |
| `doorControl`, `garageDoorControl`, `windowShade`, `valve` | `open`/`open_cover`/`turn_on` → open, `close`/`close_cover`/`turn_off` → close |
| `alarm` (a siren) | `turn_on`/`siren` → siren, `strobe`, `both`, `turn_off`/`off` → off |
| `securitySystem` | `disarm`/`alarm_disarm`, `arm_away`/`alarm_arm_away` → armAway, `arm_home`/`alarm_arm_home` → armStay |

The safety rule: a lock, a door or garage door, a shade, a valve, an alarm or a siren (the
capabilities the offline map makes LOCK, COVER, ALARM, SIREN or VALVE) is never operated
unless the user named it. A capability id says nothing of what it is (`…/main/lock` has no
`lock.` domain for the tracer's own check to see), so the adapter checks it itself: the
host's `options.allow` in the home file must list the capability (or its device).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from weaklink.errors import UnknownElementError
from weaklink.live.contract import ActuationRefused
from weaklink.model import CapabilityKind

from .capabilities import FEATURES
from .naming import PLATFORM, device_id

GUARDED_KINDS = frozenset({CapabilityKind.LOCK, CapabilityKind.COVER, CapabilityKind.ALARM, CapabilityKind.SIREN,
                           CapabilityKind.VALVE})
GUARDED = frozenset(name for name, feature in FEATURES.items() if feature.kind in GUARDED_KINDS)

_OPEN_CLOSE = {"open": ("open", "open"), "open_cover": ("open", "open"), "turn_on": ("open", "open"),
               "close": ("close", "closed"), "close_cover": ("close", "closed"), "turn_off": ("close", "closed")}
# capability → (the attribute it reports, service → (command, the value it then reports))
ACTIONS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "switch": ("switch", {"turn_on": ("on", "on"), "on": ("on", "on"), "turn_off": ("off", "off"),
                          "off": ("off", "off")}),
    "lock": ("lock", {"lock": ("lock", "locked"), "turn_off": ("lock", "locked"), "unlock": ("unlock", "unlocked"),
                      "turn_on": ("unlock", "unlocked")}),
    "doorControl": ("door", _OPEN_CLOSE),
    "garageDoorControl": ("door", _OPEN_CLOSE),
    "windowShade": ("windowShade", _OPEN_CLOSE),
    "valve": ("valve", _OPEN_CLOSE),
    "alarm": ("alarm", {"turn_on": ("siren", "siren"), "siren": ("siren", "siren"), "strobe": ("strobe", "strobe"),
                        "both": ("both", "both"), "turn_off": ("off", "off"), "off": ("off", "off")}),
    "securitySystem": ("securitySystemStatus", {
        "disarm": ("disarm", "disarmed"), "alarm_disarm": ("disarm", "disarmed"),
        "arm_away": ("armAway", "armedAway"), "alarm_arm_away": ("armAway", "armedAway"),
        "arm_home": ("armStay", "armedStay"), "alarm_arm_home": ("armStay", "armedStay")}),
}


@dataclass(frozen=True)
class Target:
    """What an entity id names: a device, one of its components, and a capability of it."""

    native_id: str
    component: str
    capability: str

    @property
    def entity_id(self) -> str:
        """The capability id, as the snapshot gives it."""
        return f"{device_id(self.native_id)}/{self.component}/{self.capability}"


@dataclass(frozen=True)
class Plan:
    """The command to send, and what the capability should report once it is carried out."""

    command: str
    attribute: str
    expected: str
    arguments: list[Any] = field(default_factory=list)

    def body(self, target: Target) -> dict[str, Any]:
        """The `POST /devices/{id}/commands` body."""
        return {"commands": [{"component": target.component, "capability": target.capability,
                              "command": self.command, "arguments": list(self.arguments)}]}


def target_of(entity_id: str) -> Target:
    """The device, component and capability an entity id names; UnknownElementError when it names none."""
    prefix = f"{PLATFORM}:"
    parts = entity_id.removeprefix(prefix).split("/") if entity_id.startswith(prefix) else []
    if len(parts) != 3 or not all(parts):
        raise UnknownElementError(f"{entity_id} is not a SmartThings capability (smartthings:<deviceId>/<component>/"
                                  "<capability>, as the snapshot names them)")
    return Target(*parts)


def check_allowed(target: Target, name: str, allowed: list[str]) -> None:
    """ActuationRefused for a lock, door, shade, valve, alarm or siren the home file does not name."""
    if target.capability not in GUARDED:
        return
    if target.entity_id in allowed or device_id(target.native_id) in allowed:
        return
    raise ActuationRefused(
        f"{target.entity_id} ({name}) is a {target.capability}: weaklink never operates a lock, door, valve or alarm "
        f"unless it is named; list it under this host's options.allow in the home file to allow it")


def plan(target: Target, service: str, current: str | None) -> Plan:
    """The command for `service` on the target's capability (`toggle` needs its `current` state)."""
    action = ACTIONS.get(target.capability)
    if action is None:
        raise UnknownElementError(f"{target.entity_id}: weaklink does not operate a {target.capability} (it switches, "
                                  f"locks, opens and closes: {', '.join(sorted(ACTIONS))})")
    attribute, services = action
    verb = service.rpartition(".")[2]
    if verb == "toggle" and target.capability == "switch":
        verb = "turn_off" if current == "on" else "turn_on"
    if verb not in services:
        raise UnknownElementError(f"a SmartThings {target.capability} cannot {service!r}: it can "
                                  f"{', '.join(sorted(services))}")
    command, expected = services[verb]
    return Plan(command, attribute, expected)
