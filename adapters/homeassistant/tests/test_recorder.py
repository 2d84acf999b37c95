"""Home Assistant recorder database: the test writer and the read-only reader."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weaklink.errors import HistoryError, UnsupportedSchemaError
from weaklink.history import History
from weaklink.model import EventRecord, StateChange
from weaklink_homeassistant.recorder import (
    CROCKFORD_ALPHABET,
    MAX_SCHEMA_VERSION,
    MIN_SCHEMA_VERSION,
    RecorderHistory,
    ulid_from_bytes,
    ulid_time_ms,
    ulid_to_bytes,
    uuid_hex_from_bytes,
    uuid_hex_to_bytes,
)
from weaklink_homeassistant.testing import (
    CURRENT_SCHEMA_VERSION,
    Context,
    RecorderWriter,
    new_context,
)
from weaklink_homeassistant.testing.recorder_writer import fnv1a_32, json_bytes

T0 = datetime(2024, 11, 5, 18, 30, tzinfo=UTC)
USER = "9f86d081884c7d659a2feaa0c55ad015"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def raw(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def raw_write(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


# The driveway story: arriving home opens the garage, an automation turns the light on.
class Home:
    def __init__(self, path: Path) -> None:
        rng = random.Random(7)
        self.path = path
        self.arrival = new_context(at(0), user_id=USER, rng=rng)
        self.automation = new_context(at(1), parent=self.arrival, rng=rng)
        self.unrelated = new_context(at(2), rng=rng)
        with RecorderWriter(path) as writer:
            writer.state(
                "person.anna", "not_home", at(-600), attributes={"friendly_name": "Anna"}
            )
            self.arrived_id = writer.state(
                "person.anna", "home", at(0),
                attributes={"friendly_name": "Anna"}, context=self.arrival,
            )
            writer.event(
                "automation_triggered", at(1),
                {"name": "Driveway", "entity_id": "automation.driveway"},
                context=self.automation,
            )
            writer.event(
                "call_service", at(1.5),
                {"domain": "light", "service": "turn_on", "service_data": {"entity_id": "light.driveway"}},
                context=self.automation,
            )
            writer.state(
                "light.driveway", "on", at(2),
                attributes={"friendly_name": "Driveway", "brightness": 255},
                context=self.automation,
            )
            writer.state("light.porch", "off", at(2), context=self.unrelated)
            # attribute-only update: last_changed stays at(2)
            writer.state(
                "light.driveway", "on", at(30),
                attributes={"friendly_name": "Driveway", "brightness": 128},
            )
            writer.state("light.driveway", None, at(60))  # integration unloaded
            writer.state(
                "light.driveway", "unavailable", at(90), attributes={"friendly_name": "Driveway"}
            )
            writer.event("call_service", at(120), {"domain": "lock"})
            writer.event("homeassistant_stop", at(121))


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home-assistant_v2.db")


@pytest.fixture
def history(home: Home) -> Iterator[RecorderHistory]:
    with RecorderHistory.open(home.path) as opened:
        yield opened


# ------------------------------------------------------------------------------ codecs


@given(st.binary(min_size=16, max_size=16))
def test_ulid_bytes_round_trip_and_order(data: bytes) -> None:
    text = ulid_from_bytes(data)
    assert len(text) == 26
    assert set(text) <= set(CROCKFORD_ALPHABET)
    assert text[0] <= "7"  # 128 bits fit in 26 base32 digits only this way
    assert ulid_to_bytes(text) == data
    assert ulid_to_bytes(text.lower()) == data


@given(st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16))
def test_ulid_strings_sort_like_their_bytes(a: bytes, b: bytes) -> None:
    # by_context's child search relies on this: a byte range is a time range.
    assert (a < b) == (ulid_from_bytes(a) < ulid_from_bytes(b))


@given(st.binary(min_size=16, max_size=16))
def test_uuid_bytes_round_trip(data: bytes) -> None:
    text = uuid_hex_from_bytes(data)
    assert len(text) == 32 and text == text.lower()
    assert uuid_hex_to_bytes(text) == data


@given(
    st.integers(min_value=0, max_value=253_402_300_799_999),  # to the end of year 9999
    st.integers(min_value=0, max_value=999),
    st.randoms(use_true_random=False),
)
def test_new_context_puts_its_time_in_the_ulid(millis: int, micros: int, rng: random.Random) -> None:
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis, microseconds=micros)
    context = new_context(when, rng=rng)
    assert ulid_time_ms(context.id) == millis


@pytest.mark.parametrize(
    "bad", ["", "01HWTN0D80V3RS3DTR98H6BCF", "01HWTN0D80V3RS3DTR98H6BCFNX", "01HWTN0D80V3RS3DTR98H6BCFU", "81HWTN0D80V3RS3DTR98H6BCFN"]
)
def test_invalid_ulids_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        ulid_to_bytes(bad)


def test_new_context_is_deterministic_with_a_seeded_rng() -> None:
    first = new_context(T0, rng=random.Random(3))
    second = new_context(T0, rng=random.Random(3))
    other = new_context(T0, rng=random.Random(4))
    assert first == second
    assert first.id != other.id
    child = new_context(at(1), parent=first, user_id=USER, rng=random.Random(3))
    assert child.parent_id == first.id and child.user_id == USER


def test_fnv1a_32_known_vectors() -> None:
    assert fnv1a_32(b"") == 0x811C9DC5
    assert fnv1a_32(b"a") == 0xE40C292C
    assert fnv1a_32(b"foobar") == 0xBF9CF968


# ------------------------------------------------------------------------------ writer


EXPECTED_INDEXES = {
    "ix_event_data_hash", "ix_event_types_event_type", "ix_state_attributes_hash",
    "ix_states_meta_entity_id", "ix_statistics_meta_statistic_id", "ix_recorder_runs_start_end",
    "ix_statistics_runs_start", "ix_events_event_type_id_time_fired_ts",
    "ix_events_context_id_bin", "ix_events_time_fired_ts", "ix_events_data_id",
    "ix_states_metadata_id_last_updated_ts", "ix_states_context_id_bin",
    "ix_states_last_updated_ts", "ix_states_old_state_id", "ix_states_attributes_id",
    "ix_statistics_statistic_id_start_ts", "ix_statistics_start_ts",
    "ix_statistics_short_term_statistic_id_start_ts", "ix_statistics_short_term_start_ts",
}


def columns(path: Path, table: str) -> list[str]:
    return [row[1] for row in raw(path, f"PRAGMA table_info({table})")]


def test_writer_creates_ha_tables_columns_and_indexes(home: Home) -> None:
    tables = {row[0] for row in raw(home.path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {
        "events", "event_data", "event_types", "states", "state_attributes", "states_meta",
        "recorder_runs", "schema_changes", "migration_changes", "statistics",
        "statistics_meta", "statistics_runs", "statistics_short_term",
    }
    indexes = {
        row[0]
        for row in raw(home.path, "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    }
    assert indexes == EXPECTED_INDEXES
    assert columns(home.path, "states") == [
        "state_id", "entity_id", "state", "attributes", "event_id", "last_changed",
        "last_changed_ts", "last_reported_ts", "last_updated", "last_updated_ts",
        "old_state_id", "attributes_id", "context_id", "context_user_id", "context_parent_id",
        "origin_idx", "context_id_bin", "context_user_id_bin", "context_parent_id_bin",
        "metadata_id",
    ]
    assert columns(home.path, "events") == [
        "event_id", "event_type", "event_data", "origin", "origin_idx", "time_fired",
        "time_fired_ts", "context_id", "context_user_id", "context_parent_id", "data_id",
        "context_id_bin", "context_user_id_bin", "context_parent_id_bin", "event_type_id",
    ]
    types = {row[1]: row[2] for row in raw(home.path, "PRAGMA table_info(states)")}
    assert types["entity_id"] == "CHAR(0)" and types["last_updated_ts"] == "FLOAT"
    assert types["context_id_bin"] == "BLOB" and types["state"] == "VARCHAR(255)"
    assert raw(home.path, "SELECT schema_version FROM schema_changes") == [(CURRENT_SCHEMA_VERSION,)]
    assert raw(home.path, 'SELECT closed_incorrect, "end" IS NOT NULL FROM recorder_runs') == [(0, 1)]
    assert raw(home.path, "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize(
    ("version", "has_mean_type", "has_unit_class", "has_last_reported"),
    [(42, False, False, False), (43, False, False, True), (48, False, False, True),
     (50, True, False, True), (51, True, True, True), (52, True, True, True)],
)
def test_writer_layout_follows_the_schema_version(
    tmp_path: Path, version: int, has_mean_type: bool, has_unit_class: bool, has_last_reported: bool
) -> None:
    path = tmp_path / "v.db"
    with RecorderWriter(path, schema_version=version) as writer:
        writer.state("sensor.t", "1", T0)
    meta = columns(path, "statistics_meta")
    assert ("mean_type" in meta) is has_mean_type
    assert ("unit_class" in meta) is has_unit_class
    assert ("mean_weight" in columns(path, "statistics")) is has_mean_type
    assert ("last_reported_ts" in columns(path, "states")) is has_last_reported
    assert raw(path, "SELECT schema_version FROM schema_changes") == [(version,)]


def test_writer_follows_ha_row_conventions(home: Home) -> None:
    rows = raw(
        home.path,
        "SELECT m.entity_id, s.state, s.last_updated_ts, s.last_changed_ts, s.old_state_id,"
        " s.attributes_id, s.entity_id, s.attributes, s.last_updated, s.origin_idx, s.state_id"
        " FROM states s JOIN states_meta m USING (metadata_id) ORDER BY s.state_id",
    )
    by_id = {row[10]: row for row in rows}
    driveway = [row for row in rows if row[0] == "light.driveway"]
    # last_changed_ts NULL when equal to last_updated_ts; kept on attribute-only updates
    assert driveway[0][3] is None
    assert driveway[1][3] == at(2).timestamp()
    # old_state_id chains the entity's rows; a removal ("" state) breaks the chain
    assert driveway[1][4] == driveway[0][10]
    assert driveway[2][1] == "" and driveway[2][4] == driveway[1][10]
    assert driveway[3][4] is None
    # legacy columns stay NULL, origin is local
    assert all(row[6] is None and row[7] is None and row[8] is None and row[9] == 0 for row in rows)
    anna = [row for row in rows if row[0] == "person.anna"]
    assert anna[0][5] == anna[1][5]  # identical attributes are stored once
    assert by_id[anna[1][10]][4] == anna[0][10]
    assert raw(home.path, "SELECT COUNT(*) FROM states_meta") == [(3,)]
    assert raw(home.path, "SELECT COUNT(*) FROM event_types") == [(3,)]
    for table, column in (("state_attributes", "shared_attrs"), ("event_data", "shared_data")):
        for hash_value, text in raw(home.path, f"SELECT hash, {column} FROM {table}"):
            assert hash_value == fnv1a_32(text.encode())
    assert raw(home.path, "SELECT shared_attrs FROM state_attributes WHERE attributes_id = ?",
               (anna[0][5],)) == [('{"friendly_name":"Anna"}',)]


def test_writer_stores_contexts_as_bytes(home: Home) -> None:
    rows = raw(
        home.path,
        "SELECT context_id_bin, context_user_id_bin, context_parent_id_bin FROM states"
        " WHERE state_id = ?", (home.arrived_id,),
    )
    assert rows == [(ulid_to_bytes(home.arrival.id), bytes.fromhex(USER), None)]
    children = raw(
        home.path, "SELECT COUNT(*) FROM events WHERE context_parent_id_bin = ?",
        (ulid_to_bytes(home.arrival.id),),
    )
    assert children == [(2,)]


def test_writer_refuses_naive_times_and_existing_files(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with RecorderWriter(path) as writer, pytest.raises(ValueError, match="timezone-aware"):
        writer.state("sensor.t", "1", datetime(2024, 1, 1))
    with pytest.raises(FileExistsError):
        RecorderWriter(path)


def test_json_bytes_is_compact_utf8() -> None:
    assert json_bytes({"name": "Küche", "on": True, "at": T0}) == (
        '{"name":"Küche","on":true,"at":"2024-11-05T18:30:00+00:00"}'.encode()
    )


# ------------------------------------------------------------------------------ reader


def test_history_protocol_and_schema(history: RecorderHistory, home: Home) -> None:
    assert isinstance(history, History)
    assert history.source == str(home.path)
    assert history.schema_version == CURRENT_SCHEMA_VERSION
    assert history.pending_migration is False
    assert history.entity_ids() == ["light.driveway", "light.porch", "person.anna"]
    assert history.event_types() == ["automation_triggered", "call_service", "homeassistant_stop"]


def test_span_covers_states_and_events(history: RecorderHistory, tmp_path: Path) -> None:
    assert history.span() == (at(-600), at(121))
    empty = tmp_path / "empty.db"
    RecorderWriter(empty).close()
    with RecorderHistory.open(empty) as nothing:
        assert nothing.span() is None


def test_state_changes_round_trip(history: RecorderHistory, home: Home) -> None:
    changes = list(history.state_changes(["light.driveway", "person.anna"], at(-1), at(90)))
    assert [(c.entity_id, c.state, c.at) for c in changes] == [
        ("person.anna", "home", at(0)),
        ("light.driveway", "on", at(2)),
        ("light.driveway", "on", at(30)),
        ("light.driveway", None, at(60)),
        ("light.driveway", "unavailable", at(90)),  # the window's end is inclusive
    ]
    arrived, on, dimmed, removed, unavailable = changes
    assert arrived.context_id == home.arrival.id
    assert arrived.context_user_id == USER and arrived.context_parent_id is None
    assert arrived.attributes == {"friendly_name": "Anna"}
    assert on.context_id == home.automation.id and on.context_parent_id == home.arrival.id
    assert on.attributes == {"friendly_name": "Driveway", "brightness": 255}
    assert dimmed.changed_at == at(2) and dimmed.attributes["brightness"] == 128
    assert on.changed_at == at(2)
    assert removed.removed and removed.attributes == {}
    assert unavailable.unavailable
    assert all(c.at.tzinfo is UTC for c in changes)


def test_state_changes_edge_cases(history: RecorderHistory) -> None:
    assert list(history.state_changes(["light.nowhere"], at(-999), at(999))) == []
    assert list(history.state_changes([], at(-999), at(999))) == []
    only_start = list(history.state_changes(["person.anna"], at(0), at(0)))
    assert [c.state for c in only_start] == ["home"]
    twice = list(history.state_changes(["light.porch", "light.porch"], at(0), at(10)))
    assert len(twice) == 1
    with pytest.raises(ValueError, match="timezone-aware"):
        list(history.state_changes(["light.porch"], datetime(2024, 1, 1), at(10)))


def test_state_at(history: RecorderHistory) -> None:
    assert history.state_at("light.driveway", at(1.999)) is None  # nothing recorded yet
    assert history.state_at("light.driveway", at(2)).state == "on"  # at the instant
    assert history.state_at("light.driveway", at(45)).attributes["brightness"] == 128
    removed = history.state_at("light.driveway", at(75))
    assert removed is not None and removed.removed and removed.at == at(60)
    assert history.state_at("light.driveway", at(10_000)).state == "unavailable"
    assert history.state_at("person.anna", at(-1)).state == "not_home"
    assert history.state_at("light.nowhere", at(0)) is None


def test_events_round_trip(history: RecorderHistory, home: Home) -> None:
    events = list(history.events(["call_service", "automation_triggered"], at(0), at(120)))
    assert [(e.event_type, e.at) for e in events] == [
        ("automation_triggered", at(1)),
        ("call_service", at(1.5)),
        ("call_service", at(120)),
    ]
    assert events[1].data == {
        "domain": "light", "service": "turn_on", "service_data": {"entity_id": "light.driveway"}
    }
    assert events[1].context_id == home.automation.id
    assert events[1].context_parent_id == home.arrival.id
    assert events[2].data == {"domain": "lock"}
    assert list(history.events(["homeassistant_stop"], at(0), at(120.5))) == []
    stop = list(history.events(["homeassistant_stop", "nope"], at(0), at(121)))
    assert len(stop) == 1 and stop[0].data == {}


def test_by_context_finds_own_rows_and_children(history: RecorderHistory, home: Home) -> None:
    found = list(history.by_context([home.arrival.id]))
    kinds = [(type(r).__name__, getattr(r, "entity_id", None) or getattr(r, "event_type", None), r.at) for r in found]
    assert kinds == [
        ("StateChange", "person.anna", at(0)),            # its own context
        ("EventRecord", "automation_triggered", at(1)),   # children, via their parent id
        ("EventRecord", "call_service", at(1.5)),
        ("StateChange", "light.driveway", at(2)),
    ]
    assert all(r.context_id in {home.arrival.id, home.automation.id} for r in found)
    # asking for parent and child together yields each row once
    both = list(history.by_context([home.arrival.id, home.automation.id, home.arrival.id]))
    assert len(both) == len(found)
    only_child = list(history.by_context([home.automation.id]))
    assert {r.context_id for r in only_child} == {home.automation.id}
    assert len(only_child) == 3
    assert list(history.by_context(["not-a-ulid", new_context(at(5)).id])) == []


def test_by_context_child_window(tmp_path: Path) -> None:
    path = tmp_path / "late.db"
    rng = random.Random(1)
    parent = new_context(T0, rng=rng)
    soon = new_context(T0 + timedelta(minutes=5), parent=parent, rng=rng)
    late = new_context(T0 + timedelta(hours=3), parent=parent, rng=rng)
    with RecorderWriter(path) as writer:
        writer.state("switch.a", "on", T0, context=parent)
        writer.state("switch.b", "on", T0 + timedelta(minutes=5), context=soon)
        writer.state("switch.c", "on", T0 + timedelta(hours=3), context=late)
    with RecorderHistory.open(path) as history:
        assert [r.entity_id for r in history.by_context([parent.id])] == ["switch.a", "switch.b", "switch.c"]
    with RecorderHistory.open(path, child_window=timedelta(hours=1)) as narrow:
        assert [r.entity_id for r in narrow.by_context([parent.id])] == ["switch.a", "switch.b"]


def test_malformed_json_reads_as_empty(home: Home) -> None:
    raw_write(
        home.path,
        "UPDATE state_attributes SET shared_attrs = '{\"friendly_name\": ' WHERE shared_attrs LIKE '%Anna%'",
        "UPDATE event_data SET shared_data = '[1, 2]' WHERE shared_data LIKE '%lock%'",
    )
    with RecorderHistory.open(home.path) as history:
        anna = list(history.state_changes(["person.anna"], at(-999), at(999)))
        assert [c.state for c in anna] == ["not_home", "home"]
        assert all(c.attributes == {} for c in anna)
        lock = list(history.events(["call_service"], at(100), at(200)))
        assert len(lock) == 1 and lock[0].data == {}
        assert history.state_at("light.porch", at(3)).attributes == {}  # "{}" is fine too


def test_iter_states_sweeps_plain_tuples(history: RecorderHistory) -> None:
    everything = list(history.iter_states())
    assert len(everything) == 7
    assert all(type(row) is tuple and len(row) == 3 for row in everything)
    assert ("light.driveway", None, at(60).timestamp()) in everything
    chosen = list(history.iter_states(["light.driveway", "person.anna"], start=at(0)))
    assert chosen == [
        ("person.anna", "home", at(0).timestamp()),
        ("light.driveway", "on", at(2).timestamp()),
        ("light.driveway", "on", at(30).timestamp()),
        ("light.driveway", None, at(60).timestamp()),
        ("light.driveway", "unavailable", at(90).timestamp()),
    ]
    ordered = list(history.iter_states(ordered=True, end=at(2)))
    assert [row[2] for row in ordered] == sorted(row[2] for row in ordered)
    assert [row[0] for row in ordered] == ["person.anna", "person.anna", "light.driveway", "light.porch"]


def test_iter_states_bulk_rows(tmp_path: Path) -> None:
    path = tmp_path / "bulk.db"
    rows = [(f"sensor.s{i % 7}", str(i), 1.7e9 + i) for i in range(5000)]
    with RecorderWriter(path) as writer:
        writer.BULK_BATCH = 1000
        writer.states_bulk(rows)
    with RecorderHistory.open(path) as history:
        assert list(history.iter_states()) == rows
        assert list(history.iter_states(ordered=True)) == rows
        only = list(history.iter_states(["sensor.s3"]))
        assert only == [row for row in rows if row[0] == "sensor.s3"]
    chain = raw(path, "SELECT state_id, old_state_id FROM states WHERE metadata_id = 1 ORDER BY state_id LIMIT 3")
    assert chain[0][1] is None and chain[1][1] == chain[0][0] and chain[2][1] == chain[1][0]
    # the states indexes dropped for the bulk load are back, exactly as created
    indexes = raw(path, "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    assert {row[0] for row in indexes} == EXPECTED_INDEXES


def test_states_bulk_restores_indexes_when_rows_fail(tmp_path: Path) -> None:
    path = tmp_path / "broken-bulk.db"

    def rows() -> Iterator[tuple[str, str, float]]:
        yield ("sensor.a", "1", 1.7e9)
        raise RuntimeError("source broke")

    with RecorderWriter(path) as writer, pytest.raises(RuntimeError, match="source broke"):
        writer.states_bulk(rows())
    indexes = raw(path, "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    assert {row[0] for row in indexes} == EXPECTED_INDEXES


def test_bulk_and_single_rows_interleave_in_time_order_under_deferred_indexes(tmp_path: Path) -> None:
    path = tmp_path / "mixed.db"
    with RecorderWriter(path) as writer:
        with writer.deferred_indexes():
            # no states index exists while the block runs
            assert not raw_indexes_on_states(writer)
            writer.states_bulk([("sensor.power", "10", at(0).timestamp()), ("sensor.power", "11", at(1).timestamp())])
            writer.state("light.driveway", "on", at(2), attributes={"brightness": 200}, context=new_context(at(2)))
            writer.states_bulk([("sensor.power", "12", at(3).timestamp())])
            with writer.deferred_indexes():  # nested: rebuilt only by the outer block
                writer.state("light.driveway", "off", at(4))
            assert not raw_indexes_on_states(writer)
    indexes = raw(path, "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    assert {row[0] for row in indexes} == EXPECTED_INDEXES
    with RecorderHistory.open(path) as history:
        assert [(e, s) for e, s, _ in history.iter_states()] == [
            ("sensor.power", "10"), ("sensor.power", "11"), ("light.driveway", "on"),
            ("sensor.power", "12"), ("light.driveway", "off"),
        ]
        driveway = list(history.state_changes(["light.driveway"], at(0), at(10)))
        assert [c.attributes for c in driveway] == [{"brightness": 200}, {}]
    chain = raw(path, "SELECT state_id, old_state_id FROM states ORDER BY state_id")
    assert chain == [(1, None), (2, 1), (3, None), (4, 2), (5, 3)]


def raw_indexes_on_states(writer: RecorderWriter) -> list[str]:
    rows = writer._conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='states' AND sql IS NOT NULL")
    return [row[0] for row in rows]


def test_pending_migration_is_reported(home: Home) -> None:
    raw_write(home.path, "INSERT INTO states (state, last_updated_ts, metadata_id) VALUES ('on', 1.0, NULL)")
    with RecorderHistory.open(home.path) as history:
        assert history.pending_migration is True


# ------------------------------------------------------------------------------ query plans


def plans_of(path: Path, statements: list[str]) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every traced SELECT that touches states or events."""
    queries = [
        s for s in statements
        if s.lstrip().upper().startswith("SELECT") and (" states" in s or " events" in s)
    ]
    connection = sqlite3.connect(path)
    try:
        return {
            sql: [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql)]
            for sql in queries
        }
    finally:
        connection.close()


