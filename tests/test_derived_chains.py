"""Chains derived from automations (`weaklink trace --automation`, `weaklink scenarios`).

A derived chain starts at the automation's trigger, then expects what its actions (and the
scripts they run) should make true, then what the automations it sets off should do: those
found in the configuration (a trigger watching a state the chain sets) and those recorded
history shows running after it (a run whose context parent is its run, or one that follows it
in most of its runs, past Home Assistant's 5 s context window).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_support import DB_NAME, HOME, Event, add_events, automation_runs, copy_home, flat, weaklink, weaklink_json
from ruamel.yaml import YAML
from test_incidents import INCIDENTS

from weaklink_homeassistant.testing.recorder_writer import new_context

from weaklink.home import open_home
from weaklink.scenario.derive import CONTEXT_LINK_WINDOW, FOLLOWER_WINDOW
from weaklink.tracer.followers import followers_from_history

_YAML = YAML(typ="safe")
_YAML.constructor.add_constructor("!secret", lambda _, node: f"!secret {node.value}")
AUTOMATIONS = _YAML.load((HOME / "automations.yaml").read_text())
SCRIPTS = _YAML.load((HOME / "scripts.yaml").read_text())
# The lamp's rename, as the recorder's entity_registry_updated event dates it (README: 11-15 15:00).
RENAMED_AT = datetime.fromisoformat("2026-11-15T15:00:00-05:00")
# A healthy evening arrival: the garage opened at 18:06 and the garage automation ran.
_RUN = datetime.fromisoformat("2026-11-10T18:05:00-05:00")

# Each scenario file's chain is what one automation (and what it sets off) carries.
_DERIVED_FROM = {
    "driveway_arrival": "automation.arrive_home",
    "goodnight": "automation.goodnight",
    "smoke": "automation.smoke_emergency",
    "water_leak": "automation.water_leak_shutoff",
    "doorbell": "automation.doorbell_snapshot",
}


def _at(incident: dict[str, Any]) -> str:
    return datetime.fromisoformat(str(incident["at"])).strftime("%Y-%m-%d %H:%M")


def _named(report: dict[str, Any]) -> tuple[str, str, str] | None:
    link = report["broken_link"]
    return (link["element"], link["layer"], link["cause"]) if link else None


def _expected(incident: dict[str, Any]) -> tuple[str, str, str] | None:
    return (incident["element"], incident["layer"], incident["cause"]) if incident["verdict"] == "broken" else None


@pytest.fixture(scope="module")
def chains() -> dict[str, dict[str, Any]]:
    """The home's derived chains (`weaklink scenarios --format json`), by automation alias."""
    code, listed = weaklink_json("scenarios", "--home", HOME)
    assert code == 0
    return {chain["name"]: chain for chain in listed}


# ------------------------------------------------------------------ what the chains say


@pytest.mark.parametrize("incident", [i for i in INCIDENTS if i["chain"] in _DERIVED_FROM], ids=lambda i: i["id"])
def test_the_derived_chain_names_each_planted_incident(incident: dict[str, Any]) -> None:
    automation = _DERIVED_FROM[incident["chain"]]
    code, report = weaklink_json("trace", "--home", HOME, "--automation", automation, "--at", _at(incident))
    assert report["scenario_source"] == f"derived from {automation}"
    assert (report["verdict"], _named(report)) == (incident["verdict"], _expected(incident))
    assert code == (0 if incident["verdict"] == "ok" else 1)
    if report["broken_link"]:
        statuses = [step["status"] for step in report["steps"]]
        failed = report["broken_link"]["step"]
        assert statuses == ["passed"] * (failed - 1) + ["failed"] + ["not_reached"] * (len(statuses) - failed)


# Garage opened → driveway light, disarm, notify: the driveway incidents seen from the garage.
_FROM_THE_GARAGE = {
    # The garage door never opened (stuck; Alice never seen arriving): the chain never started.
    "2026-11-16-driveway-garage-stuck": ("broken", ("cover.garage_door", "trigger", "trigger_not_observed")),
    "2026-11-18-driveway-no-arrival": ("broken", ("cover.garage_door", "trigger", "trigger_not_observed")),
    # It opened 4 min late, but from the moment it was open everything ran in time.
    "2026-11-17-driveway-slow-garage": ("ok", None),
}


