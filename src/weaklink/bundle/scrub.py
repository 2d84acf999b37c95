"""What is taken out of every file of an escalation bundle before it is written.

Everything passes through a `Scrubber`: local paths become the home folder's name,
`weaklink.redact` masks everything under a secret key and the secrets found in free text
(plus the values of the home's `secrets.yaml` and any strings the caller names, wherever
they appear), then `Pseudonyms` replace the identifiers of devices outside the broken hop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import InputError
from ..home import OpenHome
from ..redact import REDACTED, is_secret_key, redact, redact_text
from ..yamlio import parse_yaml, plain
from .pseudonyms import Pseudonyms

_SERIAL_KEYS = frozenset({"serial", "serial_number", "serialnumber", "serial_no"})


def _is_version_key(key: object) -> bool:
    # "1.0.0.16" is a firmware version, not an address: left alone under keys that say so.
    name = str(key).lower()
    return "version" in name or "firmware" in name or name in ("fw", "sw", "ver") or name.startswith(("fw_", "sw_"))


class Scrubber:
    """Everything written into a bundle passes through here: redaction, then pseudonyms."""

    def __init__(self, secrets: Iterable[str], pseudonyms: Pseudonyms | None, paths: dict[str, str]) -> None:
        self.secrets = sorted({s for s in secrets if isinstance(s, str) and len(s) >= 3}, key=len, reverse=True)
        self.pseudonyms = pseudonyms
        self.paths = paths  # local paths (the work folder the home was unpacked into) → what to write instead
        self.secret_keys: set[str] = set()  # the keys whose values were redacted

    def text(self, text: str, *, addresses: bool = True) -> str:
        """Free text, scrubbed."""
        for local, shown in self.paths.items():
            text = text.replace(local, shown)
        text = redact_text(text, self.secrets)
        return self.pseudonyms.text(text, addresses=addresses) if self.pseudonyms else text

    def json(self, value: Any) -> Any:
        """A JSON document, scrubbed value by value (so it stays valid JSON)."""
        return self._walk(redact(value), None)

    def _key(self, name: str) -> str:
        return self.pseudonyms.text(name) if self.pseudonyms else name

    def _walk(self, value: Any, key: object) -> Any:
        if isinstance(value, dict):
            for name, item in value.items():
                if item == REDACTED and is_secret_key(name):
                    self.secret_keys.add(str(name))
            # Keys are the document's structure: identifiers in them (maps keyed by IEEE address) are
            # replaced, but secret strings are not looked for there, lest two keys become one.
            return {self._key(str(name)): self._walk(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [self._walk(item, key) for item in value]
        if isinstance(value, str):
            if self.pseudonyms and str(key).lower() in _SERIAL_KEYS:
                value = self.pseudonyms.serial(value)
            return self.text(value, addresses=not _is_version_key(key))
        return value


def home_secrets(home: OpenHome) -> list[str]:
    """The values of every `secrets.yaml` of the home's config folders: secret wherever they appear."""
    found: list[str] = []
    for path, _ in home.imported.read:
        secrets_file = path / "secrets.yaml" if path.is_dir() else None
        if secrets_file is None or not secrets_file.is_file():
            continue
        try:
            document = plain(parse_yaml(secrets_file.read_text(encoding="utf-8"), source=secrets_file))
        except (OSError, UnicodeDecodeError, InputError):  # unreadable: no strings; the key table still applies
            continue
        if isinstance(document, dict):
            found += [str(value) for value in document.values()
                      if isinstance(value, (str, int, float)) and not isinstance(value, bool)]
    return found


def local_paths(home: OpenHome) -> dict[str, str]:
    """Where the home was read from on this machine (a work folder, a user's home) says nothing
    the vendor needs: written as the folder's name."""
    shown = home.path.name or "home"
    paths = {}
    for local in {str(home.path.resolve()), str(home.path)}:
        if "/" in local or home.path.is_absolute():
            paths[local] = shown
    return dict(sorted(paths.items(), key=lambda item: len(item[0]), reverse=True))
