"""Where the SmartThings fixtures and the shared reference dumps live, and small helpers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODELS = sorted(FIXTURES.glob("*.json"))  # one device document per model
EVERY_FIXTURE = sorted(FIXTURES.rglob("*.json"))
HOME = FIXTURES / "homes" / "offline-lock"  # a device list, a health and a status of one home
REPOSITORY = Path(__file__).resolve().parents[3]
REFERENCE = REPOSITORY.parent / "shared" / "reference"

HUB_ID = "0d7a3e91-6b2c-4f58-9e14-a3c5b7d9f260"  # the hub the model fixtures hang off: none of them describes it
MODEL_HUB_ID = "5c0f9a6e-3b1d-4e2a-9f47-1d2c3b4a5e60"  # the hub model fixture's own id
MOTION_ID = "a7e1c3d2-6f4b-4b8e-9d21-3c5e7f9a1b2d"
LOCK_ID = "e4b2d6f8-1a3c-4e5f-8b7d-9c0a2e4f6b81"
HOME_LOCK_ID = "c8f1b4e7-0a3d-4c6f-9b2e-7d0a3c6f9b47"
HOME_MOTION_ID = "f1a4d7b0-3e6c-4a9f-8d2b-5c8e1f4a7d36"
HOME_HUB_ID = "b3e6a9c2-5d8f-4b1e-a4c7-0d3f6a9c2e51"


def model(prefix: str) -> Path:
    """The one model fixture whose name starts with `prefix` (`zigbee_`, `hub_`, …)."""
    found = [path for path in MODELS if path.name.startswith(prefix)]
    assert len(found) == 1, f"expected one fixture named {prefix}*, found {found}"
    return found[0]


def document(path: Path) -> Any:
    """The JSON document of a fixture."""
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, value: Any) -> Path:
    """Write `value` as JSON at `path` (its folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def copy_home(target: Path) -> Path:
    """A private copy of the fixture home, safe to change."""
    shutil.copytree(HOME, target)
    return target


def hub_named(native_id: str) -> dict[str, Any]:
    """The hub model fixture's document, as the hub `native_id`."""
    return document(model("hub_")) | {"deviceId": native_id}


def reference_files(brand: str) -> list[Path]:
    """Every file of `/work/shared/reference/<brand>/`, or the folder itself when it is missing
    or empty: one case that fails, rather than no case at all (which would skip)."""
    folder = REFERENCE / brand
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return files or [folder]


def require_reference(path: Path) -> None:
    """Fail, saying why, when the reference dumps are not where the tests expect them."""
    assert path.is_file(), (f"the reference dumps are missing: {path} is not a file. They are expected in "
                            f"{REFERENCE} (beside the repository), as /work/shared/reference/README.md describes.")