@pytest.mark.parametrize("incident", [i for i in INCIDENTS if i["chain"] == "driveway_arrival"], ids=lambda i: i["id"])
def test_the_garage_chain_starts_when_the_garage_is_open(incident: dict[str, Any]) -> None:
    code, report = weaklink_json("trace", "--home", HOME, "--automation", "automation.garage_opened_evening",
                                 "--at", _at(incident))
    verdict, named = _FROM_THE_GARAGE.get(incident["id"], (incident["verdict"], _expected(incident)))
    assert (report["verdict"], _named(report)) == (verdict, named)
    assert report["steps"][0]["subject"] == "cover.garage_door"
    if named and named[1] == "trigger":
        assert [s["status"] for s in report["steps"]] == ["failed"] + ["not_reached"] * (len(report["steps"]) - 1)


def test_the_porch_light_fails_on_its_deleted_bulb_every_sunset() -> None:
    code, runs = weaklink_json("runs", "--home", HOME, "--automation", "automation.porch_light_at_sunset")
    assert code == 1
    # Home Assistant logs the missing target each time the automation runs: once a sunset.
    logged = [line for line in (HOME / "home-assistant.log").read_text().splitlines()
              if "Referenced entities light.porch_old are missing" in line]
    assert len(runs) == len(logged) == 11
    for run in runs:
        first, second = run["steps"]
        assert (first["subject"], first["expected"], first["status"]) == ("sun.sun", "below_horizon", "passed")
        assert (second["subject"], second["status"], second["carried_by"]) == (
            "light.porch_old", "failed", ["automation.porch_light_at_sunset"])
        assert _named(run) == ("automation.porch_light_at_sunset", "logic", "target_entity_deleted")
        assert "light.porch_old is among the deleted entities" in [e["detail"] for e in run["broken_link"]["evidence"]]
    text = weaklink("trace", "--home", HOME, "--automation", "automation.porch_light_at_sunset", "--at", "2026-11-12 17:00")
    assert text.exit_code == 1
    assert ("automation.porch_light_at_sunset targets light.porch_old, which was deleted" in flat(text.stdout))


def test_goodnight_breaks_from_the_moment_the_lamp_was_renamed() -> None:
    code, runs = weaklink_json("runs", "--home", HOME, "--automation", "automation.goodnight")
    assert code == 1
    before = [r for r in runs if datetime.fromisoformat(r["incident"]["triggered_at"]) < RENAMED_AT]
    after = [r for r in runs if datetime.fromisoformat(r["incident"]["triggered_at"]) > RENAMED_AT]
    assert len(before) + len(after) == len(runs) == sum(1 for i in INCIDENTS if i["chain"] == "goodnight")
    for run in before:
        # Then the lamp was light.living_room_lamp; HA moved its history to the new id since.
        assert run["verdict"] == "ok"
        lamp = run["steps"][1]
        assert (lamp["subject"], lamp["status"]) == ("light.living_room_lamp", "passed")
        assert "light.living_room " in lamp["detail"] + " "
    for run in after:
        assert _named(run) == ("automation.goodnight", "logic", "target_entity_renamed")
        triggered = datetime.fromisoformat(run["incident"]["triggered_at"])
        (log,) = [e for e in run["broken_link"]["evidence"] if e["kind"] == "log"]
        # The log line HA wrote for this run, not one from another day.
        assert "light.living_room_lamp" in log["detail"]
        assert timedelta(0) <= datetime.fromisoformat(log["at"]) - triggered < timedelta(minutes=1)
        assert "light.living_room_lamp (now light.living_room?)" in run["broken_link"]["fix"]


