"""The simulated Home Assistant, driven as real clients drive HA: aiohttp for REST and the
WebSocket API, zeroconf for discovery; its automations run, leave traces, and break on cue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from weaklink.sim import Advertiser, Fault, FaultKind
from weaklink.sim.homeassistant import (
    SERVICE_TYPE,
    ActionSpec,
    AutomationSpec,
    EntitySpec,
    HomeAssistantSim,
    HomeAssistantSpec,
    TriggerSpec,
)

PORT = 8723
ARRIVE_HOME = "1700000000001"
TIMEOUT = aiohttp.ClientTimeout(total=3)
Json = dict[str, Any]


@asynccontextmanager
async def running(spec: HomeAssistantSpec, advertiser: Advertiser | None = None) -> AsyncIterator[HomeAssistantSim]:
    sim = HomeAssistantSim(spec, advertiser)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def ha(address: str) -> AsyncIterator[HomeAssistantSim]:
    async with running(HomeAssistantSpec(address=address, port=PORT)) as sim:
        yield sim


def bearer(sim: HomeAssistantSim, token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or sim.spec.token}"}


async def rest(sim: HomeAssistantSim, method: str, path: str, token: str | None = None,
               **kwargs: Any) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.request(method, f"{sim.base_url}{path}", headers=bearer(sim, token), **kwargs) as answer:
            return answer.status, answer.content_type, await answer.read()


class Client:
    """A WebSocket API client: numbered commands, results matched by id, events kept aside."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.last_id = 0
        self.events: list[Json] = []

    async def send(self, message: Json) -> int:
        self.last_id += 1
        await self.socket.send_str(json.dumps({"id": self.last_id, **message}))
        return self.last_id

    async def command(self, kind: str, **fields: Any) -> Json:
        return await self.answer(await self.send({"type": kind, **fields}))

    async def answer(self, iden: int) -> Json:
        while True:
            message = await self.socket.receive_json(timeout=2)
            if message["type"] == "event":
                self.events.append(message)
            elif message["id"] == iden:
                return message

    async def event(self, wanted: Callable[[Json], bool]) -> Json:
        """The first event (kept or still to come) that `wanted` accepts; earlier ones are consumed."""
        while True:
            while self.events:
                event = self.events.pop(0)["event"]
                if wanted(event):
                    return event
            self.events.append(await self.socket.receive_json(timeout=2))


@asynccontextmanager
async def connected(sim: HomeAssistantSim) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.ws_connect(f"{sim.base_url}/api/websocket") as socket:
            assert (await socket.receive_json(timeout=2))["type"] == "auth_required"
            await socket.send_json({"type": "auth", "access_token": sim.spec.token})
            assert (await socket.receive_json(timeout=2))["type"] == "auth_ok"
            yield Client(socket)


def changed(entity_id: str, state: str | None = None) -> Callable[[Json], bool]:
    return lambda event: (event["event_type"] == "state_changed" and event["data"]["entity_id"] == entity_id
                          and (state is None or event["data"]["new_state"]["state"] == state))


# ------------------------------------------------------------------ REST


async def test_rest_needs_the_long_lived_token(ha: HomeAssistantSim) -> None:
    assert await rest(ha, "GET", "/api/") == (200, "application/json", b'{"message":"API running."}')
    status, kind, body = await rest(ha, "GET", "/api/states", token="not-the-token")
    assert (status, kind, body) == (401, "text/plain", b"401: Unauthorized")
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.get(f"{ha.base_url}/api/config") as answer:
        assert answer.status == 401


