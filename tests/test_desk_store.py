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
