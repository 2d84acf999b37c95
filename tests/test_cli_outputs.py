"""The command line's normal outputs on the example home, every command in every format.

`test_incidents.py` checks the tracer's conclusions in-process; this file checks what a
person or a machine gets from `weaklink`: the report in text, JSON and Markdown, every run
of a chain, the home graph, the derived chains (and that they load back as scenarios),
what happens when a scenario names an automation the home does not have, and that no
secret planted in the home reaches any output.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from cli_support import (
    DB_NAME,
    HOME,
    SCENARIOS,
    Event,
    add_events,
    copy_home,
    flat,
    one_line,
    weaklink,
    weaklink_json,
    weaklink_process,
)
from ruamel.yaml import YAML
from test_incidents import INCIDENTS, SCHEMA

from weaklink.errors import UnknownElementError
from weaklink.redact import REDACTED

DRIVEWAY = SCENARIOS / "driveway_arrival.yaml"
_MARK = {"passed": "✔", "failed": "✘", "not_reached": "·"}


def _local(incident: dict[str, Any]) -> str:
    """The incident's time as a person types it: the home's local time, no offset."""
    return datetime.fromisoformat(str(incident["at"])).strftime("%Y-%m-%d %H:%M")


def _when(value: str | None, time_zone: str) -> str:
    """A report time as the text and Markdown views print it (the home's local time)."""
    if value is None:
        return "—"
    return datetime.fromisoformat(value).astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture(scope="module")
def home_graph() -> dict[str, Any]:
    code, graph = weaklink_json("graph", "--home", HOME)
    assert code == 0
    return graph


# ---------------------------------------------------------------------------- trace


@pytest.mark.parametrize("incident", INCIDENTS, ids=[i["id"] for i in INCIDENTS])
def test_trace_json_reads_at_as_home_time_and_exits_by_verdict(incident: dict[str, Any]) -> None:
    code, report = weaklink_json("trace", "--home", HOME, SCENARIOS / f"{incident['chain']}.yaml", "--at", _local(incident))
    # "18:50" with no offset is 18:50 in America/New_York, the home's zone, not UTC.
    assert datetime.fromisoformat(report["incident"]["requested_at"]) == datetime.fromisoformat(str(incident["at"]))
    assert report["incident"]["time_zone"] == "America/New_York"
    assert report["verdict"] == incident["verdict"]
    assert code == (0 if incident["verdict"] == "ok" else 1)
    link = report["broken_link"]
    if incident["verdict"] == "ok":
        assert link is None
    else:
        assert (link["element"], link["layer"], link["cause"]) == (incident["element"], incident["layer"], incident["cause"])
        assert report["summary"].startswith(f"Step {link['step']} ({link['step_name']}) failed: ")
    jsonschema.validate(report, SCHEMA)


_VIEWS = {
    "radio, a step not reached": (DRIVEWAY, "2026-11-11 18:50"),
    "integration, with log evidence": (DRIVEWAY, "2026-11-15 18:40"),
    "healthy": (DRIVEWAY, "2026-11-10 18:15"),
    "derived, renamed target": ("--automation", "automation.goodnight", "2026-11-16 22:40"),
}


def _trace_views(case: tuple[Any, ...]) -> tuple[dict[str, Any], str, str]:
    *chain, at = case
    code, report = weaklink_json("trace", "--home", HOME, *chain, "--at", at)
    text = weaklink("trace", "--home", HOME, *chain, "--at", at, "--format", "text")
    markdown = weaklink("trace", "--home", HOME, *chain, "--at", at, "--format", "markdown")
    assert text.exit_code == markdown.exit_code == code == (1 if report["broken_link"] else 0)
    assert not text.stderr and not markdown.stderr
    return report, text.stdout, markdown.stdout


@pytest.mark.parametrize("case", _VIEWS.values(), ids=list(_VIEWS))
def test_trace_text_leads_with_the_sentence_then_names_the_link_and_lists_the_steps(case: tuple[Any, ...]) -> None:
    report, text, _ = _trace_views(case)
    tz = report["incident"]["time_zone"]
    flat_text = flat(text)
    assert flat_text.startswith(f"{report['scenario']} — {report['verdict']} {one_line(report['summary'])}")
    for step in report["steps"]:
        row = rf"{_MARK[step['status']]}\s+│\s+{step['index']}\s+│\s+{re.escape(step['name'])}\s+│\s+{re.escape(step['expected'])}\s+│\s+"
        when = _when(step["happened_at"], tz) if step["happened_at"] else step["status"].replace("_", " ")
        assert re.search(row + re.escape(when), text), f"no row for step {step['index']}:\n{text}"
    link = report["broken_link"]
    if link is None:
        assert "broken link" not in text
        return
    name = f" ({link['element_name']})" if link["element_name"] and link["element_name"] != link["element"] else ""
    for fact in (f"broken link step {link['step']}: {link['step_name']}", f"element {link['element']}{name}",
                 f"layer {link['layer']}", f"cause {link['cause']}", f"responsible {link['responsible']}",
                 f"what to do {link['fix']}"):
        assert one_line(fact) in flat_text
    assert flat_text.index("broken link") > flat_text.index(one_line(report["summary"]))
    for item in link["evidence"]:
        assert one_line(item["detail"]) in flat_text


@pytest.mark.parametrize("case", _VIEWS.values(), ids=list(_VIEWS))
def test_trace_markdown_is_a_ticket(case: tuple[Any, ...]) -> None:
    report, _, markdown = _trace_views(case)
    tz = report["incident"]["time_zone"]
    lines = markdown.splitlines()
    assert lines[0] == f"## {report['scenario']}: {report['verdict']}"
    assert lines[2] == f"**{report['summary']}**"
    assert f"Times are {tz}." in markdown.rstrip().splitlines()[-1]
    for step in report["steps"]:
        assert (f"| {step['index']} | {step['name']} | {step['expected']} | {step['status']} | "
                f"{_when(step['happened_at'], tz)} |") in markdown
    link = report["broken_link"]
    if link is None:
        assert "| Broken link |" not in markdown and "### Evidence" not in markdown
        return
    name = f" ({link['element_name']})" if link["element_name"] else ""
    for row in (f"| Broken link | step {link['step']}: {link['step_name']} |", f"| Element | `{link['element']}`{name} |",
                f"| Layer | `{link['layer']}` |", f"| Cause | `{link['cause']}` |",
                f"| Responsible | {link['responsible']} |", f"| What to do | {link['fix']} |"):
        assert row in lines
    evidence = lines[lines.index("### Evidence") + 2:]
    for item in link["evidence"]:
        assert any(f"**{item['kind']}**: {item['detail']}" in line for line in evidence)


def test_trace_without_at_reports_the_latest_run() -> None:
    code, report = weaklink_json("trace", "--home", HOME, "--automation", "automation.arrive_home")
    latest = max(datetime.fromisoformat(str(i["at"])) for i in INCIDENTS if i["chain"] == "driveway_arrival")
    assert report["incident"]["requested_at"] is None
    triggered = datetime.fromisoformat(report["incident"]["triggered_at"])
    assert timedelta(0) < latest - triggered < timedelta(minutes=20)
    assert (code, report["verdict"]) == (0, "ok")  # 2026-11-20: healthy


# ---------------------------------------------------------------------------- runs


def _incident_of(run: dict[str, Any], chain: str) -> dict[str, Any]:
    """The planted incident a run belongs to: noticed 5–15 minutes after it started."""
    triggered = datetime.fromisoformat(run["incident"]["triggered_at"])
    found = [i for i in INCIDENTS if i["chain"] == chain
             and timedelta(0) < datetime.fromisoformat(str(i["at"])) - triggered <= timedelta(minutes=20)]
    assert len(found) == 1, f"run at {triggered}: {found}"
    return found[0]


def test_runs_json_lists_every_run_with_its_incidents_verdict() -> None:
    code, runs = weaklink_json("runs", "--home", HOME, DRIVEWAY)
    assert code == 1  # some runs broke
    triggered = [datetime.fromisoformat(r["incident"]["triggered_at"]) for r in runs]
    assert triggered == sorted(triggered)
    matched = []
    for run in runs:
        jsonschema.validate(run, SCHEMA)
        incident = _incident_of(run, "driveway_arrival")
        matched.append(incident["id"])
        assert run["verdict"] == incident["verdict"], incident["id"]
        link = run["broken_link"]
        assert (link and (link["element"], link["layer"], link["cause"])) == (
            incident["element"] and (incident["element"], incident["layer"], incident["cause"])), incident["id"]
    # Every run the history holds, and only those: a run whose trigger never happened has none.
    assert sorted(matched) == sorted(i["id"] for i in INCIDENTS if i["chain"] == "driveway_arrival"
                                     and i["cause"] != "trigger_not_observed")


def test_runs_text_counts_what_the_json_lists() -> None:
    _, runs = weaklink_json("runs", "--home", HOME, DRIVEWAY)
    result = weaklink("runs", "--home", HOME, DRIVEWAY)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].strip() == f"Driveway arrival: {len(runs)} runs"
    healthy = sum(1 for r in runs if r["broken_link"] is None)
    assert one_line(f"healthy {healthy} of {len(runs)};") in flat(result.stdout)
    for run in runs:
        link = run["broken_link"]
        when = _when(run["incident"]["triggered_at"], "America/New_York")[:16]
        (row,) = [line for line in lines if line.strip().startswith(when)]
        assert run["verdict"] in row
        if link:
            # a hub is a device, named by its registry id in JSON and by its name for a person
            element = link["element_name"] if link["layer"] == "hub" else link["element"]
            assert all(part in row for part in (element, link["layer"], link["cause"])), row
    assert any("Hue Bridge" in line and "hub_offline" in line for line in lines)
    causes = Counter(f"{r['broken_link']['layer']}/{r['broken_link']['cause']}" for r in runs if r["broken_link"])
    for cause, count in causes.items():
        assert f"{cause}: {count}" in result.stdout