async def test_rest_states_and_config(ha: HomeAssistantSim) -> None:
    status, _, body = await rest(ha, "GET", "/api/states")
    states = {state["entity_id"]: state for state in json.loads(body)}
    assert status == 200
    assert {"person.alex", "device_tracker.pixel_8", "cover.garage_door", "light.driveway",
            "alarm_control_panel.simplisafe", "automation.arrive_home"} <= set(states)
    light = states["light.driveway"]
    assert set(light) == {"entity_id", "state", "attributes", "last_changed", "last_reported", "last_updated",
                          "context"}
    assert set(light["context"]) == {"id", "parent_id", "user_id"} and len(light["context"]["id"]) == 26
    assert states["automation.arrive_home"]["attributes"]["id"] == ARRIVE_HOME

    status, _, body = await rest(ha, "GET", "/api/states/cover.garage_door")
    assert status == 200 and json.loads(body)["state"] == "closed"
    assert await rest(ha, "GET", "/api/states/light.nowhere") == (404, "application/json",
                                                                 b'{"message":"Entity not found."}')
    config = json.loads((await rest(ha, "GET", "/api/config"))[2])
    assert (config["version"], config["location_name"], config["state"]) == ("2025.11.2", "Home", "RUNNING")
    assert "automation" in config["components"] and "hue" in config["components"]


async def test_rest_service_call_returns_the_states_it_changed(ha: HomeAssistantSim) -> None:
    status, _, body = await rest(ha, "POST", "/api/services/light/turn_on",
                                 json={"entity_id": "light.driveway", "brightness_pct": 40})
    (light,) = json.loads(body)
    assert status == 200
    assert (light["entity_id"], light["state"], light["attributes"]["brightness"]) == ("light.driveway", "on", 102)
    assert light["context"]["user_id"] == ha.spec.user_id
    assert ha.state("light.driveway").state == "on"

    assert (await rest(ha, "POST", "/api/services/light/explode", json={}))[:2] == (400, "text/plain")
    assert await rest(ha, "POST", "/api/services/light/turn_off", data=b"{oops") == (
        400, "application/json", b'{"message":"Data should be valid JSON."}')


# ------------------------------------------------------------------ WebSocket API


async def test_websocket_auth_phase(ha: HomeAssistantSim) -> None:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.ws_connect(f"{ha.base_url}/api/websocket") as socket:
            assert await socket.receive_json(timeout=2) == {"type": "auth_required", "ha_version": "2025.11.2"}
            await socket.send_json({"type": "auth", "access_token": "wrong"})
            assert await socket.receive_json(timeout=2) == {"type": "auth_invalid",
                                                            "message": "Invalid access token or password"}
            assert (await socket.receive(timeout=2)).type is aiohttp.WSMsgType.CLOSE
        async with session.ws_connect(f"{ha.base_url}/api/websocket") as socket:
            await socket.receive_json(timeout=2)
            await socket.send_json({"type": "login", "access_token": ha.spec.token})
            refused = await socket.receive_json(timeout=2)
            assert refused["type"] == "auth_invalid"
            assert refused["message"].startswith("Auth message incorrectly formatted: ")
    async with connected(ha) as client:
        assert await client.command("ping") == {"id": 1, "type": "pong"}


async def test_websocket_commands_and_errors(ha: HomeAssistantSim) -> None:
    async with connected(ha) as client:
        states = await client.command("get_states")
        assert states["success"] and "person.alex" in {state["entity_id"] for state in states["result"]}
        assert (await client.command("get_config"))["result"]["version"] == "2025.11.2"

        unknown = await client.command("get_everything")
        assert unknown == {"id": client.last_id, "type": "result", "success": False,
                           "error": {"code": "unknown_command", "message": "Unknown command."}}
        missing = await client.command("call_service", service="turn_on")
        assert missing["error"] == {"code": "invalid_format",
                                    "message": "required key not provided @ data['domain']. Got None"}
        nowhere = await client.command("call_service", domain="light", service="explode")
        assert nowhere["error"]["code"] == "not_found"
        assert nowhere["error"]["translation_key"] == "service_not_found"
        assert (await client.command("unsubscribe_events", subscription=99))["error"] == {
            "code": "not_found", "message": "Subscription not found."}
        assert (await client.command("trace/get", domain="automation", item_id=ARRIVE_HOME, run_id="0"))[
            "error"] == {"code": "not_found", "message": "The trace could not be found"}

        await client.socket.send_json({"id": 1, "type": "ping"})
        assert (await client.answer(1))["error"]["code"] == "id_reuse"
        await client.socket.send_json({"type": "ping"})
        assert (await client.socket.receive_json(timeout=2))["error"]["code"] == "invalid_format"


