"""End to end: the `weaklink` command on bad input.

The rule: a malformed scenario, export, database or response produces one message naming
the file and the line or field, exit status 2, and no traceback; nothing the user gave us
is modified or lost. Reading stays tolerant where Home Assistant itself is (unknown keys in
a `.storage` registry, say).

Every case copies examples/ha-home, breaks one thing and runs the real command in a
subprocess, so exit status and stderr are the real ones. Each run takes about half a
second (mostly imports), so one module-scoped fixture prepares every case and runs them
all at once; each test then checks one case's outcome.

What the error output must look like:
- weaklink's own errors: exactly one line on stderr, `weaklink: error: <where>: <what>`,
  where <where> is `<file>[:<line>] [(<field>)]`;
- click's usage errors (a wrong option or argument): click's short block, at most three
  non-blank lines (`Usage: weaklink …`, `Try …`, `Error: …`).
In both cases stdout stays empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ha-home"
SCENARIO = ROOT / "scenarios" / "driveway_arrival.yaml"
DB = "home-assistant_v2.db"
AT = "2026-11-11 18:50"

# The installed entry point, run by the interpreter running the tests (argv[0] as the
# `weaklink` script would have it, so click's usage lines read `Usage: weaklink …`).
PROGRAM = "import sys; sys.argv[0] = 'weaklink'; from weaklink.cli import main; main()"


@dataclass(frozen=True)
class Plan:
    """How to run one case, and what its message must contain."""

    args: list[str]
    says: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    prepare: Callable[[Path, Path], Plan]  # (home, work folder) → what to run
    kind: str  # "bad" (weaklink's error), "usage" (click's error) or "tolerated"
    shared: bool  # reads the module's pristine copy of the home instead of its own


CASES: dict[str, Case] = {}


def case(kind: str, *, shared: bool = False) -> Callable[[Callable[[Path, Path], Plan]], Callable[[Path, Path], Plan]]:
    def register(prepare: Callable[[Path, Path], Plan]) -> Callable[[Path, Path], Plan]:
        CASES[prepare.__name__] = Case(prepare, kind, shared)
        return prepare

    return register


def names(kind: str) -> list[str]:
    return sorted(name for name, c in CASES.items() if c.kind == kind)


# ------------------------------------------------------------------------- helpers

def trace(home: Path, scenario: Path = SCENARIO, *extra: str) -> list[str]:
    return ["trace", "--home", str(home), str(scenario), "--at", AT, *extra]


def sidecars(home: Path) -> list[str]:
    """SQLite's -wal, -shm and -journal files beside the recorder database."""
    return sorted(p.name for p in home.glob(DB + "-*"))


def garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def insert_line(path: Path, after: int, text: str) -> int:
    """Insert a line after line `after`; return its (1-based) number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(after, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return after + 1


def append_last_line(path: Path, text: str) -> int:
    """Append `text` as the last line, with no newline after it; return its number."""
    content = path.read_text(encoding="utf-8")
    if not content.endswith("\n"):
        content += "\n"
    path.write_text(content + text, encoding="utf-8")
    return content.count("\n") + 1


def add_schema_change(db: Path, version: int) -> None:
    """Record a schema migration to `version`, as HA's recorder does after migrating."""
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "INSERT INTO schema_changes (schema_version, changed) VALUES (?, '2026-11-20 00:00:00')", (version,)
        )
        conn.commit()
    assert not sidecars(db.parent), "closing the writer should have checkpointed its WAL"


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def scenario_file(work: Path, name: str, text: str) -> Path:
    path = work / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------- recorder database

@case("bad")
def db_truncated_to_half(home: Path, work: Path) -> Plan:
    db = home / DB
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    return Plan(trace(home), (f"{db}: ", "truncated"))


@case("bad")
def db_truncated_to_100_bytes(home: Path, work: Path) -> Plan:
    db = home / DB
    db.write_bytes(db.read_bytes()[:100])
    return Plan(["runs", "--home", str(home), str(SCENARIO)], (f"{db}: ", "truncated"))


@case("bad")
def db_header_is_garbage(home: Path, work: Path) -> Plan:
    db = home / DB
    data = db.read_bytes()
    db.write_bytes(garbage(100, seed=1) + data[100:])
    return Plan(trace(home), (f"{db}: ", "not a SQLite database"))


@case("bad")
def db_header_is_garbage_after_the_magic(home: Path, work: Path) -> Plan:
    db = home / DB
    data = db.read_bytes()
    db.write_bytes(data[:16] + garbage(84, seed=2) + data[100:])
    return Plan(["graph", "--home", str(home)], (f"{db}: ", "damaged or not a SQLite database"))


