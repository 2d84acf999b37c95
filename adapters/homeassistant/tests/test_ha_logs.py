"""`home-assistant.log`: kept records, their integration, their time, and set-up health."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ha_fixtures import HOME
from weaklink.model import Integration, IntegrationHealth
from weaklink_homeassistant.logs import LogReading, SetupSignal, apply_health, parse_log_lines, read_logs

CHICAGO = ZoneInfo("America/Chicago")


def _parse(text: str, tz=CHICAGO, secrets=()):  # type: ignore[no-untyped-def]
    return list(parse_log_lines(text.splitlines(keepends=True), source="home-assistant.log", tz=tz, secrets=secrets))


def _integration(domain: str, title: str, entry_id: str = "e1") -> Integration:
    return Integration(id=entry_id, platform="homeassistant", domain=domain, title=title)


def test_the_recorded_logs() -> None:
    reading = read_logs(HOME, tz=CHICAGO)
    assert [(e.source, e.line, e.level) for e in reading.entries][:2] == [
        ("home-assistant.log.1", 1, "WARNING"), ("home-assistant.log.1", 2, "ERROR"),
    ]
    assert all(e.level in ("WARNING", "ERROR", "CRITICAL") for e in reading.entries)
    assert not any("Setting up hue" in e.message or "Loaded 3 devices" in e.message for e in reading.entries)
    by_line = {(e.source, e.line): e for e in reading.entries}
    simplisafe = by_line[("home-assistant.log", 13)]
    assert simplisafe.integration == "simplisafe"
    assert simplisafe.logger == "homeassistant.config_entries"
    assert simplisafe.at == datetime(2026, 11, 16, 0, 2, 11, 123000, tzinfo=UTC)  # 18:02 in Chicago, in November
    assert by_line[("home-assistant.log", 14)].integration == "light"
    assert by_line[("home-assistant.log", 12)].integration == "zha"
    assert by_line[("home-assistant.log", 15)].integration == "automation"


def test_tracebacks_are_folded_into_their_record() -> None:
    reading = read_logs(HOME, tz=CHICAGO)
    nice_go = next(e for e in reading.entries if e.integration == "nice_go")
    # the entry is titled with the account's e-mail address, which is masked like any secret
    assert nice_go.message.startswith("Error setting up entry **REDACTED** for nice_go\nTraceback")
    assert nice_go.message.endswith("nice_go.exceptions.AuthFailedError: Refresh token expired: refresh_token=**REDACTED**")
    assert nice_go.line == 3


def test_secrets_are_masked_in_messages() -> None:
    reading = read_logs(HOME, tz=CHICAGO)
    text = "\n".join(e.message for e in reading.entries)
    assert "CANARY" not in text
    assert "api_password=**REDACTED**" in text
    (entry, _, _), = _parse(
        "2026-11-15 18:00:00.000 ERROR (MainThread) [custom_components.acme] login failed for hunter2secret\n",
        secrets=["hunter2secret"],
    )
    assert entry.message == "login failed for **REDACTED**" and entry.integration == "acme"


def test_health_comes_from_the_newest_run_only() -> None:
    reading = read_logs(HOME, tz=CHICAGO)
    integrations = apply_health(
        [_integration("hue", "Hue Bridge", "h"), _integration("nice_go", "homeowner@example.com", "n"),
         _integration("simplisafe", "740125", "s"), _integration("zha", "SkyConnect v1.0", "z")],
        reading,
    )
    health = {i.domain: (i.health, i.detail) for i in integrations}
    assert health["hue"] == (IntegrationHealth.UNKNOWN, None)  # failed in the previous run only
    assert health["nice_go"] == (IntegrationHealth.FAILED, "Error setting up entry **REDACTED** for nice_go")
    assert health["simplisafe"][0] is IntegrationHealth.RETRYING
    assert health["zha"][0] is IntegrationHealth.UNKNOWN  # a device warning says nothing about set-up


@pytest.mark.parametrize(
    ("message", "domain", "health"),
    [
        ("Config entry 'Home' for met integration not ready yet: Cannot connect; Retrying in background", "met", IntegrationHealth.RETRYING),
        ("Config entry 'Home' for met integration not ready yet; Retrying in 10 seconds", "met", IntegrationHealth.RETRYING),
        ("Config entry for met not ready yet. Retrying in 5 seconds", "met", IntegrationHealth.RETRYING),
        ("Config entry 'Ring' for ring integration could not authenticate: Token expired", "ring", IntegrationHealth.FAILED),
        ("Error setting up entry Ring for ring: Invalid credentials", "ring", IntegrationHealth.FAILED),
        ("Setup failed for 'hacs': Integration not found.", "hacs", IntegrationHealth.FAILED),
        ("Setup failed for custom integration 'localtuya': Requirements not found", "localtuya", IntegrationHealth.FAILED),
        ("Error while setting up hue platform for light", "hue", None),
        ("Setup of shelly is taking over 10 seconds.", "shelly", None),
    ],
)
def test_set_up_messages(message: str, domain: str, health: IntegrationHealth | None) -> None:
    (entry, found, _), = _parse(f"2026-11-15 18:00:00.001 WARNING (MainThread) [homeassistant.config_entries] {message}\n")
    assert (entry.integration, found) == (domain, health)


def test_a_title_picks_one_of_several_entries_of_a_domain() -> None:
    text = (
        "2026-11-15 18:00:00.001 ERROR (MainThread) [homeassistant.config_entries] Error setting up entry Upstairs for ecobee\n"
        "2026-11-15 18:00:01.001 WARNING (MainThread) [homeassistant.config_entries] "
        "Config entry 'Downstairs' for ecobee integration not ready yet: timeout; Retrying in background\n"
    )
    parsed = _parse(text)
    reading = LogReading(entries=[e for e, _, _ in parsed],
                         signals=[SetupSignal(e.integration, t, h, e) for e, h, t in parsed if h])
    up, down = apply_health([_integration("ecobee", "Upstairs", "u"), _integration("ecobee", "Downstairs", "d")], reading)
    assert (up.health, down.health) == (IntegrationHealth.FAILED, IntegrationHealth.RETRYING)


def test_old_format_without_milliseconds_and_unknown_time_zone() -> None:
    (entry, _, _), = _parse("2019-06-01 07:00:05 ERROR (MainThread) [homeassistant.components.sensor] Error on device update!\n", tz=None)
    assert entry.at == datetime(2019, 6, 1, 7, 0, 5, tzinfo=UTC)
    assert entry.integration == "sensor"


def test_threads_with_parentheses_and_colour_codes() -> None:
    (entry, _, _), = _parse(
        "\x1b[33m2026-11-15 18:00:00.001 WARNING (Thread-3 (_do_shutdown)) [homeassistant.core] Shutdown stage 1\x1b[0m\n"
    )
    assert (entry.logger, entry.message) == ("homeassistant.core", "Shutdown stage 1")


def test_long_tracebacks_are_shortened_but_keep_their_last_line() -> None:
    frames = "".join(f'  File "x.py", line {n}, in f\n' for n in range(100))
    (entry, _, _), = _parse(
        "2026-11-15 18:00:00.001 ERROR (MainThread) [homeassistant.components.hue] Unexpected error\n"
        f"Traceback (most recent call last):\n{frames}RuntimeError: last words\n"
    )
    lines = entry.message.splitlines()
    assert len(lines) <= 32 and lines[-1] == "RuntimeError: last words" and "lines left out" in entry.message


def test_continuation_of_a_dropped_record_is_dropped() -> None:
    entries = _parse(
        "2026-11-15 18:00:00.001 DEBUG (MainThread) [homeassistant.components.zha] payload follows\n"
        "  {'token': 'abc'}\n"
        "2026-11-15 18:00:00.002 WARNING (MainThread) [homeassistant.components.zha] kept\n"
    )
    assert [e.message for e, _, _ in entries] == ["kept"]


def test_no_log_no_entries(tmp_path: Path) -> None:
    reading = read_logs(tmp_path)
    assert (reading.entries, reading.signals) == ([], [])