def test_runs_of_a_healthy_chain_exit_0() -> None:
    code, runs = weaklink_json("runs", "--home", HOME, SCENARIOS / "doorbell.yaml")
    assert code == 0
    assert len(runs) == sum(1 for i in INCIDENTS if i["chain"] == "doorbell")
    assert {r["verdict"] for r in runs} == {"ok"}


# ---------------------------------------------------------------------------- graph


_HUE_LIGHTS = ("light.driveway", "light.porch", "light.hallway", "light.living_room", "light.kitchen")


def test_graph_json_holds_devices_integrations_and_automations(home_graph: dict[str, Any]) -> None:
    devices = {d["id"]: d for d in home_graph["devices"]}
    for device in devices.values():
        assert {"brand", "area", "hub_id", "role", "transport"} <= device.keys()
        assert device["hub_id"] is None or device["hub_id"] in devices
        assert device["hub_id"] != device["id"], f"{device['name']} is its own hub"
    entries = json.loads((HOME / ".storage" / "core.config_entries").read_text())["data"]["entries"]
    assert sorted(i["domain"] for i in home_graph["integrations"]) == sorted(e["domain"] for e in entries)
    automations = {a["entity_id"]: a for a in home_graph["automations"]}
    assert automations["automation.garage_opened_evening"]["triggered_by"] == ["cover.garage_door"]
    assert automations["automation.garage_opened_evening"]["acts_on"] == ["light.driveway", "script.welcome_home"]
    assert automations["automation.porch_light_at_sunset"]["acts_on"] == ["light.porch_old"]
    assert automations["script.welcome_home"]["kind"] == "script"
    aliases = {a["alias"] for a in YAML(typ="safe").load((HOME / "automations.yaml").read_text())}
    assert {a["alias"] for a in automations.values() if a["kind"] == "automation"} == aliases
    assert not [e for e in home_graph["edges"] if e["source"] == e["target"]]