@case("bad")
def db_middle_third_is_garbage(home: Path, work: Path) -> Plan:
    db = home / DB
    data = db.read_bytes()
    third = len(data) // 3
    db.write_bytes(data[:third] + garbage(third, seed=3) + data[2 * third:])
    return Plan(trace(home), (f"{db}: ", "damaged"))


@case("bad")
def db_is_empty(home: Path, work: Path) -> Plan:
    db = home / DB
    db.write_bytes(b"")
    return Plan(["scenarios", "--home", str(home)], (f"{db}: ", "empty"))


@case("bad")
def db_is_a_text_file(home: Path, work: Path) -> Plan:
    db = home / DB
    db.write_text("This is where I keep my notes about the house.\n" * 40, encoding="utf-8")
    return Plan(trace(home), (f"{db}: ", "not a SQLite database"))


@case("bad")
def db_schema_is_newer(home: Path, work: Path) -> Plan:
    db = home / DB
    add_schema_change(db, 99)
    return Plan(["trace", "--home", str(home), "--automation", "automation.arrive_home"],
                (f"{db}: ", "schema version 99", "newer"))


@case("bad")
def db_schema_is_too_old(home: Path, work: Path) -> Plan:
    db = home / DB
    add_schema_change(db, 30)
    return Plan(trace(home), (f"{db}: ", "schema version 30", "older"))


# ----------------------------------------------------------------- YAML configuration

@case("bad")
def automations_yaml_bad_indentation(home: Path, work: Path) -> Plan:
    path = home / "automations.yaml"
    line = insert_line(path, after=2, text="      mode: restart")  # under `  alias: …` of the first automation
    return Plan(trace(home), (f"{path}:{line}: ", "malformed YAML"))


@case("bad")
def automations_yaml_unclosed_bracket(home: Path, work: Path) -> Plan:
    path = home / "automations.yaml"
    line = append_last_line(path, "- alias: [Unclosed")
    return Plan(trace(home), (f"{path}:{line}: ", "malformed YAML"))


@case("bad")
def scripts_yaml_bad_indentation(home: Path, work: Path) -> Plan:
    path = home / "scripts.yaml"
    line = insert_line(path, after=2, text="      mode: restart")  # under `  alias: Welcome home`
    return Plan(trace(home), (f"{path}:{line}: ", "malformed YAML"))


@case("bad")
def configuration_yaml_bad_indentation(home: Path, work: Path) -> Plan:
    path = home / "configuration.yaml"
    text = path.read_text(encoding="utf-8").splitlines()
    after = text.index("  purge_keep_days: 14") + 1
    line = insert_line(path, after=after, text="     commit_interval: 5")
    return Plan(trace(home), (f"{path}:{line}: ", "malformed YAML"))


# ----------------------------------------------------------------------- scenarios

GOOD_FIRST_STEP = "name: Broken\nsteps:\n  - entity: person.alice\n    state: home\n"


@case("bad", shared=True)
def scenario_yaml_syntax_error(home: Path, work: Path) -> Plan:
    path = scenario_file(work, "syntax.yaml", GOOD_FIRST_STEP + "  - entity: cover.garage_door\n      state: open\n")
    return Plan(trace(home, path), (f"{path}:6: ", "malformed YAML"))


@case("bad", shared=True)
def scenario_step_without_entity(home: Path, work: Path) -> Plan:
    path = scenario_file(work, "no_entity.yaml", GOOD_FIRST_STEP + "  - state: open\n    within: 90s\n")
    return Plan(trace(home, path), (f"{path}:5 (steps.1): ", "names the entity or device"))


@case("bad", shared=True)
def scenario_bad_duration(home: Path, work: Path) -> Plan:
    path = scenario_file(
        work, "duration.yaml", GOOD_FIRST_STEP + "  - entity: cover.garage_door\n    state: open\n    within: soonish\n"
    )
    return Plan(trace(home, path), (f"{path}:7 (steps.1.within): ", "'soonish'"))


@case("bad", shared=True)
def scenario_unknown_key(home: Path, work: Path) -> Plan:
    path = scenario_file(
        work, "unknown_key.yaml", GOOD_FIRST_STEP + "  - entity: cover.garage_door\n    state: open\n    whithin: 90s\n"
    )
    return Plan(trace(home, path), (f"{path}:7 (steps.1.whithin): ", "unknown key"))


@case("bad", shared=True)
def scenario_names_an_entity_the_home_lacks(home: Path, work: Path) -> Plan:
    path = scenario_file(work, "unknown_entity.yaml", GOOD_FIRST_STEP + "  - entity: cover.garden_gate\n    state: open\n")
    return Plan(trace(home, path), (f"{path}:5 (steps.1.entity): ", "cover.garden_gate", "not an entity of this home"))


