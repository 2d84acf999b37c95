"""The case store: one SQLite file, its schema brought up to date by numbered migrations.

Migrations are the files `migrations/NNNN_*.sql`, applied in order, each in its own
transaction; the database's `user_version` is the number of the last one applied. A database
written by a newer weaklink (a higher version than this one knows) is refused rather than
guessed at.

The store is synchronous (sqlite3); the desk calls it from one thread of its own so that the
event loop never waits on the disk.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import InputError

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreError(InputError):
    """The case store cannot be opened: not a database, or written by a newer weaklink."""


@dataclass(frozen=True)
class Migration:
    """One numbered schema change."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with weaklink, in order (numbers 1, 2, … without a gap)."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"weaklink's desk migrations are not numbered 1..n: {[m.name for m in found]}")
    return found


@dataclass(frozen=True)
class CaseFilter:
    """What the case list selects on; None selects everything."""

    status: str | None = None
    brand: str | None = None
    layer: str | None = None
    party: str | None = None
    text: str | None = None


# A case's row with its brands and its latest run's state, in one query (the list shows up to 500 at once).
_BRAND_SEPARATOR = "\x1f"
_CASE_COLUMNS = (
    "c.*, (SELECT group_concat(b.brand, char(31)) FROM case_brands b WHERE b.case_id = c.id) AS brand_list, "
    "(SELECT r.state FROM runs r WHERE r.case_id = c.id ORDER BY r.number DESC LIMIT 1) AS run_state"
)


def _with_brands(row: dict[str, Any]) -> dict[str, Any]:
    listed = row.pop("brand_list")
    row["brands"] = sorted(listed.split(_BRAND_SEPARATOR)) if listed else []
    return row


