"""Credentials come from the environment or a file, and never show themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from weaklink.live.secrets import CredentialError, Secret, mask, resolve


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAKLINK_TEST_HUE_KEY", "CANARY-HUE-KEY-0042")
    secret = resolve("env:WEAKLINK_TEST_HUE_KEY")
    assert secret.reveal() == "CANARY-HUE-KEY-0042"
    assert "CANARY" not in f"{secret} {secret!r} {[secret]} {({'key': secret})}"
    assert repr(secret) == "Secret('env:WEAKLINK_TEST_HUE_KEY')"


def test_from_a_file_whole_or_by_key(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("CANARY-MIIO-TOKEN-77\n")
    (tmp_path / "secrets.yaml").write_text("shelly_password: CANARY-SHELLY-PW-5\n")
    home = tmp_path / "home.yaml"
    assert resolve("file:token.txt", source=home).reveal() == "CANARY-MIIO-TOKEN-77"
    assert resolve(f"file:{tmp_path / 'secrets.yaml'}#shelly_password").reveal() == "CANARY-SHELLY-PW-5"


def test_a_literal_is_masked_too() -> None:
    secret = resolve("CANARY-LITERAL-KEY-9")
    assert repr(secret) == "Secret(**REDACTED**)" and str(secret) == "**REDACTED**"


def test_every_resolved_value_is_scrubbed_from_printed_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAKLINK_TEST_TOKEN", "CANARY-SCRUB-31337")
    resolve("env:WEAKLINK_TEST_TOKEN")
    assert mask("GET http://127.0.0.5/api/CANARY-SCRUB-31337/lights failed") == "GET http://127.0.0.5/api/**REDACTED**/lights failed"


@pytest.mark.parametrize(
    ("reference", "says"),
    [("env:WEAKLINK_TEST_UNSET_VARIABLE", "environment variable WEAKLINK_TEST_UNSET_VARIABLE is not set"),
     ("file:/nonexistent/weaklink/secret", "does not exist"),
     ("file:{tmp}/secrets.yaml#nope", "has no key 'nope'")],
)
def test_a_reference_to_nothing_is_bad_input_naming_the_field(tmp_path: Path, reference: str, says: str) -> None:
    (tmp_path / "secrets.yaml").write_text("other: 1\n")
    with pytest.raises(CredentialError) as caught:
        resolve(reference.format(tmp=tmp_path), source="home.yaml", field="hosts.0.credentials.key")
    assert says in caught.value.message and caught.value.field == "hosts.0.credentials.key"


def test_secrets_compare_by_value_without_showing_it() -> None:
    assert Secret("abc123", "literal") == Secret("abc123", "env:X") and Secret("abc123", "literal") != Secret("x", "literal")