def test_the_hue_lights_hang_off_the_hue_bridge(home_graph: dict[str, Any]) -> None:
    devices = {d["id"]: d for d in home_graph["devices"]}
    (bridge,) = [d for d in devices.values() if d["name"] == "Hue Bridge"]
    assert (bridge["role"], bridge["hub_id"], bridge["area"]) == ("hub", None, "Living Room")
    device_of = {e["source"].removeprefix("entity:"): e["target"].removeprefix("device:")
                 for e in home_graph["edges"] if e["kind"] == "capability_of"}
    radio = {(e["source"], e["target"]) for e in home_graph["edges"] if e["kind"] == "radio_link"}
    for light in _HUE_LIGHTS:
        lamp = devices[device_of[light]]
        assert (lamp["brand"], lamp["transport"], lamp["hub_id"]) == (bridge["brand"], "zigbee", bridge["id"])
        assert (f"device:{lamp['id']}", f"device:{bridge['id']}") in radio


def test_graph_text_shows_devices_by_brand_with_area_and_hub(home_graph: dict[str, Any]) -> None:
    result = weaklink("graph", "--home", HOME)
    assert result.exit_code == 0
    text = result.stdout
    assert re.fullmatch(rf"home — {len(home_graph['devices'])} devices, \d+ entities", text.splitlines()[0])
    for device in home_graph["devices"]:
        assert device["name"] in text
    for light in ("Driveway", "Porch", "Kitchen"):
        assert re.search(rf"{light} \([^;]+; [^;]+, via Hue Bridge, zigbee; device\)", text), light
    assert "via Nabu Casa SkyConnect v1.0, zigbee; hub" not in text  # the coordinator is not its own hub
    for automation in home_graph["automations"]:
        assert re.search(rf"^\s*{re.escape(automation['entity_id'])}\s", text, re.M)
    for integration in home_graph["integrations"]:
        assert re.search(rf"^\s*{integration['domain']}\s", text, re.M)