def test_queries_go_through_ha_indexes(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    rng = random.Random(5)
    with RecorderWriter(path) as writer:
        for i in range(3000):
            context = new_context(at(i), rng=rng)
            writer.state(f"sensor.s{i % 30}", str(i % 5), at(i), attributes={"n": i % 3}, context=context)
            if i % 3 == 0:
                writer.event(f"event_{i % 4}", at(i), {"i": i}, context=new_context(at(i), parent=context, rng=rng))
    targeted: list[str] = []
    sweep: list[str] = []
    with RecorderHistory.open(path) as history:
        history._conn.set_trace_callback(targeted.append)
        list(history.state_changes(["sensor.s1", "sensor.s2"], at(10), at(900)))
        history.state_at("sensor.s3", at(500))
        list(history.events(["event_0", "event_1"], at(10), at(900)))
        list(history.by_context([new_context(at(100), rng=rng).id]))
        history.span()
        list(history.iter_states(["sensor.s4", "sensor.s5"], start=at(10)))
        history._conn.set_trace_callback(sweep.append)
        list(history.iter_states(ordered=True))
        history._conn.set_trace_callback(None)

    plans = plans_of(path, targeted)
    assert len(plans) >= 12
    used: set[str] = set()
    for sql, plan in plans.items():
        for step in plan:
            # every access to states/events is an index SEARCH: no SCAN, no full walk
            assert not step.startswith("SCAN"), (sql, plan)
            used.update(word for word in step.replace("(", " ").split() if word.startswith("ix_"))
    assert {
        "ix_states_metadata_id_last_updated_ts", "ix_events_event_type_id_time_fired_ts",
        "ix_states_context_id_bin", "ix_events_context_id_bin",
        "ix_states_last_updated_ts", "ix_events_time_fired_ts",
    } <= used
    # the strictly ordered whole-history sweep walks the time index instead of sorting
    (sweep_plan,) = plans_of(path, sweep).values()
    assert sweep_plan[0] == "SCAN s USING INDEX ix_states_last_updated_ts"
    assert not any("TEMP B-TREE" in step for step in sweep_plan)


# ------------------------------------------------------------------------------ schema versions


@pytest.mark.parametrize("version", [MIN_SCHEMA_VERSION, 43, 48, 50, 51, MAX_SCHEMA_VERSION])
def test_supported_versions_open(tmp_path: Path, version: int) -> None:
    path = tmp_path / "ok.db"
    with RecorderWriter(path, schema_version=version) as writer:
        writer.state("sensor.t", "1", T0)
    with RecorderHistory.open(path) as history:
        assert history.schema_version == version
        assert history.state_at("sensor.t", T0).state == "1"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    RecorderWriter(path, schema_version=99).close()
    with pytest.raises(UnsupportedSchemaError) as caught:
        RecorderHistory.open(path)
    message = str(caught.value)
    assert "future.db" in message and "99" in message
    assert f"up to {MAX_SCHEMA_VERSION}" in message and "upgrade weaklink" in message


def test_older_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    RecorderWriter(path, schema_version=30).close()
    with pytest.raises(UnsupportedSchemaError) as caught:
        RecorderHistory.open(path)
    message = str(caught.value)
    assert "old.db" in message and "30" in message
    assert "current Home Assistant" in message and "migrates" in message


def test_latest_schema_change_row_wins(home: Home) -> None:
    raw_write(home.path, "INSERT INTO schema_changes (schema_version, changed) VALUES (99, '2030-01-01')")
    with pytest.raises(UnsupportedSchemaError, match="99"):
        RecorderHistory.open(home.path)


# ------------------------------------------------------------------------------ bad files


def test_garbage_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(random.Random(0).randbytes(8192))
    with pytest.raises(HistoryError) as caught:
        RecorderHistory.open(path)
    assert "garbage.db" in str(caught.value) and "not a SQLite database" in str(caught.value)
    assert not isinstance(caught.value, UnsupportedSchemaError)


def test_garbage_after_a_valid_header(tmp_path: Path, home: Home) -> None:
    path = tmp_path / "scrambled.db"
    data = bytearray(home.path.read_bytes())
    data[100:] = random.Random(1).randbytes(len(data) - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryError, match="scrambled.db"):
        RecorderHistory.open(path)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="no such file"):
        RecorderHistory.open(tmp_path / "absent.db")
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(HistoryError, match="empty.db.*empty"):
        RecorderHistory.open(tmp_path / "empty.db")
    with pytest.raises(HistoryError, match="folder"):
        RecorderHistory.open(tmp_path)


