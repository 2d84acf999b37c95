"""Secrets never leave: the key-table redactor, and canaries planted in the recorded home."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ha_fixtures import HOME
from weaklink.redact import REDACTED, is_secret_key, redact, redact_text
from weaklink_homeassistant import HomeAssistantAdapter


@pytest.mark.parametrize(
    "key",
    ["password", "Password", "access_token", "refresh_token", "api_key", "API-Key", "key", "client_secret", "code",
     "pin", "latitude", "longitude", "lat", "lon", "gps", "location", "ssid", "psk", "wifi_password", "webhook_id",
     "cloudhook_url", "auth", "Authorization", "hue_api_key", "push_token", "admin_password", "s2_access_control_key",
     "home_latitude", "local_key", "username", "email"],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["entity_id", "state", "name", "translation_key", "unique_id", "country_code",
                                 "host", "mac", "model", "brightness_pct", "unit_of_measurement", 7, None])
def test_keys_that_are_not_secret(key: object) -> None:
    assert not is_secret_key(key)


def test_redact_at_any_depth_without_touching_the_original() -> None:
    original = {
        "host": "192.168.1.20",
        "api_key": "k",
        "nested": [{"Access-Token": "t", "keep": 1, "deeper": ({"latitude": 52.1, "entity_id": "light.a"},)}],
        "empty_password": None,
    }
    redacted = redact(original)
    assert redacted == {
        "host": "192.168.1.20",
        "api_key": REDACTED,
        "nested": [{"Access-Token": REDACTED, "keep": 1, "deeper": ({"latitude": REDACTED, "entity_id": "light.a"},)}],
        "empty_password": None,
    }
    assert original["api_key"] == "k" and original["nested"][0]["Access-Token"] == "t"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /api/states?api_password=abc123&x=1", "GET /api/states?api_password=**REDACTED**&x=1"),
        ('{"access_token": "eyJhbGciOi"}', '{"access_token": "**REDACTED**"}'),
        ("Authorization: Bearer abcdef0123456789", "Authorization: Bearer **REDACTED**"),
        ("connect to mqtt://ha:s3cr3t@10.0.0.2:1883", "connect to mqtt://ha:**REDACTED**@10.0.0.2:1883"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlMTIz here", "token **REDACTED** here"),
        ("latitude=52.3731, longitude=4.8903", "latitude=**REDACTED**, longitude=**REDACTED**"),
        ("country_code=NL entity_id=light.a", "country_code=NL entity_id=light.a"),
    ],
)
def test_redact_text_patterns(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_text_known_secrets() -> None:
    assert redact_text("user typed hunter22 twice: hunter22", ["hunter22", "", "ab"]) == (
        "user typed **REDACTED** twice: **REDACTED**"
    )


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