_MERMAID_NODE = re.compile(r'^  ([A-Za-z0-9_]+)(\["[^"]*"\]|\{\{"[^"]*"\}\}|\[/"[^"]*"/\]|\(\("[^"]*"\)\)|\[\["[^"]*"\]\])$')
_MERMAID_EDGE = re.compile(r"^  ([A-Za-z0-9_]+) (-->|-\.->|-\. radio \.->|== triggers ==>|== acts on ==>|== calls ==>) ([A-Za-z0-9_]+)$")


def _mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    lines = text.rstrip("\n").splitlines()
    assert lines[0] in ("flowchart LR", "graph LR")
    nodes: dict[str, str] = {}
    edges = []
    for line in lines[1:]:
        if node := _MERMAID_NODE.match(line):
            assert node[1] not in nodes, f"{node[1]} declared twice"
            nodes[node[1]] = node[2]
        elif edge := _MERMAID_EDGE.match(line):
            edges.append((edge[1], edge[2], edge[3]))
        else:
            raise AssertionError(f"neither a node nor an edge: {line!r}")
    return nodes, edges


def test_graph_mermaid_is_a_well_formed_flowchart(home_graph: dict[str, Any]) -> None:
    result = weaklink("graph", "--home", HOME, "--format", "mermaid")
    assert result.exit_code == 0
    nodes, edges = _mermaid(result.stdout)
    for source, _, target in edges:
        assert source in nodes and target in nodes
        assert source != target
    (bridge,) = [d for d in home_graph["devices"] if d["name"] == "Hue Bridge"]
    lamps = {source for source, arrow, target in edges if arrow == "-. radio .->" and target == f"device_{bridge['id']}"}
    assert {nodes[lamp] for lamp in lamps} >= {'["Driveway"]', '["Porch"]', '["Kitchen"]', '["Hallway"]', '["Living room lamp"]'}
    assert nodes["entity_automation_goodnight"] == '{{"Goodnight"}}'
    assert ("entity_automation_garage_opened_evening", "== calls ==>", "entity_script_welcome_home") in edges


