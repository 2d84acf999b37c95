"""The redactor: which keys are secret, and secrets masked at any depth and inside free text."""

from __future__ import annotations

import random
import string

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


@pytest.mark.parametrize("secret", [
    "4P1jZ8mK2qR7vT9xW3yB5nC6dF0gH1jL2kM4pQ8s",  # a Hue application key's shape
    "qKCTvPtVvf8HfbqSREmYgSvuW7nHTwFeBx-f5orU3Ks=",  # base64 of 32 random bytes
    "ya29.a0AfH6SMBx3kzQ9fjaE8sLk_dkk23dfsa",  # Google OAuth access token
    "1//0gAbCdEfGhIjKlMnOpQrStUvWxYz",  # Google OAuth refresh token
    "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",  # Google API key
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",  # GitHub token
])
def test_a_token_written_with_no_key_is_caught_by_its_shape(secret: str) -> None:
    line = f"2026-11-11 18:40:48 ERROR (MainThread) [custom_components.x] setup with {secret} failed"
    assert redact_text(line) == line.replace(secret, REDACTED)


@pytest.mark.parametrize("identifier", [
    "01M76FRHB9J2DXMWSVX1FVCP5M",  # a ULID context id: one case
    "1028d66426293e821ecfd9ef1a0731df",  # a hex config entry id
    "123e4567-e89b-12d3-a456-426614174000",  # a UUID
    "ST_5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f80",  # a SmartThings network id: two capitals before a hex id
    "Hue_Bridge_001788FFFE4A1B2C_light_00178801",  # words and numbers joined
    "zwave_js-3967568533-12-0-49-0-Air_temperature",
    "sensor.living_room_temperature_2024_calibrated",
    "ThisIsAVeryLongCamelCaseName2024Version",
])
def test_identifiers_are_not_taken_for_tokens(identifier: str) -> None:
    line = f"light.driveway unique_id {identifier} unavailable"
    assert redact_text(line) == line


def test_most_random_tokens_are_caught_without_a_key() -> None:
    """The shape rule is a heuristic: it must catch the great majority of real random tokens."""
    draw = random.Random(20261124)  # the same tokens every run: the test cannot flake
    alphabet = string.ascii_letters + string.digits + "-_"
    tokens = ["".join(draw.choice(alphabet) for _ in range(43)) for _ in range(2000)]  # token_urlsafe(32)'s shape
    caught = sum(redact_text(f"key {token} here") == f"key {REDACTED} here" for token in tokens)
    assert caught >= 0.9 * len(tokens)
