"""Where the recorded Home Assistant fixtures live."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOME = FIXTURES / "home"
STORAGE_VERSIONS = FIXTURES / "storage"
YAML = FIXTURES / "yaml"
