"""The desk's case store: migrations, filters, tallies, runs, agents."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from weaklink.desk.store import CaseFilter, CaseStore, StoreError, migrations


def _case(store: CaseStore, title: str = "Lights stay dark", words: str = "") -> int:
    return store.create_case(title=title, customer_words=words, incident_at=None, created_by="ana",
                             bundle_name="home.zip", bundle_sha256="0" * 64, bundle_bytes=10, automation=None)


def _finish(store: CaseStore, case_id: int, *, layer: str | None, cause: str | None, party: str | None,
            brands: list[str], broken: list[str]) -> None:
    number = store.queue_run(case_id, requested_by="ana", incident_at=None, automation=None)
    store.start_run(case_id, number)
    store.finish_run(case_id, number, result="{}", brands=brands, broken_brands=broken,
                     outcome={"verdict": "broken" if layer else "ok", "summary": "s", "scenario": "Driveway",
                              "layer": layer, "cause": cause, "responsible": party, "party": party})


def test_a_new_store_is_at_the_latest_schema(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    assert store.version == len(migrations()) >= 2
    tables = {r[0] for r in sqlite3.connect(tmp_path / "desk.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "runs", "notes", "agents", "sessions", "escalations", "case_brands"} <= tables


def test_an_older_store_is_migrated_and_keeps_its_cases(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    old = CaseStore(path, upto=1)
    assert old.version == 1
    case_id = _case(old, "From before the upgrade")
    old.add_note(case_id, "ana", "called the customer")
    old.close()
    store = CaseStore(path)
    assert store.version == len(migrations())
    assert store.case(case_id)["title"] == "From before the upgrade"
    assert [n["text"] for n in store.notes(case_id)] == ["called the customer"]
    store.add_agent("ana", "f" * 64)  # a table the second migration added
    assert store.agents()[0]["name"] == "ana"


def test_a_store_from_a_newer_weaklink_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    CaseStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    with pytest.raises(StoreError) as caught:
        CaseStore(path)
    assert str(path) in str(caught.value) and "newer weaklink" in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    path.write_bytes(b"this is not sqlite " * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        CaseStore(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_filters_select_by_status_brand_layer_party_and_words(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    hue = _case(store, "Driveway dark", "100% sure the light is on_power")
    _finish(store, hue, layer="radio", cause="radio_link_lost", party="Signify", brands=["Signify", "Shelly"],
            broken=["Signify"])
    shelly = _case(store, "Garage")
    _finish(store, shelly, layer="device", cause="relay_stuck", party="Shelly", brands=["Shelly"], broken=["Shelly"])
    healthy = _case(store, "Fine after all")
    _finish(store, healthy, layer=None, cause=None, party=None, brands=["Signify"], broken=[])
    store.set_status(shelly, "solved")

    def ids(**selection: str) -> list[int]:
        return [row["id"] for row in store.cases(CaseFilter(**selection))[0]]

    assert ids() == [healthy, shelly, hue]  # newest first
    assert ids(status="solved") == [shelly]
    assert ids(brand="Shelly") == [shelly, hue]
    assert ids(layer="radio") == [hue]
    assert ids(party="Shelly") == [shelly]
    assert ids(text="100%") == [hue]
    assert ids(text="%") == [hue]  # a wildcard typed by the agent is matched as itself
    assert ids(text="on_power") == [hue]
    assert ids(text="n__o") == []  # as a LIKE wildcard it would match "n_po"
    assert store.cases(CaseFilter(brand="Signify"))[1] == 2


def test_tallies_count_what_breaks_most_often(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    for layer, cause, party in [("radio", "radio_link_lost", "Signify"), ("radio", "radio_link_lost", "Signify"),
                                ("device", "relay_stuck", "Shelly")]:
        _finish(store, _case(store), layer=layer, cause=cause, party=party, brands=[party, "Home Assistant"],
                broken=[party])
    everything = CaseFilter()
    assert store.tally(everything, "c.layer || '/' || c.cause") == [("radio/radio_link_lost", 2),
                                                                     ("device/relay_stuck", 1)]
    assert store.tally(everything, "c.party") == [("Signify", 2), ("Shelly", 1)]
    assert store.broken_brands(everything) == [("Signify", 2), ("Shelly", 1)]  # not Home Assistant: it did not break
    assert store.tally(CaseFilter(layer="device"), "c.party") == [("Shelly", 1)]


def test_runs_are_numbered_per_case_and_unfinished_ones_are_found(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    first, second = _case(store), _case(store)
    assert store.queue_run(first, requested_by="a", incident_at=None, automation=None) == 1
    assert store.queue_run(first, requested_by="a", incident_at=None, automation=None) == 2
    assert store.queue_run(second, requested_by="a", incident_at=None, automation=None) == 1
    store.start_run(first, 1)
    store.fail_run(first, 2, "bad bundle")
    unfinished = [(r["case_id"], r["number"], r["state"]) for r in store.unfinished_runs()]
    assert unfinished == [(first, 1, "running"), (second, 1, "queued")]
    assert store.run(first, 2)["error"] == "bad bundle"


def test_agents_are_found_by_token_hash_and_named_once(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    store.add_agent("ana", "a" * 64)
    assert store.agent_by_token_hash("a" * 64) == "ana"
    assert store.agent_by_token_hash("b" * 64) is None
    with pytest.raises(Exception, match="already exists"):
        store.add_agent("ana", "c" * 64)


def test_sessions_expire(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    store.create_session("s1", "ana", "csrf1", "2999-01-01T00:00:00+00:00")
    store.create_session("s2", "ana", "csrf2", "2000-01-01T00:00:00+00:00")
    assert store.session("s1") == {"agent": "ana", "csrf_token": "csrf1", "expires_at": "2999-01-01T00:00:00+00:00"}
    assert store.session("s2") is None
    store.delete_session("s1")
    assert store.session("s1") is None


def _escalate(store: CaseStore, case_id: int) -> None:
    store.add_escalation(case_id, run_number=1, party="Signify", share_device_ids=False, file_name="e.zip",
                         sha256="e" * 64, size=10, created_by="ana")


def test_deleting_a_case_removes_its_rows_and_text_and_keeps_a_record(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    store = CaseStore(path)
    kept = _case(store, "Another customer's case")
    case_id = _case(store, "Mrs Whitfield's porch light", words="call me on 0161 496 0000")
    store.add_note(case_id, "ana", "customer lives at 12 Mill Lane")
    _finish(store, case_id, layer="radio", cause="radio_link_lost", party="Signify", brands=["Hue"], broken=["Hue"])
    _escalate(store, case_id)
    assert store.delete_case(case_id, "ana") == "deleted"
    assert store.case(case_id) is None and store.case(kept) is not None
    assert store.runs(case_id) == [] and store.notes(case_id) == [] and store.escalations(case_id) == []
    record = store.deletion(case_id)
    assert record is not None and record["deleted_by"] == "ana" and record["bundle_sha256"] == "0" * 64
    assert [e["sha256"] for e in record["escalations"]] == ["e" * 64] and record["escalations"][0]["party"] == "Signify"
    assert store.deleted_case_ids() == {case_id}
    # the customer's words are gone from the file itself (and its write-ahead log), not only from queries
    on_disk = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith("desk.sqlite3"))
    for text in (b"Whitfield", b"0161 496 0000", b"Mill Lane"):
        assert text not in on_disk, text
    assert b"Another customer's case" in on_disk
    assert store.delete_case(case_id, "ana") == "missing"


def test_a_case_being_traced_is_not_deleted(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    case_id = _case(store)
    number = store.queue_run(case_id, requested_by="ana", incident_at=None, automation=None)
    assert store.delete_case(case_id, "ana") == "busy"
    store.start_run(case_id, number)
    assert store.delete_case(case_id, "ana") == "busy"
    assert store.case(case_id) is not None and store.deletion(case_id) is None


def test_cases_untouched_since_select_by_age_and_status(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "desk.sqlite3")
    old_solved, old_open, new_solved = _case(store, "a"), _case(store, "b"), _case(store, "c")
    for case_id in (old_solved, new_solved):
        store.set_status(case_id, "solved")
    store.set_status(old_open, "open")
    store._db.execute("UPDATE cases SET updated_at = '2026-01-01T00:00:00+00:00' WHERE id IN (?, ?)",
                      (old_solved, old_open))
    before = "2026-06-01T00:00:00+00:00"
    assert [c["id"] for c in store.cases_untouched_since(before, ["solved"])] == [old_solved]
    assert [c["id"] for c in store.cases_untouched_since(before, ["solved", "open"])] == [old_solved, old_open]
    assert store.cases_untouched_since("2025-01-01T00:00:00+00:00", ["solved", "open"]) == []
