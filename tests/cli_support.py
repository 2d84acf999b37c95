"""Running the `weaklink` command in tests, and editing copies of the example home."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from weaklink_homeassistant.recorder import ulid_to_bytes
from weaklink_homeassistant.testing.recorder_writer import fnv1a_32, json_bytes, new_context

from weaklink.cli import cli

ROOT = Path(__file__).parents[1]
HOME = ROOT / "examples" / "ha-home"
SCENARIOS = ROOT / "scenarios"
DB_NAME = "home-assistant_v2.db"

# Rich takes the width from COLUMNS: by default wide enough that a table row stays on one line.
_ENV: dict[str, str | None] = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None}


def weaklink(*args: str | Path, columns: int = 200) -> Result:
    """Run `weaklink ARGS` in-process. A crash (any exception but the exit) fails the test."""
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env={**_ENV, "COLUMNS": str(columns)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def weaklink_json(*args: str | Path) -> tuple[int, Any]:
    """Run a command with `--format json`; its exit status and parsed output."""
    result = weaklink(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def weaklink_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a new process: its own exit status, stdout and stderr."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from weaklink.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def flat(text: str) -> str:
    """Terminal output with box drawing removed and whitespace collapsed, so that text a
    panel or table wrapped over several lines reads as one."""
    return " ".join(text.translate({ord(c): " " for c in "│┃╭╮╰╯─━╇┡┩┼╋┳┻┏┓┗┛"}).split())


def one_line(text: str) -> str:
    """The same text with its whitespace collapsed (to look it up in `flat` output)."""
    return " ".join(text.split())


def copy_home(destination: Path) -> Path:
    """A copy of the example home to change."""
    shutil.copytree(HOME, destination)
    return destination


@dataclass
class Event:
    """An event to add to a home's recorder database."""

    event_type: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    context_id: str | None = None  # a new context when None
    parent_id: str | None = None


def add_events(home: Path, events: Iterable[Event]) -> None:
    """Write events into the home's recorder database as Home Assistant stores them."""
    db = sqlite3.connect(home / DB_NAME)
    try:
        for event in events:
            row = db.execute("SELECT event_type_id FROM event_types WHERE event_type = ?", (event.event_type,)).fetchone()
            type_id = row[0] if row else db.execute("INSERT INTO event_types (event_type) VALUES (?)",
                                                     (event.event_type,)).lastrowid
            encoded = json_bytes(event.data)
            data_id = db.execute("INSERT INTO event_data (hash, shared_data) VALUES (?, ?)",
                                 (fnv1a_32(encoded), encoded.decode())).lastrowid
            context = event.context_id or new_context(event.at).id
            db.execute(
                "INSERT INTO events (origin_idx, time_fired_ts, data_id, context_id_bin, context_user_id_bin,"
                " context_parent_id_bin, event_type_id) VALUES (0, ?, ?, ?, NULL, ?, ?)",
                (event.at.timestamp(), data_id, ulid_to_bytes(context),
                 ulid_to_bytes(event.parent_id) if event.parent_id else None, type_id),
            )
        db.commit()
    finally:
        db.close()


def automation_runs(home: Path, automation: str) -> list[tuple[datetime, str]]:
    """When the automation ran, and each run's context id, from `weaklink`'s own reading."""
    from weaklink.home import open_home

    with open_home(home) as opened:
        span = opened.recording.span()
        assert span is not None
        return [(e.at, str(e.context_id)) for e in opened.recording.events(["automation_triggered"], *span)
                if e.data.get("entity_id") == automation]
