"""Devices and capabilities from the `bridge/devices` payload.

Every device stays visible, whatever state Zigbee2MQTT has it in, because the state is often
the answer to "my automation does nothing":

- interview not completed (`failed`, `pending`, `in_progress`): its capabilities are
  `available=False` and carry `attributes["interview"]`; Zigbee2MQTT does not control a device
  it has not interviewed;
- unsupported (no definition, or one Zigbee2MQTT generated): `attributes["supported"] = False`;
- disabled in Zigbee2MQTT: `Device.disabled` and every capability `disabled`.

A device none of whose features is worth a capability (a repeater, a device with no definition)
still gets one capability, `<device>/device` of kind `other`, to carry that state.
"""

from __future__ import annotations

from collections.abc import Sequence

from weaklink.model import Capability, CapabilityKind, Device, Role, Transport

from .exposes import Feature, features
from .mapped import Mapped
from .naming import PLATFORM, capability_id, device_id, zigbee_identifier
from .payloads import DeviceEntry

COORDINATOR = "Coordinator"
SUCCESSFUL = "successful"
PLACEHOLDER = Feature("device", CapabilityKind.OTHER)


def map_device_list(entries: Sequence[DeviceEntry], source: str) -> Mapped:
    """Devices and capabilities of `bridge/devices` entries (the whole payload, or one entry).

    Every device but the coordinator hangs off the coordinator listed with it, if any.
    """
    mapped = Mapped()
    coordinator = next((entry for entry in entries if entry.type == COORDINATOR), None)
    hub_id = device_id(coordinator.ieee_address) if coordinator else None
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.ieee_address in seen:
            mapped.warn(f"{entry.ieee_address} is listed twice: entry {index} is left out", source)
            continue
        seen.add(entry.ieee_address)
        mapped.devices.append(to_device(entry, hub_id))
        mapped.capabilities.extend(to_capabilities(entry))
    return mapped


def to_device(entry: DeviceEntry, hub_id: str | None) -> Device:
    """The device of one entry; `hub_id` is the coordinator's device id, when known."""
    definition = entry.definition
    is_hub = entry.type == COORDINATOR
    return Device(
        id=device_id(entry.ieee_address),
        name=entry.name,
        brand=(definition.vendor if definition else None) or entry.manufacturer,
        model=(definition.model if definition else None) or entry.model_id,
        role=Role.HUB if is_hub else Role.DEVICE,
        transport=Transport.ZIGBEE,
        identifiers=[zigbee_identifier(entry.ieee_address)],
        hub_id=None if is_hub else hub_id,
        sw_version=entry.software_build_id or None,
        disabled=entry.disabled,
    )


def to_capabilities(entry: DeviceEntry) -> list[Capability]:
    """One capability per feature worth one (see `exposes`); the coordinator has none."""
    if entry.type == COORDINATOR:
        return []
    found = features(entry.definition.exposes) if entry.definition else []
    interview = entry.interview()
    state: dict[str, object] = {}
    if interview != SUCCESSFUL:
        state["interview"] = interview
    if not entry.is_supported():
        state["supported"] = False
    if entry.power_source:
        state["power_source"] = entry.power_source
    return [
        Capability(
            id=capability_id(entry.ieee_address, feature.key),
            kind=feature.kind,
            name=entry.name if feature is PLACEHOLDER else f"{entry.name} {feature.words}",
            device_id=device_id(entry.ieee_address),
            platform=PLATFORM,
            device_class=feature.device_class,
            available=interview == SUCCESSFUL,
            disabled=entry.disabled,
            attributes={**_details(feature), **state},
        )
        for feature in found or [PLACEHOLDER]
    ]


def _details(feature: Feature) -> dict[str, object]:
    details: dict[str, object] = {}
    if feature.published_as:
        details["property"] = feature.published_as
    if feature.unit:
        details["unit"] = feature.unit
    return details
