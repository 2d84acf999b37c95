"""Scenario files: valid chains load; every mistake names the file, the line and the field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weaklink.errors import ScenarioError
from weaklink.scenario import load_scenario, parse_duration

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert len(scenario.steps) >= 3
    assert scenario.steps[0].within is None, "the trigger has no budget"
    assert all(step.budget() > timedelta(0) for step in scenario.steps[1:])


def test_five_required_chains_are_shipped() -> None:
    names = {load_scenario(p).name for p in SCENARIOS}
    assert {"Driveway arrival", "Goodnight", "Water leak", "Doorbell", "Smoke"} <= names


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chain.yaml"
    path.write_text(text)
    return path


BASE = """name: test
steps:
  - entity: person.alice
    state: home
"""


@pytest.mark.parametrize(
    ("tail", "line", "field", "words"),
    [
        ("  - entity: light.driveway\n    state: 'on'\n    within: soon\n", 7, "steps.1.within", "not a duration"),
        ("  - entity: light.driveway\n    state: 'on'\n    colour: red\n", 7, "steps.1.colour", "unknown key 'colour'"),
        ("  - entity: Light Driveway\n    state: 'on'\n", 5, "steps.1.entity", "not an entity id"),
        ("  - entity: light.driveway\n", 5, "steps.1", "exactly one of"),
        ("  - service: notify\n", 5, "steps.1.service", "not a service"),
        ("  - entity: light.driveway\n    state: 'on'\n    service: notify.x\n", 5, "steps.1", "exactly one of"),
    ],
)
def test_invalid_step_names_file_line_and_field(tmp_path: Path, tail: str, line: int, field: str, words: str) -> None:
    path = write(tmp_path, BASE + tail)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.source == str(path)
    assert error.line == line
    assert error.field == field
    assert words in error.message
    assert str(error).startswith(f"{path}:{line}")


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  - entity: light.driveway\n    state: [on\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.line is not None and caught.value.line >= 6
    assert "malformed YAML" in caught.value.message


def test_a_chain_needs_two_steps(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, BASE))
    assert caught.value.field == "steps"


def test_yaml_booleans_are_read_as_states(tmp_path: Path) -> None:
    # YAML 1.1 turns an unquoted on/off into a boolean; a state is always text.
    scenario = load_scenario(write(tmp_path, BASE + "  - entity: light.driveway\n    state: on\n"))
    assert scenario.steps[1].state == ["on"]


def test_file_is_not_modified(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  - entity: light.driveway\n    state: oops: bad\n")
    before = path.read_bytes()
    with pytest.raises(ScenarioError):
        load_scenario(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30), ("30s", 30), ("2m", 120), ("1h 30m", 5400), ("00:01:30", 90), ("1.5s", 1.5), (45, 45), ({"minutes": 2}, 120)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_duration_or_a_clear_value_error(text: str) -> None:
    try:
        value = parse_duration(text)
    except ValueError as error:
        assert str(error)
    else:
        assert value >= timedelta(0)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
_steps = st.lists(
    st.dictionaries(
        st.sampled_from(["name", "entity", "device", "state", "service", "event", "within", "automation", "bogus"]),
        st.one_of(_scalars, st.lists(_scalars, max_size=3), st.dictionaries(st.text(max_size=5), _scalars, max_size=2)),
        max_size=5,
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(_steps)
def test_any_step_list_loads_or_fails_with_a_located_scenario_error(tmp_path_factory: pytest.TempPathFactory, steps: list) -> None:
    from ruamel.yaml import YAML

    path = tmp_path_factory.mktemp("prop") / "chain.yaml"
    with path.open("w") as out:
        YAML().dump({"name": "p", "steps": steps}, out)
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        assert error.source == str(path)
        assert error.line is not None
    else:
        assert len(scenario.steps) == len(steps) >= 2