def test_names_with_markup_quotes_and_pipes_are_shown_as_written(tmp_path: Path) -> None:
    # Rich reads "[...]" as markup and Markdown tables split on "|": names from the home and
    # the scenario must come out as written (and "[/]" must not crash the terminal view).
    home = copy_home(tmp_path / "home")
    alias = 'Hall [test] "night" | light [/]'
    with (home / "automations.yaml").open("a") as automations:
        automations.write(f"- id: hall_test\n  alias: '{alias}'\n  triggers:\n  - trigger: state\n"
                          "    entity_id: binary_sensor.hallway_motion\n    to: 'on'\n  actions:\n"
                          "  - action: light.turn_on\n    target:\n      entity_id: light.hallway\n")
    text = weaklink("graph", "--home", home).stdout
    assert alias in text
    nodes, _ = _mermaid(weaklink("graph", "--home", home, "--format", "mermaid").stdout)
    assert '{{"Hall [test] \'night\' | light [/]"}}' in nodes.values()
    assert f"{alias}  derived from automation." in weaklink("scenarios", "--home", home).stdout

    scenario = DRIVEWAY.read_text().replace("name: Driveway arrival", "name: 'Driveway [/] arrival | [red]test'")
    scenario = scenario.replace("name: Garage door opens", "name: 'Garage [door] | opens'")
    (tmp_path / "odd.yaml").write_text(scenario)
    result = weaklink("trace", "--home", home, tmp_path / "odd.yaml", "--at", "2026-11-16 18:25")
    assert result.exit_code == 1
    assert "Driveway [/] arrival | [red]test — broken" in flat(result.stdout)
    assert "step 2: Garage [door] | opens" in flat(result.stdout)
    markdown = weaklink("trace", "--home", home, tmp_path / "odd.yaml", "--at", "2026-11-16 18:25", "--format", "markdown").stdout
    rows = [line for line in markdown.splitlines() if re.match(r"^\| \d \|", line)]
    assert len(rows) == 4
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 9  # 7 cells between 8 unescaped bars
    assert r"| 2 | Garage [door] \| opens | open | failed |" in markdown


# ---------------------------------------------------------------------------- scenarios


def _aliases_to_ids(home_graph: dict[str, Any]) -> dict[str, str]:
    return {a["alias"]: a["entity_id"] for a in home_graph["automations"] if a["kind"] == "automation"}


def test_scenarios_lists_every_derived_chain_in_every_format(home_graph: dict[str, Any]) -> None:
    ids = _aliases_to_ids(home_graph)
    code, chains = weaklink_json("scenarios", "--home", HOME)
    assert code == 0
    # Every automation of the home acts on something a chain can check.
    assert [c["name"] for c in chains] == [alias for alias, _ in sorted(ids.items(), key=lambda item: item[1])]
    for chain in chains:
        assert chain["description"].startswith(f"Derived from {ids[chain['name']]} (automations.yaml:")
    yaml_docs = weaklink("scenarios", "--home", HOME, "--format", "yaml").stdout.split("\n---\n")
    loaded = [YAML(typ="safe").load(doc) for doc in yaml_docs]
    assert [doc["name"] for doc in loaded] == [c["name"] for c in chains]
    assert [len(doc["steps"]) for doc in loaded] == [len(c["steps"]) for c in chains]
    text = weaklink("scenarios", "--home", HOME).stdout
    for chain in chains:
        steps = "".join(rf"\s+{i}\. [^\n]+\n" for i in range(1, len(chain["steps"]) + 1))
        assert re.search(rf"^{re.escape(chain['name'])}  derived from {ids[chain['name']]}\n{steps}", text, re.M)
        # The command to trace it is one line, ready to copy, however narrow the terminal.
        assert f"\n  weaklink trace --home {HOME} --automation {ids[chain['name']]}\n" in text
    narrow = weaklink("scenarios", "--home", HOME, columns=40).stdout
    for chain in chains:
        assert f"\n  weaklink trace --home {HOME} --automation {ids[chain['name']]}\n" in narrow


def _trace_each(documents: list[str], suffix: str, folder: Path) -> list[dict[str, Any]]:
    reports = []
    for number, document in enumerate(documents):
        path = folder / f"chain{number}.{suffix}"
        path.write_text(document)
        code, report = weaklink_json("trace", "--home", HOME, path)  # an unloadable file raises here
        assert code in (0, 1)
        assert report["scenario_source"] == str(path)
        reports.append(report)
    return reports


