"""Probing a SmartThings account, layer by layer; a sick cloud or device is a finding, never an exception.

| what the probe sees | layer | ok | problem | element |
|---|---|---|---|---|
| nothing answers at the API's address (refused, no route, no such name, reset) | network | False | unreachable | the host |
| the host is not the API (a certificate for another name; a plain-HTTP host that does not refuse a request without a token): the token was not sent | network | False | identity | the host |
| the cloud does not answer in time | integration | False | timeout | the host |
| it answers, but not as the API (not TLS, not HTTP, not JSON, not a device list) | integration | False | garbled | the host |
| it refuses the token (401/403): expired, deleted, or without the devices scope | integration | False | credentials | the host |
| it fails (5xx), or asks to wait longer than the probe has (429) | integration | False | | the host |
| the cloud answers and takes the token | network, integration | True | | the host |
| the hub's health is OFFLINE | hub | False | | the hub |
| a device behind an OFFLINE hub | hub | False | | the device |
| a Zigbee, Z-Wave, Matter or Bluetooth device OFFLINE while its hub (if any) is ONLINE | radio | False | | the device |
| a cloud-to-cloud (VIPER) device OFFLINE: its maker's cloud has lost it | integration | False | | the device |
| any other device OFFLINE (LAN, Wi-Fi appliances): gone from its network | network | False | | the device |
| each device's health otherwise (ONLINE, or none reported) | as above | True | | the device |
| a capability that still reports the opposite of what this session commanded (`act`): accepted, not carried out | device | False | | the capability |

The cloud-level findings name the host (the home file's name for the account, as Home
Assistant's do) and say who is responsible in their words: the cloud's own failures are
Samsung's, an expired token the user's to renew. There is one device finding per device,
from the health the device list reports with `includeHealth=true`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from weaklink.live.secrets import mask
from weaklink.model import Device, HomeFragment, ProbeResult, Role

from .errors import IdentityMismatch, RequestFailed
from .naming import device_id
from .transport import Deadline

if TYPE_CHECKING:
    from .session import SmartThingsSession

_RADIO_TYPES = frozenset({"ZIGBEE", "ZWAVE", "MATTER", "BLE", "BLE_D2D"})


def result(element: str, layer: str, ok: bool, detail: str, latency_ms: float | None = None,
           problem: str | None = None) -> ProbeResult:
    """A probe result stamped now, its words masked."""
    return ProbeResult(element=element, layer=layer, ok=ok, detail=mask(detail), at=datetime.now(UTC),
                       latency_ms=latency_ms, problem=problem)


def finding(element: str, failure: RequestFailed) -> ProbeResult:
    """The finding a failed request makes."""
    return result(element, failure.layer, False, failure.detail, failure.latency_ms, failure.problem)


async def probe_session(session: SmartThingsSession, timeout: float) -> list[ProbeResult]:
    """The account's health: the cloud, the token, then each device."""
    try:
        return await _probe(session, timeout)
    except Exception as error:  # the contract: no sick host makes a probe raise; this is weaklink's own failure
        return [result(session.element, "integration", False, f"the SmartThings adapter could not probe "
                       f"{session.where}: {type(error).__name__}: {error}")]


async def _probe(session: SmartThingsSession, timeout: float) -> list[ProbeResult]:
    deadline = Deadline(timeout)
    element = session.element
    met, session.connect_failure = session.connect_failure, None
    try:
        if met is not None:
            raise met
        reading, fragment = await session.read(deadline)
    except IdentityMismatch as error:
        return [result(element, "network", False, error.detail, problem=error.problem)]
    except RequestFailed as failure:
        answered = failure.status is not None or failure.reason == "garbled"
        reached = [result(element, "network", True, f"something answers at {session.where}")] if answered else []
        return [*reached, finding(element, failure)]
    commanded = dict(session.commanded)  # before this reading forgets the ones carried out
    results = [
        result(element, "network", True, f"{session.where} answers as the SmartThings API", reading.latency_ms),
        result(element, "integration", True, f"the SmartThings cloud accepts the personal access token and lists "
               f"{len(reading.items)} devices", reading.latency_ms),
    ]
    results += device_results(reading.items, fragment)
    results += session.settle(fragment, commanded)
    return results


def device_results(items: list[dict[str, Any]], fragment: HomeFragment) -> list[ProbeResult]:
    """One finding per device of the list, from its health (and its hub's)."""
    devices = {device.id: device for device in fragment.devices}
    health = {item.get("deviceId"): _health(item) for item in items}
    found = []
    for item in items:
        device = devices.get(device_id(str(item.get("deviceId"))))
        if device is None:
            continue
        state, since = health[item.get("deviceId")]
        hub_id = device.hub_id.removeprefix("smartthings:") if device.hub_id else None
        hub = devices.get(device.hub_id or "")
        hub_state = health.get(hub_id, (None, None))[0] if hub_id else None
        found.append(_device_result(device, str(item.get("type") or "").upper(), state, since,
                                    hub.name if hub else hub_id, hub_state))
    return found


def _health(item: dict[str, Any]) -> tuple[str | None, str | None]:
    block = item.get("healthState")
    if not isinstance(block, dict):
        return None, None
    state, since = block.get("state"), block.get("lastUpdatedDate")
    return (state.upper() if isinstance(state, str) else None), (since if isinstance(since, str) else None)


def _layer(device: Device, kind: str) -> str:
    """The layer a device's own loss of contact points at."""
    if device.role is Role.HUB:
        return "hub"
    if kind in _RADIO_TYPES or device.transport.is_radio:
        return "radio"
    return "integration" if kind == "VIPER" else "network"


def _device_result(device: Device, kind: str, state: str | None, since: str | None, hub: str | None,
                   hub_state: str | None) -> ProbeResult:
    what = f"{device.name} ({kind.lower() or 'device'})"
    when = f" since {since}" if since else ""
    layer = _layer(device, kind)
    if state != "OFFLINE":
        words = f"{what} is {state}" if state else f"{what}: SmartThings reports no health for it"
        return result(device.id, layer, True, words)
    if device.role is Role.HUB:
        return result(device.id, "hub", False, f"{device.name} (the SmartThings hub) is OFFLINE{when}: every device "
                      "behind it is cut off; check its power and its network connection")
    if hub_state == "OFFLINE":
        return result(device.id, "hub", False, f"{what} is OFFLINE{when} because its hub {hub} is OFFLINE: the hub "
                      "is the broken link, not the device")
    behind = f" while its hub {hub} is ONLINE" if hub and hub_state == "ONLINE" else ""
    advice = {
        "radio": "its radio link to the hub is lost: check its power or battery, and its distance to the hub or the "
                 "nearest repeater",
        "integration": "its maker's cloud no longer reaches it (a cloud-to-cloud device): check it in its maker's app",
        "network": "it is gone from its network: check its power and its Wi-Fi or Ethernet connection",
    }[layer]
    return result(device.id, layer, False, f"{what} is OFFLINE{when}{behind}: {advice}")
