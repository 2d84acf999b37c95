"""`home-assistant.log`: the warnings and errors that explain a broken integration.

HA writes one line per record, `%(asctime)s.%(msecs)03d %(levelname)s (%(threadName)s)
[%(name)s] %(message)s` with `asctime` as `%Y-%m-%d %H:%M:%S` in the home's local time
(releases before 2021 wrote no milliseconds); a traceback follows its record on lines
of its own. Each start of HA moves the previous run's log to `home-assistant.log.1`
(older releases: `.log.old`), so each file is one run.

Only WARNING, ERROR and CRITICAL records are kept, tracebacks folded into their record,
secrets masked. The integration a record is about comes from its message (config-entry
set-up messages name the domain) or its logger (`homeassistant.components.<domain>`,
`custom_components.<domain>`). The newest run's set-up failures decide each
integration's health: `FAILED` or `RETRYING`; HA writes nothing when set-up succeeds.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from weaklink.model import Integration, IntegrationHealth, LogEntry
from weaklink.redact import redact_text

LOG_FILES = ("home-assistant.log.old", "home-assistant.log.1", "home-assistant.log")  # oldest run first
KEPT_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
MAX_ENTRIES_PER_FILE = 5000
MAX_TRACEBACK_LINES = 30

_RECORD = re.compile(
    r"^(?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:[.,](?P<fraction>\d{1,6}))? "
    r"(?P<level>DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL) "
    r"\((?P<thread>.*?)\) \[(?P<logger>[^\]\s]+)\] (?P<message>.*)$"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DOMAIN = r"(?P<domain>[a-z0-9_]+)"
_LOGGER_DOMAIN = re.compile(r"^(?:homeassistant\.components|custom_components)\.(?P<domain>[a-z0-9_]+)")
_REFERENCED = re.compile(r"^(?:Referenced entities|Unable to find referenced entities) (?P<ids>[a-z0-9_.,\s]+?)(?: are missing| or it is/they are currently not available|$)")
_DOMAIN_MESSAGES: tuple[tuple[re.Pattern[str], IntegrationHealth | None], ...] = (
    (re.compile(rf"^Config entry '(?P<title>.*)' for {_DOMAIN} integration (?:is )?not ready yet"), IntegrationHealth.RETRYING),
    (re.compile(rf"^Config entry for {_DOMAIN} not ready yet"), IntegrationHealth.RETRYING),
    (re.compile(rf"^Config entry '(?P<title>.*)' for {_DOMAIN} integration could not authenticate"), IntegrationHealth.FAILED),
    (re.compile(rf"^Config entry '(?P<title>.*)' for {_DOMAIN} integration"), IntegrationHealth.FAILED),
    (re.compile(rf"^Error setting up entry (?P<title>.*) for {_DOMAIN}(?::|$)"), IntegrationHealth.FAILED),
    (re.compile(rf"^(?:Migration|Flow) handler not found for entry (?P<title>.*) for {_DOMAIN}\b"), IntegrationHealth.FAILED),
    (re.compile(rf"^Error importing integration [a-z0-9_]+ to set up {_DOMAIN} configuration entry"), IntegrationHealth.FAILED),
    (re.compile(rf"^Setup failed for (?:custom integration )?'?{_DOMAIN}'?:"), IntegrationHealth.FAILED),
    (re.compile(rf"^Unable to (?:set up|prepare setup for) (?:dependencies of )?'?{_DOMAIN}'?"), IntegrationHealth.FAILED),
    (re.compile(rf"^Error while setting up {_DOMAIN} platform for [a-z0-9_]+"), None),
    (re.compile(rf"^Setup of {_DOMAIN} is taking (?:over|longer)"), None),
    (re.compile(rf"^Platform {_DOMAIN} not ready yet"), None),
)


@dataclass(frozen=True)
class _Signal:
    """What one record says about an integration's set-up."""

    domain: str
    title: str | None
    health: IntegrationHealth | None


def _classify(logger: str, message: str) -> _Signal | None:
    first_line = message.split("\n", 1)[0]
    for pattern, health in _DOMAIN_MESSAGES:
        if match := pattern.match(first_line):
            return _Signal(match["domain"], match.groupdict().get("title"), health)
    if match := _LOGGER_DOMAIN.match(logger):
        return _Signal(match["domain"], None, None)
    if match := _REFERENCED.match(first_line):
        ids = [part.strip() for part in re.split(r"[,\s]+", match["ids"]) if "." in part]
        if ids:
            return _Signal(ids[0].split(".", 1)[0], None, None)
    return None