def test_scenarios_yaml_and_json_load_back_as_the_same_chains(tmp_path: Path, home_graph: dict[str, Any]) -> None:
    ids = _aliases_to_ids(home_graph)
    yaml_docs = weaklink("scenarios", "--home", HOME, "--format", "yaml").stdout.split("\n---\n")
    _, chains = weaklink_json("scenarios", "--home", HOME)
    from_yaml = _trace_each(yaml_docs, "yaml", tmp_path)
    from_json = _trace_each([json.dumps(c) for c in chains], "json", tmp_path)
    for chain, by_yaml, by_json in zip(chains, from_yaml, from_json, strict=True):
        _, derived = weaklink_json("trace", "--home", HOME, "--automation", ids[chain["name"]])
        for report in (by_yaml, by_json):
            # The same chain as tracing the automation directly: same steps, same budgets, same run.
            assert report["scenario"] == derived["scenario"]
            assert [(s["subject"], s["expected"], s["budget_seconds"]) for s in report["steps"]] == [
                (s["subject"], s["expected"], s["budget_seconds"]) for s in derived["steps"]]
            assert (report["verdict"], report["broken_link"] and report["broken_link"]["cause"]) == (
                derived["verdict"], derived["broken_link"] and derived["broken_link"]["cause"])


# ------------------------------------------------------------ an automation the home does not have


def _with_step_automation(tmp_path: Path, name: str) -> Path:
    scenario = tmp_path / "driveway.yaml"
    text = DRIVEWAY.read_text()
    assert text.count("automation: automation.garage_opened_evening") == 1
    scenario.write_text(text.replace("automation: automation.garage_opened_evening", f"automation: {name}"))
    return scenario


def test_a_step_naming_an_automation_the_home_never_had_is_bad_input(tmp_path: Path) -> None:
    scenario = _with_step_automation(tmp_path, "automation.nope")
    done = weaklink_process("trace", "--home", HOME, scenario, "--at", "2026-11-11 18:50")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (f"weaklink: error: {scenario}:19 (steps.2.automation): "
                                   "automation.nope is not an automation or script of this home")
    # Even on a day when the chain ran end to end: the scenario names nothing real.
    with pytest.raises(UnknownElementError):
        weaklink("runs", "--home", HOME, scenario)
    typo = weaklink_process("trace", "--home", HOME, _with_step_automation(tmp_path, "automation.garage_opened_evenin"))
    assert typo.returncode == 2
    assert typo.stderr.rstrip().endswith("did you mean automation.garage_opened_evening?")


def test_an_automation_deleted_since_is_a_broken_link(tmp_path: Path) -> None:
    # The history still has automation.garage_opened_evening's states and runs: the home had
    # it, its configuration lost it. That is the logic layer's `automation_missing`, not a typo.
    home = copy_home(tmp_path / "home")
    automations = (home / "automations.yaml").read_text()
    start, end = automations.index("- id: garage_opened_evening"), automations.index("- id: '1700000000001'")
    (home / "automations.yaml").write_text(automations[:start] + automations[end:])
    code, report = weaklink_json("trace", "--home", home, DRIVEWAY, "--at", "2026-11-14 18:30")
    assert code == 1
    link = report["broken_link"]
    assert (link["step"], link["element"], link["layer"], link["cause"]) == (
        3, "automation.garage_opened_evening", "logic", "automation_missing")
    assert "Create automation.garage_opened_evening" in link["fix"]


# ---------------------------------------------------------------------------- secrets


_PLANTED = {
    "config entry data": "CANARY-E2E-HUE-ACCESS-1",
    "config entry options": "CANARY-E2E-OPT-PASS-2",
    "config entry api key": "CANARY-E2E-NICE-KEY-3",
    "secrets.yaml": "CANARY-E2E-SECRETS-4",
    "automation trigger event data": "CANARY-E2E-TRIGGER-CODE-5",
    "automation action data": "CANARY-E2E-LOCK-CODE-6",
    "nested action data": "CANARY-E2E-PASS-8",
    "data of an existing automation": "CANARY-E2E-GARAGE-CODE-9",
    "webhook id": "CANARY-E2E-WEBHOOK-10",
    "log url token": "CANARY-E2E-LOG-11",
    "log bearer token": "CANARY-E2E-BEARER-12",
    "log token=": "CANARY-E2E-LOG-13",
    "log password=": "CANARY-E2E-LOG-PASS-14",
    "log api_key:": "CANARY-E2E-LOG-KEY-15",
    "recorded event data": "CANARY-E2E-EVENT-CODE-16",
    "config entry title: the account's e-mail": "CANARY-E2E-MAIL-17",
}
_HOME_AT = ("47.1234567", "8.7654321")  # planted in core.config
_PHONE_AT = ("47.2345678", "8.8765432")  # planted in Alice's phone's and person's GPS attributes


