"""Ids of what Zigbee2MQTT knows: one spelling of an IEEE address, so that a device list and a
network map of the same network give every device the same id."""

from __future__ import annotations

import re

from weaklink.model import Identifier, IdentifierKind

PLATFORM = "zigbee2mqtt"
WARNING_LOGGER = "weaklink.zigbee2mqtt"

_NOT_HEX = re.compile(r"[^0-9a-f]")
# What a neighbour table says when it does not know the neighbour's IEEE address: all zeros
# (some Xiaomi routers) or all ones (the Zigbee specification's "unknown").
UNKNOWN_IEEE = frozenset({"0x0000000000000000", "0xffffffffffffffff"})


def native_ieee(value: str) -> str:
    """The IEEE address as Zigbee2MQTT writes it (`0x` and 16 lower-case hex digits).

    ValueError when `value` does not hold exactly 16 hex digits.
    """
    digits = _NOT_HEX.sub("", value.strip().lower().removeprefix("0x"))
    if len(digits) != 16:
        raise ValueError(f"not a Zigbee IEEE address (0x and 16 hex digits): {value!r}")
    return f"0x{digits}"


def device_id(ieee: str) -> str:
    """The weaklink id of the device with this (native) IEEE address."""
    return f"{PLATFORM}:{ieee}"


def capability_id(ieee: str, feature: str) -> str:
    """The weaklink id of one feature of a device."""
    return f"{device_id(ieee)}/{feature}"


def zigbee_identifier(ieee: str) -> Identifier:
    """The hardware identifier other sources (ZHA, Home Assistant's MQTT devices) know it by."""
    return Identifier(kind=IdentifierKind.ZIGBEE, value=ieee)
