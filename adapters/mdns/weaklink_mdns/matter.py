"""Matter nodes: operational (`_matter._tcp`) and commissionable (`_matterc._udp`).

An operational record is a node already in a fabric (a home's Matter network, one per
ecosystem: Apple Home, Google Home, …). Its instance name is its identity:
`<compressed fabric id>-<node id>`, two 64-bit numbers in 16 hex digits each; its TXT keys
(`SII`, `SAI`, `SAT`, `T`) only tune sessions. A node in two fabrics announces two records.

A commissionable record is a device waiting to be added. Its instance name is a random 64-bit
number (16 hex digits), and its TXT record says: `D` the 12-bit discriminator every
commissionable node announces (0–4095), `VP` vendor id and product id (`4874+77`, the product
optional), `CM` commissioning mode (1: its own window is open, it has not been commissioned;
2: an admin of a fabric opened a window for another ecosystem, so it already is in one;
0: no window open), `DT` device type, `DN` device name, `PH`/`PI` pairing hint and
instruction, `RI` a rotating id (never read: it exists so the device cannot be tracked).
"""

from __future__ import annotations

import re

from weaklink.live.contract import Discovered

from .record import Record, described, hex_digits, number, untrusted

OPERATIONAL = "_matter._tcp.local."
COMMISSIONABLE = "_matterc._udp.local."
SERVICE_TYPES = (OPERATIONAL, COMMISSIONABLE)
BRAND = "Matter device"

_OPERATIONAL_NAME = re.compile(r"^([0-9A-Fa-f]{16})-([0-9A-Fa-f]{16})$")
MAX_DISCRIMINATOR = 0xFFF

# Device types (`DT`), as the Matter Device Library numbers them.
DEVICE_TYPES = {
    0x000A: "door lock", 0x000E: "bridge", 0x000F: "generic switch", 0x0015: "contact sensor",
    0x0022: "speaker", 0x0023: "casting video player", 0x0028: "video player", 0x002B: "fan",
    0x0100: "on/off light", 0x0101: "dimmable light", 0x0103: "light switch", 0x0104: "dimmer switch",
    0x0105: "color dimmer switch", 0x0106: "light sensor", 0x0107: "occupancy sensor", 0x010A: "plug-in unit",
    0x010B: "dimmable plug-in unit", 0x010C: "color temperature light", 0x010D: "extended color light",
    0x0202: "window covering", 0x0300: "heating/cooling unit", 0x0301: "thermostat", 0x0302: "temperature sensor",
    0x0303: "pump", 0x0305: "pressure sensor", 0x0306: "flow sensor", 0x0307: "humidity sensor",
    0x0850: "on/off sensor",
}


def identify(record: Record) -> Discovered:
    """The node a Matter record announces, operational or commissionable."""
    if record.service_type == OPERATIONAL:
        return _operational(record)
    return _commissionable(record)


def _operational(record: Record) -> Discovered:
    match = _OPERATIONAL_NAME.match(record.instance)
    if match is None:
        return record.found(brand=BRAND, name=record.instance, model=None, identifiers={}, problem=untrusted(
            f"its operational instance name {record.instance!r} is not <compressed fabric id>-<node id> "
            "(16 hex digits each)"))
    fabric, node = (part.upper() for part in match.groups())
    return record.found(brand=BRAND, name=record.instance,
                        model=described(None, ["commissioned", f"fabric {fabric}", f"node {node}"]),
                        identifiers={"matter_node": f"{fabric}-{node}".lower()}, problem=None,
                        details={"commissioned": True, "compressed_fabric_id": fabric, "node_id": node})


def _commissionable(record: Record) -> Discovered:
    instance = hex_digits(record.instance, 16)
    raw = record.get("d")
    discriminator = number(raw)
    problem = None
    if not raw:
        problem = untrusted("its commissionable record has no D, the discriminator every Matter device "
                            "waiting to be commissioned announces")
    elif discriminator is None or discriminator > MAX_DISCRIMINATOR:
        problem = untrusted(f"its commissionable record says D {raw!r}, which is not a Matter discriminator (0-4095)")
    elif instance is None:
        problem = untrusted(f"its commissionable instance name {record.instance!r} is not 16 hex digits")
    said = [_commissioning(record.get("cm")), *_vendor_product(record.get("vp"))]
    device_type = number(record.get("dt"))
    if device_type is not None:
        said.append(DEVICE_TYPES.get(device_type, f"device type {device_type}"))
    if problem is None:
        said.append(f"discriminator {discriminator}")
    vendor, _, product = record.get("vp").partition("+")
    mode = record.get("cm")
    return record.found(brand=BRAND, name=record.get("dn") or record.instance, model=described(None, said),
                        identifiers={"matter_instance": instance or record.instance}, problem=problem,
                        details={"commissioned": mode == "2", "commissioning_open": mode in {"1", "2"},
                                 "vendor_id": number(vendor), "product_id": number(product),
                                 "device_type": DEVICE_TYPES.get(device_type, f"device type {device_type}")
                                 if device_type is not None else None,
                                 "discriminator": discriminator if problem is None else None})


def _commissioning(mode: str) -> str:
    if mode == "2":
        return "already commissioned, open to another ecosystem"
    if mode == "1":
        return "not yet commissioned, open for commissioning"
    return "not yet commissioned, commissioning window closed"


def _vendor_product(text: str) -> list[str]:
    vendor, _, product = text.partition("+")
    said = []
    if number(vendor) is not None:
        said.append(f"vendor {int(vendor)}")
        if number(product) is not None:
            said.append(f"product {int(product)}")
    return said
