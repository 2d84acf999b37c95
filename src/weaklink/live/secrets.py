"""Credentials for live hosts: read from where the user keeps them, never printed.

A home file never needs to hold a secret itself. A credential is a reference:

- `env:HUE_APP_KEY` — an environment variable;
- `file:~/.config/weaklink/secrets.yaml#hue_key` — a key of a YAML mapping in a file
  (without `#key`, the whole file, stripped, is the secret);
- anything else is taken literally (allowed for the simulated home's throwaway keys).

A resolved value is a `Secret`: its `str` and `repr` are masked, so it cannot end up in a
report or a log by accident, and every resolved value is remembered so that `mask` can
scrub it from any text weaklink prints (error messages quoting a URL, say).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..redact import REDACTED, redact_text
from ..yamlio import load_yaml, plain

_KNOWN: set[str] = set()


class CredentialError(InputError):
    """A credential reference points at nothing (an unset variable, a missing file or key)."""


class Secret:
    """A credential value that does not show itself: use `reveal()` where it is sent."""

    __slots__ = ("_value", "reference")

    def __init__(self, value: str, reference: str) -> None:
        self._value = value
        self.reference = reference
        if len(value) >= 3:
            _KNOWN.add(value)

    def reveal(self) -> str:
        """The value, for the one place that sends it to the device."""
        return self._value

    def __str__(self) -> str:
        return REDACTED

    def __repr__(self) -> str:
        # where it came from is not secret; a literal value is
        return f"Secret({self.reference!r})" if self.reference != "literal" else f"Secret({REDACTED})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def resolve(reference: str, *, source: str | Path | None = None, field: str | None = None) -> Secret:
    """Read the credential `reference` names; CredentialError (naming the field) when it cannot."""
    if reference.startswith("env:"):
        name = reference[4:]
        value = os.environ.get(name)
        if not value:
            raise CredentialError(f"environment variable {name} is not set", source=source, field=field)
        return Secret(value, reference)
    if reference.startswith("file:"):
        location, _, key = reference[5:].partition("#")
        path = Path(location).expanduser()
        if source is not None and not path.is_absolute():
            path = Path(source).parent / path
        if not path.is_file():
            raise CredentialError(f"credential file {path} does not exist", source=source, field=field)
        if not key:
            return Secret(path.read_text(encoding="utf-8").strip(), reference)
        document = plain(load_yaml(path, error=CredentialError))
        value = document.get(key) if isinstance(document, dict) else None
        if value is None:
            raise CredentialError(f"{path} has no key {key!r}", source=source, field=field)
        return Secret(str(value), reference)
    return Secret(reference, "literal")


def mask(text: str) -> str:
    """`text` with every resolved credential, and anything else that looks secret, masked."""
    return redact_text(text, _KNOWN)