def test_truncated_file(tmp_path: Path, home: Home) -> None:
    path = tmp_path / "half.db"
    data = home.path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(HistoryError) as caught:
        RecorderHistory.open(path)
    assert "half.db" in str(caught.value) and "truncated" in str(caught.value)


def test_sqlite_file_that_is_not_a_recorder(tmp_path: Path, home: Home) -> None:
    other = tmp_path / "other.db"
    raw_write(other, "CREATE TABLE notes (body TEXT)")
    with pytest.raises(HistoryError, match="other.db.*no schema_changes"):
        RecorderHistory.open(other)
    raw_write(home.path, "DROP TABLE states_meta")
    with pytest.raises(HistoryError, match="no states_meta table"):
        RecorderHistory.open(home.path)


def test_missing_column(home: Home) -> None:
    raw_write(home.path, "ALTER TABLE events DROP COLUMN context_parent_id_bin")
    with pytest.raises(HistoryError, match="events table lacks column.*context_parent_id_bin"):
        RecorderHistory.open(home.path)


def test_corruption_found_mid_iteration(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    with RecorderWriter(path) as writer:
        writer.states_bulk(
            (f"sensor.s{i % 10}", f"MARK{i:06d}" if i == 6000 else str(i % 10), 1.7e9 + i)
            for i in range(12000)
        )
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = data.index(b"MARK006000") // page_size  # a leaf page of the states table
    data[page * page_size : (page + 1) * page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))
    with RecorderHistory.open(path) as history:  # the damage is not on any page open reads
        seen = 0
        with pytest.raises(HistoryError) as caught:
            for _ in history.iter_states():
                seen += 1
        assert 0 < seen < 12000
        assert "damaged.db" in str(caught.value) and "malformed" in str(caught.value)
        with pytest.raises(HistoryError, match="damaged.db"):
            list(history.state_changes(["sensor.s0"], datetime.fromtimestamp(1.7e9, UTC), datetime.fromtimestamp(1.8e9, UTC)))