# ------------------------------------------------------------------ where the steps come from


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _config(entity_id: str, aliases: dict[str, str]) -> dict[str, Any]:
    """The automation's or script's configuration as written, by entity id."""
    if entity_id.startswith("script."):
        return {"actions": SCRIPTS[entity_id.removeprefix("script.")]["sequence"]}
    (alias,) = [a for a, e in aliases.items() if e == entity_id]
    return next(a for a in AUTOMATIONS if a["alias"] == alias)


def _acts_on(config: dict[str, Any]) -> set[str]:
    """Entities and services the actions name, following the scripts they run."""
    found: set[str] = set()
    for action in config.get("actions") or config.get("action") or []:
        service = action.get("action") or action.get("service")
        if service and service.startswith("script."):
            found |= _acts_on({"actions": SCRIPTS[service.removeprefix("script.")]["sequence"]})
            continue
        found.add(service)
        found |= set(_listed((action.get("target") or {}).get("entity_id"))) | set(_listed(action.get("entity_id")))
    return found


def _first_trigger(config: dict[str, Any]) -> dict[str, Any]:
    trigger = (config.get("triggers") or config.get("trigger"))
    trigger = trigger[0] if isinstance(trigger, list) else trigger
    kind = trigger.get("trigger") or trigger.get("platform")
    if kind == "sun":
        return {"entity": "sun.sun", "state": ["below_horizon" if trigger["event"] == "sunset" else "above_horizon"]}
    assert kind == "state"
    return {"entity": _listed(trigger["entity_id"])[0], "state": [trigger["to"]]}


def test_every_step_comes_from_the_trigger_or_an_action(chains: dict[str, dict[str, Any]]) -> None:
    code, graph = weaklink_json("graph", "--home", HOME)
    aliases = {a["alias"]: a["entity_id"] for a in graph["automations"]}
    assert set(chains) == {a["alias"] for a in AUTOMATIONS}
    for name, chain in chains.items():
        own = _config(aliases[name], aliases)
        first, *rest = chain["steps"]
        assert {k: first[k] for k in ("entity", "state")} == _first_trigger(own), name
        set_so_far = {first["entity"]}
        for step in rest:
            carrier = step["automation"]
            subject = step.get("entity") or step["service"]
            assert subject in _acts_on(_config(carrier, aliases)), (name, step)
            if carrier != aliases[name]:
                # A follower: its trigger watches something an earlier step of this chain set.
                assert _first_trigger(_config(carrier, aliases))["entity"] in set_so_far, (name, step)
            set_so_far.add(subject)


def test_a_chain_follows_the_automations_it_sets_off(chains: dict[str, dict[str, Any]]) -> None:
    # Arrive home opens the garage; the garage opening sets off garage_opened_evening, whose
    # script disarms the alarm and notifies Alice. The sun condition is not a step: the tracer
    # checks it when the driveway light does not come on (see the daylight incident).
    steps = [(s.get("entity") or s.get("service"), s.get("state"), s.get("automation")) for s in chains["Arrive home: open garage"]["steps"]]
    assert steps == [
        ("person.alice", ["home"], None),
        ("cover.garage_door", ["open"], "automation.arrive_home"),
        ("light.driveway", ["on"], "automation.garage_opened_evening"),
        ("alarm_control_panel.home_alarm", ["disarmed"], "automation.garage_opened_evening"),
        ("notify.mobile_app_alice_pixel", [], "automation.garage_opened_evening"),
    ]
    goodnight = [(s.get("entity"), s.get("state")) for s in chains["Goodnight"]["steps"]]
    assert goodnight == [("lock.front_door", ["locked"]), ("light.living_room_lamp", ["off"]), ("light.hallway", ["off"]),
                         ("alarm_control_panel.home_alarm", ["armed_night"])]