@pytest.fixture(scope="module")
def secret_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example home with canaries wherever Home Assistant keeps secrets and locations."""
    home = copy_home(tmp_path_factory.mktemp("secrets") / "home")
    path = home / ".storage" / "core.config_entries"
    entries = json.loads(path.read_text())
    for entry in entries["data"]["entries"]:
        if entry["domain"] == "hue":
            entry["data"]["access_token"] = _PLANTED["config entry data"]
        if entry["title"] == "Garage fridge plug":
            entry["options"]["password"] = _PLANTED["config entry options"]
        if entry["domain"] == "nice_go":
            entry["data"]["api_key"] = _PLANTED["config entry api key"]
            entry["title"] = _PLANTED["config entry title: the account's e-mail"] + "@example.net"
    path.write_text(json.dumps(entries, indent=2))
    with (home / "secrets.yaml").open("a") as secrets:
        secrets.write(f'gate_api_key: "{_PLANTED["secrets.yaml"]}"\n')
    automations = (home / "automations.yaml").read_text()
    old = "  - action: cover.open_cover\n    metadata: {}\n    data: {}\n"
    assert automations.count(old) == 1
    automations = automations.replace(
        old, f"  - action: cover.open_cover\n    metadata: {{}}\n    data:\n      code: {_PLANTED['data of an existing automation']}\n")
    automations += f"""- id: gate_keypad
  alias: Gate keypad
  triggers:
  - trigger: event
    event_type: keypad_code_entered
    event_data:
      code: {_PLANTED["automation trigger event data"]}
  - trigger: webhook
    webhook_id: {_PLANTED["webhook id"]}
  actions:
  - action: lock.unlock
    target:
      entity_id: lock.back_door
    data:
      code: {_PLANTED["automation action data"]}
  - action: notify.mobile_app_alice_pixel
    data:
      message: Gate opened
      data:
        password: {_PLANTED["nested action data"]}
        api_key: !secret gate_api_key
"""
    (home / "automations.yaml").write_text(automations)
    path = home / ".storage" / "core.config"
    config = json.loads(path.read_text())
    config["data"]["latitude"], config["data"]["longitude"] = float(_HOME_AT[0]), float(_HOME_AT[1])
    path.write_text(json.dumps(config, indent=2))
    path = home / "home-assistant.log"
    log = path.read_text()
    url = "url='https://api.simplisafe.com/v1/subscriptions/2207718/'"
    renamed = "Referenced entities light.living_room_lamp are missing or not currently available"
    assert url in log and renamed in log
    log = log.replace(url, f"url='https://api.simplisafe.com/v1/subscriptions/2207718/?access_token={_PLANTED['log url token']}"
                           f"&page=1' (Authorization: Bearer {_PLANTED['log bearer token']})")
    log = log.replace(renamed, f"{renamed} (token={_PLANTED['log token=']})")
    log += (f"2026-11-15 16:00:05.000 ERROR (MainThread) [homeassistant.components.simplisafe] Login failed: "
            f"password={_PLANTED['log password=']} api_key: {_PLANTED['log api_key:']}\n")
    path.write_text(log)
    db = sqlite3.connect(home / DB_NAME)
    # Alice's phone and person report where she is: put her somewhere a test can recognise.
    db.execute("UPDATE state_attributes SET shared_attrs = replace(replace(shared_attrs, '40.741762', ?), '-73.9892629', ?)",
               _PHONE_AT)
    db.commit()
    db.close()
    add_events(home, [Event("keypad_code_entered", datetime.fromisoformat("2026-11-19T20:00:00-05:00"),
                            {"code": _PLANTED["recorded event data"]})])
    return home


def _coordinates(home: Path) -> set[str]:
    """Every latitude and longitude the home's recorder holds, as written."""
    db = sqlite3.connect(f"file:{home / DB_NAME}?immutable=1", uri=True)
    try:
        found = set()
        for (attrs,) in db.execute("SELECT shared_attrs FROM state_attributes WHERE shared_attrs LIKE '%latitude%'"):
            data = json.loads(attrs)
            found |= {json.dumps(data[key]) for key in ("latitude", "longitude") if key in data}
        return found
    finally:
        db.close()