@case("bad", shared=True)
def scenario_names_a_device_the_home_lacks(home: Path, work: Path) -> Plan:
    path = scenario_file(work, "unknown_device.yaml", GOOD_FIRST_STEP + "  - device: Garden Gate\n    state: open\n")
    return Plan(trace(home, path), (f"{path}:5 (steps.1.device): ", "'Garden Gate'"))


@case("bad", shared=True)
def scenario_file_missing(home: Path, work: Path) -> Plan:
    path = work / "no_such_scenario.yaml"
    return Plan(trace(home, path), (f"{path}: ", "No such file"))


# ------------------------------------------------------------------ .storage registries

@case("bad")
def entity_registry_malformed_json(home: Path, work: Path) -> Plan:
    path = home / ".storage" / "core.entity_registry"
    assert path.read_text(encoding="utf-8").splitlines()[3] == '  "key": "core.entity_registry",'
    line = insert_line(path, after=3, text="  oops,")
    return Plan(trace(home), (f"{path}:{line}: ", "malformed JSON"))


@case("bad")
def entity_registry_unknown_major_version(home: Path, work: Path) -> Plan:
    path = home / ".storage" / "core.entity_registry"
    edit_json(path, lambda document: document.update(version=9))
    return Plan(trace(home), (f"{path} (version): ", "version 9.", "not supported"))


@case("bad")
def device_registry_entry_without_id(home: Path, work: Path) -> Plan:
    path = home / ".storage" / "core.device_registry"
    edit_json(path, lambda document: document["data"]["devices"][2].pop("id"))
    return Plan(trace(home), (f"{path} (data.devices.2.id): ", "missing required key 'id'"))


@case("tolerated")
def entity_registry_with_unknown_keys(home: Path, work: Path) -> Plan:
    """A newer HA minor version adds keys: HA reads such files, so must we."""
    path = home / ".storage" / "core.entity_registry"

    def add_keys(document: dict) -> None:
        document["minor_version"] = 99
        document["written_by"] = "a future Home Assistant"
        document["data"]["future_section"] = {"anything": [1, 2, 3]}
        for entry in document["data"]["entities"] + document["data"].get("deleted_entities", []):
            entry["future_key"] = {"nested": True}

    edit_json(path, add_keys)
    return Plan(trace(home, SCENARIO, "--format", "json"))


@case("tolerated")
def pristine_home(home: Path, work: Path) -> Plan:
    """The control: the same command on the untouched copy."""
    return Plan(trace(home, SCENARIO, "--format", "json"))


@case("tolerated")
def unknown_time_zone(home: Path, work: Path) -> Plan:
    """A zone this computer does not know (or a typo): read as UTC, as the adapter warns."""
    edit_json(home / ".storage" / "core.config", lambda document: document["data"].update(time_zone="Mars/Olympus_Mons"))
    return Plan(trace(home, SCENARIO, "--format", "json"),
                (".storage/core.config: unknown time zone 'Mars/Olympus_Mons': times read as UTC",))


@case("tolerated")
def automations_yaml_with_a_key_written_twice(home: Path, work: Path) -> Plan:
    """Home Assistant logs a duplicate key and keeps the last value: a warning, not a refusal."""
    path = home / "automations.yaml"
    text = path.read_text(encoding="utf-8").splitlines()
    after = next(i for i, line in enumerate(text, start=1) if line.startswith("  alias: "))
    line = insert_line(path, after=after, text="  alias: Written twice")
    return Plan(trace(home, SCENARIO, "--format", "json"),
                (f"automations.yaml:{line}: key 'alias' is written twice (lines {line - 1} and {line}); the last one counts",))


# -------------------------------------------------------------------- command line

@case("bad", shared=True)
def automation_does_not_exist(home: Path, work: Path) -> Plan:
    return Plan(["trace", "--home", str(home), "--automation", "automation.does_not_exist"],
                ("--automation: ", "automation.does_not_exist"))


@case("bad", shared=True)
def at_is_not_a_time(home: Path, work: Path) -> Plan:
    return Plan(["trace", "--home", str(home), str(SCENARIO), "--at", "yesterday-ish"], ("--at: 'yesterday-ish' is not a time",))


@case("bad", shared=True)
def at_is_beyond_the_calendar(home: Path, work: Path) -> Plan:
    return Plan(["trace", "--home", str(home), str(SCENARIO), "--at", "9999-12-31 23:59"], ("--at: ", "'9999-12-31 23:59'"))