def test_history_links_arrive_home_to_the_garage_automation_by_time_not_context() -> None:
    # The cloud garage door reports "open" 20-40 s after the command, with a new context (HA
    # keeps a call's context on an entity for 5 s only): the driveway automation's runs are not
    # children of arrive_home's runs. They follow them, in most runs, within FOLLOWER_WINDOW.
    leader = automation_runs(HOME, "automation.arrive_home")
    follower = automation_runs(HOME, "automation.garage_opened_evening")
    with open_home(HOME) as home:
        assert followers_from_history(home.recording) == {"automation.arrive_home": ["automation.garage_opened_evening"]}
        span = home.recording.span()
        assert span is not None
        parents = {e.context_parent_id for e in home.recording.events(["automation_triggered"], *span)
                   if e.data.get("entity_id") == "automation.garage_opened_evening"}
    assert not parents & {context for _, context in leader}
    gaps = [min(at - led for led, _ in leader if led < at) for at, _ in follower]
    assert all(gap > CONTEXT_LINK_WINDOW for gap in gaps)
    # All but the run after the slow garage (it opened 4 min late): enough for a pattern.
    in_time = [gap for gap in gaps if gap <= FOLLOWER_WINDOW]
    assert len(in_time) == len(gaps) - 1 and len(in_time) * 2 >= len(leader)


# ------------------------------------------------------------------ followers only history knows

_FOLLOWERS = """- id: driveway_chime
  alias: Driveway chime
  triggers:
  - trigger: event
    event_type: driveway_chime
  actions:
  - action: notify.mobile_app_bob_iphone
    data:
      message: Alice is home
- id: hallway_after_arrival
  alias: Hallway after arrival
  triggers:
  - trigger: state
    entity_id: binary_sensor.hallway_motion
    to: 'on'
  actions:
  - action: notify.living_room_tv
    data:
      message: Welcome home
- id: kitchen_radio
  alias: Kitchen radio
  triggers:
  - trigger: event
    event_type: radio_on
  actions:
  - action: notify.kitchen_speaker
    data:
      message: Radio on
- id: porch_camera
  alias: Porch camera
  triggers:
  - trigger: event
    event_type: porch_motion
  actions:
  - action: notify.porch_display
    data:
      message: Someone at the porch
"""


