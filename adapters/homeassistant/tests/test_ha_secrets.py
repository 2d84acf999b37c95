"""Secrets never leave the Home Assistant adapter: canaries planted in the recorded home."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ha_fixtures import HOME
from weaklink.redact import REDACTED
from weaklink_homeassistant import HomeAssistantAdapter


def test_no_planted_canary_reaches_the_fragment() -> None:
    """Credentials in config entries, secrets.yaml, webhook ids, traces, logs and coordinates."""
    fragment = HomeAssistantAdapter().load(HOME)
    dumped = fragment.model_dump_json()
    planted = set(re.findall(r"CANARY[A-Z0-9-]*", "".join(p.read_text() for p in HOME.rglob("*") if p.is_file())))
    assert "CANARY-TOKEN-1234" in planted and len(planted) > 15
    assert not [canary for canary in planted if canary in dumped]
    for coordinate in ("41.837", "87.686"):
        assert coordinate not in dumped


def test_the_secrets_file_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    real_read_text, real_read_bytes, real_open = Path.read_text, Path.read_bytes, Path.open

    def spy(name, real):  # type: ignore[no-untyped-def]
        def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            opened.append(self)
            return real(self, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(Path, "read_text", spy("read_text", real_read_text))
    monkeypatch.setattr(Path, "read_bytes", spy("read_bytes", real_read_bytes))
    monkeypatch.setattr(Path, "open", spy("open", real_open))
    HomeAssistantAdapter().load(HOME)
    assert opened and not [p for p in opened if p.name == "secrets.yaml"]
