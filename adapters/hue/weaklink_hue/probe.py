"""Reading a bridge's health layer by layer, from what it answers (never raising for a sick one).

| layer | finding |
|---|---|
| `network` | nothing answers at the address (refused, reset, no answer in time), or the host there is not the bridge expected (another bridge id or certificate: it moved, or something took its address) |
| `integration` | the bridge refuses the application key (v2 403, v1 error 1 `unauthorized user`): revoked in the Hue app, or never paired |
| `hub` | the bridge answers, but with an error status or a malformed body; or every Zigbee device behind it is disconnected (its Zigbee network is down) |
| `radio` | one device's Zigbee link is `disconnected`, has a `connectivity_issue`, or is one-way, while the bridge answers (v1: `reachable: false`) |
| `device` | the bridge describes a device in a way that cannot be read |

The first three are about the bridge and name its device id; `radio` and `device` name the
device behind it (the snapshot's device ids), with its name and kind in the detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from typing import Any

from weaklink.model import ProbeResult

from .fragment_v1 import items, zigbee_device_id
from .naming import V2_KINDS
from .resources import Device, Resource, Unreadable, ZigbeeConnectivity

WHAT_IT_MEANS = {
    "disconnected": ("the bridge has lost its Zigbee link to it (disconnected): it is unpowered (switched off "
                     "at the wall?), out of range, or broken; commands to it are not carried out"),
    "connectivity_issue": ("the bridge reports a Zigbee connectivity issue: its link is weak or intermittent, "
                           "so commands and reports may arrive late or not at all; move it or the bridge closer, "
                           "or add a mains-powered Hue light between them"),
    "unidirectional_incoming": ("the bridge hears it but cannot reach it (unidirectional_incoming): its "
                                "reports arrive, commands to it are lost"),
    "unknown": "the bridge reports a Zigbee link status weaklink does not know",
}


@dataclass
class Clock:
    """Times one step of a probe."""

    started: float

    def result(self, now: float, element: str, layer: str, ok: bool, detail: str) -> ProbeResult:
        """A probe result stamped now, with the step's latency."""
        return ProbeResult(element=element, layer=layer, ok=ok, detail=detail, at=datetime.now(UTC),
                           latency_ms=round((now - self.started) * 1000, 1))


def label(name: str, kind: str, address: str | None) -> str:
    """How a device is named in a finding: `Driveway (light, Zigbee 00:17:88:01:…)`."""
    return f"{name} ({kind}, Zigbee {address})" if address else f"{name} ({kind})"


def radio_v2(resources: Sequence[Resource], clock: Clock, now: float, bridge_element: str,
             device_element: dict[str, str]) -> list[ProbeResult]:
    """Each Zigbee device's link as the bridge reports it."""
    devices = {r.id: r for r in resources if isinstance(r, Device)}
    owned_kinds: dict[str, list[str]] = {}
    for resource in resources:
        if resource.type in V2_KINDS and resource.owner is not None:
            owned_kinds.setdefault(resource.owner.rid, []).append(resource.type.replace("_", " "))
    results = []
    for link in resources:
        if not isinstance(link, ZigbeeConnectivity) or link.owner is None or link.status is None:
            continue
        device = devices.get(link.owner.rid)
        name = device.metadata.name if device and device.metadata and device.metadata.name else link.owner.rid
        who = label(name, " and ".join(dict.fromkeys(owned_kinds.get(link.owner.rid) or ["device"])), link.mac_address)
        ok = link.status == "connected"
        detail = f"{who}: Zigbee link connected" if ok else f"{who}: {WHAT_IT_MEANS.get(link.status, link.status)}"
        results.append(clock.result(now, device_element.get(link.owner.rid, bridge_element), "radio", ok, detail))
    return results


def radio_v1(everything: dict[str, Any], clock: Clock, now: float) -> list[ProbeResult]:
    """Each v1 light's and Zigbee sensor's one bit of link health, `reachable`."""
    results = []
    for collection, kind in (("lights", "light"), ("sensors", "sensor")):
        for key, item in items(everything.get(collection)).items():
            element = zigbee_device_id(item)
            if element is None:
                continue  # a software sensor: no radio
            who = label(item.name, f"{kind} {key}", element.removeprefix("hue:zigbee/"))
            detail = (f"{who}: reachable" if item.reachable else
                      f"{who}: the bridge cannot reach it (v1 reachable: false): it is unpowered, out of range or "
                      "has a weak Zigbee link")
            results.append(clock.result(now, element, "radio", item.reachable, detail))
    return results


def network_down(radio: Sequence[ProbeResult], clock: Clock, now: float, element: str) -> ProbeResult | None:
    """A hub finding when every one of several Zigbee devices is out of reach: then it is the bridge's radio."""
    if len(radio) < 2 or any(result.ok for result in radio):
        return None
    return clock.result(now, element, "hub", False,
                        f"every one of the {len(radio)} Zigbee devices behind the bridge is out of reach: the "
                        "bridge's Zigbee network is down (its radio, or a channel change the devices did not "
                        "follow); power-cycle the bridge")


def unreadable(bad: Sequence[Unreadable], clock: Clock, now: float, bridge_element: str,
               device_element: dict[str, str]) -> list[ProbeResult]:
    """A device-layer finding for each resource the bridge describes in a way that cannot be read."""
    return [clock.result(now, device_element.get(item.owner or "", bridge_element), "device", False,
                         f"the bridge describes {item.type} {item.id} in a form weaklink cannot read ({item.reason})")
            for item in bad]
