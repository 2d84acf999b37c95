"""Opening a home: every adapter that recognises it, merged into a graph with its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from .homefolder import HomeImport, import_home
from .graph import HomeGraph
from .history import History
from .model import LogEntry
from .tracer import RecordedTracer, Recording


@dataclass
class OpenHome:
    """A home read from disk: its graph, its recorded evidence, and its time zone."""

    path: Path
    graph: HomeGraph
    recording: Recording
    histories: list[History]
    time_zone: str | None
    warnings: list[LogEntry] = field(default_factory=list)  # what the adapters tolerated while reading
    imported: HomeImport = field(default_factory=HomeImport)  # which exports were read, which files skipped

    def tracer(self) -> RecordedTracer:
        """A tracer replaying this home's recorded history."""
        return RecordedTracer(self.graph, self.recording, home=str(self.path), time_zone=self.time_zone)

    def close(self) -> None:
        """Close every history store."""
        for history in self.histories:
            history.close()

    def __enter__(self) -> OpenHome:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def open_home(path: Path) -> OpenHome:
    """Read the home at `path` with every installed adapter that recognises it."""
    imported = import_home(path)
    fragments, histories = imported.fragments, imported.histories
    graph = HomeGraph.from_fragments(fragments)
    recording = Recording(
        histories,
        runs=[run for fragment in fragments for run in fragment.runs],
        log=[entry for fragment in fragments for entry in fragment.log],
    )
    time_zone = next((f.time_zone for f in fragments if f.time_zone), None)
    warnings = [entry for fragment in fragments for entry in fragment.log if entry.at is None]
    return OpenHome(path, graph, recording, histories, time_zone, warnings, imported)