async def test_websocket_registries_and_config_entries(ha: HomeAssistantSim) -> None:
    async with connected(ha) as client:
        entities = {entry["entity_id"]: entry for entry in
                    (await client.command("config/entity_registry/list"))["result"]}
        devices = {device["id"]: device for device in (await client.command("config/device_registry/list"))["result"]}
        areas = {area["area_id"] for area in (await client.command("config/area_registry/list"))["result"]}
        entries = (await client.command("config_entries/get"))["result"]
        (hue,) = (await client.command("config_entries/get", domain="hue"))["result"]

    light = entities["light.driveway"]
    assert light["platform"] == "hue" and light["config_entry_id"] == hue["entry_id"]
    assert devices[light["device_id"]]["config_entries"] == [hue["entry_id"]]
    assert devices[light["device_id"]]["area_id"] in areas
    assert entities["automation.arrive_home"]["unique_id"] == ARRIVE_HOME
    assert {entry["domain"] for entry in entries} == {"mobile_app", "hue", "aladdin_connect", "simplisafe"}
    assert (hue["state"], hue["title"], len(hue["entry_id"])) == ("loaded", "Hue Bridge", 26)


async def test_an_automation_runs_with_linked_contexts_and_leaves_a_trace(address: str) -> None:
    spec = HomeAssistantSpec(
        address=address, port=PORT,
        entities=[*HomeAssistantSpec(address=address).entities,
                  EntitySpec(entity_id="input_boolean.arrived", state="off")],
        automations=[AutomationSpec(id="42", alias="Arrived", trigger=TriggerSpec(entity_id="input_boolean.arrived",
                                                                                  to="on"),
                                    actions=[ActionSpec(service="cover.open_cover", target=["cover.garage_door"]),
                                             ActionSpec(service="light.turn_on", target=["light.driveway"])])])
    async with running(spec) as sim, connected(sim) as client:
        assert (await client.command("subscribe_events"))["success"]
        called = await client.command("call_service", domain="input_boolean", service="turn_on",
                                      target={"entity_id": "input_boolean.arrived"})
        cause = called["result"]["context"]
        assert cause["user_id"] == sim.spec.user_id and cause["parent_id"] is None

        trigger = await client.event(changed("input_boolean.arrived", "on"))
        triggered = await client.event(lambda event: event["event_type"] == "automation_triggered")
        garage = await client.event(changed("cover.garage_door", "open"))
        light = await client.event(changed("light.driveway", "on"))

        run = triggered["context"]
        assert trigger["context"] == cause
        assert triggered["data"] == {"name": "Arrived", "entity_id": "automation.arrived",
                                     "source": "state of input_boolean.arrived"}
        assert triggered["origin"] == "LOCAL" and run["parent_id"] == cause["id"] and run["id"] != cause["id"]
        assert garage["context"] == run and light["context"] == run
        assert garage["data"]["old_state"]["state"] == "closed"

        await sim.settle()
        (summary,) = (await client.command("trace/list", domain="automation", item_id="42"))["result"]
        assert (summary["state"], summary["script_execution"], summary["last_step"]) == ("stopped", "finished",
                                                                                         "action/1")
        assert summary["trigger"] == "state of input_boolean.arrived"
        detail = (await client.command("trace/get", domain="automation", item_id="42",
                                       run_id=summary["run_id"]))["result"]
    assert detail["context"] == run
    assert list(detail["trace"]) == ["trigger/0", "action/0", "action/1"]
    assert detail["trace"]["trigger/0"][0]["changed_variables"]["trigger"]["to_state"]["context"] == cause
    assert detail["trace"]["action/0"][0]["result"]["params"] == {
        "domain": "cover", "service": "open_cover", "service_data": {}, "target": {"entity_id": ["cover.garage_door"]}}
    assert detail["config"]["triggers"] == [{"trigger": "state", "entity_id": ["input_boolean.arrived"], "to": "on"}]


