"""Ids, names and identifiers shared by the readers of both protocols."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence

from weaklink.model import Identifier, IdentifierKind

PLATFORM = "kasa"
BRAND = "TP-Link"
# Home Assistant's integration for these devices registers them as ("tplink", <device id>): the
# same id in that namespace lets the graph merge a hub's sensor, which HA knows by no MAC.
HA_DOMAIN = "tplink"

_HEX = re.compile(r"[^0-9a-f]")
_PLACEHOLDER = re.compile(r"^0+$|scrubbed|masked", re.IGNORECASE)


def device_ref(native_id: str) -> str:
    """The device's id in the fragment: `kasa:<device id>`."""
    return f"{PLATFORM}:{native_id}"


def mac_digits(raw: str | None) -> str | None:
    """The 12 hex digits of a MAC however it is written (`9C-53-22-…`, `A842A1…`), or None when
    it is not one, or is masked: python-kasa's `dump_devinfo` keeps a MAC's maker half and zeroes
    the device's own (`3C-52-A1-00-00-00`), which many devices then share. Merging on it would
    join unrelated devices, so it counts as none."""
    if not raw:
        return None
    digits = _HEX.sub("", raw.lower())
    if len(digits) != 12 or digits.endswith("000000"):
        return None
    return digits


def is_masked(native_id: str | None) -> bool:
    """Whether a device id is a redaction's placeholder, not an id: all zeros (`dump_devinfo`
    zeroes ids) or a `SCRUBBED_…`/`MASKED` marker (python-kasa's shared fixtures)."""
    return not native_id or bool(_PLACEHOLDER.search(native_id))


def stand_in(*facts: object) -> str:
    """An id for a device whose dump had its ids masked, made of what the masking left (model,
    hardware, firmware, the MAC's maker half, its place among its hub's children): the same
    dump read again gets the same id, and other devices of a folder of masked dumps do not
    share it. Two masked dumps of one model, hardware and firmware cannot be told apart."""
    digest = hashlib.sha1("|".join(str(fact) for fact in facts).encode()).hexdigest()[:12]
    return f"masked-{digest}"


def first_mac(macs: Iterable[str | None]) -> str | None:
    """The digits of the first real MAC among `macs`."""
    return next((digits for digits in map(mac_digits, macs) if digits), None)


def native_id(device_id: str | None, macs: Sequence[str | None], *facts: object) -> str | None:
    """What a device is known by: its TP-Link id; its MAC when the id is missing or masked; a
    stand-in (from `facts` and the masked MACs) when both are masked; None when the dump
    names neither."""
    if device_id and not is_masked(device_id):
        return device_id
    if mac := first_mac(macs):
        return mac
    if device_id is None and not any(macs):
        return None
    return stand_in(*facts, *macs)


def identifiers_of(native_id: str, *macs: str | None) -> list[Identifier]:
    """The device's MAC (the first real one given) and its id: `kasa:<id>`, and, when it is the
    device's own TP-Link id (not a stand-in or a MAC), `tplink:<id>` as Home Assistant has it."""
    found: list[Identifier] = []
    mac = first_mac(macs)
    if mac:
        found.append(Identifier(kind=IdentifierKind.MAC, value=mac))
    found.append(Identifier(kind=IdentifierKind.VENDOR, value=device_ref(native_id)))
    if not native_id.startswith("masked-") and native_id != mac:
        found.append(Identifier(kind=IdentifierKind.VENDOR, value=f"{HA_DOMAIN}:{native_id}"))
    return found


def decode_nickname(raw: str | None) -> str | None:
    """A SMART device's nickname, which the device keeps base64-encoded; a value that does
    not decode to readable text is taken as written (some firmware and hand-made dumps)."""
    if not raw:
        return None
    try:
        text = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return raw
    return text if text.strip() and text.isprintable() else raw


def number(value: float) -> str:
    """A reading as a state: at most two decimals, no trailing zeros (`23`, `61.75`)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def on_off(value: bool | int | None) -> str | None:
    """`on`/`off` as Home Assistant writes a binary state; None when unknown."""
    return None if value is None else ("on" if value else "off")
