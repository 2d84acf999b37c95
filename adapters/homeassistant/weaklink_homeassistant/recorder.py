"""Read Home Assistant's recorder database (`home-assistant_v2.db`) as a weaklink History.

`RecorderHistory.open(path)` opens the SQLite file strictly read-only and answers the
`weaklink.history.History` questions through the indexes Home Assistant creates:

| question                   | index used                                            |
|----------------------------|-------------------------------------------------------|
| state_changes, state_at    | ix_states_metadata_id_last_updated_ts                 |
| events                     | ix_events_event_type_id_time_fired_ts                 |
| by_context (own id)        | ix_states_context_id_bin, ix_events_context_id_bin    |
| by_context (children)      | the same, as a range: see below                       |
| span                       | ix_states_last_updated_ts, ix_events_time_fired_ts    |

Children by parent id: HA has no index on `context_parent_id_bin`. A child context is
created after its parent, and a context id is a ULID whose first 48 bits are its
creation time, so children are found by a range scan of the `context_id_bin` index from
the parent's creation time to `child_window` later (24 hours by default), keeping the rows
whose parent id matches. Contexts whose ids are not time-ordered ULIDs (uuids migrated
from very old databases) are found by their own id only.

Supported layouts: schema versions 38 (`STATES_META_SCHEMA_VERSION` in HA's recorder
`const.py`: entity ids moved to `states_meta`; binary context ids arrived in 36 and
`event_types` in 37) up to 52, the newest version the stored copy of home-assistant/core
attests (see `weaklink_homeassistant.testing.recorder_writer` for how each version was
checked). Older databases must be migrated by a current Home Assistant first; newer ones
need a newer weaklink.

Never written to: the file is opened with `mode=ro` and `query_only`; when it is in WAL
mode with no `-wal` file beside it (Home Assistant is not running), it is opened
`immutable`, so SQLite creates no `-wal`/`-shm` files either. With a `-wal` file present
(Home Assistant running, or it crashed) the existing `-wal`/`-shm` are read as they are.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from weaklink.errors import HistoryError, UnsupportedSchemaError
from weaklink.model import EventRecord, StateChange

# --------------------------------------------------------------------------------------
# Context id codecs
#
# Home Assistant context ids are ULIDs: 128 bits, written as 26 characters of Crockford's
# base32 (the first 48 bits are the creation time in milliseconds). The recorder stores
# them as the 16 raw bytes (big-endian) in `context_id_bin` / `context_parent_id_bin`,
# and the user id (a uuid written as 32 hex digits) as its 16 bytes in
# `context_user_id_bin`.
# --------------------------------------------------------------------------------------

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_VALUE: dict[str, int] = {}
for _value, _char in enumerate(CROCKFORD_ALPHABET):
    _CROCKFORD_VALUE[_char] = _value
    _CROCKFORD_VALUE[_char.lower()] = _value
del _value, _char

ULID_LENGTH = 26
_MAX_128 = (1 << 128) - 1


# Two characters per 10 bits: 13 lookups spell a ULID (this runs for every row read).
_CROCKFORD_PAIRS = [first + second for first in CROCKFORD_ALPHABET for second in CROCKFORD_ALPHABET]
_PAIR_SHIFTS = tuple(range(120, -1, -10))


def ulid_from_int(value: int) -> str:
    """Spell a 128-bit integer as a 26-character ULID string."""
    if not 0 <= value <= _MAX_128:
        raise ValueError(f"{value} does not fit in 128 bits")
    pairs = _CROCKFORD_PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def ulid_to_int(ulid: str) -> int:
    """The 128-bit integer a ULID string spells; ValueError when it is not a ULID."""
    if len(ulid) != ULID_LENGTH:
        raise ValueError(f"{ulid!r} is not a ULID: {len(ulid)} characters, expected 26")
    value = 0
    table = _CROCKFORD_VALUE
    try:
        for char in ulid:
            value = (value << 5) | table[char]
    except KeyError:
        raise ValueError(f"{ulid!r} is not a ULID: not Crockford base32") from None
    if value > _MAX_128:
        raise ValueError(f"{ulid!r} is not a ULID: larger than 128 bits")
    return value


def ulid_to_bytes(ulid: str) -> bytes:
    """The 16 bytes the recorder stores for a ULID context id."""
    return ulid_to_int(ulid).to_bytes(16, "big")


def ulid_from_bytes(data: bytes) -> str:
    """The ULID string of 16 stored bytes; ValueError for any other length."""
    if len(data) != 16:
        raise ValueError(f"a binary ULID has 16 bytes, not {len(data)}")
    return ulid_from_int(int.from_bytes(data, "big"))


def ulid_or_none(data: bytes | None) -> str | None:
    """The ULID string of stored bytes, or None when there are none or they are not 16."""
    if data is None or len(data) != 16:
        return None
    return ulid_from_int(int.from_bytes(data, "big"))


def ulid_time_ms(ulid: str) -> int:
    """The creation time (Unix milliseconds) encoded in the first 48 bits of a ULID."""
    return ulid_to_int(ulid) >> 80


def uuid_hex_to_bytes(user_id: str) -> bytes:
    """The 16 bytes the recorder stores for a user id (a uuid as 32 hex digits)."""
    if len(user_id) != 32:
        raise ValueError(f"{user_id!r} is not a 32-digit hex uuid")
    return bytes.fromhex(user_id)


def uuid_hex_from_bytes(data: bytes) -> str:
    """The 32-hex-digit user id of 16 stored bytes."""
    if len(data) != 16:
        raise ValueError(f"a binary uuid has 16 bytes, not {len(data)}")
    return data.hex()


def uuid_hex_or_none(data: bytes | None) -> str | None:
    """The hex user id of stored bytes, or None when there are none or they are not 16."""
    if data is None or len(data) != 16:
        return None
    return data.hex()


# --------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------

MIN_SCHEMA_VERSION = 38
"""The first schema with `states_meta`, `event_types` and binary context ids."""

MAX_SCHEMA_VERSION = 52
"""The newest schema this reader knows."""

DEFAULT_CHILD_WINDOW = timedelta(hours=24)

_SQLITE_MAGIC = b"SQLite format 3\x00"

# What the queries below touch; checked when the file is opened.
_REQUIRED_COLUMNS: dict[str, frozenset[str]] = {
    "schema_changes": frozenset({"change_id", "schema_version"}),
    "states": frozenset(
        {
            "state_id", "state", "last_updated_ts", "last_changed_ts", "attributes_id",
            "metadata_id", "context_id_bin", "context_user_id_bin", "context_parent_id_bin",
        }
    ),
    "states_meta": frozenset({"metadata_id", "entity_id"}),
    "state_attributes": frozenset({"attributes_id", "shared_attrs"}),
    "events": frozenset(
        {
            "event_id", "time_fired_ts", "data_id", "event_type_id", "context_id_bin",
            "context_user_id_bin", "context_parent_id_bin",
        }
    ),
    "event_types": frozenset({"event_type_id", "event_type"}),
    "event_data": frozenset({"data_id", "shared_data"}),
}

# Row shapes: states (kind 0) and events (kind 1) share the positions of their keys.
#   state: (ts, 0, state_id, entity_id, state, last_changed_ts, shared_attrs, ctx, parent, user)
#   event: (ts, 1, event_id, event_type, shared_data, ctx, parent, user)
_STATE_COLUMNS = (
    "s.last_updated_ts, 0, s.state_id, {entity}, s.state, s.last_changed_ts, a.shared_attrs,"
    " s.context_id_bin, s.context_parent_id_bin, s.context_user_id_bin"
)
_STATE_FROM = (
    " FROM states AS s LEFT JOIN state_attributes AS a ON a.attributes_id = s.attributes_id"
)
_EVENT_COLUMNS = (
    "e.time_fired_ts, 1, e.event_id, {event_type}, d.shared_data,"
    " e.context_id_bin, e.context_parent_id_bin, e.context_user_id_bin"
)
_EVENT_FROM = " FROM events AS e LEFT JOIN event_data AS d ON d.data_id = e.data_id"

T = TypeVar("T")


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _epoch(when: datetime, name: str) -> float:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} {when!r} must be timezone-aware")
    return when.timestamp()


def _json_object(text: str | bytes | None) -> dict[str, Any]:
    """Parse stored JSON; anything but a JSON object (or malformed JSON) reads as {}."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _describe(exc: sqlite3.Error) -> str:
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"the recorder database is damaged or not a SQLite database ({text})"
    if "no such table" in lowered or "no such column" in lowered:
        return f"not a Home Assistant recorder database this weaklink can read ({text})"
    if "locked" in lowered or "busy" in lowered:
        return f"the recorder database is locked by another program; try a copy ({text})"
    return f"cannot read the recorder database ({text})"