async def test_the_phone_arriving_runs_the_driveway_chain(ha: HomeAssistantSim) -> None:
    async with connected(ha) as client:
        await client.command("subscribe_events")
        ha.report("device_tracker.pixel_8", "home")
        await ha.settle()
        first = [await client.event(lambda event: event["event_type"] in ("state_changed", "automation_triggered"))
                 for _ in range(3)]
    assert [(event["event_type"], event["data"]["entity_id"]) for event in first] == [
        ("state_changed", "device_tracker.pixel_8"), ("state_changed", "person.alex"),
        ("automation_triggered", "automation.arrive_home")]
    assert ha.state("person.alex").state == "home"
    assert [ha.state(entity).state for entity in ("cover.garage_door", "light.driveway",
                                                  "alarm_control_panel.simplisafe")] == ["open", "on", "disarmed"]
    (run,) = ha.traces(ARRIVE_HOME)
    assert run["context"]["parent_id"] == ha.state("person.alex").context.id
    assert ha.state("light.driveway").context.id == run["context"]["id"]


# ------------------------------------------------------------------ faults


async def test_automation_disabled_stops_the_runs(ha: HomeAssistantSim) -> None:
    fault = Fault(kind=FaultKind.AUTOMATION_DISABLED, target=ARRIVE_HOME)
    async with connected(ha) as client:
        await client.command("subscribe_events", event_type="state_changed")
        await ha.inject(fault)
        off = await client.event(changed("automation.arrive_home"))
        assert off["data"]["new_state"]["state"] == "off"

        ha.report("device_tracker.pixel_8", "home")
        await client.event(changed("person.alex", "home"))
        await ha.settle()
        assert (await client.command("trace/list", domain="automation"))["result"] == []
        status, _, body = await rest(ha, "GET", "/api/states/cover.garage_door")
        assert json.loads(body)["state"] == "closed"

        await ha.heal(fault)
        assert (await client.event(changed("automation.arrive_home")))["data"]["new_state"]["state"] == "on"


async def test_integration_failed_makes_its_entities_unavailable(ha: HomeAssistantSim) -> None:
    fault = Fault(kind=FaultKind.INTEGRATION_FAILED, target="aladdin_connect")
    async with connected(ha) as client:
        await client.command("subscribe_events", event_type="state_changed")
        await ha.inject(fault)
        down = await client.event(changed("cover.garage_door", "unavailable"))
        assert down["data"]["old_state"]["state"] == "closed"
        (entry,) = (await client.command("config_entries/get", domain="aladdin_connect"))["result"]
        assert entry["state"] == "setup_retry" and entry["reason"]

        # The hub accepts the command; nothing can carry it to the door.
        assert (await client.command("call_service", domain="cover", service="open_cover",
                                     target={"entity_id": "cover.garage_door"}))["success"]
        assert ha.state("cover.garage_door").state == "unavailable"
        assert ha.state("light.driveway").state == "off"  # other integrations are fine

        await ha.heal(fault)
        assert (await client.event(changed("cover.garage_door")))["data"]["new_state"]["state"] == "closed"
        assert (await client.command("config_entries/get", domain="aladdin_connect"))["result"][0]["state"] == "loaded"


async def test_key_revoked_rejects_the_token_everywhere(ha: HomeAssistantSim) -> None:
    fault = Fault(kind=FaultKind.KEY_REVOKED)
    async with connected(ha) as client:
        await ha.inject(fault)
        closed = await client.socket.receive(timeout=2)
        assert closed.type is aiohttp.WSMsgType.CLOSE
    assert (await rest(ha, "GET", "/api/"))[0] == 401
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.ws_connect(f"{ha.base_url}/api/websocket") as socket:
            await socket.receive_json(timeout=2)
            await socket.send_json({"type": "auth", "access_token": ha.spec.token})
            assert (await socket.receive_json(timeout=2))["type"] == "auth_invalid"
    await ha.heal(fault)
    assert (await rest(ha, "GET", "/api/"))[0] == 200


