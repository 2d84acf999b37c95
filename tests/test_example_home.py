"""The example Home Assistant home (examples/ha-home): reproducible, well-formed, and the
planted incidents are really in its history."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from ruamel.yaml import YAML
from weaklink_homeassistant.recorder import ulid_from_bytes, uuid_hex_from_bytes
from weaklink_homeassistant.testing import CURRENT_SCHEMA_VERSION

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
COMMITTED = EXAMPLES / "ha-home"
TZ = ZoneInfo("America/New_York")
STORAGE_FILES = (
    "core.config", "core.config_entries", "core.device_registry", "core.entity_registry",
    "core.area_registry", "person", "trace.saved_traces",
)
CONFIG_FILES = ("configuration.yaml", "automations.yaml", "scripts.yaml", "secrets.yaml", "home-assistant.log")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_ha_home", EXAMPLES / "generate_ha_home.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def regenerated(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "ha-home"
    generator.generate(out)
    return out


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{COMMITTED / 'home-assistant_v2.db'}?immutable=1", uri=True)
    yield connection
    connection.close()


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=TZ)


def state_at(db: sqlite3.Connection, entity_id: str, when: datetime) -> str | None:
    row = db.execute(
        "SELECT s.state FROM states s JOIN states_meta m USING (metadata_id)"
        " WHERE m.entity_id = ? AND s.last_updated_ts <= ? ORDER BY s.last_updated_ts DESC LIMIT 1",
        (entity_id, when.timestamp()),
    ).fetchone()
    return row[0] if row else None


def rows(db: sqlite3.Connection, entity_id: str, start: datetime, end: datetime) -> list[tuple]:
    """(state, last_updated_ts, context id, parent id, user id) rows of an entity in [start, end]."""
    return [
        (state, ts, ulid_from_bytes(ctx) if ctx else None, ulid_from_bytes(parent) if parent else None,
         uuid_hex_from_bytes(user) if user else None)
        for state, ts, ctx, parent, user in db.execute(
            "SELECT s.state, s.last_updated_ts, s.context_id_bin, s.context_parent_id_bin, s.context_user_id_bin"
            " FROM states s JOIN states_meta m USING (metadata_id)"
            " WHERE m.entity_id = ? AND s.last_updated_ts BETWEEN ? AND ? ORDER BY s.last_updated_ts",
            (entity_id, start.timestamp(), end.timestamp()),
        )
    ]


def events(db: sqlite3.Connection, event_type: str, start: datetime, end: datetime) -> list[tuple]:
    """(data, time_fired_ts, context id, parent id, user id) of events of a type in [start, end]."""
    return [
        (json.loads(data), ts, ulid_from_bytes(ctx) if ctx else None,
         ulid_from_bytes(parent) if parent else None, uuid_hex_from_bytes(user) if user else None)
        for data, ts, ctx, parent, user in db.execute(
            "SELECT d.shared_data, e.time_fired_ts, e.context_id_bin, e.context_parent_id_bin,"
            " e.context_user_id_bin FROM events e JOIN event_types t USING (event_type_id)"
            " LEFT JOIN event_data d USING (data_id)"
            " WHERE t.event_type = ? AND e.time_fired_ts BETWEEN ? AND ? ORDER BY e.time_fired_ts",
            (event_type, start.timestamp(), end.timestamp()),
        )
    ]


def calls(db: sqlite3.Connection, domain: str, service: str, start: datetime, end: datetime) -> list[tuple]:
    return [e for e in events(db, "call_service", start, end)
            if e[0]["domain"] == domain and e[0]["service"] == service]


def store(name: str) -> dict:
    return json.loads((COMMITTED / ".storage" / name).read_text(encoding="utf-8"))


def incidents() -> dict[str, dict]:
    return {row["id"]: row for row in YAML(typ="safe").load(EXAMPLES / "ha-home.incidents.yaml")}


# ---------------------------------------------------------------- reproducible


@pytest.mark.parametrize("name", STORAGE_FILES)
def test_regenerating_gives_identical_storage_files(regenerated: Path, name: str) -> None:
    assert (regenerated / ".storage" / name).read_bytes() == (COMMITTED / ".storage" / name).read_bytes()


@pytest.mark.parametrize("name", CONFIG_FILES)
def test_regenerating_gives_identical_config_files(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (COMMITTED / name).read_bytes()


def test_regenerating_gives_identical_incidents(regenerated: Path) -> None:
    produced = regenerated.parent / "ha-home.incidents.yaml"
    assert produced.read_bytes() == (EXAMPLES / "ha-home.incidents.yaml").read_bytes()


def test_regenerating_gives_identical_database_rows(regenerated: Path, db: sqlite3.Connection) -> None:
    fresh = sqlite3.connect(f"file:{regenerated / 'home-assistant_v2.db'}?immutable=1", uri=True)
    try:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        assert tables == [n for (n,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            query = f"SELECT * FROM {table} ORDER BY 1"  # noqa: S608 (names come from sqlite_master)
            assert db.execute(query).fetchall() == fresh.execute(query).fetchall(), table
    finally:
        fresh.close()


def test_the_folder_holds_only_what_home_assistant_writes() -> None:
    names = {p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*") if p.is_file()}
    assert names == {*CONFIG_FILES, "home-assistant_v2.db", *(f".storage/{n}" for n in STORAGE_FILES)}


def test_database_is_small() -> None:
    assert (COMMITTED / "home-assistant_v2.db").stat().st_size < 4_000_000


# ---------------------------------------------------------------- well-formed


@pytest.mark.parametrize("name", STORAGE_FILES)
def test_storage_files_are_home_assistant_store_envelopes(name: str) -> None:
    document = store(name)
    assert list(document) == ["version", "minor_version", "key", "data"]
    assert document["key"] == name
    assert isinstance(document["version"], int) and isinstance(document["minor_version"], int)
    assert isinstance(document["data"], dict)


def test_database_records_the_writers_schema_version(db: sqlite3.Connection) -> None:
    assert [v for (v,) in db.execute("SELECT schema_version FROM schema_changes")] == [CURRENT_SCHEMA_VERSION]


def test_history_spans_the_eleven_days(db: sqlite3.Connection) -> None:
    first, last = db.execute("SELECT MIN(last_updated_ts), MAX(last_updated_ts) FROM states").fetchone()
    assert local(10, 0) <= datetime.fromtimestamp(first, TZ) < local(10, 0, 1)
    assert local(20, 23) <= datetime.fromtimestamp(last, TZ) <= local(20, 23, 59, 59)


def test_registries_link_up() -> None:
    entries = {e["entry_id"]: e for e in store("core.config_entries")["data"]["entries"]}
    devices = {d["id"]: d for d in store("core.device_registry")["data"]["devices"]}
    for device in devices.values():
        assert set(device["config_entries"]) <= set(entries)
        assert device["via_device_id"] is None or device["via_device_id"] in devices
        assert len(device["id"]) == 32
    for entity in store("core.entity_registry")["data"]["entities"]:
        assert entity["device_id"] is None or entity["device_id"] in devices
        assert entity["config_entry_id"] is None or entity["config_entry_id"] in entries
    assert all(len(entry_id) == 26 for entry_id in entries)


def test_every_hue_light_hangs_off_the_bridge_over_zigbee() -> None:
    devices = {d["id"]: d for d in store("core.device_registry")["data"]["devices"]}
    [bridge] = [d for d in devices.values() if d["model_id"] == "BSB002"]
    assert bridge["connections"][0][0] == "mac"
    entities = store("core.entity_registry")["data"]["entities"]
    for entity in entities:
        if entity["platform"] == "hue":
            device = devices[entity["device_id"]]
            assert device["via_device_id"] == bridge["id"]
            assert device["connections"][0][0] == "zigbee"


def test_registry_knows_the_rename_and_the_replaced_bulb() -> None:
    registry = store("core.entity_registry")["data"]
    ids = {e["entity_id"] for e in registry["entities"]}
    assert "light.living_room" in ids and "light.living_room_lamp" not in ids
    assert [e["entity_id"] for e in registry["deleted_entities"]] == ["light.porch_old"]


def test_ecobee_ends_disabled_by_the_user() -> None:
    [ecobee] = [e for e in store("core.config_entries")["data"]["entries"] if e["domain"] == "ecobee"]
    assert ecobee["disabled_by"] == "user"
    climate = [e for e in store("core.entity_registry")["data"]["entities"] if e["entity_id"] == "climate.hallway"]
    assert climate[0]["disabled_by"] == "config_entry"


def test_secrets_are_canaries() -> None:
    assert 'alarm_code: "CANARY-ALARM-4711"' in (COMMITTED / "secrets.yaml").read_text()
    entries = (COMMITTED / ".storage" / "core.config_entries").read_text()
    assert "CANARY-TOKEN-HUE-abc123" in entries
    assert "!secret alarm_code" in (COMMITTED / "scripts.yaml").read_text()


def test_automations_mix_old_and_new_syntax() -> None:
    automations = YAML(typ="safe").load(COMMITTED / "automations.yaml")
    assert len(automations) == 7 and all("id" in a for a in automations)
    assert any("trigger" in a and "action" in a for a in automations)
    assert any("triggers" in a and "actions" in a for a in automations)
    [arrive] = [a for a in automations if a["id"] == "1700000000001"]
    assert arrive["alias"] == "Arrive home: open garage"


def test_saved_traces_hold_the_last_five_runs() -> None:
    data = store("trace.saved_traces")["data"]
    assert set(data) == {"automation.garage_opened_evening", "automation.1701234567890"}
    for runs in data.values():
        assert len(runs) == 5
        for run in runs:
            assert run["short_dict"]["run_id"] == run["extended_dict"]["run_id"]
            assert set(run["extended_dict"]) >= {"trace", "config", "context", "timestamp", "script_execution"}
    executions = {r["short_dict"]["script_execution"] for r in data["automation.garage_opened_evening"]}
    assert executions == {"finished", "failed_conditions"}  # mornings fail the sun condition
    failed = next(r for r in data["automation.garage_opened_evening"]
                  if r["short_dict"]["script_execution"] == "failed_conditions")
    assert failed["extended_dict"]["trace"]["condition/0"][0]["result"] == {"result": False}
    goodnight = data["automation.1701234567890"][-1]["extended_dict"]["trace"]["action/0"][0]["result"]["params"]
    assert goodnight["service_data"]["entity_id"] == ["light.living_room_lamp", "light.hallway"]


# ---------------------------------------------------------------- the incidents table


def test_incidents_table_matches_the_brief() -> None:
    table = incidents()
    expected = {
        "2026-11-11-driveway-radio": ("light.driveway", "radio", "radio_link_lost"),
        "2026-11-13-driveway-daylight": ("automation.garage_opened_evening", "logic", "condition_false"),
        "2026-11-14-driveway-disabled": ("automation.garage_opened_evening", "logic", "automation_disabled"),
        "2026-11-15-driveway-simplisafe": ("simplisafe", "integration", "integration_unavailable"),
        "2026-11-16-driveway-garage-stuck": ("cover.garage_door", "device", "did_not_act"),
        "2026-11-17-driveway-slow-garage": ("cover.garage_door", "timing", "too_late"),
        "2026-11-18-driveway-no-arrival": ("person.alice", "trigger", "trigger_not_observed"),
        "2026-11-16-water-leak-offline": ("switch.water_main_shutoff", "network", "device_offline"),
        "2026-11-19-smoke-ecobee-disabled": ("ecobee", "integration", "integration_disabled"),
        "2026-11-16-goodnight": ("automation.goodnight", "logic", "target_entity_renamed"),
    }
    for incident_id, (element, layer, cause) in expected.items():
        row = table[incident_id]
        assert (row["verdict"], row["element"], row["layer"], row["cause"]) == ("broken", element, layer, cause)
    devices = {d["id"]: d for d in store("core.device_registry")["data"]["devices"]}
    hub = table["2026-11-12-driveway-hub"]
    assert (hub["layer"], hub["cause"]) == ("hub", "hub_offline")
    assert devices[hub["element"]]["model_id"] == "BSB002"
    for row in table.values():
        assert row["chain"] in {"driveway_arrival", "goodnight", "water_leak", "doorbell", "smoke"}
        assert (row["verdict"] == "ok") == (row["element"] is None and row["layer"] is None and row["cause"] is None)
        assert datetime.fromisoformat(row["at"]).tzinfo is not None
    ok = {i for i, r in table.items() if r["verdict"] == "ok"}
    assert {"2026-11-10-driveway", "2026-11-19-driveway", "2026-11-20-driveway", "2026-11-12-water-leak",
            "2026-11-11-doorbell", "2026-11-19-doorbell", "2026-11-13-smoke", "2026-11-12-goodnight"} <= ok


# ---------------------------------------------------------------- planted facts


def test_healthy_arrival_runs_the_whole_chain_with_linked_contexts(db: sqlite3.Connection) -> None:
    window = (local(10, 18), local(10, 18, 15))
    [arrived] = [r for r in rows(db, "person.alice", *window) if r[0] == "home"]
    [arrive_run] = [e for e in events(db, "automation_triggered", *window)
                    if e[0]["entity_id"] == "automation.arrive_home"]
    assert arrive_run[3] == arrived[2], "the run's context is a child of the trigger's"
    [open_call] = calls(db, "cover", "open_cover", *window)
    assert open_call[2] == arrive_run[2]
    [opened] = [r for r in rows(db, "cover.garage_door", *window) if r[0] == "open"]
    assert 20 < opened[1] - open_call[1] < 60
    [garage_run] = [e for e in events(db, "automation_triggered", *window)
                    if e[0]["entity_id"] == "automation.garage_opened_evening"]
    assert garage_run[3] == opened[2]
    [light_on] = [r for r in rows(db, "light.driveway", *window) if r[0] == "on"]
    assert light_on[2] == garage_run[2] and light_on[1] - opened[1] < 2.5
    [disarmed] = [r for r in rows(db, "alarm_control_panel.home_alarm", *window) if r[0] == "disarmed"]
    assert disarmed[2] == garage_run[2] and disarmed[1] - opened[1] < 5
    [disarm_call] = calls(db, "alarm_control_panel", "alarm_disarm", *window)
    assert disarm_call[0]["service_data"]["code"] == "CANARY-ALARM-4711"
    assert [e[0]["entity_id"] for e in events(db, "script_started", *window)] == ["script.welcome_home"]


def test_radio_incident_only_the_driveway_light_is_gone(db: sqlite3.Connection) -> None:
    at = local(11, 18, 40, 30)
    assert state_at(db, "light.driveway", at) == "unavailable"
    assert state_at(db, "light.porch", at) in ("on", "off")
    for other in ("light.hallway", "light.kitchen", "light.living_room", "binary_sensor.hallway_motion"):
        assert state_at(db, other, at) != "unavailable"
    assert [c[0]["service_data"]["entity_id"] for c in calls(db, "light", "turn_on", local(11, 18, 40), local(11, 18, 45))] \
        == [["light.driveway"]]
    assert rows(db, "light.driveway", local(11, 18, 40), local(11, 23)) == []
    assert state_at(db, "light.driveway", local(12, 9, 1)) == "off"


def test_hub_incident_every_hue_entity_is_gone(db: sqlite3.Connection, generator: ModuleType) -> None:
    for entity_id in generator.HUE_ENTITIES:
        assert state_at(db, entity_id, local(12, 19, 10)) == "unavailable", entity_id
        assert state_at(db, entity_id, local(12, 17)) != "unavailable", entity_id
        assert state_at(db, entity_id, local(12, 21, 1)) != "unavailable", entity_id


def test_daylight_arrival_fails_the_condition_without_an_automation_triggered(db: sqlite3.Connection) -> None:
    window = (local(13, 15, 39), local(13, 15, 50))
    assert state_at(db, "sun.sun", local(13, 15, 41)) == "above_horizon"
    assert "open" in [r[0] for r in rows(db, "cover.garage_door", *window)]
    runs = [e[0]["entity_id"] for e in events(db, "automation_triggered", *window)]
    assert runs == ["automation.arrive_home"]
    assert calls(db, "light", "turn_on", local(13, 15, 39), local(13, 15, 45)) == []


def test_disabled_automation_is_off_by_a_users_hand(db: sqlite3.Connection) -> None:
    assert state_at(db, "automation.garage_opened_evening", local(14, 18, 20)) == "off"
    [turned_off] = [r for r in rows(db, "automation.garage_opened_evening", local(14, 7), local(14, 9)) if r[0] == "off"]
    assert turned_off[4] is not None
    assert state_at(db, "automation.garage_opened_evening", local(15, 10, 5)) == "on"
    assert [e[0]["entity_id"] for e in events(db, "automation_triggered", local(14, 18, 20), local(14, 18, 40))] \
        == ["automation.arrive_home"]


def test_simplisafe_incident_in_history_and_log(db: sqlite3.Connection) -> None:
    for entity_id in ("alarm_control_panel.home_alarm", "binary_sensor.entry_sensor_garage"):
        assert state_at(db, entity_id, local(15, 18, 31)) == "unavailable"
        assert state_at(db, entity_id, local(15, 22, 5)) != "unavailable"
    assert state_at(db, "light.driveway", local(15, 18, 32)) == "on"
    assert [e[0]["entity_id"] for e in events(db, "script_started", local(15, 18, 30), local(15, 18, 35))] \
        == ["script.welcome_home"]
    log = (COMMITTED / "home-assistant.log").read_text()
    assert ("2026-11-15 16:00:04.151 WARNING (MainThread) [homeassistant.config_entries] Config entry "
            "'SimpliSafe' for simplisafe integration not ready yet: ") in log
    assert "; Retrying in background" in log
    [disarm_line] = [line for line in log.splitlines() if "alarm_control_panel.home_alarm" in line]
    assert disarm_line.startswith("2026-11-15 18:31:")


def test_garage_that_did_not_act_stays_closed_and_available(db: sqlite3.Connection) -> None:
    [command] = calls(db, "cover", "open_cover", local(16, 18, 15), local(16, 18, 16))
    assert rows(db, "cover.garage_door", local(16, 18, 15), local(16, 18, 45)) == []
    assert state_at(db, "cover.garage_door", local(16, 18, 30)) == "closed"
    assert command[0]["service_data"] == {"entity_id": ["cover.garage_door"]}


def test_slow_garage_opens_four_minutes_later_then_the_chain_runs(db: sqlite3.Connection) -> None:
    [command] = calls(db, "cover", "open_cover", local(17, 18, 50), local(17, 18, 51))
    [opened] = [r for r in rows(db, "cover.garage_door", local(17, 18, 50), local(17, 19)) if r[0] == "open"]
    assert 245 <= opened[1] - command[1] <= 255
    assert state_at(db, "light.driveway", local(17, 18, 56)) == "on"
    assert state_at(db, "alarm_control_panel.home_alarm", local(17, 18, 56)) == "disarmed"


def test_arrival_never_observed(db: sqlite3.Connection) -> None:
    assert rows(db, "person.alice", local(18, 15, 13), local(18, 23, 59)) == []
    assert state_at(db, "person.alice", local(18, 19, 30)) == "not_home"
    last = rows(db, "device_tracker.alice_pixel", local(18, 12), local(18, 23, 59))[-1]
    assert datetime.fromtimestamp(last[1], TZ) < local(18, 15, 13)
    assert events(db, "automation_triggered", local(18, 18, 30), local(18, 20)) == []


def test_water_leak_runs(db: sqlite3.Connection) -> None:
    [leak] = [r for r in rows(db, "binary_sensor.kitchen_leak", local(12, 9, 59), local(12, 10, 1)) if r[0] == "on"]
    [closed] = [r for r in rows(db, "switch.water_main_shutoff", local(12, 9, 59), local(12, 10, 1)) if r[0] == "on"]
    assert closed[1] - leak[1] < 2 and closed[3] == leak[2]
    assert len(calls(db, "notify", "mobile_app_alice_pixel", local(12, 10), local(12, 10, 1))) == 1
    assert state_at(db, "switch.water_main_shutoff", local(16, 10, 1)) == "unavailable"
    assert state_at(db, "switch.water_main_shutoff", local(16, 2, 59)) == "off"
    assert state_at(db, "switch.garage_fridge_plug", local(16, 10, 1)) == "on"
    assert len(calls(db, "switch", "turn_on", local(16, 10), local(16, 10, 1))) == 1


def test_doorbell_runs(db: sqlite3.Connection) -> None:
    for day, hour, minute in ((11, 16, 20), (19, 14, 0)):
        window = (local(day, hour, minute), local(day, hour, minute + 1))
        assert len(calls(db, "camera", "snapshot", *window)) == 1
        assert len(calls(db, "notify", "mobile_app_alice_pixel", *window)) == 1


def test_smoke_runs_before_and_after_ecobee_was_disabled(db: sqlite3.Connection) -> None:
    assert state_at(db, "climate.hallway", local(13, 12, 0, 10)) == "off"
    assert state_at(db, "light.living_room", local(13, 12, 0, 10)) == "on"
    assert state_at(db, "climate.hallway", local(18, 11, 59)) == "heat"
    for entity_id in ("climate.hallway", "sensor.hallway_temperature", "sensor.hallway_humidity"):
        assert state_at(db, entity_id, local(18, 12, 1)) == "unavailable"
        assert rows(db, entity_id, local(18, 12, 1), local(20, 23, 59)) == []
    for light in ("light.hallway", "light.living_room", "light.kitchen"):
        assert state_at(db, light, local(19, 11, 0, 10)) == "on"
    [off_call] = calls(db, "climate", "turn_off", local(19, 11), local(19, 11, 1))
    assert off_call[0]["service_data"]["entity_id"] == ["climate.hallway"]


def test_goodnight_before_and_after_the_rename(db: sqlite3.Connection) -> None:
    assert state_at(db, "light.living_room", local(12, 22, 40)) == "off"
    assert state_at(db, "light.living_room", local(14, 22, 45)) == "off"
    for day in range(15, 21):
        assert state_at(db, "light.living_room", local(day, 22, 45)) == "on", day
        assert state_at(db, "light.hallway", local(day, 22, 45)) == "off", day
        assert state_at(db, "alarm_control_panel.home_alarm", local(day, 22, 45)) == "armed_night", day
    log = (COMMITTED / "home-assistant.log").read_text().splitlines()
    renamed = [line[:16] for line in log if "Referenced entities light.living_room_lamp are missing" in line]
    assert renamed == [f"2026-11-{d} 22:{m}" for d, m in
                       ((15, 29), (16, 30), (17, 33), (18, 27), (19, 32), (20, 30))]


def test_rename_moved_the_history(db: sqlite3.Connection) -> None:
    assert state_at(db, "light.living_room", local(10, 18, 30)) == "on"
    old = rows(db, "light.living_room_lamp", local(10, 0), local(20, 23, 59))
    assert [r[0] for r in old] == [""]
    assert datetime.fromtimestamp(old[0][1], TZ).replace(microsecond=0) == local(15, 15)
    [update] = events(db, "entity_registry_updated", local(15, 14, 59), local(15, 15, 1))
    assert update[0]["old_entity_id"] == "light.living_room_lamp"


def test_noise_is_there(db: sqlite3.Connection) -> None:
    assert {r[0] for r in rows(db, "binary_sensor.basement_motion", local(10, 0), local(20, 23, 59))} == {"unavailable"}
    assert state_at(db, "switch.garage_fridge_plug", local(11, 18)) == "unavailable"
    assert state_at(db, "switch.garage_fridge_plug", local(11, 23, 5)) == "on"
    assert state_at(db, "light.kitchen", local(16, 18)) == "unavailable"
    assert state_at(db, "light.kitchen", local(16, 20, 5)) == "off"


def test_automation_rows_do_not_store_unrecorded_attributes(db: sqlite3.Connection) -> None:
    attrs = {a for (a,) in db.execute(
        "SELECT DISTINCT a.shared_attrs FROM states s JOIN states_meta m USING (metadata_id)"
        " JOIN state_attributes a USING (attributes_id) WHERE m.entity_id LIKE 'automation.%'")}
    assert all("last_triggered" not in a for a in attrs)
