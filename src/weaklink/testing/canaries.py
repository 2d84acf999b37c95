"""Planting canary secrets in a vendor's export, to prove none of them reaches weaklink's output.

Every value stored under a secret key (`weaklink.redact.is_secret_key`: a password, a token,
an SSID, a latitude, …), at any depth of every JSON document of an export, is replaced by a
canary of the same type: a string no real export contains, or, for a number (a latitude), a
number with digits no real export has. A test then looks for every canary in what the
adapter produced.
"""

from __future__ import annotations

import json
import secrets
from fnmatch import fnmatchcase
from dataclasses import dataclass, field
from collections.abc import Collection
from pathlib import Path
from typing import Any

from ..redact import is_secret_key


@dataclass
class Canaries:
    """What was planted: the strings to look for in the output, and where each went."""

    planted: dict[str, str] = field(default_factory=dict)  # canary text -> "file: key path"

    def found_in(self, text: str) -> list[str]:
        """Where the canaries that leaked into `text` were planted."""
        return [where for canary, where in self.planted.items() if canary in text]


def _is_secret(key: object, value: Any, where: str, exempt: Collection[str]) -> bool:
    return (is_secret_key(key) and isinstance(value, str | int | float) and not isinstance(value, bool)
            and not any(fnmatchcase(where, pattern) for pattern in exempt))


def secret_paths(document: Any, exempt: Collection[str] = (), path: str = "") -> list[str]:
    """The dotted paths of every value under a secret key in `document` (containers excluded),
    but those matching an `exempt` pattern (`key`, `*.token_type`: a format's own field that
    only looks like a secret)."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if _is_secret(key, value, where, exempt) else secret_paths(value, exempt, where)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            found += secret_paths(item, exempt, f"{path}.{index}" if path else str(index))
    return found


def _plant(document: Any, canaries: Canaries, source: str, exempt: Collection[str], path: str = "") -> Any:
    if isinstance(document, dict):
        planted = {}
        for key, value in document.items():
            where = f"{path}.{key}" if path else str(key)
            planted[key] = (_canary_like(value, canaries, f"{source}: {where}") if _is_secret(key, value, where, exempt)
                            else _plant(value, canaries, source, exempt, where))
        return planted
    if isinstance(document, list):
        return [_plant(item, canaries, source, exempt, f"{path}.{i}" if path else str(i))
                for i, item in enumerate(document)]
    return document


def _canary_like(value: str | int | float, canaries: Canaries, where: str) -> str | int | float:
    if isinstance(value, str):
        canary = f"CANARY{secrets.token_hex(6).upper()}"
        canaries.planted[canary] = where
        return canary
    # a number keeps its type (a model may insist on one); its digits are what must not leak
    digits = secrets.randbelow(9_000_000) + 1_000_000
    number: int | float = digits if isinstance(value, int) else float(f"{digits // 100000}.{digits % 100000:05d}7")
    canaries.planted[str(number)] = where
    return number


def plant_canaries(export: Path, exempt: Collection[str] = ()) -> Canaries:
    """Replace, in place, every secret value of every JSON document in `export` (a file, or a
    folder's files at any depth) by a canary; the canaries planted."""
    canaries = Canaries()
    files = [export] if export.is_file() else sorted(p for p in export.rglob("*") if p.is_file())
    for path in files:
        try:
            document = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError):
            continue  # not JSON: nothing to plant
        if secret_paths(document, exempt):
            path.write_text(json.dumps(_plant(document, canaries, path.name, exempt), indent=1), encoding="utf-8")
    return canaries


def has_secrets(export: Path, exempt: Collection[str] = ()) -> bool:
    """Whether any JSON document in `export` stores a value under a secret key."""
    files = [export] if export.is_file() else [p for p in export.rglob("*") if p.is_file()]
    for path in files:
        try:
            if secret_paths(json.loads(path.read_bytes()), exempt):
                return True
        except (ValueError, UnicodeDecodeError):
            continue
    return False
