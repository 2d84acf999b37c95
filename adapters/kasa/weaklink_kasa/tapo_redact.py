"""Masking a Tapo device's answers the way python-kasa masks the fixtures it records.

One key table, applied at any depth of the document:

| key | becomes |
|---|---|
| `nickname` (base64) | `#MASKED_NAME#`, base64-encoded as the device keeps names |
| `ssid` (base64) | `#MASKED_SSID#`, base64-encoded |
| `location` | `#MASKED_NAME#` |
| `mac` | its maker's half kept, the device's own zeroed (`3C-84-6A-00-00-00`), separators as written |
| `bssid` | twelve zeros |
| `latitude`, `longitude`, `la`, `lo` | 0 |
| `owner` (a hash of the account's user name) | zeros |
| HomeKit and Matter setup codes (`mfi_*`, `setup_code`, `setup_payload`) | every letter and digit a 0 |

An empty value stays empty. The device ids are kept: they are what ties a dump to the device
weaklink reads live (and to what other sources report of it); a masked MAC is no identifier
(`naming.mac_digits`). `weaklink dump` then applies weaklink's own key table on top (`ssid`,
coordinates and `location` become `**REDACTED**`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

MASKED_NAME = "#MASKED_NAME#"
MASKED_SSID = "#MASKED_SSID#"
_WORD = re.compile(r"\w")


def mask_mac(mac: str) -> str:
    """The maker's half of a MAC, the rest zeroed, written as it was (`3C846A000000`, `3C-84-6A-00-00-00`)."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", mac)
    if len(digits) != 12:
        return "00-00-00-00-00-00"
    if len(mac) == 12:
        return f"{mac[:6]}000000"
    separator = ":" if ":" in mac else "-"
    return separator.join([*(digits[i:i + 2] for i in range(0, 6, 2)), "00", "00", "00"])


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _zeros(value: Any) -> Any:
    return _WORD.sub("0", value) if isinstance(value, str) else 0


_MASKS: dict[str, Callable[[Any], Any]] = {
    "nickname": lambda _: _b64(MASKED_NAME),
    "ssid": lambda _: _b64(MASKED_SSID),
    "location": lambda _: MASKED_NAME,
    "mac": lambda value: mask_mac(value) if isinstance(value, str) else value,
    "bssid": lambda _: "000000000000",
    "latitude": lambda _: 0,
    "longitude": lambda _: 0,
    "la": lambda _: 0,
    "lo": lambda _: 0,
    "owner": _zeros,
    "setup_code": _zeros,
    "setup_payload": _zeros,
    "mfi_setup_code": _zeros,
    "mfi_setup_id": _zeros,
    "mfi_token_token": _zeros,
    "mfi_token_uuid": _zeros,
}


def mask(document: Any) -> Any:
    """A copy of `document` with every value under a key of the table masked, at any depth."""
    if isinstance(document, dict):
        masked = {}
        for key, value in document.items():
            if key in _MASKS and value not in (None, ""):
                masked[key] = _MASKS[key](value)
            else:
                masked[key] = mask(value)
        return masked
    if isinstance(document, list):
        return [mask(item) for item in document]
    return document
