"""Shared fixtures for the Home Assistant adapter's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ha_fixtures import HOME


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A private copy of the recorded home, safe to modify."""
    target = tmp_path / "config"
    shutil.copytree(HOME, target)
    return target
