"""What a live session reads of a Tapo (SMART) device, as one python-kasa fixture document, and
who the device says it is.

A snapshot and a dump are the same reading: `component_nego` and `get_device_info` first (the
identity is checked on it), then one `multipleRequest` for what the offline reader maps and
the components say the device has: its clock (`time`), its energy meter (`energy_monitoring`:
`get_current_power`, `get_energy_usage`, `get_emeter_data`), a strip's outlets
(`child_device`: `get_child_device_list`, `get_child_device_component_list`, whole however
many pages they come in). Each answer is kept as the device gave it, and a refused method as
its error code, as python-kasa's `dump_devinfo` records them. The snapshot is what the
offline reader (`smart.smart_fragment`) makes of the document, so a device read live and read
from its dump gets the same ids and capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from weaklink.errors import ExportError
from weaklink.model import CapabilityKind, HomeFragment

from .errors import RequestFailed
from .identity import Identity, NotAKasa
from .naming import decode_nickname, mac_digits, native_id
from .relays import Relay
from .smart import smart_fragment
from .smart_models import DeviceInfo

FIRST: dict[str, Any] = {"component_nego": None, "get_device_info": None}
_SWITCHING = (CapabilityKind.SWITCH, CapabilityKind.LIGHT, CapabilityKind.FAN)


@dataclass(frozen=True)
class TapoReading:
    """The first answers of a session: who the device is, and what it negotiated."""

    identity: Identity
    info: dict[str, Any]  # get_device_info as the device answered it
    components: frozenset[str]
    answers: dict[str, Any]  # component_nego and get_device_info, as answered
    latency_ms: float


def module_requests(components: frozenset[str]) -> dict[str, Any]:
    """The methods that read what the offline reader maps, for a device with `components`."""
    requests: dict[str, Any] = {}
    if "time" in components:
        requests["get_device_time"] = None
    if "energy_monitoring" in components:
        requests |= {"get_current_power": None, "get_energy_usage": None, "get_emeter_data": None}
    if "child_device" in components:
        requests |= {"get_child_device_list": {"start_index": 0}, "get_child_device_component_list": {"start_index": 0}}
    return requests


def components_of(answer: Any) -> frozenset[str]:
    """The component names a `component_nego` answer lists (none when it was refused or is odd)."""
    listed = answer.get("component_list") if isinstance(answer, dict) else None
    if not isinstance(listed, list):
        return frozenset()
    return frozenset(c["id"] for c in listed if isinstance(c, dict) and isinstance(c.get("id"), str))


def read_identity(info: Any, where: str) -> Identity:
    """Who `get_device_info` says the device is.

    RequestFailed (device) when it was refused or a field has the wrong type; NotAKasa when it
    is no SMART device's answer (no device id, no MAC)."""
    if isinstance(info, int) and not isinstance(info, bool):
        raise RequestFailed("device", "refused", f"{where} refused get_device_info: error_code {info}")
    if not isinstance(info, dict):
        raise NotAKasa("its get_device_info answer is no object")
    try:
        parsed = DeviceInfo.model_validate(info)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise RequestFailed("device", "malformed", f"{where} answered get_device_info with an unreadable {field}: "
                            f"{first['msg']}") from None
    native = native_id(parsed.device_id, (parsed.mac,), parsed.model, parsed.hw_ver, parsed.fw_ver, parsed.type)
    if native is None:
        raise NotAKasa("its get_device_info names no device_id and no MAC")
    return Identity(native_id=native, device_id=parsed.device_id, mac=mac_digits(parsed.mac),
                    model=parsed.model or "unknown", alias=decode_nickname(parsed.nickname), firmware=parsed.fw_ver)


def document_of(reading: TapoReading, modules: dict[str, Any]) -> dict[str, Any]:
    """The fixture document: every answer under its method's name, sorted as dump_devinfo writes them."""
    return dict(sorted({**reading.answers, **modules}.items()))


def fragment_of(document: dict[str, Any], where: str) -> HomeFragment:
    """The offline reader's fragment of a live document; RequestFailed (device, malformed) naming
    the answer's field when a field it reads has the wrong type."""
    try:
        return smart_fragment(document, Path(where), source=f"kasa://{where}")
    except ExportError as error:
        raise RequestFailed("device", "malformed", f"{where} answered {error.field or 'a request'} with something "
                            f"the adapter cannot read: {error.message}") from None


def relays_of(document: dict[str, Any], where: str) -> list[Relay]:
    """The device's own outputs (a plug's relay, a strip's outlets), in the order the offline
    reader lists them; an outlet carries its child id, through which it is switched."""
    fragment = fragment_of(document, where)
    device = fragment.devices[0].id
    relays = []
    for capability in fragment.capabilities:
        if capability.device_id != device or capability.kind not in _SWITCHING:
            continue
        child = ":" in capability.id.rpartition("/")[2]  # `outlet:2`: one of a strip's children
        relays.append(Relay(capability_id=capability.id, name=capability.name or capability.id,
                            on=None if capability.state is None else capability.state == "on",
                            child_id=capability.unique_id if child else None, switchable=True,
                            attributes=dict(capability.attributes)))
    return relays