async def test_generic_faults_reach_the_websocket(ha: HomeAssistantSim) -> None:
    async with connected(ha) as client:
        await ha.inject(Fault(kind=FaultKind.GARBLE))
        await client.send({"type": "ping"})
        garbled = await client.socket.receive(timeout=2)
        with pytest.raises(ValueError):
            json.loads(garbled.data)

        await ha.heal()
        await ha.inject(Fault(kind=FaultKind.DROP))
        await client.send({"type": "ping"})
        with pytest.raises(asyncio.TimeoutError):
            await client.socket.receive(timeout=0.3)
        await ha.heal()
        assert await client.command("ping") == {"id": client.last_id, "type": "pong"}

        await ha.inject(Fault(kind=FaultKind.HOST_DOWN))  # HA going away closes its sockets
        closed = await client.socket.receive(timeout=2)
        assert (closed.type, closed.data) == (aiohttp.WSMsgType.CLOSE, aiohttp.WSCloseCode.GOING_AWAY)
    with pytest.raises(aiohttp.ClientConnectionError):
        await rest(ha, "GET", "/api/")


async def test_garbled_rest_answers_are_not_json(ha: HomeAssistantSim) -> None:
    await ha.inject(Fault(kind=FaultKind.GARBLE))
    status, _, body = await rest(ha, "GET", "/api/states")
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)


# ------------------------------------------------------------------ mDNS


async def test_advertised_as_home_assistant_on_loopback(address: str, advertiser: Advertiser) -> None:
    async with running(HomeAssistantSpec(address=address, port=PORT, location_name="Maple St. 12"),
                       advertiser) as sim:
        client = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        seen = asyncio.Event()
        wanted = f"Maple St  12.{SERVICE_TYPE}"  # HA swaps the dots out of the instance name

        def on_change(zeroconf: object, service_type: str, name: str, state_change: ServiceStateChange) -> None:
            if name == wanted and state_change is ServiceStateChange.Added:
                seen.set()

        browser = AsyncServiceBrowser(client.zeroconf, [SERVICE_TYPE], handlers=[on_change])
        try:
            await asyncio.wait_for(seen.wait(), 5)
            info = AsyncServiceInfo(SERVICE_TYPE, wanted)
            assert await info.async_request(client.zeroconf, 2000)
        finally:
            await browser.async_cancel()
            await client.async_close()

    properties = {key.decode(): (value or b"").decode() for key, value in info.properties.items()}
    assert properties == {"location_name": "Maple St  12", "uuid": sim.spec.uuid, "version": "2025.11.2",
                          "external_url": "", "internal_url": f"http://{address}:{PORT}",
                          "base_url": f"http://{address}:{PORT}", "requires_api_password": "True"}
    assert info.parsed_addresses() == [address] and info.port == PORT
    assert info.server == f"{sim.spec.uuid}.local."


async def test_automation_config_answers_the_stored_configuration(address: str) -> None:
    """`automation/config`, as HA answers it to an admin: the automation's own configuration."""
    sim = HomeAssistantSim(HomeAssistantSpec(address=address))
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"http://{address}:8123/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": sim.spec.token})
            assert (await ws.receive_json())["type"] == "auth_ok"
            await ws.send_json({"id": 1, "type": "automation/config", "entity_id": "automation.arrive_home"})
            answer = await ws.receive_json()
            await ws.send_json({"id": 2, "type": "automation/config", "entity_id": "automation.nope"})
            missing = await ws.receive_json()
    finally:
        await sim.stop()
    config = answer["result"]["config"]
    assert answer["success"] and config["triggers"][0]["entity_id"] == ["person.alex"]
    assert [a["action"] for a in config["actions"]] == [
        "cover.open_cover", "light.turn_on", "alarm_control_panel.alarm_disarm"]
    assert (missing["success"], missing["error"]["code"]) == (False, "not_found")
