"""The exception tree of weaklink.

    WeaklinkError                 root: everything weaklink raises on purpose
    ├── InputError                something the user gave us is wrong (exit status 2)
    │   ├── ScenarioError         a scenario file does not describe a valid chain
    │   ├── ExportError           a vendor export or registry cannot be read
    │   ├── HistoryError          a recorded history (database, trace) cannot be read
    │   │   └── UnsupportedSchemaError   a database schema version we cannot read
    │   ├── UnknownElementError   a named entity, device or automation is not in the home
    │   └── BundleError           an uploaded or given bundle cannot be used (not a zip, unsafe, too big)
    └── AdapterError              an adapter broke its contract (a bug to report, not bad input)

Every `InputError` carries where it came from (the file, and the line or field when known),
so that the command line can print one message naming the place and exit with status 2.
"""

from __future__ import annotations

from pathlib import Path


class WeaklinkError(Exception):
    """Root of every error weaklink raises on purpose.

    `problem`, on errors about a live host, is the kind of failure it was, one of
    `weaklink.model.PROBE_PROBLEMS` (`unreachable`, `timeout`, `garbled`, `credentials`,
    `identity`, …), so that a probe result made from it says so.
    """

    problem: str | None = None


class InputError(WeaklinkError):
    """Something the user gave us is malformed or refers to nothing.

    `source` is the file (or other origin) at fault, `line` the 1-based line in it when
    known, and `field` the dotted path of the offending value when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = str(source) if source is not None else None
        self.line = line
        self.field = field

    def where(self) -> str:
        """Return 'file:line (field)' for whatever of these is known."""
        place = self.source or ""
        if self.line is not None:
            place = f"{place}:{self.line}" if place else f"line {self.line}"
        if self.field:
            place = f"{place} ({self.field})" if place else self.field
        return place

    def __str__(self) -> str:
        place = self.where()
        return f"{place}: {self.message}" if place else self.message


class ScenarioError(InputError):
    """A scenario file does not describe a valid chain."""


class ExportError(InputError):
    """A vendor export, registry or configuration file cannot be read."""


class HistoryError(InputError):
    """A recorded history (recorder database, trace file) cannot be read."""


class UnsupportedSchemaError(HistoryError):
    """A recorder database uses a schema version this release cannot read."""


class UnknownElementError(InputError):
    """A named entity, device or automation does not exist in the home."""


class BundleError(InputError):
    """An uploaded or given bundle cannot be used: not a zip, corrupt, or unsafe to unpack."""


class AdapterError(WeaklinkError):
    """An adapter did not honour the adapter contract."""
