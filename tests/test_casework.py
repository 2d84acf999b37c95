"""A case: the customer's bundle opened, its chains traced, the one the case is about picked."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from weaklink.bundle import unpack_customer_bundle
from weaklink.casework import diagnose, incident_moment, pick_primary
from weaklink.cli import parse_at
from weaklink.errors import BundleError, ScenarioError, UnknownElementError
from weaklink.home import OpenHome, open_home
from weaklink.report import Layer, Verdict
from weaklink.scenario import Scenario, load_scenario
from weaklink.scenario.derive import derivable
from weaklink.tracer.followers import followers_from_history

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "examples" / "ha-home"
SCENARIOS = ROOT / "scenarios"
HUE_FIXTURE = ROOT / "adapters" / "hue" / "fixtures" / "BSB002_1965111030.json"
AT = "2026-11-11 18:50"


@pytest.fixture(scope="module")
def home() -> OpenHome:
    with open_home(HOME) as opened:
        yield opened  # type: ignore[misc]


def at(home: OpenHome, text: str):  # type: ignore[no-untyped-def]
    return parse_at(text, home.time_zone)


# --------------------------------------------------------------------------- diagnose


def test_the_derivable_chains_at_the_driveway_incident_and_how_they_fare(home: OpenHome) -> None:
    chains = derivable(home.graph, followers_from_history(home.recording))
    by_name = {chain.name: chain for chain in chains}
    # Two derived chains run through the driveway light: the arrival (the whole story) and the
    # garage automation's own (which starts at the garage door, 40 s later).
    assert {"Arrive home: open garage", "Garage opened: driveway lights and disarm"} <= set(by_name)
    tracer = home.tracer()
    arrival = tracer.trace(by_name["Arrive home: open garage"], at(home, AT))
    garage = tracer.trace(by_name["Garage opened: driveway lights and disarm"], at(home, AT))
    for report in (arrival, garage):
        assert report.broken_link is not None and report.broken_link.element == "light.driveway"
    assert incident_moment(arrival) == incident_moment(garage)
    assert arrival.incident.triggered_at < garage.incident.triggered_at  # type: ignore[operator]


def test_without_a_scenario_the_driveway_chain_is_the_primary_report(home: OpenHome) -> None:
    calls: list[tuple[str, float]] = []
    diagnosis = diagnose(home, at=at(home, AT), progress=lambda message, fraction: calls.append((message, fraction)))
    chains = derivable(home.graph, followers_from_history(home.recording))
    assert diagnosis.chains_considered == len(chains) == len(diagnosis.reports) == 7
    primary = diagnosis.primary_report
    assert primary is not None and diagnosis.reports.index(primary) == diagnosis.primary
    assert primary.scenario == "Arrive home: open garage"
    link = primary.broken_link
    assert link is not None and (link.element, link.layer, link.cause) == ("light.driveway", Layer.RADIO, "radio_link_lost")
    # other chains broke that evening too (the porch light's, at sunset): farther from 18:50
    porch = next(r for r in diagnosis.reports if r.scenario == "Porch light at sunset")
    assert porch.verdict is Verdict.BROKEN and incident_moment(porch) < incident_moment(primary)  # type: ignore[operator]
    # progress: rising fractions from "reading the home" to 1.0, one step per chain, each named
    fractions = [fraction for _, fraction in calls]
    assert all(a < b for a, b in zip(fractions, fractions[1:]))
    assert calls[0] == ("reading the home", 0.0) and fractions[-1] == 1.0
    assert [m for m, _ in calls if m.startswith("tracing")] == [
        f"tracing {n} of {len(chains)}: {chain.name}" for n, chain in enumerate(chains, start=1)]


def test_the_primary_does_not_depend_on_the_order_chains_are_given(home: OpenHome) -> None:
    chains = derivable(home.graph, followers_from_history(home.recording))
    forward = diagnose(home, scenarios=chains, at=at(home, AT))
    backward = diagnose(home, scenarios=list(reversed(chains)), at=at(home, AT))
    assert forward.primary_report.scenario == backward.primary_report.scenario == "Arrive home: open garage"  # type: ignore[union-attr]


def test_the_run_closest_to_the_incident_time_is_the_primary(home: OpenHome) -> None:
    chains = [load_scenario(SCENARIOS / "driveway_arrival.yaml"), load_scenario(SCENARIOS / "goodnight.yaml")]
    # 15 November: the driveway broke at 18:31 (SimpliSafe), goodnight at 22:40 (a renamed lamp)
    evening = diagnose(home, scenarios=chains, at=at(home, "2026-11-15 18:45")).primary_report
    night = diagnose(home, scenarios=chains, at=at(home, "2026-11-15 22:50")).primary_report
    assert evening is not None and evening.scenario == "Driveway arrival"
    assert evening.broken_link is not None and evening.broken_link.element == "simplisafe"
    assert night is not None and night.scenario == "Goodnight"
    assert night.broken_link is not None and night.broken_link.cause == "target_entity_renamed"


def test_a_broken_run_comes_before_a_healthy_one_even_farther_away(home: OpenHome) -> None:
    chains = [load_scenario(SCENARIOS / "driveway_arrival.yaml"),
              next(c for c in derivable(home.graph) if c.name == "Porch light at sunset")]
    diagnosis = diagnose(home, scenarios=chains, at=at(home, "2026-11-10 18:15"))
    assert [r.verdict for r in diagnosis.reports] == [Verdict.OK, Verdict.BROKEN]
    assert diagnosis.primary == 1


def test_without_a_time_the_latest_broken_run_is_the_primary(home: OpenHome) -> None:
    diagnosis = diagnose(home)
    broken = [r for r in diagnosis.reports if r.verdict is Verdict.BROKEN and incident_moment(r) is not None]
    primary = diagnosis.primary_report
    assert primary is not None and incident_moment(primary) == max(incident_moment(r) for r in broken)  # type: ignore[type-var]


def test_an_automation_gives_one_chain(home: OpenHome) -> None:
    diagnosis = diagnose(home, automation="automation.arrive_home", at=at(home, AT))
    assert diagnosis.chains_considered == 1 and diagnosis.primary == 0
    assert diagnosis.reports[0].scenario_source == "derived from automation.arrive_home"
    with pytest.raises(UnknownElementError, match="automation.nowhere"):
        diagnose(home, automation="automation.nowhere")


def test_a_chain_that_cannot_be_traced_is_skipped_unless_it_is_the_only_one(home: OpenHome) -> None:
    good = load_scenario(SCENARIOS / "driveway_arrival.yaml")
    bad = Scenario.model_validate({"name": "Ghost", "steps": [{"entity": "person.alice", "state": "home"},
                                                              {"entity": "light.nowhere", "state": "on"}]})
    diagnosis = diagnose(home, scenarios=[bad, good], at=at(home, AT))
    assert diagnosis.chains_considered == 2 and len(diagnosis.reports) == 1 and diagnosis.primary == 0
    assert len(diagnosis.notes) == 1 and "Ghost" in diagnosis.notes[0] and "light.nowhere" in diagnosis.notes[0]
    with pytest.raises(UnknownElementError, match="light.nowhere"):
        diagnose(home, scenarios=[bad], at=at(home, AT))
    with pytest.raises(UnknownElementError, match="light.nowhere"):
        diagnose(home, scenarios=[bad, bad], at=at(home, AT))  # nothing at all could be traced


def test_nothing_traced_means_no_primary() -> None:
    assert pick_primary([], None) is None


# --------------------------------------------------------------------------- the customer's bundle


def aligned_hue_dump() -> dict:  # type: ignore[type-arg]
    """The Hue fixture as the example home's bridge would give it: its MAC, the driveway light's IEEE."""
    dump = json.loads(HUE_FIXTURE.read_text())
    dump["config"].update(bridgeid="001788FFFE4A1B2C", mac="00:17:88:4a:1b:2c")
    for resource in dump["resources"]:
        if resource["type"] == "bridge":
            resource["bridge_id"] = "001788fffe4a1b2c"
        if resource.get("mac_address") == "00:17:88:01:4f:0e:58:97":
            resource["mac_address"] = "00:17:88:01:7e:d4:b7:58"
    return dump


def zip_folder(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_is_used_in_place(tmp_path: Path) -> None:
    bundle = unpack_customer_bundle(HOME, tmp_path / "work")
    assert bundle.root == HOME and bundle.scenarios == []
    assert not (tmp_path / "work").exists()


def test_a_zip_is_unpacked_and_its_scenarios_found_by_content(tmp_path: Path) -> None:
    folder = tmp_path / "customer"
    shutil.copytree(HOME, folder / "ha-config")
    (folder / "hue export.json").write_text(json.dumps(aligned_hue_dump()))
    (folder / "what broke (2).txt").write_text((SCENARIOS / "driveway_arrival.yaml").read_text())
    (folder / "notes.yaml").write_text("customer: Alice\nproblem: the light\nwhat:\n  steps: none\n")
    source = zip_folder(folder, tmp_path / "case.zip", {"__MACOSX/ha-config/._configuration.yaml": b"\x00\x05junk",
                                                        "__MACOSX/ha-config/.storage/._core.config": b"\x00junk"})
    before = digest(source)
    bundle = unpack_customer_bundle(source, tmp_path / "work")
    assert bundle.root == tmp_path / "work" and not (bundle.root / "__MACOSX").exists()
    assert [p.name for p in bundle.scenarios] == ["what broke (2).txt"]
    assert load_scenario(bundle.scenarios[0]).name == "Driveway arrival"
    with open_home(bundle.root) as opened:
        assert sorted(adapter for _, adapter in opened.imported.read) == ["homeassistant", "hue"]
    assert digest(source) == before


def test_a_config_zipped_at_the_root_still_lets_the_dumps_beside_it_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "customer"
    shutil.copytree(HOME, folder)
    (folder / "hue export.json").write_text(json.dumps(aligned_hue_dump()))
    bundle = unpack_customer_bundle(zip_folder(folder, tmp_path / "case.zip"), tmp_path / "work")
    with open_home(bundle.root) as opened:
        assert sorted(adapter for _, adapter in opened.imported.read) == ["homeassistant", "hue"]
        assert opened.graph.device_of("light.driveway") is not None
    # the same zip without a dump is left as it was: a config folder at the root
    plain = unpack_customer_bundle(zip_folder(HOME, tmp_path / "plain.zip"), tmp_path / "work2")
    assert (plain.root / "configuration.yaml").is_file()


def test_a_file_that_claims_to_be_a_scenario_must_be_one(tmp_path: Path) -> None:
    folder = tmp_path / "customer"
    shutil.copytree(HOME, folder / "ha-config")
    (folder / "chain.yml").write_text("name: Mine\nsteps:\n  - {entity: person.alice, state: home}\n"
                                      "  - {entity: light.driveway, state: 'on', within: soon}\n")
    with pytest.raises(ScenarioError) as caught:
        unpack_customer_bundle(folder, tmp_path / "work")
    assert "chain.yml:4" in str(caught.value) and "soon" in str(caught.value)


def test_a_bundle_that_is_neither_a_folder_nor_a_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="nothing-here"):
        unpack_customer_bundle(tmp_path / "nothing-here", tmp_path / "work")
    text = tmp_path / "notes.txt"
    text.write_text("my lights do not come on")
    with pytest.raises(BundleError, match="notes.txt: not a zip"):
        unpack_customer_bundle(text, tmp_path / "work")
    assert not (tmp_path / "work").exists()