# ------------------------------------------------------------------------------ read-only


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        entry.name: (entry.read_bytes(), entry.stat().st_mtime_ns) for entry in sorted(folder.iterdir())
    }


def read_everything(path: Path) -> int:
    with RecorderHistory.open(path) as history:
        count = len(list(history.iter_states()))
        list(history.state_changes(history.entity_ids(), at(-9999), at(9999)))
        list(history.events(history.event_types(), at(-9999), at(9999)))
        list(history.by_context([row.context_id for row in history.state_changes(["person.anna"], at(-9999), at(9999)) if row.context_id]))
        history.span()
        with pytest.raises(sqlite3.OperationalError):
            history._conn.execute("DELETE FROM states")
        return count


def test_reading_never_writes_wal_mode_file(home: Home) -> None:
    before = snapshot(home.path.parent)
    assert list(before) == ["home-assistant_v2.db"]
    assert home.path.read_bytes()[18:20] == b"\x02\x02"  # WAL mode, as HA leaves it
    assert read_everything(home.path) == 7
    assert snapshot(home.path.parent) == before


def test_reading_never_writes_rollback_journal_file(home: Home) -> None:
    connection = sqlite3.connect(home.path)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    before = snapshot(home.path.parent)
    assert home.path.read_bytes()[18:20] == b"\x01\x01"
    assert read_everything(home.path) == 7
    assert snapshot(home.path.parent) == before