def _fold(lines: list[str]) -> str:
    head, rest = lines[0], [line for line in lines[1:] if line.strip()]
    if len(rest) > MAX_TRACEBACK_LINES:
        rest = [rest[0], f"… {len(rest) - MAX_TRACEBACK_LINES} lines left out …", *rest[-(MAX_TRACEBACK_LINES - 1):]]
    return "\n".join([head, *rest])


def _moment(stamp: str, fraction: str | None, tz: tzinfo) -> datetime | None:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    if fraction:
        moment = moment.replace(microsecond=int(fraction.ljust(6, "0")))
    return moment.replace(tzinfo=tz)


def parse_log_lines(
    lines: Iterable[str], *, source: str, tz: tzinfo | None = None, secrets: Iterable[str] = ()
) -> Iterator[tuple[LogEntry, IntegrationHealth | None, str | None]]:
    """Parse a log's lines; yield each kept entry with the set-up health and entry title it implies.

    Timestamps are read in `tz`, the home's time zone (UTC when unknown).
    """
    zone = tz or UTC
    secrets = tuple(secrets)
    pending: tuple[re.Match[str], int, list[str]] | None = None

    def finish(record: tuple[re.Match[str], int, list[str]]) -> tuple[LogEntry, IntegrationHealth | None, str | None]:
        match, number, body = record
        message = redact_text(_fold(body), secrets)
        signal = _classify(match["logger"], message)
        level = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(match["level"], match["level"])
        entry = LogEntry(
            at=_moment(match["stamp"], match["fraction"], zone),
            level=level,
            logger=match["logger"],
            message=message,
            integration=signal.domain if signal else None,
            source=source,
            line=number,
        )
        return entry, (signal.health if signal else None), (signal.title if signal else None)

    for number, raw in enumerate(lines, start=1):
        line = _ANSI.sub("", raw.rstrip("\r\n"))
        match = _RECORD.match(line)
        if match is None:
            if pending is not None:
                pending[2].append(line)
            continue
        if pending is not None:
            yield finish(pending)
            pending = None
        level = match["level"]
        if {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level) in KEPT_LEVELS:
            pending = (match, number, [match["message"]])
    if pending is not None:
        yield finish(pending)


@dataclass(frozen=True)
class SetupSignal:
    """A record of the newest run about an integration's set-up."""

    domain: str
    title: str | None
    health: IntegrationHealth
    entry: LogEntry


@dataclass
class LogReading:
    """The kept records of every log file, and the newest run's set-up records."""

    entries: list[LogEntry]
    signals: list[SetupSignal]


def read_logs(root: Path, tz: tzinfo | None = None, secrets: Iterable[str] = ()) -> LogReading:
    """Read `home-assistant.log` and the previous run's log under `root`, oldest first."""
    entries: list[LogEntry] = []
    signals: list[SetupSignal] = []
    present = [name for name in LOG_FILES if (root / name).is_file()]
    for name in present:
        kept: deque[tuple[LogEntry, IntegrationHealth | None, str | None]] = deque(maxlen=MAX_ENTRIES_PER_FILE)
        with (root / name).open(encoding="utf-8", errors="replace") as handle:
            kept.extend(parse_log_lines(handle, source=name, tz=tz, secrets=secrets))
        newest_run = name == present[-1]
        for entry, health, title in kept:
            entries.append(entry)
            if newest_run and health is not None and entry.integration:
                signals.append(SetupSignal(entry.integration, title, health, entry))
    return LogReading(entries=entries, signals=signals)


def apply_health(integrations: list[Integration], reading: LogReading) -> list[Integration]:
    """Integrations with the health the newest run's log implies (disabled ones stay as they are).

    A record naming an entry's title applies to that entry; one naming only the domain
    applies to every entry of it; the last applicable record wins.
    """
    per_domain: dict[str, int] = {}
    for integration in integrations:
        per_domain[integration.domain] = per_domain.get(integration.domain, 0) + 1
    updated = []
    for integration in integrations:
        applicable = [
            signal
            for signal in reading.signals
            if signal.domain == integration.domain
            and (signal.title is None or signal.title == integration.title or per_domain[integration.domain] == 1)
        ]
        if not applicable or integration.health in (IntegrationHealth.DISABLED, IntegrationHealth.NOT_LOADED):
            updated.append(integration)
            continue
        last = applicable[-1]
        detail = last.entry.message.split("\n", 1)[0]
        updated.append(integration.model_copy(update={"health": last.health, "detail": detail}))
    return updated
