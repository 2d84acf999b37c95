"""One mDNS record as the brand readers see it, and the pieces every reader shares.

TXT keys are case-insensitive (RFC 6763 §6.4): Matter writes `D` and `VP`, HomeKit `id` and
`c#`, and a firmware may well write `ID`. So every key is lower-cased once, here, and the
readers ask for lower-case keys only.

A reader copies out only the fields it names; everything else a record carries (household
and location ids, setup hashes, Wi-Fi BSSIDs, what is playing) is never read, so it cannot
reach a `Discovered`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from weaklink.live.contract import Discovered

_SEPARATORS = re.compile(r"[:\-.\s]")


@dataclass(frozen=True)
class Record:
    """A resolved mDNS record: its service type, instance, where it is, and its TXT keys (lower case)."""

    service_type: str
    instance: str
    address: str
    port: int | None
    txt: Mapping[str, str]

    @classmethod
    def of(cls, service_type: str, name: str, address: str, port: int, properties: Mapping[str, str]) -> Record:
        """The record `discover` hands over, its instance cut out of `name` and its TXT keys lower-cased."""
        suffix = f".{service_type}"
        instance = name[: -len(suffix)] if name.endswith(suffix) else name.split(".")[0]
        txt = {str(key).lower(): str(value).strip() for key, value in properties.items()}
        return cls(service_type, instance, address, port or None, txt)

    def get(self, key: str) -> str:
        """The TXT value of `key` (lower case), "" when the record does not carry it."""
        return self.txt.get(key, "")

    def found(self, *, brand: str, name: str, model: str | None, identifiers: Mapping[str, str],
              problem: str | None, details: Mapping[str, str | int | bool | None] | None = None) -> Discovered:
        """The host this record announces: named only, nothing weaklink can open (no full adapter).
        `details` are the record's facts as fields; those it does not state (None) are left out."""
        return Discovered(adapter=None, brand=brand, name=name or self.instance, address=self.address,
                          port=self.port, model=model, identifiers={k: v for k, v in identifiers.items() if v},
                          via=self.service_type, operations=[], problem=problem,
                          details={k: v for k, v in (details or {}).items() if v is not None})


def hex_digits(value: str, count: int) -> str | None:
    """`value` as `count` lower-case hex digits, separators dropped (`AA:BB:…` → `aabb…`); None if it is not."""
    digits = _SEPARATORS.sub("", value).lower()
    if len(digits) == count and all(c in "0123456789abcdef" for c in digits):
        return digits
    return None


def number(value: str) -> int | None:
    """A decimal TXT value (`c#=4`), None when it is absent or not a number."""
    return int(value) if value.isascii() and value.isdigit() else None


def described(main: str | None, facts: Iterable[str]) -> str | None:
    """`main (fact, fact)`: how a model and what else the record says are shown together."""
    listed = ", ".join(fact for fact in facts if fact)
    if main and listed:
        return f"{main} ({listed})"
    return main or listed or None


def untrusted(reason: str) -> str:
    """The `problem` of a record that fails its identity check: kept and listed, not trusted."""
    return f"{reason}: not trusted"