def test_reading_while_home_assistant_writes(home: Home) -> None:
    writer = sqlite3.connect(home.path)  # HA keeps the database open, with a -wal file
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute(
            "INSERT INTO states (state, last_updated_ts, metadata_id, origin_idx) VALUES ('off', ?, 1, 0)",
            (at(500).timestamp(),),
        )
        writer.commit()
        folder = home.path.parent
        assert (folder / "home-assistant_v2.db-wal").exists()
        names_before = sorted(p.name for p in folder.iterdir())
        main_before = (home.path.read_bytes(), home.path.stat().st_mtime_ns)
        with RecorderHistory.open(home.path) as history:
            assert history.state_at("person.anna", at(600)).state == "off"  # committed, in the WAL
        assert sorted(p.name for p in folder.iterdir()) == names_before
        assert (home.path.read_bytes(), home.path.stat().st_mtime_ns) == main_before
    finally:
        writer.close()


def test_paths_with_uri_characters(tmp_path: Path) -> None:
    folder = tmp_path / "my home #1 ?50% off"
    folder.mkdir()
    path = folder / "home-assistant_v2.db"
    with RecorderWriter(path) as writer:
        writer.state("sensor.t", "7", T0)
    with RecorderHistory.open(path) as history:
        assert history.state_at("sensor.t", T0).state == "7"
        assert history.source == str(path)
    assert sorted(p.name for p in folder.iterdir()) == ["home-assistant_v2.db"]


def test_state_change_models(history: RecorderHistory) -> None:
    row = history.state_at("person.anna", at(0))
    assert isinstance(row, StateChange)
    event = next(history.events(["homeassistant_stop"], at(0), at(999)))
    assert isinstance(event, EventRecord) and event.at == at(121)
    assert isinstance(Context(id=row.context_id), Context)
