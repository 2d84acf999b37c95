"""`weaklink bundle`: a customer's zip in, an escalation bundle out, and not one secret in it.

The canary test plants unique random strings wherever a customer's secrets live (config
entries' tokens, passwords and API keys, `secrets.yaml`, the home's coordinates, Wi-Fi
names in vendor dumps, a bearer token in the log), zips the home, runs the command in
process and as a real process, and searches every member of the bundle, decompressed, for
each canary as it is and base64- or URL-encoded.
"""

from __future__ import annotations

import base64
import json
import secrets
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from cli_support import weaklink, weaklink_process

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "examples" / "ha-home"
SCENARIOS = ROOT / "scenarios"
FIXTURES = ROOT / "adapters"
DRIVEWAY_IEEE = "00:17:88:01:7e:d4:b7:58"
HALL_IEEE = "00:17:88:01:53:e5:24:f6"  # another light, in the Hue dump
REDACTED = "**REDACTED**"


def canary(kind: str) -> str:
    return f"{kind}{secrets.token_hex(10)}"


CANARIES = {
    "token": canary("tok"), "password": canary("pw"), "api_key": canary("key"), "secrets_yaml": canary("sy"),
    "ssid": canary("wifi"), "bearer": canary("bearer"),
    "latitude": f"40.{secrets.randbelow(10**12):012d}7", "longitude": f"-73.{secrets.randbelow(10**12):012d}3",
}


def encoded(secret: str) -> set[bytes]:
    """The secret as bytes, URL-encoded, hex, and base64 (standard and URL-safe) at every alignment."""
    raw = secret.encode()
    forms = {raw, raw.lower(), quote(secret, safe="").encode(), quote_plus(secret).encode(), raw.hex().encode()}
    for pad, skip in ((0, 0), (1, 2), (2, 3)):  # characters that also hold bits of what came before
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encode(b"x" * pad + raw)[skip:-4])
    return forms


def plant(folder: Path) -> None:
    """A customer's home with a canary in every secret place: the example home, a Hue dump, a Shelly dump."""
    config = folder / "ha-config"
    shutil.copytree(HOME, config)
    entries_file = config / ".storage" / "core.config_entries"
    entries = json.loads(entries_file.read_text())
    for entry in entries["data"]["entries"]:
        entry["data"].update(token=CANARIES["token"], password=CANARIES["password"], api_key=CANARIES["api_key"])
    entries_file.write_text(json.dumps(entries))
    core_file = config / ".storage" / "core.config"
    core = json.loads(core_file.read_text())
    core["data"].update(latitude=float(CANARIES["latitude"]), longitude=float(CANARIES["longitude"]))
    core_file.write_text(json.dumps(core).replace(repr(float(CANARIES["latitude"])), CANARIES["latitude"]))
    with (config / "secrets.yaml").open("a") as secrets_file:
        secrets_file.write(f'gate_relay: "{CANARIES["secrets_yaml"]}"\n')
    with (config / "home-assistant.log").open("a") as log:
        for entity, when in (("light.driveway", "2026-11-11 18:40:48.001"), ("switch.water_main_shutoff", "2026-11-16 09:00:01.002")):
            log.write(f"{when} ERROR (MainThread) [homeassistant.components.http] {entity}: request with "
                      f"Authorization: Bearer {CANARIES['bearer']} refused; relay said {CANARIES['secrets_yaml']}\n")
    hue = json.loads((FIXTURES / "hue" / "fixtures" / "BSB002_1965111030.json").read_text())
    hue["config"].update(bridgeid="001788FFFE4A1B2C", mac="00:17:88:4a:1b:2c", ssid=CANARIES["ssid"])
    for resource in hue["resources"]:
        if resource["type"] == "bridge":
            resource["bridge_id"] = "001788fffe4a1b2c"
        if resource.get("mac_address") == "00:17:88:01:4f:0e:58:97":
            resource["mac_address"] = DRIVEWAY_IEEE
    (folder / "hue bridge.json").write_text(json.dumps(hue))
    shelly = json.loads((FIXTURES / "shelly" / "fixtures" / "SNSW-001X16EU_1.1.0.json").read_text()
                        .replace("C8C9A370E5F0", "A8032ABE54C8").replace("c8c9a370e5f0", "a8032abe54c8"))
    shelly["config"]["wifi"]["sta"]["ssid"] = shelly["status"]["wifi"]["ssid"] = CANARIES["ssid"]
    (folder / "valve dump.json").write_text(json.dumps(shelly))
    for place, text in [(core_file, CANARIES["latitude"]), (entries_file, CANARIES["token"]),
                        (folder / "valve dump.json", CANARIES["ssid"])]:
        assert text in place.read_text()  # planted where they would be


