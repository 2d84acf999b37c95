"""The escalation bundle: for the right party, with the report, the evidence and only the hop's data,
redacted, the identifiers of other devices pseudonymised.

The home is the example home's config folder beside a Hue bridge's dump and the water valve's
Shelly dump (aligned with the home's own devices, so that the graph merges them), with a log
record about the driveway light that mentions a secret, another device's address and another
light's IEEE address.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from weaklink.bundle import Party, build_escalation, responsible_party
from weaklink.bundle import history_extract
from weaklink.bundle.pseudonyms import Pseudonyms
from weaklink.cli import parse_at
from weaklink.home import OpenHome, open_home
from weaklink.redact import REDACTED
from weaklink.report import TraceReport, Verdict
from weaklink.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "examples" / "ha-home"
SCENARIOS = ROOT / "scenarios"
FIXTURES = ROOT / "adapters"

SIGNIFY = "Signify Netherlands B.V."
DRIVEWAY_IEEE = "00:17:88:01:7e:d4:b7:58"  # the broken light
BRIDGE_MAC = "00:17:88:4a:1b:2c"  # its hub
BRIDGE_ADDRESS = "192.168.1.20"  # the hub's address, in its config entry
HALL_IEEE = "00:17:88:01:53:e5:24:f6"  # another light on the bridge (the Hue dump's)
PORCH_IEEE = "00:17:88:01:96:1d:3e:a6"  # another light on the bridge (Home Assistant's registry)
FRIDGE_ADDRESS = "192.168.1.42"  # a Shelly plug elsewhere in the house
VALVE_MAC = "a8:03:2a:be:54:c8"  # the water valve's Shelly
REOLINK_SERIAL = "192168157A9F04"
SECRET_VALUE = f"relay-{secrets.token_hex(8)}"  # in secrets.yaml under an innocent name
KEY = b"k" * 32


def aligned_hue_dump() -> str:
    dump = json.loads((FIXTURES / "hue" / "fixtures" / "BSB002_1965111030.json").read_text())
    dump["config"].update(bridgeid="001788FFFE4A1B2C", mac=BRIDGE_MAC)
    for resource in dump["resources"]:
        if resource["type"] == "bridge":
            resource["bridge_id"] = "001788fffe4a1b2c"
        if resource.get("mac_address") == "00:17:88:01:4f:0e:58:97":
            resource["mac_address"] = DRIVEWAY_IEEE
    return json.dumps(dump, indent=1)


def aligned_shelly_dump() -> str:
    text = (FIXTURES / "shelly" / "fixtures" / "SNSW-001X16EU_1.1.0.json").read_text()
    return text.replace("C8C9A370E5F0", "A8032ABE54C8").replace("c8c9a370e5f0", "a8032abe54c8").replace(
        "127.0.3.5", "192.168.1.41")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> OpenHome:
    folder = tmp_path_factory.mktemp("customer")
    shutil.copytree(HOME, folder / "ha-config")
    (folder / "hue export.json").write_text(aligned_hue_dump())
    (folder / "valve.json").write_text(aligned_shelly_dump())
    with (folder / "ha-config" / "secrets.yaml").open("a") as secrets_file:
        secrets_file.write(f'garage_relay_note: "{SECRET_VALUE}"\n')
    with (folder / "ha-config" / "home-assistant.log").open("a") as log:
        log.write(f"2026-11-11 18:40:48.001 WARNING (MainThread) [homeassistant.components.hue.light] light.driveway:"
                  f" bridge answered {SECRET_VALUE}; neighbours {FRIDGE_ADDRESS} and {PORCH_IEEE}\n")
    with open_home(folder) as opened:
        yield opened  # type: ignore[misc]


def trace(home: OpenHome, scenario: str, when: str) -> TraceReport:
    return home.tracer().trace(load_scenario(SCENARIOS / f"{scenario}.yaml"), parse_at(when, home.time_zone))


@pytest.fixture(scope="module")
def radio(home: OpenHome) -> TraceReport:
    report = trace(home, "driveway_arrival", "2026-11-11 18:50")
    assert report.broken_link is not None and report.broken_link.cause == "radio_link_lost"
    return report


def members(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def everything(bundle: bytes) -> str:
    return "\n".join(content.decode() for content in members(bundle).values())


# --------------------------------------------------------------------------- the party


@pytest.mark.parametrize(("scenario", "when", "party"), [
    ("driveway_arrival", "2026-11-11 18:50", Party(SIGNIFY, (SIGNIFY,), ("homeassistant", "hue"))),  # radio
    ("driveway_arrival", "2026-11-12 19:20", Party(SIGNIFY, (SIGNIFY,), ("homeassistant", "hue"))),  # hub
    ("water_leak", "2026-11-16 10:10", Party("Shelly", ("Shelly",), ("homeassistant", "shelly"))),  # off the network
    ("driveway_arrival", "2026-11-15 18:40", Party("SimpliSafe", ("SimpliSafe",), ("homeassistant",))),  # its cloud
    ("driveway_arrival", "2026-11-16 18:25", Party("Nice", ("Nice",), ("homeassistant",))),  # did not act
    ("driveway_arrival", "2026-11-18 19:10", Party("Google", ("Google",), ("homeassistant",))),  # the phone
    ("smoke", "2026-11-19 11:10", Party("the home's own configuration", ("ecobee",), ("homeassistant",))),
])
def test_the_responsible_party(home: OpenHome, scenario: str, when: str, party: Party) -> None:
    assert responsible_party(trace(home, scenario, when), home) == party


def test_a_healthy_chain_has_nobody_to_escalate_to(home: OpenHome) -> None:
    report = trace(home, "driveway_arrival", "2026-11-10 18:15")
    assert report.verdict is Verdict.OK and responsible_party(report, home) is None
    files = members(build_escalation(report, home, key=KEY))
    assert not [name for name in files if name.startswith("data/")]
    assert "no link broke" in files["README.md"].decode()


def test_the_party_slug_names_a_file() -> None:
    assert Party(SIGNIFY, (), ()).slug == "signify-netherlands-b-v"
    assert Party("the home's own configuration", (), ()).slug == "the-home-s-own-configuration"


# --------------------------------------------------------------------------- the bundle


def test_the_bundle_holds_the_report_the_evidence_and_a_manifest(home: OpenHome, radio: TraceReport) -> None:
    bundle = build_escalation(radio, home, key=KEY, graph_svg=f"<svg><text>{HALL_IEEE}</text></svg>")
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names) and {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    files = members(bundle)
    assert {"README.md", "report.json", "report.md", "evidence.json", "graph.svg", "manifest.json"} <= set(files)
    assert set(files) - {"README.md", "report.json", "report.md", "evidence.json", "graph.svg", "manifest.json"} == {
        "data/homeassistant/ha-config/core.entity_registry.json", "data/homeassistant/ha-config/core.device_registry.json",
        "data/homeassistant/ha-config/core.config_entries.json", "data/homeassistant/ha-config/automations.json",
        "data/homeassistant/ha-config/home-assistant.log", "data/hue/hue export.json", "history.json"}
    report = TraceReport.model_validate_json(files["report.json"])
    assert report.steps == radio.steps and report.broken_link is not None and radio.broken_link is not None
    # the same finding; where its evidence was read is named without the local folder it was read from
    assert report.broken_link.model_dump(exclude={"evidence"}) == radio.broken_link.model_dump(exclude={"evidence"})
    assert [e.source for e in report.broken_link.evidence] == [
        e.source.replace(str(home.path), home.path.name) if e.source else None for e in radio.broken_link.evidence]
    assert radio.summary in files["report.md"].decode()
    evidence = json.loads(files["evidence.json"])
    assert evidence["broken_link"]["element"] == "light.driveway"
    assert [e["detail"] for e in evidence["broken_link"]["evidence"]] == [e.detail for e in radio.broken_link.evidence]  # type: ignore[union-attr]
    readme = files["README.md"].decode()
    assert f"For: **{SIGNIFY}**" in readme and radio.summary in readme and "`data/hue/hue export.json`" in readme
    manifest = json.loads(files["manifest.json"])
    assert {f["name"] for f in manifest["files"]} == set(files) - {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
    assert manifest["device_ids_shared"] is False and manifest["for"]["name"] == SIGNIFY
    assert "api_key" in manifest["redacted"]["secret_keys"]
    assert HALL_IEEE not in files["graph.svg"].decode() and "device-" in files["graph.svg"].decode()


def test_only_the_hops_part_of_the_config_folder_is_sent(home: OpenHome, radio: TraceReport) -> None:
    files = members(build_escalation(radio, home, key=KEY))
    prefix = "data/homeassistant/ha-config/"
    entities = json.loads(files[prefix + "core.entity_registry.json"])["data"]
    assert [e["entity_id"] for e in entities["entities"]] == ["light.driveway", "automation.garage_opened_evening"]
    devices = json.loads(files[prefix + "core.device_registry.json"])["data"]["devices"]
    assert sorted(d["name"] for d in devices) == ["Driveway", "Hue Bridge"]
    entries = json.loads(files[prefix + "core.config_entries.json"])["data"]["entries"]
    assert [(e["domain"], e["data"]["host"], e["data"]["api_key"]) for e in entries] == [("hue", BRIDGE_ADDRESS, REDACTED)]
    automations = json.loads(files[prefix + "automations.json"])
    assert [a["entity_id"] for a in automations] == ["automation.garage_opened_evening"]
    assert automations[0]["config"]["action"][0]["entity_id"] == "light.driveway"
    log = files[prefix + "home-assistant.log"].decode().splitlines()
    assert len(log) == 3 and all("light.driveway" in line for line in log)
    everything_sent = "\n".join(content.decode() for content in files.values())
    for elsewhere in ("Water main shutoff", "Front door lock", "light.porch_old", "CANARY", "40.74186",
                      str(home.path)):
        assert elsewhere not in everything_sent, elsewhere
    assert not [name for name in files if name.endswith((".db", "secrets.yaml", "core.config"))]


def test_the_hops_recorded_history_around_the_incident_is_sent(home: OpenHome, radio: TraceReport) -> None:
    files = members(build_escalation(radio, home, key=KEY))
    history = json.loads(files["history.json"])
    assert history["entities"] == ["light.driveway"]
    start, end = (datetime.fromisoformat(history["window"][edge]) for edge in ("start", "end"))
    assert radio.incident.triggered_at is not None and start == radio.incident.triggered_at - timedelta(hours=1)
    assert end > max(step.deadline for step in radio.steps if step.deadline)
    # the light had dropped off its radio before the window opened: that row says so
    [opening] = history["state_when_the_window_opens"]
    assert (opening["entity_id"], opening["state"]) == ("light.driveway", "unavailable")
    assert datetime.fromisoformat(opening["at"]) < start
    assert all(row["entity_id"] == "light.driveway" and start <= datetime.fromisoformat(row["at"]) <= end
               for row in history["states"])
    # the automation that carries the hop ran, and called the light
    assert [run["automation"] for run in history["automation_runs"]] == ["automation.garage_opened_evening"]
    [call] = history["service_calls"]
    assert call["data"]["service_data"]["entity_id"] == ["light.driveway"]
    assert call["context_id"] == history["automation_runs"][0]["context_id"]
    assert history["sources"] == [f"{home.path.name}/ha-config/home-assistant_v2.db"]
    assert "context_user_id" not in files["history.json"].decode()
    assert "`history.json`" in files["README.md"].decode()


def test_recorded_coordinates_never_reach_the_history(home: OpenHome) -> None:
    report = trace(home, "driveway_arrival", "2026-11-18 19:10")  # the phone never said Alice arrived
    history = json.loads(members(build_escalation(report, home, key=KEY))["history.json"])
    [opening] = history["state_when_the_window_opens"]
    assert opening["entity_id"] == "person.alice" and opening["attributes"]["friendly_name"] == "Alice"
    assert opening["attributes"]["latitude"] == REDACTED and opening["attributes"]["longitude"] == REDACTED
    raw = home.recording.state_at("person.alice", datetime.fromisoformat(history["window"]["start"]))
    assert raw is not None and isinstance(raw.attributes.get("latitude"), float)  # it was there to leak


def test_a_chatty_entity_is_cut_and_the_file_says_where(home: OpenHome, monkeypatch: pytest.MonkeyPatch) -> None:
    report = trace(home, "driveway_arrival", "2026-11-17 18:50")  # the garage door opened too late
    assert report.broken_link is not None and report.broken_link.cause == "too_late"
    whole = json.loads(members(build_escalation(report, home, key=KEY))["history.json"])
    assert len(whole["states"]) >= 3 and whole["states_cut_at"] is None
    monkeypatch.setattr(history_extract, "MAX_ROWS", 2)
    cut = json.loads(members(build_escalation(report, home, key=KEY))["history.json"])
    assert cut["states"] == whole["states"][:2] and cut["states_cut_at"] == 2


def test_without_a_recorded_history_no_history_file_is_made(home: OpenHome, radio: TraceReport,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home.recording, "histories", [])
    assert "history.json" not in members(build_escalation(radio, home, key=KEY))


def test_secrets_are_masked_wherever_they_appear(home: OpenHome, radio: TraceReport) -> None:
    given = f"desk-{secrets.token_hex(6)}"
    files = members(build_escalation(radio, home, key=KEY, secrets=[given],
                                     case_notes=f"customer read us {given} over the phone"))
    sent = "\n".join(content.decode() for content in files.values())
    assert SECRET_VALUE not in sent and given not in sent
    assert f"bridge answered {REDACTED}" in files["data/homeassistant/ha-config/home-assistant.log"].decode()
    assert f"customer read us {REDACTED} over the phone" in files["README.md"].decode()


def test_identifiers_outside_the_hop_become_pseudonyms(home: OpenHome, radio: TraceReport) -> None:
    notes = (f"Seen: {HALL_IEEE.upper().replace(':', '-')}, 0x{HALL_IEEE.replace(':', '')}, {HALL_IEEE}; "
             f"valve {VALVE_MAC.replace(':', '')}; doorbell {REOLINK_SERIAL}; firmware 1.122.8")
    files = members(build_escalation(radio, home, key=KEY, case_notes=notes))
    sent = "\n".join(content.decode() for content in files.values()).lower()
    for outside in (HALL_IEEE, HALL_IEEE.replace(":", ""), PORCH_IEEE, FRIDGE_ADDRESS, VALVE_MAC.replace(":", ""),
                    REOLINK_SERIAL.lower()):
        assert outside not in sent, outside
    for inside in (DRIVEWAY_IEEE, BRIDGE_MAC, BRIDGE_ADDRESS, "001788fffe4a1b2c"):
        assert inside in sent, inside
    # one identifier, however spelled, is one pseudonym
    readme = files["README.md"].decode()
    seen = readme.split("Seen: ", 1)[1].split(";", 1)[0].split(", ")
    assert len(seen) == 3 and len(set(seen)) == 1 and seen[0].startswith("device-")
    assert "firmware 1.122.8" in readme
    hue = json.loads(files["data/hue/hue export.json"])
    links = {r["owner"]["rid"]: r["mac_address"] for r in hue["resources"] if r["type"] == "zigbee_connectivity"}
    assert DRIVEWAY_IEEE in links.values() and seen[0] in links.values()
    manifest = json.loads(files["manifest.json"])
    assert manifest["redacted"]["pseudonyms"][seen[0]] == "zigbee"


def test_ipv6_addresses_outside_the_hop_become_pseudonyms(home: OpenHome, radio: TraceReport) -> None:
    # the fridge's global address written three ways, a SLAAC address (its MAC inside), the hub's
    # IPv4 address mapped into IPv6, and what is nobody's address: mDNS's group, loopback, times
    notes = ("fridge 2001:db8:4::42, 2001:0DB8:0004:0000:0000:0000:0000:0042 and [2001:db8:4::42]:80; "
             "tv fe80::aa03:2aff:febe:54c8%wlan0; hub ::ffff:192.168.1.20; "
             "mdns ff02::fb, lo ::1, at 18:40:48.001, std::string")
    readme = members(build_escalation(radio, home, key=KEY, case_notes=notes))["README.md"].decode()
    said = readme.split("fridge ", 1)[1].split(" and [", 1)[0].split(", ")
    assert said[0].startswith("device-") and said == [said[0]] * 2
    assert f"[{said[0]}]:80" in readme
    for gone in ("2001:db8", "2001:0DB8", "fe80::", "aa03:2aff"):
        assert gone not in readme, gone
    assert "%wlan0" in readme and "hub ::ffff:192.168.1.20;" in readme
    assert "mdns ff02::fb, lo ::1, at 18:40:48.001, std::string" in readme


def test_the_hops_ipv6_address_is_kept_however_it_is_written(home: OpenHome) -> None:
    pseudonyms = Pseudonyms(KEY, keep=set(), others=[])
    kept = Pseudonyms.for_hop(None, home, KEY, extra_kept=["2001:db8::20"])
    assert kept.text("bridge at 2001:DB8:0:0::20 and 2001:db8::21") == (
        f"bridge at 2001:DB8:0:0::20 and {kept.name('ip:2001:db8::21')}")
    assert pseudonyms.text("2001:db8::20").startswith("device-")


def test_shared_device_ids_are_kept(home: OpenHome, radio: TraceReport) -> None:
    sent = everything(build_escalation(radio, home, share_device_ids=True, case_notes=f"doorbell {REOLINK_SERIAL}"))
    for identifier in (HALL_IEEE, PORCH_IEEE, FRIDGE_ADDRESS, DRIVEWAY_IEEE, BRIDGE_MAC, REOLINK_SERIAL):
        assert identifier in sent, identifier
    assert "device-" not in sent and SECRET_VALUE not in sent


def test_pseudonyms_are_keyed_per_bundle(home: OpenHome, radio: TraceReport) -> None:
    same = [build_escalation(radio, home, key=KEY) for _ in range(2)]
    assert same[0] == same[1]  # nothing but the key varies: fixed times, sorted names
    other = [build_escalation(radio, home) for _ in range(2)]
    pseudonyms = [set(json.loads(members(b)["manifest.json"])["redacted"]["pseudonyms"]) for b in [same[0], *other]]
    assert len(pseudonyms[0]) >= 3 and all(len(p) == len(pseudonyms[0]) for p in pseudonyms)
    assert pseudonyms[0].isdisjoint(pseudonyms[1]) and pseudonyms[1].isdisjoint(pseudonyms[2])


def test_a_vendor_dump_of_the_hop_is_sent_redacted(home: OpenHome) -> None:
    report = trace(home, "water_leak", "2026-11-16 10:10")
    files = members(build_escalation(report, home, key=KEY))
    assert "data/shelly/valve.json" in files and "data/hue/hue export.json" not in files
    dump = json.loads(files["data/shelly/valve.json"])
    assert dump["config"]["wifi"]["sta"]["ssid"] == REDACTED
    assert dump["shelly"]["mac"] == "A8032ABE54C8"  # the broken device's own identifiers are kept
    entries = json.loads(files["data/homeassistant/ha-config/core.config_entries.json"])["data"]["entries"]
    assert [(e["title"], e["data"]["password"]) for e in entries] == [("Water main shutoff", REDACTED)]
    assert datetime.fromisoformat(json.loads(files["report.json"])["incident"]["triggered_at"]).day == 16
