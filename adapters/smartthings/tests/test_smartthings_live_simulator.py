"""The simulated SmartThings cloud speaks the REST API as the real one does: a plain aiohttp client
checks its answers' shapes (those of the adapter's fixtures), its gateway's refusals, its paging,
its rate limit and its faults, and the virtual home writes its live home file entry."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from smartthings_fixtures import HOME, document
from smartthings_live_support import Make

from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink.sim.home import SimError, VirtualHome, VirtualHomeSpec, load_virtual_home
from weaklink.sim.livehome import live_home_document
from weaklink.sim.smartthings import SmartThingsCloud, SmartThingsSpec
from weaklink_smartthings import SmartThingsAdapter


async def ask(cloud: SmartThingsCloud, method: str, path: str, token: str | None = "", **kwargs: Any
              ) -> tuple[int, dict[str, str], Any]:
    """One request to the cloud (`token` "": the account's own; None: no Authorization header)."""
    headers = {} if token is None else {"Authorization": f"Bearer {token or cloud.spec.token}"}
    url = path if path.startswith("http") else cloud.api_url + path
    async with aiohttp.ClientSession() as http, http.request(method, url, headers=headers, **kwargs) as response:
        text = await response.text()
        try:
            body = json.loads(text) if response.content_type == "application/json" else text
        except ValueError:
            body = text  # a garbled answer: kept as it came
        return response.status, dict(response.headers), body


async def test_the_device_list_has_the_fixtures_shape(make: Make, tmp_path: Path) -> None:
    cloud = await make()
    status, _, body = await ask(cloud, "GET", "/devices?includeHealth=true&includeStatus=true")
    assert status == 200 and body["_links"] == {}
    assert [item["label"] for item in body["items"]] == ["SmartThings hub", "Porch light", "Back door lock",
                                                         "Garage door", "Hallway motion"]
    fixture = document(HOME / "devices.json")["items"]
    for ours, theirs in ((body["items"][0], fixture[0]), (body["items"][1], fixture[1])):  # a hub, a Zigbee device
        assert set(theirs) - {"roomId"} <= set(ours), set(theirs) - set(ours)
        assert set(theirs["components"][0]) == set(ours["components"][0])
    hub = body["items"][0]
    assert set(fixture[0]["hub"]["hubData"]) == set(hub["hub"]["hubData"])
    assert body["items"][1]["zigbee"]["hubId"] == hub["deviceId"] and body["items"][3]["type"] == "VIPER"
    light = body["items"][1]
    assert light["healthState"]["state"] == "ONLINE" and light["healthState"]["lastUpdatedDate"].endswith("Z")
    switch = light["components"][0]["capabilities"][0]
    assert switch["id"] == "switch" and switch["status"]["switch"]["value"] == "off"
    # what the offline reader makes of it, saved as a file
    saved = tmp_path / "devices.json"
    saved.write_text((await _text(cloud, "/devices?includeHealth=true&includeStatus=true")), encoding="utf-8")
    fragment = SmartThingsAdapter().load(saved)
    assert len(fragment.devices) == 5 and {c.kind.value for c in fragment.capabilities} >= {"light", "lock", "cover",
                                                                                           "motion"}


async def _text(cloud: SmartThingsCloud, path: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(cloud.api_url + path, headers={
            "Authorization": f"Bearer {cloud.spec.token}"}) as response:
        return await response.text()


async def test_without_health_and_status_the_list_holds_descriptions_only(make: Make) -> None:
    cloud = await make()
    _, _, body = await ask(cloud, "GET", "/devices")
    assert all("healthState" not in item for item in body["items"])
    assert all("status" not in capability for item in body["items"] for component in item["components"]
               for capability in component["capabilities"])


async def test_pages_are_linked_by_absolute_urls_until_the_last(make: Make) -> None:
    cloud = await make(page_size=2)
    seen, url = [], "/devices?includeHealth=true"
    while url:
        status, _, body = await ask(cloud, "GET", url)
        assert status == 200 and len(body["items"]) <= 2
        seen += [item["label"] for item in body["items"]]
        nxt = body["_links"].get("next")
        url = nxt["href"] if nxt else ""
        assert not url or (url.startswith(cloud.api_url + "/devices?") and "includeHealth=true" in url)
    assert len(seen) == 5 and len(set(seen)) == 5
    assert body["_links"]["previous"]["href"].endswith("page=1&max=2")


async def test_filters_by_device_id_and_capability(make: Make) -> None:
    cloud = await make()
    lock = cloud.device("Back door lock").id
    _, _, body = await ask(cloud, "GET", f"/devices?deviceId={lock}")
    assert [item["label"] for item in body["items"]] == ["Back door lock"]
    _, _, body = await ask(cloud, "GET", "/devices?capability=switch,motionSensor")
    assert [item["label"] for item in body["items"]] == ["Porch light", "Hallway motion"]


async def test_one_device_its_health_and_its_status(make: Make) -> None:
    cloud = await make()
    motion = cloud.device("Hallway motion").id
    status, _, body = await ask(cloud, "GET", f"/devices/{motion}")
    assert status == 200 and body["label"] == "Hallway motion" and "healthState" not in body
    _, _, health = await ask(cloud, "GET", f"/devices/{motion}/health")
    assert set(health) == {"deviceId", "state", "lastUpdatedDate"} and health["state"] == "ONLINE"
    _, _, status_body = await ask(cloud, "GET", f"/devices/{motion}/status")
    reading = status_body["components"]["main"]
    assert reading["motionSensor"]["motion"]["value"] == "inactive"
    assert reading["temperatureMeasurement"]["temperature"] == {"value": 21.5, "unit": "C",
                                                               "timestamp": reading["temperatureMeasurement"][
                                                                   "temperature"]["timestamp"]}
    assert reading["temperatureMeasurement"]["temperatureRange"] == {"value": None} and reading["refresh"] == {}
    _, _, one = await ask(cloud, "GET", f"/devices/{motion}/components/main/capabilities/battery/status")
    assert one["battery"]["value"] == 90
    missing, _, error = await ask(cloud, "GET", "/devices/00000000-0000-4000-8000-000000000000/health")
    assert missing == 404 and error["error"]["code"] == "NotFoundError" and error["requestId"]


async def test_commands_change_what_the_device_reports(make: Make) -> None:
    cloud = await make()
    light = cloud.device("Porch light").id
    status, _, body = await ask(cloud, "POST", f"/devices/{light}/commands", json={"commands": [
        {"component": "main", "capability": "switch", "command": "on", "arguments": []},
        {"component": "main", "capability": "switchLevel", "command": "setLevel", "arguments": [35]}]})
    assert status == 200 and [r["status"] for r in body["results"]] == ["ACCEPTED", "ACCEPTED"]
    assert cloud.value("Porch light", "switch", "switch") == "on" and cloud.value("Porch light", "switchLevel",
                                                                                  "level") == 35
    lock = cloud.device("Back door lock").id
    await ask(cloud, "POST", f"/devices/{lock}/commands", json={"commands": [{"capability": "lock",
                                                                               "command": "unlock"}]})
    assert cloud.value("Back door lock", "lock", "lock") == "unlocked"


@pytest.mark.parametrize("command, target", [
    ({"capability": "lock", "command": "lock"}, "commands[0].capability"),
    ({"capability": "switch", "command": "dance"}, "commands[0].command"),
    ({"capability": "switchLevel", "command": "setLevel", "arguments": [400]}, "commands[0].arguments"),
    ({"component": "freezer", "capability": "switch", "command": "on"}, "commands[0].component"),
])
async def test_a_command_the_device_cannot_take_is_a_constraint_violation(make: Make, command: dict[str, Any],
                                                                         target: str) -> None:
    cloud = await make()
    light = cloud.device("Porch light").id
    status, _, body = await ask(cloud, "POST", f"/devices/{light}/commands", json={"commands": [
        {"capability": "switch", "command": "on"}, command]})
    assert status == 422 and body["error"]["code"] == "ConstraintViolationError"
    assert body["error"]["details"][0]["target"] == target.replace("[0]", "[1]")
    assert cloud.value("Porch light", "switch", "switch") == "off" and not cloud.commands  # none carried out


@pytest.mark.parametrize("token", [None, "00000000-0000-4000-8000-000000000000"])
async def test_a_missing_or_wrong_token_gets_the_gateways_401_page(make: Make, token: str | None) -> None:
    cloud = await make()
    status, headers, body = await ask(cloud, "GET", "/devices", token=token)
    assert status == 401 and headers["Content-Type"].startswith("text/html")
    assert "<title>401 Authorization Required</title>" in body and "openresty" in body


async def test_an_expired_token_is_refused_like_a_wrong_one(make: Make) -> None:
    cloud = await make()
    await cloud.inject(Fault(kind=FaultKind.KEY_REVOKED))
    status, _, body = await ask(cloud, "GET", "/devices")
    assert status == 401 and "401 Authorization Required" in body


async def test_too_many_requests_are_answered_429_with_retry_after(make: Make) -> None:
    cloud = await make(rate_limit=3, rate_window=30)
    for _ in range(3):
        status, headers, _ = await ask(cloud, "GET", "/devices")
        assert status == 200 and int(headers["X-RateLimit-Remaining"]) >= 0
    status, headers, body = await ask(cloud, "GET", "/devices")
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 30 and headers["X-RateLimit-Remaining"] == "0"
    assert body["error"]["code"] == "TooManyRequestError"
    assert "attempt 4 limit 3 - retry in" in body["error"]["details"][0]["message"]


async def test_the_rate_limited_fault_names_its_wait(make: Make) -> None:
    cloud = await make()
    await cloud.inject(Fault.parse("rate_limited:7"))
    status, headers, _ = await ask(cloud, "GET", "/devices")
    assert status == 429 and headers["Retry-After"] == "7"


@pytest.mark.parametrize("target, status, words", [(None, 503, "503 Service Temporarily Unavailable"),
                                                   ("502", 502, "502 Bad Gateway")])
async def test_a_failing_cloud_answers_its_gateways_5xx_page(make: Make, target: str | None, status: int,
                                                            words: str) -> None:
    cloud = await make()
    await cloud.inject(Fault(kind=FaultKind.SERVER_ERROR, target=target))
    answered, _, body = await ask(cloud, "GET", "/devices")
    assert answered == status and words in body


async def test_the_hub_offline_takes_every_device_behind_it_but_not_the_cloud_ones(make: Make) -> None:
    cloud = await make()
    await cloud.inject(Fault(kind=FaultKind.HUB_OFFLINE))
    assert [cloud.health_of(name) for name in ("SmartThings hub", "Porch light", "Back door lock", "Garage door",
                                               "Hallway motion")] == ["OFFLINE", "OFFLINE", "OFFLINE", "ONLINE",
                                                                      "OFFLINE"]
    light = cloud.device("Porch light").id
    _, _, body = await ask(cloud, "POST", f"/devices/{light}/commands", json={"commands": [
        {"capability": "switch", "command": "on"}]})
    assert body["results"][0]["status"] == "FAILED" and cloud.value("Porch light", "switch", "switch") == "off"
    assert not cloud.report("Hallway motion", "motionSensor", "motion", "active")  # the cloud does not hear it
    await cloud.heal()
    assert cloud.health_of("Porch light") == "ONLINE"


async def test_a_device_offline_and_a_device_that_ignores_commands(make: Make) -> None:
    cloud = await make()
    await cloud.inject(Fault(kind=FaultKind.DEVICE_OFFLINE, target="Porch light"))
    await cloud.inject(Fault(kind=FaultKind.COMMAND_IGNORED, target=cloud.device("Back door lock").id))
    assert cloud.health_of("Porch light") == "OFFLINE" and cloud.health_of("SmartThings hub") == "ONLINE"
    assert cloud.run("Back door lock", "lock", "unlock") == "ACCEPTED"
    assert cloud.value("Back door lock", "lock", "lock") == "locked"
    assert cloud.run("Porch light", "switch", "on") == "FAILED"


async def test_garbled_and_silent_answers(make: Make) -> None:
    cloud = await make()
    await cloud.inject(Fault(kind=FaultKind.GARBLE))
    _, _, text = await ask(cloud, "GET", "/devices")
    assert isinstance(text, str) and text.startswith('{"items"') and not text.rstrip().endswith("}")
    await cloud.heal()
    await cloud.inject(Fault(kind=FaultKind.DROP))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await ask(cloud, "GET", "/devices")


HOME_FILE = """\
name: A SmartThings home
hosts:
  - kind: smartthings
    name: SmartThings
    address: {address}
    port: 18090
    hub: Hall hub
    devices:
      - {{name: Porch light, kind: light, state: "on"}}
      - {{name: Kettle, kind: switch, type: LAN}}
faults: ["SmartThings:device_offline:Kettle"]
"""


async def test_a_virtual_home_runs_an_account_and_writes_its_live_home_entry(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(HOME_FILE.format(address=next_loopback()), encoding="utf-8")
    spec = load_virtual_home(path)
    async with VirtualHome(spec, advertise=False) as home:
        cloud = home.host("SmartThings")
        assert isinstance(cloud, SmartThingsCloud) and cloud.health_of("Kettle") == "OFFLINE"
        [entry] = live_home_document(home)["hosts"]
        assert entry == {"adapter": "smartthings", "name": "SmartThings", "address": cloud.home_address,
                         "port": 18090, "credentials": {"token": cloud.spec.token},
                         "options": {"base_url": f"http://{cloud.home_address}:18090/v1"}}
        assert cloud.value("Porch light", "switch", "switch") == "on"


def test_a_virtual_home_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(HOME_FILE.format(address=next_loopback()).replace("kind: switch, type: LAN",
                                                                       "kind: switch, type: VIPER"))
    with pytest.raises(SimError, match="cloud-to-cloud"):
        load_virtual_home(path)
    path.write_text(HOME_FILE.format(address=next_loopback()).replace("device_offline", "overpower"))
    with pytest.raises(SimError, match="cannot be given 'overpower'"):
        load_virtual_home(path)
    with pytest.raises(ValueError, match="needs the hub"):
        SmartThingsSpec(name="No hub", address="127.0.9.9", hub=None, devices=[{"name": "Lamp", "kind": "light"}])
    VirtualHomeSpec.model_validate({"name": "x", "hosts": [{"kind": "smartthings", "name": "S",
                                                           "address": "127.0.9.9", "hub": None,
                                                           "devices": [{"name": "Door", "kind": "garage_door"}]}]})
