"""Write a Home Assistant recorder database (`home-assistant_v2.db`) the way HA does.

Shipped for tests, for the example home generator and for benchmarks: it creates a new
SQLite file with the tables, columns (legacy unused ones included) and indexes that Home
Assistant's recorder creates on SQLite, then writes states and events into it with HA's
conventions:

- entity ids live once in `states_meta`, event types once in `event_types`;
- attributes and event data are JSON, deduplicated in `state_attributes` / `event_data`
  and keyed by the FNV-1a 32-bit hash of the JSON bytes;
- times are UTC epoch floats in the `*_ts` columns; the legacy text/datetime columns
  (`entity_id`, `attributes`, `last_updated`, `time_fired`, `context_id`, ...) are CHAR(0)
  and stay NULL;
- `last_changed_ts` (and `last_reported_ts`) are NULL when equal to `last_updated_ts`;
- contexts are stored as bytes: ULIDs as their 16 bytes, the user id (a uuid) as its 16;
- `old_state_id` points at the entity's previous row; a removed entity (state None,
  stored as "") breaks the chain, as HA forgets the old state on removal.

Schema versions (checked against home-assistant/core, `homeassistant/components/recorder/`):

- `db_schema.py` (stored copy at commit 06ec8a9d) defines SCHEMA_VERSION 43: it added
  `states.last_reported_ts` (`LAST_REPORTED_SCHEMA_VERSION = 43` in `const.py`) and the
  `migration_changes` table.
- migration.py: 44-47 change nothing on SQLite (integer widths and foreign keys on MySQL /
  PostgreSQL only); 48 only rewrites data (legacy datetimes to timestamps).
- `tests/components/recorder/db_schema_48.py`, `db_schema_50.py` and `db_schema_51.py`
  are HA's frozen copies of those versions: 50 adds `statistics.mean_weight` /
  `statistics_short_term.mean_weight` and `statistics_meta.mean_type`; 51 adds
  `statistics_meta.unit_class`.
- `tests/components/recorder/test_migration_from_schema_51.py` shows HA has moved past
  51: the following version (52) re-runs the `unit_class` data fix, and on SQLite it
  leaves tables unchanged, so 52 has the same SQLite DDL as 51.

`CURRENT_SCHEMA_VERSION` is therefore 52, the newest version the stored copy attests,
written with the DDL of `db_schema_51.py`. Release line: the newest release the stored
sources name is HA Core 2023.11 (schema 42, in migration.py's comments); 43..52 came in
the later releases (2024 onwards), and the stored copy does not say which release
introduced 52. Version 49 was not available to check; it is
written with the 48 layout. Any other `schema_version` (below 43 or above 52) is written
with the nearest known layout and only the number recorded in `schema_changes` differs:
that is how tests fabricate databases the reader must refuse.

Not reproduced: the rows HA puts into `migration_changes` on a new database (the table
is created empty), statistics, and HA's exclusion of unrecorded attributes (the caller
decides what attributes to write).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from weaklink_homeassistant.recorder import (
    ulid_from_int,
    ulid_to_bytes,
    uuid_hex_to_bytes,
)

CURRENT_SCHEMA_VERSION = 52

# --------------------------------------------------------------------------------------
# DDL, as SQLAlchemy emits it for HA's models on SQLite (types: Integer/ID_TYPE ->
# INTEGER, BigInteger -> BIGINT, Float -> FLOAT, String(n) -> VARCHAR(n), Text -> TEXT,
# SmallInteger -> SMALLINT, the unused legacy columns -> CHAR(0), binary contexts -> BLOB,
# DateTime -> DATETIME, Boolean -> BOOLEAN). Index names are HA's explicit ones, or
# SQLAlchemy's ix_<table>_<column> for `index=True` columns.
# --------------------------------------------------------------------------------------

_STATISTICS_COLUMNS_48 = """\
\tid INTEGER NOT NULL,
\tcreated CHAR(0),
\tcreated_ts FLOAT,
\tmetadata_id INTEGER,
\tstart CHAR(0),
\tstart_ts FLOAT,
\tmean FLOAT,
\tmin FLOAT,
\tmax FLOAT,
\tlast_reset CHAR(0),
\tlast_reset_ts FLOAT,
\tstate FLOAT,
\tsum FLOAT,"""

_STATISTICS_COLUMNS_50 = _STATISTICS_COLUMNS_48.replace(
    "\tmean FLOAT,\n", "\tmean FLOAT,\n\tmean_weight FLOAT,\n"
)

_STATISTICS_META_48 = """\
CREATE TABLE statistics_meta (
\tid INTEGER NOT NULL,
\tstatistic_id VARCHAR(255),
\tsource VARCHAR(32),
\tunit_of_measurement VARCHAR(255),
\thas_mean BOOLEAN,
\thas_sum BOOLEAN,
\tname VARCHAR(255),
\tPRIMARY KEY (id)
)"""

_STATISTICS_META_50 = _STATISTICS_META_48.replace(
    "\tname VARCHAR(255),\n", "\tname VARCHAR(255),\n\tmean_type SMALLINT NOT NULL,\n"
)

_STATISTICS_META_51 = _STATISTICS_META_50.replace(
    "\tunit_of_measurement VARCHAR(255),\n",
    "\tunit_of_measurement VARCHAR(255),\n\tunit_class VARCHAR(255),\n",
)


def _statistics_table(name: str, columns: str) -> str:
    return (
        f"CREATE TABLE {name} (\n{columns}\n\tPRIMARY KEY (id),\n"
        "\tFOREIGN KEY(metadata_id) REFERENCES statistics_meta (id) ON DELETE CASCADE\n)"
    )


_TABLES_BEFORE_STATISTICS = (
    """CREATE TABLE event_data (
\tdata_id INTEGER NOT NULL,
\thash BIGINT,
\tshared_data TEXT,
\tPRIMARY KEY (data_id)
)""",
    """CREATE TABLE event_types (
\tevent_type_id INTEGER NOT NULL,
\tevent_type VARCHAR(64),
\tPRIMARY KEY (event_type_id)
)""",
    """CREATE TABLE state_attributes (
\tattributes_id INTEGER NOT NULL,
\thash BIGINT,
\tshared_attrs TEXT,
\tPRIMARY KEY (attributes_id)
)""",
    """CREATE TABLE states_meta (
\tmetadata_id INTEGER NOT NULL,
\tentity_id VARCHAR(255),
\tPRIMARY KEY (metadata_id)
)""",
)

_TABLES_AFTER_STATISTICS_META = (
    """CREATE TABLE recorder_runs (
\trun_id INTEGER NOT NULL,
\tstart DATETIME NOT NULL,
\t"end" DATETIME,
\tclosed_incorrect BOOLEAN NOT NULL,
\tcreated DATETIME NOT NULL,
\tPRIMARY KEY (run_id)
)""",
    """CREATE TABLE migration_changes (
\tmigration_id VARCHAR(255) NOT NULL,
\tversion SMALLINT NOT NULL,
\tPRIMARY KEY (migration_id)
)""",
    """CREATE TABLE schema_changes (
\tchange_id INTEGER NOT NULL,
\tschema_version INTEGER,
\tchanged DATETIME NOT NULL,
\tPRIMARY KEY (change_id)
)""",
    """CREATE TABLE statistics_runs (
\trun_id INTEGER NOT NULL,
\tstart DATETIME NOT NULL,
\tPRIMARY KEY (run_id)
)""",
    """CREATE TABLE events (
\tevent_id INTEGER NOT NULL,
\tevent_type CHAR(0),
\tevent_data CHAR(0),
\torigin CHAR(0),
\torigin_idx SMALLINT,
\ttime_fired CHAR(0),
\ttime_fired_ts FLOAT,
\tcontext_id CHAR(0),
\tcontext_user_id CHAR(0),
\tcontext_parent_id CHAR(0),
\tdata_id INTEGER,
\tcontext_id_bin BLOB,
\tcontext_user_id_bin BLOB,
\tcontext_parent_id_bin BLOB,
\tevent_type_id INTEGER,
\tPRIMARY KEY (event_id),
\tFOREIGN KEY(data_id) REFERENCES event_data (data_id),
\tFOREIGN KEY(event_type_id) REFERENCES event_types (event_type_id)
)""",
    """CREATE TABLE states (
\tstate_id INTEGER NOT NULL,
\tentity_id CHAR(0),
\tstate VARCHAR(255),
\tattributes CHAR(0),
\tevent_id SMALLINT,
\tlast_changed CHAR(0),
\tlast_changed_ts FLOAT,
\tlast_reported_ts FLOAT,
\tlast_updated CHAR(0),
\tlast_updated_ts FLOAT,
\told_state_id INTEGER,
\tattributes_id INTEGER,
\tcontext_id CHAR(0),
\tcontext_user_id CHAR(0),
\tcontext_parent_id CHAR(0),
\torigin_idx SMALLINT,
\tcontext_id_bin BLOB,
\tcontext_user_id_bin BLOB,
\tcontext_parent_id_bin BLOB,
\tmetadata_id INTEGER,
\tPRIMARY KEY (state_id),
\tFOREIGN KEY(old_state_id) REFERENCES states (state_id),
\tFOREIGN KEY(attributes_id) REFERENCES state_attributes (attributes_id),
\tFOREIGN KEY(metadata_id) REFERENCES states_meta (metadata_id)
)""",
)

_INDEXES = (
    "CREATE INDEX ix_event_data_hash ON event_data (hash)",
    "CREATE UNIQUE INDEX ix_event_types_event_type ON event_types (event_type)",
    "CREATE INDEX ix_state_attributes_hash ON state_attributes (hash)",
    "CREATE UNIQUE INDEX ix_states_meta_entity_id ON states_meta (entity_id)",
    "CREATE UNIQUE INDEX ix_statistics_meta_statistic_id ON statistics_meta (statistic_id)",
    'CREATE INDEX ix_recorder_runs_start_end ON recorder_runs (start, "end")',
    "CREATE INDEX ix_statistics_runs_start ON statistics_runs (start)",
    "CREATE INDEX ix_events_event_type_id_time_fired_ts ON events (event_type_id, time_fired_ts)",
    "CREATE INDEX ix_events_context_id_bin ON events (context_id_bin)",
    "CREATE INDEX ix_events_time_fired_ts ON events (time_fired_ts)",
    "CREATE INDEX ix_events_data_id ON events (data_id)",
    "CREATE INDEX ix_states_metadata_id_last_updated_ts ON states (metadata_id, last_updated_ts)",
    "CREATE INDEX ix_states_context_id_bin ON states (context_id_bin)",
    "CREATE INDEX ix_states_last_updated_ts ON states (last_updated_ts)",
    "CREATE INDEX ix_states_old_state_id ON states (old_state_id)",
    "CREATE INDEX ix_states_attributes_id ON states (attributes_id)",
    "CREATE UNIQUE INDEX ix_statistics_statistic_id_start_ts ON statistics (metadata_id, start_ts)",
    "CREATE INDEX ix_statistics_start_ts ON statistics (start_ts)",
    "CREATE UNIQUE INDEX ix_statistics_short_term_statistic_id_start_ts"
    " ON statistics_short_term (metadata_id, start_ts)",
    "CREATE INDEX ix_statistics_short_term_start_ts ON statistics_short_term (start_ts)",
)


_STATES_INDEXES = tuple(statement for statement in _INDEXES if " ON states (" in statement)


def _layout(statistics_columns: str, statistics_meta: str) -> tuple[str, ...]:
    return (
        *_TABLES_BEFORE_STATISTICS,
        statistics_meta,
        *_TABLES_AFTER_STATISTICS_META,
        _statistics_table("statistics", statistics_columns),
        _statistics_table("statistics_short_term", statistics_columns),
        *_INDEXES,
    )


RECORDER_DDL: dict[int, tuple[str, ...]] = {
    # layout version -> every CREATE TABLE / CREATE INDEX statement, in creation order
    43: _layout(_STATISTICS_COLUMNS_48, _STATISTICS_META_48),  # also 44..49
    50: _layout(_STATISTICS_COLUMNS_50, _STATISTICS_META_50),
    51: _layout(_STATISTICS_COLUMNS_50, _STATISTICS_META_51),  # also 52
}
"""The SQLite DDL of HA's recorder, by the schema version that introduced the layout."""