class RecorderHistory:
    """The recorded history in a Home Assistant recorder database (read-only).

    Implements `weaklink.history.History`. Open with `RecorderHistory.open(path)`;
    close with `close()` or use as a context manager. Every query streams from a SQLite
    cursor; any SQLite failure, including one that only surfaces halfway through
    iterating (a damaged page), is raised as `weaklink.errors.HistoryError` naming the
    file.

    `pending_migration` is True when the file still has states or events Home Assistant
    has not yet moved to the `states_meta` / `event_types` layout (a migration that was
    interrupted): those rows are not visible through this reader.
    """

    source: str

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        schema_version: int,
        *,
        child_window: timedelta = DEFAULT_CHILD_WINDOW,
    ) -> None:
        self._conn = connection
        self.path = path
        self.source = str(path)
        self.schema_version = schema_version
        self.child_window = child_window
        self._metadata_ids: dict[str, int] = {}
        self._entity_ids: dict[int, str] = {}
        self._event_type_ids: dict[str, int] = {}
        self._event_types: dict[int, str] = {}
        self.pending_migration = False

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls, path: Path | str, *, child_window: timedelta = DEFAULT_CHILD_WINDOW
    ) -> RecorderHistory:
        """Open the recorder database at `path` read-only and check its schema."""
        path = Path(path)
        uri_options = cls._preflight(path)
        uri = path.resolve().as_uri() + "?" + "&".join(uri_options)
        try:
            connection = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise HistoryError(_describe(exc), source=path) from exc
        history = cls(connection, path, 0, child_window=child_window)
        try:
            connection.execute("PRAGMA query_only = ON")
            history.schema_version = history._check_schema()
            history.pending_migration = history._has_unmigrated_rows()
        except sqlite3.Error as exc:
            connection.close()
            raise HistoryError(_describe(exc), source=path) from exc
        except BaseException:
            connection.close()
            raise
        return history

    @staticmethod
    def _preflight(path: Path) -> list[str]:
        """Check the file before SQLite sees it; return the URI options to open it with."""
        try:
            size = path.stat().st_size
            if path.is_dir():
                raise HistoryError("is a folder, not a recorder database file", source=path)
            with path.open("rb") as handle:
                header = handle.read(100)
        except FileNotFoundError:
            raise HistoryError("no such file", source=path) from None
        except OSError as exc:
            raise HistoryError(f"cannot read the file ({exc.strerror or exc})", source=path) from exc
        if size == 0:
            raise HistoryError("the file is empty, not a recorder database", source=path)
        if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
            raise HistoryError(
                "not a SQLite database (file is not a database); expected Home Assistant's"
                " home-assistant_v2.db",
                source=path,
            )
        wal_file = path.with_name(path.name + "-wal")
        wal_mode = header[18] == 2 or header[19] == 2
        live_wal = wal_file.exists()
        if not live_wal:
            page_size = int.from_bytes(header[16:18], "big")
            page_size = 65536 if page_size == 1 else page_size
            pages = int.from_bytes(header[28:32], "big")
            if pages and header[92:96] == header[24:28] and size < page_size * pages:
                raise HistoryError(
                    f"the file is truncated: its header describes {page_size * pages} bytes"
                    f" but it has {size} (an incomplete copy, or a damaged disk)",
                    source=path,
                )
        options = ["mode=ro"]
        if wal_mode and not live_wal:
            # Nothing is writing it (HA keeps a -wal file while it runs): read it as an
            # immutable file, so SQLite does not create -wal/-shm files beside it.
            options.append("immutable=1")
        return options

    def _check_schema(self) -> int:
        tables = {
            row[0]
            for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "schema_changes" not in tables:
            raise HistoryError(
                "not a Home Assistant recorder database (it has no schema_changes table)",
                source=self.path,
            )
        row = self._conn.execute(
            "SELECT schema_version FROM schema_changes ORDER BY change_id DESC LIMIT 1"
        ).fetchone()
        if row is None or not isinstance(row[0], int):
            raise HistoryError(
                "the recorder database records no schema version (schema_changes is empty)",
                source=self.path,
            )
        version = row[0]
        if version > MAX_SCHEMA_VERSION:
            raise UnsupportedSchemaError(
                f"recorder schema version {version} is newer than this weaklink reads"
                f" (up to {MAX_SCHEMA_VERSION}); upgrade weaklink",
                source=self.path,
            )
        if version < MIN_SCHEMA_VERSION:
            raise UnsupportedSchemaError(
                f"recorder schema version {version} is older than this weaklink reads"
                f" ({MIN_SCHEMA_VERSION} to {MAX_SCHEMA_VERSION}); open the database once"
                " with a current Home Assistant so it migrates it, then try again",
                source=self.path,
            )
        for table, needed in _REQUIRED_COLUMNS.items():
            if table not in tables:
                raise HistoryError(
                    f"the recorder database has no {table} table (schema version {version});"
                    " it is damaged or was not written by Home Assistant",
                    source=self.path,
                )
            present = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            missing = sorted(needed - present)
            if missing:
                raise HistoryError(
                    f"the {table} table lacks column(s) {', '.join(missing)} (schema version"
                    f" {version}); it is damaged or was not written by Home Assistant",
                    source=self.path,
                )
        return version

    def _has_unmigrated_rows(self) -> bool:
        # Both answered by an index seek (metadata_id / event_type_id lead those indexes).
        states = self._conn.execute(
            "SELECT 1 FROM states WHERE metadata_id IS NULL LIMIT 1"
        ).fetchone()
        events = self._conn.execute(
            "SELECT 1 FROM events WHERE event_type_id IS NULL LIMIT 1"
        ).fetchone()
        return states is not None or events is not None

    # ------------------------------------------------------------------ plumbing
    def _error(self, exc: sqlite3.Error) -> HistoryError:
        return HistoryError(_describe(exc), source=self.path)

    def _guard(self, rows: Iterator[T]) -> Iterator[T]:
        """Re-raise any SQLite failure while iterating as a HistoryError."""
        try:
            yield from rows
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _call(self, function: Callable[[], T]) -> T:
        try:
            return function()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _resolve_entities(self, entity_ids: Iterable[str]) -> list[tuple[str, int]]:
        """(entity_id, metadata_id) for each known entity, in first-seen order."""
        found: list[tuple[str, int]] = []
        seen: set[str] = set()
        for entity_id in entity_ids:
            if entity_id in seen:
                continue
            seen.add(entity_id)
            metadata_id = self._metadata_ids.get(entity_id)
            if metadata_id is None:
                row = self._conn.execute(
                    "SELECT metadata_id FROM states_meta WHERE entity_id = ?", (entity_id,)
                ).fetchone()
                if row is None:
                    continue
                metadata_id = self._metadata_ids[entity_id] = row[0]
                self._entity_ids[metadata_id] = entity_id
            found.append((entity_id, metadata_id))
        return found

    def _resolve_event_types(self, event_types: Iterable[str]) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        seen: set[str] = set()
        for event_type in event_types:
            if event_type in seen:
                continue
            seen.add(event_type)
            type_id = self._event_type_ids.get(event_type)
            if type_id is None:
                row = self._conn.execute(
                    "SELECT event_type_id FROM event_types WHERE event_type = ?", (event_type,)
                ).fetchone()
                if row is None:
                    continue
                type_id = self._event_type_ids[event_type] = row[0]
                self._event_types[type_id] = event_type
            found.append((event_type, type_id))
        return found

    def _entity_id(self, metadata_id: int | None) -> str:
        if metadata_id is None:
            return ""
        entity_id = self._entity_ids.get(metadata_id)
        if entity_id is None:
            row = self._conn.execute(
                "SELECT entity_id FROM states_meta WHERE metadata_id = ?", (metadata_id,)
            ).fetchone()
            entity_id = (row[0] if row else None) or ""
            self._entity_ids[metadata_id] = entity_id
            if entity_id:
                self._metadata_ids[entity_id] = metadata_id
        return entity_id

    def _event_type(self, type_id: int | None) -> str:
        if type_id is None:
            return ""
        event_type = self._event_types.get(type_id)
        if event_type is None:
            row = self._conn.execute(
                "SELECT event_type FROM event_types WHERE event_type_id = ?", (type_id,)
            ).fetchone()
            event_type = (row[0] if row else None) or ""
            self._event_types[type_id] = event_type
            if event_type:
                self._event_type_ids[event_type] = type_id
        return event_type

    @staticmethod
    def _state_change(row: tuple) -> StateChange:
        updated, _, _, entity_id, state, changed, attrs, ctx, parent, user = row
        return StateChange(
            entity_id=entity_id,
            state=state or None,
            at=_utc(updated),
            changed_at=_utc(changed if changed is not None else updated),
            attributes=_json_object(attrs),
            context_id=ulid_or_none(ctx),
            context_parent_id=ulid_or_none(parent),
            context_user_id=uuid_hex_or_none(user),
        )

    @staticmethod
    def _event_record(row: tuple) -> EventRecord:
        fired, _, _, event_type, data, ctx, parent, user = row
        return EventRecord(
            event_type=event_type,
            at=_utc(fired),
            data=_json_object(data),
            context_id=ulid_or_none(ctx),
            context_parent_id=ulid_or_none(parent),
            context_user_id=uuid_hex_or_none(user),
        )

    # ------------------------------------------------------------------ History
    def span(self) -> tuple[datetime, datetime] | None:
        """The first and last time a state or an event was recorded, or None when empty."""

        def query() -> tuple[datetime, datetime] | None:
            # One aggregate per statement, so SQLite answers each from the index's end.
            values = [
                self._conn.execute(sql).fetchone()[0]
                for sql in (
                    "SELECT MIN(last_updated_ts) FROM states",
                    "SELECT MAX(last_updated_ts) FROM states",
                    "SELECT MIN(time_fired_ts) FROM events",
                    "SELECT MAX(time_fired_ts) FROM events",
                )
            ]
            firsts = [v for v in (values[0], values[2]) if v is not None]
            lasts = [v for v in (values[1], values[3]) if v is not None]
            if not firsts:
                return None
            return _utc(min(firsts)), _utc(max(lasts))

        return self._call(query)

    def state_changes(
        self, entity_ids: Iterable[str], start: datetime, end: datetime
    ) -> Iterator[StateChange]:
        """Recorded states of these entities written in [start, end], oldest first.

        Each entity is read through ix_states_metadata_id_last_updated_ts and the
        entities are merged by time (ties by row id, i.e. write order).
        """
        low, high = _epoch(start, "start"), _epoch(end, "end")

        def rows() -> Iterator[StateChange]:
            entities = self._resolve_entities(entity_ids)
            sql = (
                "SELECT " + _STATE_COLUMNS.format(entity="?") + _STATE_FROM
                + " WHERE s.metadata_id = ? AND s.last_updated_ts >= ?"
                " AND s.last_updated_ts <= ? ORDER BY s.last_updated_ts, s.state_id"
            )
            streams = [
                self._conn.execute(sql, (entity_id, metadata_id, low, high))
                for entity_id, metadata_id in entities
            ]
            merged = streams[0] if len(streams) == 1 else heapq.merge(*streams)
            convert = self._state_change
            for row in merged:
                yield convert(row)

        return self._guard(rows())

    def state_at(self, entity_id: str, when: datetime) -> StateChange | None:
        """The state the entity had at `when`: its last row written at or before it.

        None when the entity is unknown or had no row yet; a StateChange whose `state`
        is None when the entity had been removed.
        """
        at = _epoch(when, "when")

        def query() -> StateChange | None:
            entities = self._resolve_entities([entity_id])
            if not entities:
                return None
            row = self._conn.execute(
                "SELECT " + _STATE_COLUMNS.format(entity="?") + _STATE_FROM
                + " WHERE s.metadata_id = ? AND s.last_updated_ts <= ?"
                " ORDER BY s.last_updated_ts DESC, s.state_id DESC LIMIT 1",
                (entity_id, entities[0][1], at),
            ).fetchone()
            return None if row is None else self._state_change(row)

        return self._call(query)

    def events(
        self, event_types: Iterable[str], start: datetime, end: datetime
    ) -> Iterator[EventRecord]:
        """Recorded events of these types fired in [start, end], oldest first."""
        low, high = _epoch(start, "start"), _epoch(end, "end")

        def rows() -> Iterator[EventRecord]:
            types = self._resolve_event_types(event_types)
            sql = (
                "SELECT " + _EVENT_COLUMNS.format(event_type="?") + _EVENT_FROM
                + " WHERE e.event_type_id = ? AND e.time_fired_ts >= ?"
                " AND e.time_fired_ts <= ? ORDER BY e.time_fired_ts, e.event_id"
            )
            streams = [
                self._conn.execute(sql, (event_type, type_id, low, high))
                for event_type, type_id in types
            ]
            merged = streams[0] if len(streams) == 1 else heapq.merge(*streams)
            convert = self._event_record
            for row in merged:
                yield convert(row)

        return self._guard(rows())

    def by_context(self, context_ids: Iterable[str]) -> Iterator[StateChange | EventRecord]:
        """States and events whose context id or context parent id is one of these.

        Oldest first (states before events at the same instant). Ids that are not ULIDs
        match nothing. Children are looked for up to `child_window` after the parent
        context was created (see the module docstring).
        """

        def rows() -> Iterator[StateChange | EventRecord]:
            window_ms = int(self.child_window.total_seconds() * 1000)
            streams: list[Iterator[tuple]] = []
            state_sql = "SELECT " + _STATE_COLUMNS.format(entity="s.metadata_id") + _STATE_FROM
            event_sql = (
                "SELECT " + _EVENT_COLUMNS.format(event_type="e.event_type_id") + _EVENT_FROM
            )
            timed_state = (
                " AND s.last_updated_ts IS NOT NULL ORDER BY s.last_updated_ts, s.state_id"
            )
            timed_event = " AND e.time_fired_ts IS NOT NULL ORDER BY e.time_fired_ts, e.event_id"
            seen_ids: set[bytes] = set()
            for context_id in context_ids:
                try:
                    value = ulid_to_int(context_id)
                except (ValueError, TypeError):
                    continue
                key = value.to_bytes(16, "big")
                if key in seen_ids:
                    continue
                seen_ids.add(key)
                created_ms = value >> 80
                # Allow a second of clock disagreement before the parent's creation.
                low = (max(created_ms - 1000, 0) << 80).to_bytes(16, "big")
                high_ms = min(created_ms + window_ms + 1, (1 << 48) - 1)
                high = (high_ms << 80).to_bytes(16, "big")
                streams.append(
                    self._conn.execute(
                        state_sql + " WHERE s.context_id_bin = ?" + timed_state,
                        (key,),
                    )
                )
                streams.append(
                    self._conn.execute(
                        state_sql + " WHERE s.context_id_bin >= ? AND s.context_id_bin < ?"
                        " AND s.context_parent_id_bin = ?" + timed_state,
                        (low, high, key),
                    )
                )
                streams.append(
                    self._conn.execute(
                        event_sql + " WHERE e.context_id_bin = ?" + timed_event,
                        (key,),
                    )
                )
                streams.append(
                    self._conn.execute(
                        event_sql + " WHERE e.context_id_bin >= ? AND e.context_id_bin < ?"
                        " AND e.context_parent_id_bin = ?" + timed_event,
                        (low, high, key),
                    )
                )
            if not streams:
                return
            emitted: set[tuple[int, int]] = set()
            for row in heapq.merge(*streams, key=lambda r: (r[0], r[1], r[2])):
                identity = (row[1], row[2])
                if identity in emitted:  # a row can match two of the given ids
                    continue
                emitted.add(identity)
                if row[1] == 0:
                    yield self._state_change((*row[:3], self._entity_id(row[3]), *row[4:]))
                else:
                    yield self._event_record((*row[:3], self._event_type(row[3]), *row[4:]))

        return self._guard(rows())

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> RecorderHistory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ extras
    def entity_ids(self) -> list[str]:
        """Every entity id the recorder has a row for in states_meta, sorted."""
        return self._call(
            lambda: sorted(
                row[0]
                for row in self._conn.execute("SELECT entity_id FROM states_meta")
                if row[0]
            )
        )

    def event_types(self) -> list[str]:
        """Every event type the recorder has seen, sorted."""
        return self._call(
            lambda: sorted(
                row[0] for row in self._conn.execute("SELECT event_type FROM event_types") if row[0]
            )
        )

    def iter_states(
        self,
        entity_ids: Iterable[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        batch: int = 10_000,
        ordered: bool = False,
    ) -> Iterator[tuple[str, str | None, float]]:
        """Sweep states fast as plain `(entity_id, state, last_updated_ts)` tuples.

        The hot path of whole-history sweeps: no models, no attributes, no contexts; the
        state is None for a removed entity and the time is a UTC epoch float.

        - given `entity_ids`: oldest first (ties in write order), each entity read
          through ix_states_metadata_id_last_updated_ts and the entities merged;
        - all entities (`entity_ids` None): storage order, which is the order HA wrote
          them (time order, give or take the recorder's commit batching), handed on
          straight from SQLite's cursor with no Python work per row. `ordered=True`
          gives strict time order instead, through ix_states_last_updated_ts (slower).

        `batch` sets the cursor's `arraysize`.
        """
        low = _epoch(start, "start") if start is not None else None
        high = _epoch(end, "end") if end is not None else None
        return self._sweep(entity_ids, low, high, max(1, batch), ordered)

    def _sweep(
        self,
        entity_ids: Iterable[str] | None,
        low: float | None,
        high: float | None,
        batch: int,
        ordered: bool,
    ) -> Iterator[tuple[str, str | None, float]]:
        try:
            window_sql = ""
            window: tuple[float, ...] = ()
            if low is not None:
                window_sql += " AND s.last_updated_ts >= ?"
                window += (low,)
            if high is not None:
                window_sql += " AND s.last_updated_ts <= ?"
                window += (high,)
            if entity_ids is None:
                # states is the outer loop (CROSS JOIN), read in storage order unless a
                # window lets SQLite use ix_states_last_updated_ts.
                sql = (
                    "SELECT m.entity_id, NULLIF(s.state, ''), s.last_updated_ts"
                    " FROM states AS s CROSS JOIN states_meta AS m"
                    " ON m.metadata_id = s.metadata_id WHERE 1" + window_sql
                )
                if ordered:
                    sql += " ORDER BY s.last_updated_ts, s.state_id"
                cursor = self._conn.execute(sql, window)
                cursor.arraysize = batch
                yield from cursor
                return
            entities = self._resolve_entities(entity_ids)
            # The entity id is bound as a parameter: no join per row.
            sql = (
                "SELECT ?, NULLIF(s.state, ''), s.last_updated_ts{extra} FROM states AS s"
                " WHERE s.metadata_id = ?" + window_sql + " ORDER BY s.last_updated_ts, s.state_id"
            )
            if len(entities) > 1:
                # Interleaved by time, the entities' rows share pages: merging them is
                # both strictly ordered and faster than reading one entity after another.
                merge_sql = sql.format(extra=", s.state_id")
                streams = [
                    self._conn.execute(merge_sql, (entity_id, metadata_id, *window))
                    for entity_id, metadata_id in entities
                ]
                for row in heapq.merge(*streams, key=_sweep_key):
                    yield row[:3]
                return
            plain_sql = sql.format(extra="")
            for entity_id, metadata_id in entities:
                cursor = self._conn.execute(plain_sql, (entity_id, metadata_id, *window))
                cursor.arraysize = batch
                yield from cursor
        except sqlite3.Error as exc:
            raise self._error(exc) from exc


def _sweep_key(row: tuple) -> tuple[float, int]:
    return row[2], row[3]
