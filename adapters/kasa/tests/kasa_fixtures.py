"""Where the Kasa/Tapo dumps the tests read live: ours, and the reference dumps beside the repo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from weaklink.model import HomeFragment
from weaklink_kasa import KasaAdapter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO = Path(__file__).resolve().parents[3]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
REFERENCE = SHARED_REFERENCE / "kasa"
HA_EXAMPLE = REPO / "examples" / "ha-home"


def fixture_files() -> list[Path]:
    """Every dump we recorded, one per model."""
    return sorted(FIXTURES.glob("*.json"))


def reference_files() -> list[Path]:
    """Every reference dump; a placeholder when the folder is missing, so that the
    parametrised tests fail on it (saying so) instead of quietly collecting nothing."""
    files = sorted(REFERENCE.glob("*.json")) if REFERENCE.is_dir() else []
    return files or [REFERENCE / "MISSING"]


def require_reference() -> None:
    """Fail, with where it was looked for, when the reference dumps are not there."""
    assert REFERENCE.is_dir() and any(REFERENCE.glob("*.json")), (
        f"the Kasa reference dumps are missing: expected python-kasa fixtures in {REFERENCE} "
        "(the shared/ folder beside the repository)")


def fixture(name: str) -> Path:
    """Our fixture whose file name starts with `name` (e.g. `smart_H100`)."""
    [path] = [p for p in fixture_files() if p.name.startswith(name)]
    return path


def load(path: Path) -> HomeFragment:
    """The fragment the adapter reads from `path`."""
    return KasaAdapter().load(path)


def document(path: Path) -> Any:
    """The raw JSON of a dump."""
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, content: Any) -> Path:
    """Write `content` as JSON to `path` (parents made) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path