@case("bad", shared=True)
def home_does_not_exist(home: Path, work: Path) -> Plan:
    missing = work / "no-such-home"
    return Plan(trace(missing), (f"{missing}: ", "no such file or folder"))


@case("bad", shared=True)
def home_is_an_empty_folder(home: Path, work: Path) -> Plan:
    empty = work / "empty-home"
    empty.mkdir()
    return Plan(trace(empty), (f"{empty}: ", "no installed adapter recognises"))


@case("usage", shared=True)
def neither_scenario_nor_automation(home: Path, work: Path) -> Plan:
    return Plan(["trace", "--home", str(home)], ("SCENARIO_FILE", "--automation"))


@case("usage", shared=True)
def scenario_is_a_folder(home: Path, work: Path) -> Plan:
    return Plan(trace(home, work), (str(work), "is a directory"))


# ---------------------------------------------------------------------- the runs

def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under the folders (hidden ones too), by path, with its SHA-256."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    home: Path
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, str]
    after: dict[str, str]


def run_weaklink(args: list[str]) -> subprocess.CompletedProcess[str]:
    # The same weaklink the tests import, whatever the install; no WEAKLINK_* debugging switches.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEAKLINK_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("bad-input")
    shared = shutil.copytree(EXAMPLE, root / "shared-home")
    planned: dict[str, tuple[Plan, Path, Path, dict[str, str]]] = {}
    for name, c in CASES.items():
        work = root / name
        work.mkdir()
        home = shared if c.shared else shutil.copytree(EXAMPLE, work / "ha-home")
        plan = c.prepare(home, work)
        planned[name] = (plan, home, work, snapshot(home, work))
    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        runs = {name: pool.submit(run_weaklink, plan.args) for name, (plan, *_) in planned.items()}
        done = {name: future.result() for name, future in runs.items()}
    return {
        name: Outcome(plan, home, done[name].returncode, done[name].stdout, done[name].stderr, before, snapshot(home, work))
        for name, (plan, home, work, before) in planned.items()
    }


# ---------------------------------------------------------------------- the tests

@pytest.mark.parametrize("name", names("bad"))
def test_bad_input_is_one_message_naming_the_place_and_exit_2(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.returncode == 2, (outcome.returncode, outcome.stderr, outcome.stdout[:500])
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    message = lines[0]
    assert message.startswith("weaklink: error: ") and len(message) > len("weaklink: error: ") + 10
    for part in outcome.plan.says:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize("name", names("usage"))
def test_usage_errors_are_clicks_short_block_and_exit_2(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.returncode == 2, (outcome.returncode, outcome.stderr)
    assert outcome.stdout == ""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, outcome.stderr
    assert lines[0].startswith("Usage: weaklink ") and lines[-1].startswith("Error: ")
    for part in outcome.plan.says:
        assert part in lines[-1], f"{part!r} not in {lines[-1]!r}"


@pytest.mark.parametrize("name", names("tolerated"))
def test_tolerated_input_is_traced(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    # tolerated, but said: one warning line per thing tolerated, nothing else
    warnings = outcome.stderr.splitlines()
    assert len(warnings) == len(outcome.plan.says), outcome.stderr
    for line, part in zip(warnings, outcome.plan.says):
        assert line.startswith("weaklink: warning: ") and part in line, (line, part)
    assert outcome.returncode in (0, 1)
    report = json.loads(outcome.stdout)
    assert report["scenario"] == "Driveway arrival" and report["verdict"] in ("ok", "broken")


def test_unknown_registry_keys_change_nothing(outcomes: dict[str, Outcome]) -> None:
    control, extended = outcomes["pristine_home"], outcomes["entity_registry_with_unknown_keys"]
    assert (extended.returncode, control.returncode) == (1, 1)  # the example's driveway chain is broken
    assert str(extended.home) in extended.stdout and str(control.home) in control.stdout
    assert extended.stdout.replace(str(extended.home), "HOME") == control.stdout.replace(str(control.home), "HOME")


def test_an_unknown_time_zone_reads_times_as_utc(outcomes: dict[str, Outcome]) -> None:
    report = json.loads(outcomes["unknown_time_zone"].stdout)
    assert report["incident"]["time_zone"] is None
    assert report["incident"]["requested_at"].startswith("2026-11-11T18:50:00")  # --at taken as UTC


@pytest.mark.parametrize("name", sorted(CASES))
def test_nothing_the_user_gave_is_modified(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    assert not sidecars(outcome.home)
    assert outcome.after == outcome.before  # same files, same bytes: nothing changed, added or removed