def ddl_for(schema_version: int) -> tuple[str, ...]:
    """The DDL written for a schema version (the nearest known layout at or below it)."""
    known = [layout for layout in sorted(RECORDER_DDL) if layout <= schema_version]
    return RECORDER_DDL[known[-1] if known else min(RECORDER_DDL)]


# --------------------------------------------------------------------------------------
# Hashing and JSON, as HA's recorder does them
# --------------------------------------------------------------------------------------

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def fnv1a_32(data: bytes) -> int:
    """The 32-bit FNV-1a hash HA keys `state_attributes` and `event_data` rows by."""
    value = _FNV_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def json_bytes(data: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as HA's `json_bytes` writes attributes and event data."""
    return json.dumps(
        data, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode("utf-8")


# --------------------------------------------------------------------------------------
# Contexts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """A Home Assistant context: who or what caused a state change or an event.

    `id` and `parent_id` are ULID strings (26 characters of Crockford base32);
    `user_id` is a uuid written as 32 hex digits.
    """

    id: str
    parent_id: str | None = None
    user_id: str | None = None


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch(at: datetime, what: str = "time") -> float:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} {at!r} must be timezone-aware")
    return at.timestamp()


def new_context(
    at: datetime,
    parent: Context | None = None,
    user_id: str | None = None,
    rng: random.Random | None = None,
) -> Context:
    """A new context created at `at` (its ULID's time part), child of `parent` if given.

    Deterministic when `rng` is given; otherwise the random part comes from the OS.
    """
    _epoch(at, "context time")
    millis = (at - _UNIX_EPOCH) // timedelta(milliseconds=1)  # exact, unlike float math
    if not 0 <= millis < (1 << 48):
        raise ValueError(f"{at!r} cannot be written in a ULID")
    randomness = rng.getrandbits(80) if rng is not None else int.from_bytes(os.urandom(10), "big")
    ulid = ulid_from_int((millis << 80) | randomness)
    if user_id is not None:
        uuid_hex_to_bytes(user_id)  # validate early
    return Context(id=ulid, parent_id=parent.id if parent else None, user_id=user_id)


def _context_columns(context: Context | None) -> tuple[bytes | None, bytes | None, bytes | None]:
    if context is None:
        return None, None, None
    return (
        ulid_to_bytes(context.id),
        uuid_hex_to_bytes(context.user_id) if context.user_id else None,
        ulid_to_bytes(context.parent_id) if context.parent_id else None,
    )


def _sqlite_datetime(value: datetime) -> str:
    """How SQLAlchemy's SQLite DATETIME stores a (UTC) datetime."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --------------------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------------------

_INSERT_STATE = (
    "INSERT INTO states (state_id, state, last_changed_ts, last_reported_ts, last_updated_ts,"
    " old_state_id, attributes_id, origin_idx, context_id_bin, context_user_id_bin,"
    " context_parent_id_bin, metadata_id) VALUES (?, ?, ?, NULL, ?, ?, ?, 0, ?, ?, ?, ?)"
)
_INSERT_STATE_BEFORE_43 = _INSERT_STATE.replace("last_reported_ts, ", "").replace(
    "?, NULL, ?", "?, ?"
)
_INSERT_STATE_BULK = (
    "INSERT INTO states (state_id, state, last_updated_ts, old_state_id, attributes_id,"
    " origin_idx, metadata_id) VALUES (?, ?, ?, ?, ?, 0, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO events (origin_idx, time_fired_ts, data_id, context_id_bin,"
    " context_user_id_bin, context_parent_id_bin, event_type_id) VALUES (0, ?, ?, ?, ?, ?, ?)"
)


class RecorderWriter:
    """Create a new recorder database at `path` and write states and events into it.

    Use as a context manager, or call `close()`: rows are committed on close (and by
    `states_bulk` batch by batch). The file is in WAL mode, as HA leaves it.
    """

    BULK_BATCH = 50_000

    def __init__(self, path: Path, schema_version: int = CURRENT_SCHEMA_VERSION) -> None:
        self.path = Path(path)
        self.schema_version = schema_version
        if self.path.exists():
            raise FileExistsError(f"{self.path} exists; RecorderWriter only creates new databases")
        self._rng = random.Random(0)
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("BEGIN")
        for statement in ddl_for(schema_version):
            self._conn.execute(statement)
        self._insert_state = _INSERT_STATE
        if schema_version < 43:
            # states.last_reported_ts arrived in 43 (LAST_REPORTED_SCHEMA_VERSION).
            self._conn.execute("ALTER TABLE states DROP COLUMN last_reported_ts")
            self._insert_state = _INSERT_STATE_BEFORE_43
        placeholder = "1970-01-01 00:00:00.000000"
        self._conn.execute(
            "INSERT INTO schema_changes (schema_version, changed) VALUES (?, ?)",
            (schema_version, placeholder),
        )
        self._conn.execute(
            'INSERT INTO recorder_runs (start, "end", closed_incorrect, created)'
            " VALUES (?, NULL, 0, ?)",
            (placeholder, placeholder),
        )
        self._metadata_ids: dict[str, int] = {}
        self._event_type_ids: dict[str, int] = {}
        self._attributes_ids: dict[str, int] = {}
        self._data_ids: dict[str, int] = {}
        # entity id -> (state_id, state, last_changed_ts) of its latest row, None after removal
        self._last: dict[str, tuple[int, str, float] | None] = {}
        self._next_state_id = 1
        self._first_ts: float | None = None
        self._last_ts: float | None = None
        self._closed = False
        self._indexes_deferred = False

    # ---------------------------------------------------------------- lookups
    def _seen(self, ts: float) -> None:
        if self._first_ts is None or ts < self._first_ts:
            self._first_ts = ts
        if self._last_ts is None or ts > self._last_ts:
            self._last_ts = ts

    def _metadata_id(self, entity_id: str) -> int:
        metadata_id = self._metadata_ids.get(entity_id)
        if metadata_id is None:
            if len(entity_id) > 255:
                raise ValueError(f"entity id {entity_id!r} is longer than 255 characters")
            cursor = self._conn.execute(
                "INSERT INTO states_meta (entity_id) VALUES (?)", (entity_id,)
            )
            metadata_id = self._metadata_ids[entity_id] = int(cursor.lastrowid or 0)
        return metadata_id

    def _event_type_id(self, event_type: str) -> int:
        event_type_id = self._event_type_ids.get(event_type)
        if event_type_id is None:
            if len(event_type) > 64:
                raise ValueError(f"event type {event_type!r} is longer than 64 characters")
            cursor = self._conn.execute(
                "INSERT INTO event_types (event_type) VALUES (?)", (event_type,)
            )
            event_type_id = self._event_type_ids[event_type] = int(cursor.lastrowid or 0)
        return event_type_id

    def _shared(self, table: str, column: str, cache: dict[str, int], data: dict) -> int:
        encoded = json_bytes(data)
        text = encoded.decode("utf-8")
        row_id = cache.get(text)
        if row_id is None:
            cursor = self._conn.execute(
                f"INSERT INTO {table} (hash, {column}) VALUES (?, ?)", (fnv1a_32(encoded), text)
            )
            row_id = cache[text] = int(cursor.lastrowid or 0)
        return row_id

    # ---------------------------------------------------------------- writing
    def state(
        self,
        entity_id: str,
        state: str | None,
        at: datetime,
        *,
        attributes: dict | None = None,
        context: Context | None = None,
        last_changed: datetime | None = None,
    ) -> int:
        """Record a state of `entity_id` written at `at`; returns its state_id.

        `state` None records the entity's removal (stored as "", no attributes).
        `last_changed` defaults to `at`, or, when the state value is the same as the
        entity's previous row (an attribute-only update), to that row's last_changed.
        `context` defaults to a new context created at `at`.
        """
        updated_ts = _epoch(at)
        previous = self._last.get(entity_id)
        metadata_id = self._metadata_id(entity_id)
        if state is None:
            stored_state = ""
            changed_ts = None
            attributes = {}
        else:
            if len(state) > 255:
                raise ValueError(f"state of {entity_id} is longer than 255 characters")
            stored_state = state
            if last_changed is not None:
                changed = _epoch(last_changed, "last_changed")
            elif previous is not None and previous[1] == state:
                changed = previous[2]
            else:
                changed = updated_ts
            changed_ts = None if changed == updated_ts else changed
        attributes_id = self._shared(
            "state_attributes", "shared_attrs", self._attributes_ids, attributes or {}
        )
        if context is None:
            context = new_context(at, rng=self._rng)
        context_id, user_id, parent_id = _context_columns(context)
        state_id = self._next_state_id
        self._next_state_id += 1
        self._conn.execute(
            self._insert_state,
            (
                state_id,
                stored_state,
                changed_ts,
                updated_ts,
                previous[0] if previous is not None else None,
                attributes_id,
                context_id,
                user_id,
                parent_id,
                metadata_id,
            ),
        )
        self._last[entity_id] = (
            None if state is None else (state_id, state, changed_ts if changed_ts is not None else updated_ts)
        )
        self._seen(updated_ts)
        return state_id

    def event(
        self,
        event_type: str,
        at: datetime,
        data: dict | None = None,
        *,
        context: Context | None = None,
    ) -> int:
        """Record an event fired at `at`; returns its event_id.

        `context` defaults to a new context created at `at`.
        """
        fired_ts = _epoch(at)
        event_type_id = self._event_type_id(event_type)
        data_id = self._shared("event_data", "shared_data", self._data_ids, data or {})
        if context is None:
            context = new_context(at, rng=self._rng)
        context_id, user_id, parent_id = _context_columns(context)
        cursor = self._conn.execute(
            _INSERT_EVENT, (fired_ts, data_id, context_id, user_id, parent_id, event_type_id)
        )
        self._seen(fired_ts)
        return int(cursor.lastrowid or 0)

    def states_bulk(self, rows: Iterable[tuple[str, str, float]]) -> None:
        """Fast path for large benchmarks: (entity_id, state, last_updated_ts) rows.

        No attributes (every row shares the "{}" attributes row), no contexts (NULL),
        last_changed_ts NULL; old_state_id is still chained per entity. Rows are
        inserted with executemany in batches of `BULK_BATCH`, committed batch by batch,
        with the states indexes dropped meanwhile and rebuilt (same DDL) at the end:
        pass all rows in one call rather than many small ones, or call it many times
        (mixed with `state`) inside one `deferred_indexes()` block.
        """
        empty_attributes = self._shared("state_attributes", "shared_attrs", self._attributes_ids, {})
        last = self._last
        metadata_ids = self._metadata_ids
        metadata_id_of = self._metadata_id
        batch: list[tuple[int, str, float, int | None, int, int]] = []
        append = batch.append
        state_id = self._next_state_id
        first = self._first_ts
        final = self._last_ts
        conn = self._conn
        with self.deferred_indexes():
            for entity_id, state, ts in rows:
                metadata_id = metadata_ids.get(entity_id)
                if metadata_id is None:
                    metadata_id = metadata_id_of(entity_id)
                previous = last.get(entity_id)
                append(
                    (state_id, state, ts, previous[0] if previous is not None else None,
                     empty_attributes, metadata_id)
                )
                last[entity_id] = (state_id, state, ts)
                state_id += 1
                if first is None or ts < first:
                    first = ts
                if final is None or ts > final:
                    final = ts
                if len(batch) >= self.BULK_BATCH:
                    conn.executemany(_INSERT_STATE_BULK, batch)
                    conn.execute("COMMIT")
                    conn.execute("BEGIN")
                    batch.clear()
            if batch:
                conn.executemany(_INSERT_STATE_BULK, batch)
            self._next_state_id = state_id
            self._first_ts, self._last_ts = first, final

    @contextmanager
    def deferred_indexes(self) -> Iterator[None]:
        """Drop the states indexes for the block and rebuild them (same DDL) at its end.

        Building an index once over sorted data is far cheaper than keeping it up to
        date row by row; nested blocks rebuild only when the outermost one ends.
        """
        if self._indexes_deferred:
            yield
            return
        for statement in _STATES_INDEXES:
            self._conn.execute(f"DROP INDEX {statement.split()[2]}")
        self._indexes_deferred = True
        try:
            yield
        finally:
            self._indexes_deferred = False
            for statement in _STATES_INDEXES:
                self._conn.execute(statement)

    # ---------------------------------------------------------------- closing
    def close(self) -> None:
        """Date the schema change and recorder run like a run that covered the rows,
        commit, and close the database (HA's WAL is checkpointed and removed)."""
        if self._closed:
            return
        self._closed = True
        if self._first_ts is not None and self._last_ts is not None:
            start = datetime.fromtimestamp(self._first_ts, UTC)
            end = datetime.fromtimestamp(self._last_ts, UTC)
        else:
            start = end = datetime.now(UTC)
        started = _sqlite_datetime(start - timedelta(seconds=1))
        self._conn.execute("UPDATE schema_changes SET changed = ?", (started,))
        self._conn.execute(
            'UPDATE recorder_runs SET start = ?, created = ?, "end" = ?',
            (started, started, _sqlite_datetime(end)),
        )
        # HA starts the statistics at the 5-minute period it was set up in.
        period = start - timedelta(minutes=start.minute % 5, seconds=start.second,
                                   microseconds=start.microsecond)
        self._conn.execute(
            "INSERT INTO statistics_runs (start) VALUES (?)", (_sqlite_datetime(period),)
        )
        self._conn.execute("COMMIT")
        self._conn.close()

    def __enter__(self) -> RecorderWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
