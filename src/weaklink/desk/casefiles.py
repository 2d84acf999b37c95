"""Where a case's files live under the desk's data folder.

    <data>/desk.sqlite3                      the case store
    <data>/cases/<id>/upload.zip             the customer's bundle, byte for byte as uploaded (never changed)
    <data>/cases/<id>/scenario-<run>.yaml    a scenario an agent uploaded for one run
    <data>/cases/<id>/home/                  the bundle unpacked (what the tracer reads)
    <data>/cases/<id>/runs/<n>/progress.json how far run n has got (written by the worker process)
    <data>/cases/<id>/runs/<n>/graph.svg     the picture of the home graph for run n
    <data>/cases/<id>/escalations/<file>     every escalation bundle handed out, as handed out
    <data>/incoming/                         uploads still arriving
    <data>/trash/                            the folders of deleted cases, while they are removed
"""

from __future__ import annotations

import json
import os
import shutil
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CaseFiles:
    """The files of one case."""

    root: Path

    @property
    def upload(self) -> Path:
        return self.root / "upload.zip"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def scenario(self, run: int) -> Path:
        return self.root / f"scenario-{run}.yaml"

    def run_dir(self, run: int) -> Path:
        return self.root / "runs" / str(run)

    def progress(self, run: int) -> Path:
        return self.run_dir(run) / "progress.json"

    def graph(self, run: int) -> Path:
        return self.run_dir(run) / "graph.svg"

    @property
    def escalations(self) -> Path:
        return self.root / "escalations"


def case_files(data_dir: Path, case_id: int) -> CaseFiles:
    """The files of case `case_id`."""
    return CaseFiles(data_dir / "cases" / str(case_id))


def remove_case_folders(data_dir: Path, case_ids: Iterable[int]) -> None:
    """Remove the folders of deleted cases, and whatever an interrupted removal left in the trash.

    Each folder is first moved into the trash in one step, so a case's files are either all
    where the desk finds them or gone from its view; then the trash is emptied.
    """
    trash = data_dir / "trash"
    trash.mkdir(exist_ok=True)
    for case_id in case_ids:
        folder = case_files(data_dir, case_id).root
        if folder.is_dir():
            os.replace(folder, trash / f"{case_id}-{secrets.token_hex(4)}")
    for leftover in trash.iterdir():
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` so that a reader sees the old content or the new, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def write_progress(path: Path, message: str, fraction: float) -> None:
    """Record a run's progress for the desk to show."""
    write_atomically(path, json.dumps({"message": message, "fraction": round(max(0.0, min(1.0, fraction)), 3)}).encode())


def read_progress(path: Path) -> dict[str, object] | None:
    """A run's last recorded progress, or None when it has recorded none."""
    try:
        seen = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return seen if isinstance(seen, dict) else None