_COMMANDS = {
    "trace integration text": ("trace", DRIVEWAY, "--at", "2026-11-15 18:40"),
    "trace integration json": ("trace", DRIVEWAY, "--at", "2026-11-15 18:40", "--format", "json"),
    "trace integration markdown": ("trace", DRIVEWAY, "--at", "2026-11-15 18:40", "--format", "markdown"),
    "trace renamed text": ("trace", "--automation", "automation.goodnight", "--at", "2026-11-16 22:40"),
    "trace renamed json": ("trace", "--automation", "automation.goodnight", "--at", "2026-11-16 22:40", "--format", "json"),
    "trace renamed markdown": ("trace", "--automation", "automation.goodnight", "--at", "2026-11-16 22:40", "--format", "markdown"),
    "trace no arrival text": ("trace", DRIVEWAY, "--at", "2026-11-18 19:10"),
    "trace no arrival json": ("trace", DRIVEWAY, "--at", "2026-11-18 19:10", "--format", "json"),
    "trace no arrival markdown": ("trace", DRIVEWAY, "--at", "2026-11-18 19:10", "--format", "markdown"),
    "trace keypad text": ("trace", "--automation", "automation.gate_keypad"),
    "trace keypad json": ("trace", "--automation", "automation.gate_keypad", "--format", "json"),
    "trace keypad markdown": ("trace", "--automation", "automation.gate_keypad", "--format", "markdown"),
    "trace disarm json": ("trace", "--automation", "automation.garage_opened_evening", "--format", "json"),
    "runs text": ("runs", DRIVEWAY),
    "runs json": ("runs", DRIVEWAY, "--format", "json"),
    "runs derived json": ("runs", "--automation", "automation.arrive_home", "--format", "json"),
    "graph text": ("graph",),
    "graph json": ("graph", "--format", "json"),
    "graph mermaid": ("graph", "--format", "mermaid"),
    "scenarios text": ("scenarios",),
    "scenarios yaml": ("scenarios", "--format", "yaml"),
    "scenarios json": ("scenarios", "--format", "json"),
}


@pytest.mark.parametrize("command", _COMMANDS.values(), ids=list(_COMMANDS))
def test_no_secret_reaches_any_output(secret_home: Path, command: tuple[Any, ...]) -> None:
    name, *rest = command
    result = weaklink(name, "--home", secret_home, *rest)
    assert result.exit_code in (0, 1)
    output = result.stdout + result.stderr
    assert output.strip()
    planted = set(re.findall(rb"CANARY[A-Za-z0-9-]*", b"".join(p.read_bytes() for p in secret_home.rglob("*") if p.is_file())))
    assert {canary.decode() for canary in planted} >= set(_PLANTED.values()) | {"CANARY-ALARM-4711"}
    assert not [canary for canary in planted if canary.decode() in output]
    locations = {where.lstrip("-") for where in _coordinates(secret_home)} | set(_HOME_AT)
    assert set(_PHONE_AT) <= locations
    assert not [where for where in locations if where in output]


def test_secrets_are_masked_where_their_context_is_shown(secret_home: Path) -> None:
    """The canaries are absent because they were masked, not because nothing around them was shown."""
    code, report = weaklink_json("trace", "--home", secret_home, DRIVEWAY, "--at", "2026-11-15 18:40")
    logs = [e["detail"] for e in report["broken_link"]["evidence"] if e["kind"] == "log"]
    assert any("api.simplisafe.com" in line and f"access_token={REDACTED}" in line and f"Bearer {REDACTED}" in line
               for line in logs), logs
    assert any(f"password={REDACTED}" in line for line in logs), logs
    code, report = weaklink_json("trace", "--home", secret_home, "--automation", "automation.goodnight", "--at", "2026-11-16 22:40")
    assert any(f"token={REDACTED}" in e["detail"] for e in report["broken_link"]["evidence"] if e["kind"] == "log")
    # The keypad's code is masked in the automation, so the derived trigger matches any code:
    # the recorded keypad event (with its real code) is found, and its code is not shown.
    code, report = weaklink_json("trace", "--home", secret_home, "--automation", "automation.gate_keypad")
    assert report["steps"][0]["status"] == "passed"
    assert report["steps"][0]["subject"] == "keypad_code_entered"
