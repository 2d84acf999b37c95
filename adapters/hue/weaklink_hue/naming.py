"""How the Hue adapter names things in the shared model, and why.

Capability ids are the bridge's own resource paths, so that a support desk (or Signify's)
can look one up on the bridge directly, and they survive restarts and renames:

- CLIP v2: `hue:<type>/<rid>`: `hue:light/3f4ac4e9-…`, `hue:motion/…`, `hue:contact/…`,
  `hue:button/…`, `hue:temperature/…`, `hue:light_level/…` (`GET /clip/v2/resource/<type>/<rid>`);
- v1 (bridges older than API 1.48): `hue:lights/<id>`, `hue:sensors/<id>` (`GET /api/<key>/lights/<id>`).

A capability's `unique_id` is the rid (v2) or `uniqueid` (v1), its v1 address is kept in
`attributes["id_v1"]`. States follow Home Assistant's reading of the same entity, so that
the two sources agree on one physical device: a light `on`/`off`, motion `on`/`off`, a
contact `on` when open (`no_contact`) and `off` when closed (`contact`); the Hue term is
kept in the attributes. A capability whose device's Zigbee link is not `connected` is not
`available` (as Home Assistant marks it).

Device ids: the bridge is `hue:bridge/<bridge id>`; a device behind it `hue:device/<rid>`
(v2) or `hue:zigbee/<IEEE>` (v1, where one sensor device has several v1 ids). The graph
matches them with other sources by their identifiers: the bridge by MAC and `hue:<bridge
id>`, a Zigbee device by IEEE address and `hue:<device rid>` (the identifiers Home
Assistant's Hue integration registers).
"""

from __future__ import annotations

from weaklink.model import CapabilityKind, Device, Identifier, IdentifierKind, Role, Transport, normalize_identifier

PLATFORM = "hue"
BRAND = "Philips Hue"
SIGNIFY = "Signify Netherlands B.V."

# CLIP v2 service types that become capabilities, and what they are.
V2_KINDS: dict[str, CapabilityKind] = {
    "light": CapabilityKind.LIGHT,
    "motion": CapabilityKind.MOTION,
    "contact": CapabilityKind.CONTACT,
    "button": CapabilityKind.BUTTON,
    "temperature": CapabilityKind.SENSOR,
    "light_level": CapabilityKind.SENSOR,
}


def bridge_device_id(bridge_id: str) -> str:
    """The bridge's device id."""
    return f"hue:bridge/{bridge_id}"


def capability_id(collection: str, item: str) -> str:
    """A capability id from a v2 type and rid, or a v1 collection and id."""
    return f"hue:{collection}/{item}"


def brand_of(manufacturer: str | None) -> str:
    """The brand to show for a device's manufacturer (third-party Zigbee devices pair with Hue too)."""
    return BRAND if manufacturer in (None, SIGNIFY) else str(manufacturer)


def ieee(value: str | None) -> Identifier | None:
    """The Zigbee identifier of an IEEE address (`00:17:88:01:…`, possibly with Hue's `-0b`), if it is one."""
    if not value:
        return None
    normal = normalize_identifier(IdentifierKind.ZIGBEE, value)
    return Identifier(kind=IdentifierKind.ZIGBEE, value=normal) if len(normal) == 23 else None


def on_off(value: bool) -> str:
    """Home Assistant's words for a boolean state."""
    return "on" if value else "off"


def bridge_device(bridge_id: str, name: str | None, model: str | None, mac: str | None, address: str | None,
                  sw_version: str | None) -> Device:
    """The bridge as a hub on the home network."""
    identifiers = [Identifier(kind=IdentifierKind.VENDOR, value=f"hue:{bridge_id}")]
    if mac:
        identifiers.insert(0, Identifier(kind=IdentifierKind.MAC, value=mac))
    return Device(id=bridge_device_id(bridge_id), name=name or "Hue Bridge", brand=BRAND, model=model,
                  role=Role.HUB, transport=Transport.ETHERNET, identifiers=identifiers, host=address,
                  sw_version=sw_version)
