"""The redactor: which keys are secret, and secrets masked at any depth and inside free text."""

from __future__ import annotations

import pytest

from weaklink.redact import REDACTED, is_secret_key, redact, redact_text


@pytest.mark.parametrize(
    "key",
    ["password", "Password", "access_token", "refresh_token", "api_key", "API-Key", "key", "client_secret", "code",
     "pin", "latitude", "longitude", "lat", "lon", "gps", "location", "ssid", "psk", "wifi_password", "webhook_id",
     "cloudhook_url", "auth", "Authorization", "hue_api_key", "push_token", "admin_password", "s2_access_control_key",
     "home_latitude", "local_key", "username", "email", "latitude_i", "longitude_i", "encryptionKey",
     "zwaveStaticDsk", "hedgeTlsCertificate", "privacyIdSeed", "accessToken"],
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
        "auth": False,  # whether there is a password, not the password
    }
    redacted = redact(original)
    assert redacted == {
        "host": "192.168.1.20",
        "api_key": REDACTED,
        "nested": [{"Access-Token": REDACTED, "keep": 1, "deeper": ({"latitude": REDACTED, "entity_id": "light.a"},)}],
        "empty_password": None,
        "auth": False,
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
        ("setup failed (token=abc123) retrying", "setup failed (token=**REDACTED**) retrying"),
        ("<password=abc123>", "<password=**REDACTED**>"),
        ("Nice G.O. (alice.smith+ha@example.co.uk)", "Nice G.O. (**REDACTED**)"),
        ("light.driveway@home is not an address", "light.driveway@home is not an address"),
        # whether a device has a password is no secret (Shelly's `/shelly` says `"auth": false`)
        ('{"auth": false, "auth_en": true, "token": null}', '{"auth": false, "auth_en": true, "token": null}'),
    ],
)
def test_redact_text_patterns(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_text_known_secrets() -> None:
    assert redact_text("user typed hunter22 twice: hunter22", ["hunter22", "", "ab"]) == (
        "user typed **REDACTED** twice: **REDACTED**"
    )
