"""A Hue bridge's identity: its bridge id, and the check made before any credential is sent.

A bridge id is the bridge's Ethernet MAC widened to an EUI-64 (`001788` `fffe` `1a2b3c`):
sixteen hex digits with `fffe` in the middle. The bridge tells it three ways, and all three
must agree before the application key leaves this machine:

- the mDNS TXT record `bridgeid` (lower case), or `options["bridge_id"]` in the home file;
- the common name of its TLS certificate (lower case);
- the unauthenticated `GET /api/config` (`bridgeid`, upper case).
"""

from __future__ import annotations

import re

from .errors import IdentityMismatch

_BRIDGE_ID = re.compile(r"^[0-9a-f]{6}fffe[0-9a-f]{6}$")


def normalize_bridge_id(value: object) -> str | None:
    """The bridge id in lower case, or None when `value` is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if _BRIDGE_ID.match(text) else None


def mac_of(bridge_id: str) -> str:
    """The Ethernet MAC a bridge id was made from (`001788fffe1a2b3c` → `00:17:88:1a:2b:3c`)."""
    octets = bridge_id[:6] + bridge_id[10:]
    return ":".join(octets[i:i + 2] for i in range(0, 12, 2))


def check_identity(expected: str | None, certificate_name: str | None, config_id: object, where: str) -> str:
    """The verified bridge id; IdentityMismatch when the three sources disagree or one is not a bridge id."""
    announced = normalize_bridge_id(config_id)
    if announced is None:
        raise IdentityMismatch(f"the host at {where} answers /api/config with bridgeid {config_id!r}, "
                               "which is not a Hue bridge id: not trusted, no credentials sent")
    if normalize_bridge_id(certificate_name) != announced:
        raise IdentityMismatch(f"the host at {where} says it is bridge {announced} but its TLS certificate "
                               f"names {certificate_name!r}: not trusted, no credentials sent")
    if expected is not None and normalize_bridge_id(expected) != announced:
        raise IdentityMismatch(f"the host at {where} is Hue bridge {announced}, not {expected.lower()}: "
                               "the bridge moved or another took its address; no credentials sent")
    return announced
