"""A Shelly as the shared model knows it: the device, and one switch capability per relay.

Built the same way from a live session's answers and from a dump on disk, so that both give
one device the same ids.
"""

from __future__ import annotations

from weaklink.model import Capability, CapabilityKind, Device, HomeFragment, Identifier, IdentifierKind, Transport

from .identity import Identity
from .readings import Reading, reading_capabilities
from .relays import RelayState, capability_id, device_element

PLATFORM = "shelly"
BRAND = "Shelly"


def shelly_fragment(identity: Identity, relays: list[RelayState], *, source: str, host: str | None,
                    name: str | None = None, readings: list[Reading] | None = None) -> HomeFragment:
    """The device (MAC, Wi-Fi host), its relays and its other `readings` (lights, covers, meters,
    sensors); `name` when the device's settings give a better one."""
    device = Device(
        id=device_element(identity.device_id), name=name or identity.name or identity.device_id, brand=BRAND,
        model=identity.model, transport=Transport.WIFI, host=host, sw_version=identity.firmware,
        identifiers=[Identifier(kind=IdentifierKind.MAC, value=identity.mac),
                     Identifier(kind=IdentifierKind.VENDOR, value=device_element(identity.device_id))],
    )
    capabilities = [_capability(identity, device, relay, len(relays)) for relay in relays]
    capabilities += reading_capabilities(device.id, device.name, readings or [], PLATFORM, identity.generation)
    return HomeFragment(source=source, platform=PLATFORM, devices=[device], capabilities=capabilities)


def _capability(identity: Identity, device: Device, relay: RelayState, outputs: int) -> Capability:
    name = device.name if outputs == 1 else f"{device.name} relay {relay.index}"
    return Capability(id=capability_id(identity.device_id, relay.index), kind=CapabilityKind.SWITCH, name=name,
                      device_id=device.id, platform=PLATFORM, unique_id=f"{identity.device_id}-switch:{relay.index}",
                      state=relay.state, attributes=relay.attributes(identity.generation))