def now() -> str:
    """The current time as the store writes it (ISO 8601, UTC, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class CaseStore:
    """The desk's cases, runs, notes, agents, sessions and escalations in one SQLite file."""

    def __init__(self, path: Path, *, upto: int | None = None) -> None:
        """Open (creating if need be) the store at `path` and migrate it; `upto` stops at that
        schema version (for tests of the migrations themselves)."""
        self.path = path
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            # a deleted case's text is overwritten in the file, not left in free pages
            self._db.execute("PRAGMA secure_delete = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._migrate(upto)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a weaklink case store: {exc}", source=path) from exc

    @property
    def version(self) -> int:
        """The schema version of the open database."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, upto: int | None) -> None:
        known = migrations()
        current = self.version
        if current > len(known):
            raise StoreError(f"the case store is at schema version {current}; this weaklink knows up to "
                             f"{len(known)}: use a newer weaklink", source=self.path)
        for migration in known[current:upto]:
            try:
                self._db.executescript(f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _one(self, sql: str, parameters: Sequence[Any] = ()) -> dict[str, Any] | None:
        row = self._db.execute(sql, parameters).fetchone()
        return dict(row) if row is not None else None

    def _all(self, sql: str, parameters: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self._db.execute(sql, parameters).fetchall()]

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once (so two desks on one file queue, not deadlock)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _write(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> int | None:
        """Run statements in one transaction; the row id the first one inserted."""
        first = None
        with self._transaction():
            for index, (sql, parameters) in enumerate(statements):
                cursor = self._db.execute(sql, parameters)
                if index == 0:
                    first = cursor.lastrowid
        return first

    # cases ---------------------------------------------------------------------------------

    def create_case(self, *, title: str, customer_words: str, incident_at: str | None, created_by: str,
                    bundle_name: str, bundle_sha256: str, bundle_bytes: int, automation: str | None) -> int:
        """A new open case; its id."""
        stamp = now()
        case_id = self._write([(
            "INSERT INTO cases (title, customer_words, incident_at, created_at, updated_at, created_by, bundle_name,"
            " bundle_sha256, bundle_bytes, automation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (title, customer_words, incident_at, stamp, stamp, created_by, bundle_name, bundle_sha256, bundle_bytes,
             automation))])
        assert case_id is not None
        return case_id

    def case(self, case_id: int) -> dict[str, Any] | None:
        """One case's row with its brands, or None."""
        rows = self._all(f"SELECT {_CASE_COLUMNS} FROM cases c WHERE c.id = ?", (case_id,))
        return _with_brands(rows[0]) if rows else None

    def _where(self, selection: CaseFilter) -> tuple[str, list[Any]]:
        clauses, parameters = [], []
        if selection.status:
            clauses.append("c.status = ?")
            parameters.append(selection.status)
        if selection.brand:
            clauses.append("EXISTS (SELECT 1 FROM case_brands b WHERE b.case_id = c.id AND b.brand = ?)")
            parameters.append(selection.brand)
        if selection.layer:
            clauses.append("c.layer = ?")
            parameters.append(selection.layer)
        if selection.party:
            clauses.append("c.party = ?")
            parameters.append(selection.party)
        if selection.text:
            clauses.append("(c.title LIKE ? ESCAPE '\\' OR c.customer_words LIKE ? ESCAPE '\\' OR c.summary LIKE ? ESCAPE '\\')")
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", selection.text) + "%"
            parameters += [pattern] * 3
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", parameters

    def cases(self, selection: CaseFilter, *, limit: int = 200, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """The cases `selection` picks, newest first, and how many it picks in all."""
        where, parameters = self._where(selection)
        total = self._db.execute(f"SELECT count(*) FROM cases c{where}", parameters).fetchone()[0]
        rows = self._all(f"SELECT {_CASE_COLUMNS} FROM cases c{where} ORDER BY c.id DESC LIMIT ? OFFSET ?",
                         [*parameters, limit, offset])
        return [_with_brands(row) for row in rows], int(total)

    def tally(self, selection: CaseFilter, expression: str, *, limit: int = 10) -> list[tuple[str, int]]:
        """How many selected cases share each value of `expression` (a column expression of `c`), most first."""
        where, parameters = self._where(selection)
        joiner = " AND " if where else " WHERE "
        rows = self._db.execute(
            f"SELECT {expression} AS value, count(*) AS n FROM cases c{where}{joiner}{expression} IS NOT NULL "
            f"GROUP BY value ORDER BY n DESC, value LIMIT ?", [*parameters, limit]).fetchall()
        return [(str(row["value"]), int(row["n"])) for row in rows]

    def broken_brands(self, selection: CaseFilter, *, limit: int = 10) -> list[tuple[str, int]]:
        """How many selected cases broke at each brand, most first."""
        where, parameters = self._where(selection)
        rows = self._db.execute(
            f"SELECT b.brand AS value, count(*) AS n FROM case_brands b JOIN cases c ON c.id = b.case_id"
            f"{where}{' AND ' if where else ' WHERE '}b.broken = 1 GROUP BY value ORDER BY n DESC, value LIMIT ?",
            [*parameters, limit]).fetchall()
        return [(str(row["value"]), int(row["n"])) for row in rows]

    def distinct(self, column: str) -> list[str]:
        """Every value a case column (or `brand`) holds, for a filter's choices."""
        if column == "brand":
            return [r["brand"] for r in self._all("SELECT DISTINCT brand FROM case_brands ORDER BY brand")]
        if column not in {"layer", "party", "status"}:
            raise ValueError(column)
        return [r[column] for r in self._all(f"SELECT DISTINCT {column} FROM cases WHERE {column} IS NOT NULL "
                                             f"ORDER BY {column}")]

    def set_status(self, case_id: int, status: str) -> bool:
        """Move a case to `status`; False when there is no such case."""
        cursor = self._db.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", (status, now(), case_id))
        return cursor.rowcount == 1

    # notes ---------------------------------------------------------------------------------

    def add_note(self, case_id: int, author: str, text: str) -> int:
        """Add an agent's note; its id."""
        stamp = now()
        note_id = self._write([
            ("INSERT INTO notes (case_id, at, author, text) VALUES (?, ?, ?, ?)", (case_id, stamp, author, text)),
            ("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id)),
        ])
        assert note_id is not None
        return note_id

    def notes(self, case_id: int) -> list[dict[str, Any]]:
        """A case's notes, oldest first."""
        return self._all("SELECT id, at, author, text FROM notes WHERE case_id = ? ORDER BY id", (case_id,))

    # runs ----------------------------------------------------------------------------------

    def queue_run(self, case_id: int, *, requested_by: str, incident_at: str | None, automation: str | None,
                  scenario_file: str | None = None) -> int:
        """Queue a trace of the case's bundle; the run's number within the case."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            number = self._db.execute("SELECT coalesce(max(number), 0) + 1 FROM runs WHERE case_id = ?",
                                      (case_id,)).fetchone()[0]
            self._db.execute(
                "INSERT INTO runs (case_id, number, state, requested_by, incident_at, automation, scenario_file,"
                " queued_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
                (case_id, number, requested_by, incident_at, automation, scenario_file, now()))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return int(number)

    def run(self, case_id: int, number: int) -> dict[str, Any] | None:
        """One run's row, or None."""
        return self._one("SELECT * FROM runs WHERE case_id = ? AND number = ?", (case_id, number))

    def runs(self, case_id: int) -> list[dict[str, Any]]:
        """A case's runs, the first first."""
        return self._all("SELECT * FROM runs WHERE case_id = ? ORDER BY number", (case_id,))

    def start_run(self, case_id: int, number: int) -> None:
        """Mark a run as started."""
        self._db.execute("UPDATE runs SET state = 'running', started_at = ? WHERE case_id = ? AND number = ?",
                         (now(), case_id, number))

    def finish_run(self, case_id: int, number: int, *, result: str, outcome: dict[str, str | None],
                   brands: Sequence[str], broken_brands: Sequence[str] = ()) -> None:
        """Store a finished run's result and make its outcome the case's."""
        stamp = now()
        columns = ("verdict", "summary", "scenario", "layer", "cause", "responsible", "party")
        statements: list[tuple[str, Sequence[Any]]] = [
            ("UPDATE runs SET state = 'done', finished_at = ?, result = ?, error = NULL WHERE case_id = ? AND number = ?",
             (stamp, result, case_id, number)),
            (f"UPDATE cases SET {', '.join(f'{c} = ?' for c in columns)}, updated_at = ? WHERE id = ?",
             (*(outcome.get(c) for c in columns), stamp, case_id)),
            ("DELETE FROM case_brands WHERE case_id = ?", (case_id,)),
        ]
        statements += [("INSERT INTO case_brands (case_id, brand, broken) VALUES (?, ?, ?)",
                        (case_id, brand, int(brand in broken_brands)))
                       for brand in sorted(set(brands) | set(broken_brands))]
        self._write(statements)

    def fail_run(self, case_id: int, number: int, error: str) -> None:
        """Mark a run failed, with why."""
        self._write([
            ("UPDATE runs SET state = 'failed', finished_at = ?, error = ? WHERE case_id = ? AND number = ?",
             (now(), error, case_id, number)),
            ("UPDATE cases SET updated_at = ? WHERE id = ?", (now(), case_id)),
        ])

    def unfinished_runs(self) -> list[dict[str, Any]]:
        """Runs queued or running, oldest first: what a restarted desk must trace again."""
        return self._all("SELECT * FROM runs WHERE state IN ('queued', 'running') ORDER BY id")

    # escalations ---------------------------------------------------------------------------

    def add_escalation(self, case_id: int, *, run_number: int, party: str, share_device_ids: bool, file_name: str,
                       sha256: str, size: int, created_by: str) -> int:
        """Record an escalation bundle; its number within the case."""
        with self._transaction():
            number = self._db.execute("SELECT coalesce(max(number), 0) + 1 FROM escalations WHERE case_id = ?",
                                      (case_id,)).fetchone()[0]
            self._db.execute(
                "INSERT INTO escalations (case_id, number, run_number, party, share_device_ids, file_name, sha256, bytes,"
                " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (case_id, number, run_number, party, int(share_device_ids), file_name, sha256, size, now(), created_by))
            self._db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (now(), case_id))
        return int(number)

    def escalations(self, case_id: int) -> list[dict[str, Any]]:
        """A case's escalation bundles, the first first."""
        return self._all("SELECT * FROM escalations WHERE case_id = ? ORDER BY number", (case_id,))

    def escalation(self, case_id: int, number: int) -> dict[str, Any] | None:
        """One escalation's row, or None."""
        return self._one("SELECT * FROM escalations WHERE case_id = ? AND number = ?", (case_id, number))

    # deletion ------------------------------------------------------------------------------

    def delete_case(self, case_id: int, deleted_by: str) -> Literal["deleted", "missing", "busy"]:
        """Delete a case with its runs, notes and escalations, leaving a `deletions` record.

        `busy` (nothing deleted) while a run is queued or running: its worker still writes into
        the case's folder. The folder itself is the caller's to remove, once this has said
        `deleted`; `deleted_case_ids` tells a later start which folders are left over.
        """
        with self._transaction():
            case = self._one("SELECT created_at, bundle_sha256 FROM cases WHERE id = ?", (case_id,))
            if case is None:
                return "missing"
            if self._one("SELECT 1 FROM runs WHERE case_id = ? AND state IN ('queued', 'running')", (case_id,)):
                return "busy"
            handed_out = [{"party": row["party"], "sha256": row["sha256"], "created_at": row["created_at"]}
                          for row in self.escalations(case_id)]
            self._db.execute(
                "INSERT INTO deletions (case_id, created_at, deleted_at, deleted_by, bundle_sha256, escalations)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (case_id, case["created_at"], now(), deleted_by, case["bundle_sha256"], json.dumps(handed_out)))
            self._db.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        # the write-ahead log still holds the deleted rows as they were: fold it in and empty it
        # (best effort: a reader in another process may hold it open until it is done)
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return "deleted"

    def deletion(self, case_id: int) -> dict[str, Any] | None:
        """What is kept of a deleted case, or None."""
        row = self._one("SELECT * FROM deletions WHERE case_id = ?", (case_id,))
        return {**row, "escalations": json.loads(row["escalations"])} if row else None

    def deleted_case_ids(self) -> set[int]:
        """The ids of every deleted case."""
        return {int(row["case_id"]) for row in self._all("SELECT case_id FROM deletions")}

    def cases_untouched_since(self, before: str, statuses: Sequence[str]) -> list[dict[str, Any]]:
        """Cases in one of `statuses` not changed since `before` (ISO 8601, UTC), oldest first:
        what a retention policy removes."""
        marks = ", ".join("?" * len(statuses))
        rows = self._all(f"SELECT {_CASE_COLUMNS} FROM cases c WHERE c.updated_at < ? AND c.status IN ({marks})"
                         " ORDER BY c.updated_at, c.id", (before, *statuses))
        return [_with_brands(row) for row in rows]

    # agents and sessions -------------------------------------------------------------------

    def add_agent(self, name: str, token_hash: str) -> None:
        """Register an agent by the hash of their token."""
        try:
            self._db.execute("INSERT INTO agents (name, token_hash, created_at) VALUES (?, ?, ?)",
                             (name, token_hash, now()))
        except sqlite3.IntegrityError as exc:
            raise InputError(f"an agent named {name!r} already exists", field="name") from exc

    def remove_agent(self, name: str) -> bool:
        """Revoke an agent's token and end their sessions; False when there is no such agent."""
        removed = self._db.execute("DELETE FROM agents WHERE name = ?", (name,)).rowcount == 1
        self._db.execute("DELETE FROM sessions WHERE agent = ?", (name,))
        return removed

    def agents(self) -> list[dict[str, Any]]:
        """Every agent (names and when added; never a token)."""
        return self._all("SELECT name, created_at FROM agents ORDER BY name")

    def agent_by_token_hash(self, token_hash: str) -> str | None:
        """The agent whose token hashes to `token_hash`."""
        row = self._one("SELECT name FROM agents WHERE token_hash = ?", (token_hash,))
        return row["name"] if row else None

    def create_session(self, id_hash: str, agent: str, csrf_token: str, expires_at: str) -> None:
        """Store a logged-in session by the hash of its cookie."""
        self._db.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
        self._db.execute("INSERT INTO sessions (id_hash, agent, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                         (id_hash, agent, csrf_token, now(), expires_at))

    def session(self, id_hash: str) -> dict[str, Any] | None:
        """A session that has not expired, or None."""
        return self._one("SELECT agent, csrf_token, expires_at FROM sessions WHERE id_hash = ? AND expires_at >= ?",
                         (id_hash, now()))

    def delete_session(self, id_hash: str) -> None:
        """Log a session out."""
        self._db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