def zip_folder(folder: Path, target: Path, extra: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return target


@pytest.fixture(scope="module")
def customer_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("customer")
    plant(work / "home")
    return zip_folder(work / "home", work / "customer.zip")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


CASES = {
    "driveway": (["--at", "2026-11-11 18:50"], "light.driveway", "Signify Netherlands B.V."),
    "water": ([str(SCENARIOS / "water_leak.yaml"), "--at", "2026-11-16 10:10"], "switch.water_main_shutoff", "Shelly"),
}


@pytest.mark.parametrize("how", ["in process", "subprocess"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_no_canary_reaches_the_escalation_bundle(customer_zip: Path, tmp_path: Path, how: str, case: str) -> None:
    args, element, party = CASES[case]
    out = tmp_path / "escalation.zip"
    command = ["bundle", str(customer_zip), *args, "--out", str(out)]
    if how == "in process":
        result = weaklink(*command)
        status, stdout, stderr = result.exit_code, result.stdout, result.stderr
    else:
        process = weaklink_process(*command)
        status, stdout, stderr = process.returncode, process.stdout, process.stderr
    assert status == 1, stderr
    assert f"for: {party}" in stdout and str(out) in stdout
    files = members(out)
    for name, content in files.items():
        for kind, secret in CANARIES.items():
            for form in encoded(secret):
                assert form not in content, f"the {kind} canary is in {name}"
    for kind, secret in CANARIES.items():
        assert secret not in stdout + stderr, kind
    # ... and the bundle is not empty: the report, the hop's registry entries, the log record, masked
    report = json.loads(files["report.json"])
    assert report["verdict"] == "broken" and report["broken_link"]["element"] == element
    assert "graph.svg" in files and "evidence.json" in files and "report.md" in files
    registry = json.loads(files["data/homeassistant/ha-config/core.entity_registry.json"])
    assert element in [entity["entity_id"] for entity in registry["data"]["entities"]]
    entries = json.loads(files["data/homeassistant/ha-config/core.config_entries.json"])["data"]["entries"]
    assert entries and all(e["data"]["token"] == e["data"]["password"] == e["data"]["api_key"] == REDACTED for e in entries)
    log = files["data/homeassistant/ha-config/home-assistant.log"].decode()
    assert f"{element}: request with Authorization: Bearer {REDACTED} refused; relay said {REDACTED}" in log
    dump = "data/hue/hue bridge.json" if case == "driveway" else "data/shelly/valve dump.json"
    assert REDACTED in files[dump].decode() and '"ssid"' in files[dump].decode()


def test_identifiers_outside_the_hop_are_pseudonyms_unless_shared(customer_zip: Path, tmp_path: Path) -> None:
    hidden = tmp_path / "hidden.zip"
    assert weaklink("bundle", customer_zip, "--at", "2026-11-11 18:50", "--out", hidden).exit_code == 1
    sent = b"\n".join(members(hidden).values()).decode()
    assert DRIVEWAY_IEEE in sent and HALL_IEEE not in sent and "device-" in sent
    shared = tmp_path / "shared.zip"
    assert weaklink("bundle", customer_zip, "--at", "2026-11-11 18:50", "--out", shared, "--share-device-ids").exit_code == 1
    sent = b"\n".join(members(shared).values()).decode()
    assert DRIVEWAY_IEEE in sent and HALL_IEEE in sent and "device-" not in sent
    assert json.loads(members(shared)["manifest.json"])["device_ids_shared"] is True


def test_the_default_name_and_no_overwriting(customer_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = weaklink("bundle", customer_zip, "--at", "2026-11-11 18:50")
    expected = tmp_path / "weaklink-escalation-signify-netherlands-b-v-2026-11-11.zip"
    assert first.exit_code == 1 and expected.is_file()
    assert first.stdout.splitlines() == [
        "Arrive home: open garage — broken: Step 3 (light.driveway → on) failed: Driveway (light.driveway) lost its "
        "zigbee link to Hue Bridge while the hub and its other devices were fine.",
        "for: Signify Netherlands B.V.", f"wrote {expected.name}"]
    expected.write_bytes(b"the agent's own file")
    again = weaklink_process("bundle", customer_zip, "--at", "2026-11-11 18:50")  # in tmp_path, like the others
    assert again.returncode == 2 and expected.read_bytes() == b"the agent's own file"
    assert again.stderr == f"weaklink: error: {expected.name}: exists already; give --force to replace it\n"
    forced = weaklink("bundle", customer_zip, "--at", "2026-11-11 18:50", "--force")
    assert forced.exit_code == 1 and zipfile.is_zipfile(expected)
    assert [p.name for p in tmp_path.iterdir()] == [expected.name]  # no partial file left behind


def test_a_scenario_inside_the_bundle_is_the_chain(tmp_path: Path) -> None:
    bundle = zip_folder(HOME, tmp_path / "case.zip", {"our problem.yml": (SCENARIOS / "water_leak.yaml").read_text()})
    result = weaklink("bundle", bundle, "--at", "2026-11-16 10:10", "--out", tmp_path / "out.zip")
    assert result.exit_code == 1 and result.stdout.startswith("Water leak — broken")
    assert "for: Shelly" in result.stdout


def test_a_healthy_chain_exits_zero(tmp_path: Path) -> None:
    result = weaklink("bundle", HOME, SCENARIOS / "driveway_arrival.yaml", "--at", "2026-11-10 18:15",
                      "--out", tmp_path / "ok.zip")
    assert result.exit_code == 0 and "for: nobody in particular" in result.stdout
    assert zipfile.is_zipfile(tmp_path / "ok.zip")


def _bad_bundles(folder: Path) -> dict[str, tuple[Path, str]]:
    """Bad bundles, each with the text its one line of error must hold."""
    not_zip = folder / "photo.zip"
    not_zip.write_text("not a zip")
    good = zip_folder(HOME, folder / "good.zip").read_bytes()
    cut = folder / "cut.zip"
    cut.write_bytes(good[: len(good) // 2])
    slip = folder / "slip.zip"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("ha-config/configuration.yaml", "default_config:\n")
        archive.writestr("../../outside.txt", "owned")
    link = folder / "link.zip"
    with zipfile.ZipFile(link, "w") as archive:
        info = zipfile.ZipInfo("ha-config/secrets.yaml")
        info.create_system, info.external_attr = 3, (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    scenario = zip_folder(HOME, folder / "scenario.zip", {"chain.yml": "name: Mine\nsteps:\n  - {entity: person.alice, state: home}\n"
                                                                       "  - {entity: light.driveway, state: 'on', within: soon}\n"})
    hue_only = folder / "hue-only.zip"
    with zipfile.ZipFile(hue_only, "w") as archive:
        archive.write(FIXTURES / "hue" / "fixtures" / "BSB002_1965111030.json", "bridge.json")
    return {"not a zip": (not_zip, f"{not_zip}: not a zip file"),
            "no chain": (hue_only, f"{hue_only}: no chain to trace"), "cut short": (cut, f"{cut}: not a zip file"),
            "zip slip": (slip, f"{slip} (../../outside.txt): a path that leaves the bundle"),
            "symlink": (link, f"{link} (ha-config/secrets.yaml): a symbolic link"),
            "bad scenario": (scenario, f"{scenario}/chain.yml:4 (steps.1.within): not a duration: 'soon'"),
            "missing": (folder / "nowhere.zip", f"{folder / 'nowhere.zip'}: no such file or folder")}


def test_bad_bundles_give_one_line_and_exit_status_2(tmp_path: Path) -> None:
    cases = _bad_bundles(tmp_path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(cases, pool.map(lambda c: weaklink_process("bundle", c[0], "--out", tmp_path / "o.zip"),
                                        cases.values())))
    for name, process in runs.items():
        says = cases[name][1]
        assert process.returncode == 2, (name, process.stderr)
        assert process.stdout == "" and process.stderr.count("\n") == 1, (name, process.stderr)
        assert process.stderr.startswith(f"weaklink: error: {says}"), (name, process.stderr)
    assert not (tmp_path / "o.zip").exists() and not (tmp_path.parent / "outside.txt").exists()