@pytest.fixture(scope="module")
def follower_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example home plus automations that nothing in the configuration links to the
    driveway automation, and the runs history records for them."""
    home = copy_home(tmp_path_factory.mktemp("followers") / "home")
    with (home / "automations.yaml").open("a") as automations:
        automations.write(_FOLLOWERS)
    events = []
    runs = automation_runs(home, "automation.garage_opened_evening")
    assert len(runs) >= 2
    for number, (at, context) in enumerate(runs):
        chime, hallway = new_context(at + timedelta(seconds=1)).id, new_context(at + timedelta(seconds=30)).id
        events += [
            # Set off by the driveway automation's run: its context's parent is that run's context.
            Event("automation_triggered", at + timedelta(seconds=1), {"entity_id": "automation.driveway_chime"},
                  context_id=chime, parent_id=context),
            Event("call_service", at + timedelta(seconds=4),
                  {"domain": "notify", "service": "mobile_app_bob_iphone", "service_data": {"message": "Alice is home"}},
                  context_id=chime),
            # Alice walks in 30 s later, every time: linked by time, past the context window.
            Event("automation_triggered", at + timedelta(seconds=30), {"entity_id": "automation.hallway_after_arrival"},
                  context_id=hallway),
            Event("call_service", at + timedelta(seconds=30.5),
                  {"domain": "notify", "service": "living_room_tv", "service_data": {"message": "Welcome home"}},
                  context_id=hallway),
            # 2 s after, with no context link: HA would have linked a run it caused, so it is not one.
            Event("automation_triggered", at + timedelta(seconds=2), {"entity_id": "automation.kitchen_radio"}),
        ]
    # Once, 40 s after one run: a coincidence, not a follower.
    events.append(Event("automation_triggered", runs[0][0] + timedelta(seconds=40), {"entity_id": "automation.porch_camera"}))
    add_events(home, events)
    return home


def test_followers_found_by_context_and_by_time_join_the_chain(follower_home: Path) -> None:
    code, listed = weaklink_json("scenarios", "--home", follower_home)
    (chain,) = [c for c in listed if c["name"] == "Garage opened: driveway lights and disarm"]
    steps = [(s.get("entity") or s.get("service"), s.get("automation")) for s in chain["steps"]]
    assert steps == [
        ("cover.garage_door", None),
        ("light.driveway", "automation.garage_opened_evening"),
        ("alarm_control_panel.home_alarm", "automation.garage_opened_evening"),
        ("notify.mobile_app_alice_pixel", "automation.garage_opened_evening"),
        ("notify.mobile_app_bob_iphone", "automation.driveway_chime"),  # by context parent
        ("notify.living_room_tv", "automation.hallway_after_arrival"),  # by time window
    ]
    text = weaklink("scenarios", "--home", follower_home).stdout
    assert "  5. notify.mobile_app_bob_iphone called within 60 s via automation.driveway_chime\n" in text
    assert "  6. notify.living_room_tv called within 60 s via automation.hallway_after_arrival\n" in text

    code, report = weaklink_json("trace", "--home", follower_home, "--automation", "automation.garage_opened_evening",
                                 "--at", "2026-11-10 18:15")
    assert (code, report["verdict"]) == (0, "ok")
    chime, hallway = report["steps"][4:]
    assert (chime["subject"], chime["status"], chime["carried_by"]) == (
        "notify.mobile_app_bob_iphone", "passed", ["automation.driveway_chime"])
    assert (hallway["subject"], hallway["status"], hallway["carried_by"]) == (
        "notify.living_room_tv", "passed", ["automation.hallway_after_arrival"])
    assert 25 < hallway["delay_seconds"] < 30


def test_runs_without_a_context_link_or_a_pattern_are_not_followers(follower_home: Path) -> None:
    with open_home(follower_home) as home:
        followers = followers_from_history(home.recording)
    assert followers["automation.garage_opened_evening"] == ["automation.driveway_chime", "automation.hallway_after_arrival"]
    assert all("automation.porch_camera" not in names for names in followers.values())


def test_an_event_trigger_that_never_fired_is_named_as_such(follower_home: Path) -> None:
    code, report = weaklink_json("trace", "--home", follower_home, "--automation", "automation.porch_camera")
    assert code == 1
    assert report["steps"][0]["subject"] == "porch_motion"
    assert _named(report) == ("porch_motion", "trigger", "trigger_not_observed")
    assert report["summary"] == ("Step 1 (porch_motion fired) failed: porch_motion never fired, "
                                 "so nothing downstream could run.")


def test_actions_of_one_run_may_report_in_any_order(tmp_path: Path) -> None:
    """The garage automation turns the driveway light on, then disarms the alarm through a
    script; two clouds answer in their own time. When the alarm reports first, the run was
    still healthy: steps carried by the same automation are not made to wait for each other."""
    home = copy_home(tmp_path / "home")
    db = sqlite3.connect(home / DB_NAME)
    try:
        def row(entity: str, state: str) -> tuple[int, float]:
            found = db.execute(
                "SELECT s.state_id, s.last_updated_ts FROM states s JOIN states_meta m USING (metadata_id)"
                " WHERE m.entity_id = ? AND s.state = ? AND s.last_updated_ts BETWEEN ? AND ?",
                (entity, state, _RUN.timestamp(), (_RUN + timedelta(minutes=5)).timestamp())).fetchall()
            assert len(found) == 1, found
            return found[0]

        _, light_on = row("light.driveway", "on")
        alarm, alarm_off = row("alarm_control_panel.home_alarm", "disarmed")
        _, garage_open = row("cover.garage_door", "open")
        assert garage_open < light_on < alarm_off
        db.execute("UPDATE states SET last_updated_ts = ?, last_changed_ts = NULL WHERE state_id = ?",
                   ((garage_open + light_on) / 2, alarm))
        db.commit()
    finally:
        db.close()
    code, report = weaklink_json("trace", "--home", home, "--automation", "automation.garage_opened_evening",
                                 "--at", "2026-11-10 18:10", "--format", "json")
    assert (code, report["verdict"]) == (0, "ok"), report["summary"]
    happened = {step["subject"]: datetime.fromisoformat(step["happened_at"]) for step in report["steps"]}
    assert happened["alarm_control_panel.home_alarm"] < happened["light.driveway"]
