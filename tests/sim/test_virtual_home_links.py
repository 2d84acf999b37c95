"""Home Assistant reaching the vendor devices of a virtual home through its integrations: the
driveway chain across HA and the Hue bridge, commands that switch the devices, vendor faults as
HA shows them, and registry identifiers that match the vendors' own — all seen with real
clients (aiohttp on HA's WebSocket API and the Hue bridge's CLIP v2, Shelly's HTTP API,
python-miio)."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import miio
import pytest

from weaklink.sim import homeassistant as ha_module
from weaklink.sim.home import SimError, VirtualHome, VirtualHomeSpec, load_virtual_home
from weaklink.sim.homeassistant import HomeAssistantSim, HomeAssistantSpec
from weaklink.sim.hue import HueBridge, HueBridgeSpec
from weaklink.sim.miio import MiioDevice
from weaklink.sim.shelly import ShellyDevice

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"
TIMEOUT = aiohttp.ClientTimeout(total=3)
Json = dict[str, Any]


# ------------------------------------------------------------------ the home and its clients


def example(fresh_address: Callable[[], str], **ha_changes: Any) -> VirtualHomeSpec:
    """The example home on fresh addresses (HA's spec changed by `ha_changes`)."""
    spec = load_virtual_home(EXAMPLE)
    hosts = []
    for host in spec.hosts:
        update: dict[str, Any] = {"address": fresh_address()}
        if isinstance(host, HomeAssistantSpec):
            update |= ha_changes
        hosts.append(host.model_copy(update=update))
    return spec.model_copy(update={"hosts": hosts})


@asynccontextmanager
async def started(spec: VirtualHomeSpec) -> AsyncIterator[VirtualHome]:
    async with VirtualHome(spec, advertise=False, high_ports=True) as home:
        yield home


@pytest.fixture
async def home(fresh_address: Callable[[], str]) -> AsyncIterator[VirtualHome]:
    async with started(example(fresh_address)) as running:
        yield running


def parts(home: VirtualHome) -> tuple[HomeAssistantSim, HueBridge, ShellyDevice, MiioDevice]:
    ha, hue = home.host("Home Assistant"), home.host("Hue Bridge")
    porch, plug = home.host("Porch relay"), home.host("Hallway lamp plug")
    assert isinstance(ha, HomeAssistantSim) and isinstance(hue, HueBridge)
    assert isinstance(porch, ShellyDevice) and isinstance(plug, MiioDevice)
    return ha, hue, porch, plug


class Client:
    """HA's WebSocket API: numbered commands, results matched by id, events kept in order."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.last_id = 0
        self.events: list[Json] = []

    async def send(self, kind: str, **fields: Any) -> int:
        self.last_id += 1
        await self.socket.send_str(json.dumps({"id": self.last_id, "type": kind, **fields}))
        return self.last_id

    async def command(self, kind: str, **fields: Any) -> Json:
        return await self.answer(await self.send(kind, **fields))

    async def answer(self, iden: int, timeout: float = 2) -> Json:
        while True:
            message = await self.socket.receive_json(timeout=timeout)
            if message["type"] == "event":
                self.events.append(message["event"])
            elif message["id"] == iden:
                return message

    async def state_change(self, entity_id: str, state: str | None = None) -> Json:
        """The first `state_changed` of `entity_id` (to `state`) kept or still to come; earlier ones stay."""
        while True:
            for event in self.events:
                data = event["data"]
                if event["event_type"] == "state_changed" and data["entity_id"] == entity_id and \
                        (state is None or data["new_state"]["state"] == state):
                    self.events.remove(event)
                    return event
            message = await self.socket.receive_json(timeout=2)
            if message["type"] == "event":
                self.events.append(message["event"])

    async def states(self) -> dict[str, Json]:
        return {s["entity_id"]: s for s in (await self.command("get_states"))["result"]}

    async def entry(self, domain: str) -> Json:
        (entry,) = (await self.command("config_entries/get", domain=domain))["result"]
        return entry


@asynccontextmanager
async def connected(ha: HomeAssistantSim, subscribe: bool = True) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.ws_connect(f"{ha.base_url}/api/websocket") as socket:
            assert (await socket.receive_json(timeout=2))["type"] == "auth_required"
            await socket.send_json({"type": "auth", "access_token": ha.spec.token})
            assert (await socket.receive_json(timeout=2))["type"] == "auth_ok"
            client = Client(socket)
            if subscribe:
                assert (await client.command("subscribe_events", event_type="state_changed"))["success"]
            yield client


async def clip(hue: HueBridge, path: str) -> list[Json]:
    """A CLIP v2 GET on the bridge, as aiohue sends it."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.get(f"{hue.base_url}/clip/v2/resource/{path}", ssl=False,
                               headers={"hue-application-key": hue.spec.app_key}) as answer:
            assert answer.status == 200, await answer.text()
            return (await answer.json())["data"]


async def shelly_status(porch: ShellyDevice) -> Json:
    """A Gen1 device's /status, with its password (HTTP basic auth, user `admin`) when it has one."""
    credentials = base64.b64encode(f"admin:{porch.spec.password}".encode()).decode()
    headers = {"Authorization": f"Basic {credentials}"} if porch.spec.password else {}
    async with aiohttp.ClientSession(timeout=TIMEOUT, headers=headers) as session:
        async with session.get(f"{porch.base_url}/status") as answer:
            return await answer.json()


async def miio_call(plug: MiioDevice, method: str, params: list[Any] | None = None) -> Any:
    device = miio.Device(plug.address, plug.token, timeout=2)
    return await asyncio.get_running_loop().run_in_executor(None, lambda: device.send(method, params or []))


async def call(client: Client, domain: str, service: str, entity_id: str, **data: Any) -> Json:
    return await client.command("call_service", domain=domain, service=service, service_data=data,
                                target={"entity_id": entity_id})


# ------------------------------------------------------------------ the chain


async def test_the_phone_arriving_runs_the_driveway_chain_across_home_assistant_and_the_hue_bridge(
        home: VirtualHome) -> None:
    ha, hue, _, _ = parts(home)
    (light,) = [item for item in await clip(hue, "light") if item["id_v1"] == "/lights/1"]
    assert light["on"]["on"] is False
    async with connected(ha) as client, aiohttp.ClientSession() as session:
        async with session.get(f"{hue.base_url}/eventstream/clip/v2", ssl=False,
                               headers={"hue-application-key": hue.spec.app_key,
                                        "Accept": "text/event-stream"}) as stream:
            assert (await stream.content.readline()).startswith(b": hi")
            ha.report("device_tracker.pixel_8", "home")
            person = await client.state_change("person.alex", "home")
            garage = await client.state_change("cover.garage_door", "open")
            driveway = await client.state_change("light.driveway", "on")
            alarm = await client.state_change("alarm_control_panel.simplisafe", "disarmed")
            # the bridge carried out HA's command: its event stream says so, with the light's rid
            frame = b""
            while not frame.startswith(b"data:"):
                frame = await asyncio.wait_for(stream.content.readline(), 2)
            (event,) = json.loads(frame[5:])
            assert event["type"] == "update" and event["data"] == [  # it was at 100 % already: only `on` moves
                {"id": light["id"], "owner": light["owner"], "type": "light", "id_v1": "/lights/1", "on": {"on": True}}]
        order = [person, garage, driveway, alarm]
        assert [e["time_fired"] for e in order] == sorted(e["time_fired"] for e in order)
        run = driveway["data"]["new_state"]["context"]
        assert run["parent_id"] == person["data"]["new_state"]["context"]["id"]  # the automation's run
        assert garage["data"]["new_state"]["context"] == run == alarm["data"]["new_state"]["context"]
        assert driveway["data"]["new_state"]["attributes"]["brightness"] == 255
        await ha.settle()
        (summary,) = (await client.command("trace/list", domain="automation"))["result"]
        assert summary["script_execution"] == "finished"
    (light,) = await clip(hue, f"light/{light['id']}")
    assert light["on"] == {"on": True} and light["dimming"]["brightness"] == 100.0


async def test_a_driveway_light_out_of_reach_stops_the_chain_at_the_light(home: VirtualHome) -> None:
    ha, hue, _, _ = parts(home)
    await home.inject("Hue Bridge:light_unreachable:1")
    async with connected(ha) as client:
        assert (await client.states())["light.driveway"]["state"] == "unavailable"
        ha.report("device_tracker.pixel_8", "home")
        await client.state_change("cover.garage_door", "open")
        await client.state_change("alarm_control_panel.simplisafe", "disarmed")  # HA skips what is unavailable
        await ha.settle()
    assert hue.node("light", "1").on is False
    await home.heal()
    (light,) = [item for item in await clip(hue, "light") if item["id_v1"] == "/lights/1"]
    assert light["on"]["on"] is False  # the command never reached the light
    assert ha.state("light.driveway").state == "off"


# ------------------------------------------------------------------ commands


async def test_commands_in_home_assistant_switch_the_devices(home: VirtualHome) -> None:
    ha, hue, porch, plug = parts(home)
    async with connected(ha) as client:
        answer = await call(client, "light", "turn_on", "light.driveway", brightness_pct=40)
        assert answer["success"]
        changed = await client.state_change("light.driveway", "on")
        assert changed["context"]["id"] == answer["result"]["context"]["id"]  # written in the call's context
        assert changed["data"]["new_state"]["attributes"]["brightness"] == 102
        (light,) = [item for item in await clip(hue, "light") if item["id_v1"] == "/lights/1"]
        assert light["on"]["on"] is True and light["dimming"]["brightness"] == 40.0

        assert (await call(client, "switch", "turn_on", "switch.porch"))["success"]
        await client.state_change("switch.porch", "on")
        relay = (await shelly_status(porch))["relays"][0]
        assert relay["ison"] is True and relay["source"] == "http"  # Gen1: HA switches it over HTTP

        assert (await miio_call(plug, "get_prop", ["power"])) == ["off"]
        assert (await call(client, "switch", "toggle", "switch.hallway_lamp"))["success"]
        await client.state_change("switch.hallway_lamp", "on")
        assert (await miio_call(plug, "get_prop", ["power"])) == ["on"]

        assert (await call(client, "homeassistant", "turn_off", "light.driveway"))["success"]
        await client.state_change("light.driveway", "off")
        assert hue.node("light", "1").on is False


async def test_a_change_at_the_device_reaches_home_assistant_in_a_fresh_context_after_five_seconds(
        home: VirtualHome, monkeypatch: pytest.MonkeyPatch) -> None:
    ha, hue, porch, _ = parts(home)
    monkeypatch.setattr(ha_module, "CONTEXT_RECENT_SECONDS", 0.2)  # HA's 5 s, shortened
    async with connected(ha) as client:
        answer = await call(client, "switch", "turn_on", "switch.porch")
        command = answer["result"]["context"]["id"]
        assert (await client.state_change("switch.porch", "on"))["context"]["id"] == command
        porch.set_relay(0, False)  # at once, at the wall: still within the window, still the call's context
        assert (await client.state_change("switch.porch", "off"))["context"]["id"] == command
        await asyncio.sleep(0.3)
        porch.set_relay(0, True)
        later = (await client.state_change("switch.porch", "on"))["context"]
        assert later["id"] != command and later["parent_id"] is None
        hue.set_light("1", on=True)  # never commanded: a context of its own
        assert (await client.state_change("light.driveway", "on"))["context"]["id"] not in (command, later["id"])


async def test_a_slow_bridge_holds_the_call_until_it_answers(home: VirtualHome) -> None:
    ha, hue, _, _ = parts(home)
    await home.inject("Hue Bridge:slow:0.4")
    async with connected(ha) as client:
        begun = time.monotonic()
        answer = await client.answer(await client.send("call_service", domain="light", service="turn_on",
                                                       target={"entity_id": "light.driveway"}))
        assert answer["success"] and time.monotonic() - begun >= 0.4
        changed = await client.state_change("light.driveway", "on")
        assert changed["context"]["id"] == answer["result"]["context"]["id"]
    assert hue.node("light", "1").on is True


# ------------------------------------------------------------------ faults, as HA shows them


@pytest.mark.parametrize(
    ("fault", "entity_id", "domain", "entry_state"),
    [("Hue Bridge:light_unreachable:1", "light.driveway", "hue", "loaded"),
     ("Hue Bridge:connectivity_issue:Driveway", "light.driveway", "hue", "loaded"),
     ("Hue Bridge:host_down", "light.driveway", "hue", "loaded"),
     ("Hue Bridge:drop", "light.driveway", "hue", "loaded"),
     ("Hue Bridge:key_revoked", "light.driveway", "hue", "setup_error"),
     ("Porch relay:host_down", "switch.porch", "shelly", "loaded"),
     ("Porch relay:garble", "switch.porch", "shelly", "loaded"),
     ("Porch relay:key_revoked", "switch.porch", "shelly", "setup_error"),
     ("Hallway lamp plug:wrong_token", "switch.hallway_lamp", "xiaomi_miio", "loaded"),
     ("Hallway lamp plug:host_down", "switch.hallway_lamp", "xiaomi_miio", "loaded")],
)
async def test_a_vendor_fault_shows_in_home_assistant(home: VirtualHome, fault: str, entity_id: str, domain: str,
                                                      entry_state: str) -> None:
    ha, hue, porch, plug = parts(home)
    mirrored = {"light.driveway", "switch.porch", "switch.hallway_lamp"}
    async with connected(ha) as client:
        before = (await client.states())[entity_id]["state"]
        await home.inject(fault)
        went = await client.state_change(entity_id, "unavailable")
        assert "restored" in went["data"]["new_state"]["attributes"] if entry_state != "loaded" else \
            "restored" not in went["data"]["new_state"]["attributes"]
        states = await client.states()
        assert states[entity_id]["state"] == "unavailable"
        assert all(states[other]["state"] != "unavailable" for other in mirrored - {entity_id})
        entry = await client.entry(domain)
        assert entry["state"] == entry_state
        if domain == "shelly" and entry_state == "setup_error":
            assert entry["reason"] == "InvalidAuthError()"
        # a command to an unavailable entity does not reach the device (HA skips it)
        service = "light" if entity_id.startswith("light.") else "switch"
        assert (await call(client, service, "toggle", entity_id))["success"]
        await home.heal()
        back = await client.state_change(entity_id, before)
        assert back["data"]["old_state"]["state"] == "unavailable"
        assert (await client.entry(domain))["state"] == "loaded"
    devices = {"light.driveway": lambda: hue.node("light", "1").on, "switch.porch": lambda: porch.relay_on(0),
               "switch.hallway_lamp": lambda: plug.power}
    assert ("on" if devices[entity_id]() else "off") == before


async def test_a_bridge_down_takes_every_light_it_carries_and_a_lost_light_only_itself(
        fresh_address: Callable[[], str]) -> None:
    spec = example(fresh_address, mirrors={"light.driveway": "Hue Bridge/1", "light.porch": "Hue Bridge/2",
                                           "switch.porch": "Porch relay"})
    async with started(spec) as home:
        ha = home.host("Home Assistant")
        assert isinstance(ha, HomeAssistantSim)
        async with connected(ha) as client:
            await home.inject("Hue Bridge:light_unreachable:2")
            await client.state_change("light.porch", "unavailable")
            states = await client.states()
            assert (states["light.driveway"]["state"], states["switch.porch"]["state"]) == ("off", "off")
            await home.heal()
            await home.inject("Hue Bridge:host_down")
            states = await client.states()
            assert states["light.driveway"]["state"] == states["light.porch"]["state"] == "unavailable"
            assert states["switch.porch"]["state"] == "off"
            assert (await client.entry("hue"))["state"] == "loaded"  # HA keeps the entry; see weaklink.sim.links
        registry = {item["entity_id"]: item for item in ha.core.entity_registry()}
        assert registry["light.porch"]["platform"] == "hue"
        assert ha.state("light.porch").attributes["friendly_name"] == "Porch"


async def test_an_overpowered_relay_stays_off_whatever_home_assistant_asks(home: VirtualHome) -> None:
    ha, _, porch, _ = parts(home)
    async with connected(ha) as client:
        assert (await call(client, "switch", "turn_on", "switch.porch"))["success"]
        await client.state_change("switch.porch", "on")
        await home.inject("Porch relay:overpower")
        await client.state_change("switch.porch", "off")
        assert (await call(client, "switch", "turn_on", "switch.porch"))["success"]  # accepted…
        await asyncio.sleep(0.05)
        assert (await client.states())["switch.porch"]["state"] == "off"  # …and without effect
        relay = (await shelly_status(porch))["relays"][0]
        assert relay["ison"] is False and relay["overpower"] is True
        assert (await client.entry("shelly"))["state"] == "loaded"


async def test_a_garbling_bridge_carries_out_the_command_but_home_assistant_cannot_read_the_answer(
        home: VirtualHome) -> None:
    ha, hue, _, _ = parts(home)
    await home.inject("Hue Bridge:garble")
    async with connected(ha) as client:
        answer = await call(client, "light", "turn_on", "light.driveway")
        assert not answer["success"] and answer["error"]["code"] == "unknown_error"
        states = await client.states()
        assert states["light.driveway"]["state"] == "off"  # available, stale: the bridge's events are unreadable
        await home.heal()
        (light,) = [item for item in await clip(hue, "light") if item["id_v1"] == "/lights/1"]
        assert light["on"]["on"] is True  # it was carried out
        await client.state_change("light.driveway", "on")


async def test_a_failed_command_stops_the_automation_with_the_error_in_its_trace(home: VirtualHome) -> None:
    ha, _, _, _ = parts(home)
    await home.inject("Hue Bridge:garble")
    async with connected(ha) as client:
        ha.report("device_tracker.pixel_8", "home")
        await client.state_change("cover.garage_door", "open")
        await ha.settle()
        (summary,) = (await client.command("trace/list", domain="automation"))["result"]
        assert summary["script_execution"] == "error" and summary["last_step"] == "action/1"
        assert (await client.states())["alarm_control_panel.simplisafe"]["state"] == "armed_away"


# ------------------------------------------------------------------ registries


async def test_registry_identifiers_are_the_vendors_own(home: VirtualHome) -> None:
    ha, hue, porch, plug = parts(home)
    async with connected(ha, subscribe=False) as client:
        entities = {e["entity_id"]: e for e in (await client.command("config/entity_registry/list"))["result"]}
        devices = {d["id"]: d for d in (await client.command("config/device_registry/list"))["result"]}
        entries = {e["entry_id"]: e for e in (await client.command("config_entries/get"))["result"]}

    def device_of(entity_id: str) -> Json:
        entity = entities[entity_id]
        device = devices[entity["device_id"]]
        assert device["config_entries"] == [entity["config_entry_id"]]
        assert entries[entity["config_entry_id"]]["domain"] == entity["platform"]
        return device

    # Hue: the device rid and the Zigbee IEEE address the bridge reports, the bridge as via device
    (light,) = [item for item in await clip(hue, "light") if item["id_v1"] == "/lights/1"]
    rid = light["owner"]["rid"]
    (zigbee,) = [item for item in await clip(hue, "zigbee_connectivity") if item["owner"]["rid"] == rid]
    driveway = device_of("light.driveway")
    assert driveway["identifiers"] == [["hue", rid]] and driveway["connections"] == [["mac", zigbee["mac_address"]]]
    assert entities["light.driveway"]["unique_id"] == light["id"]
    (bridge,) = await clip(hue, "bridge")
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.get(f"{hue.base_url}/api/config", ssl=False) as answer:
            config = await answer.json()
    hub = devices[driveway["via_device_id"]]
    assert sorted(hub["identifiers"]) == sorted([["hue", bridge["bridge_id"]], ["hue", bridge["owner"]["rid"]]])
    assert hub["connections"] == [["mac", config["mac"]]] and hub["model_id"] == config["modelid"]
    assert entries[hub["config_entries"][0]]["title"] == "Hue Bridge"

    # Shelly: the MAC /shelly reports, as HA files it
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.get(f"{porch.base_url}/shelly") as answer:
            shelly = await answer.json()
    relay = device_of("switch.porch")
    mac = shelly["mac"]
    assert relay["identifiers"] == [["shelly", mac]]
    assert relay["connections"] == [["mac", ":".join(mac.lower()[i:i + 2] for i in range(0, 12, 2))]]
    assert (relay["model"], relay["model_id"], relay["hw_version"]) == ("Shelly 1", shelly["type"], "gen1")
    assert relay["sw_version"] == shelly["fw"] and entities["switch.porch"]["unique_id"] == f"{mac}-relay_0"

    # miIO: the MAC miIO.info reports, formatted
    info = await miio_call(plug, "miIO.info")
    lamp = device_of("switch.hallway_lamp")
    assert lamp["identifiers"] == [["xiaomi_miio", info["mac"].lower()]]
    assert lamp["connections"] == [["mac", info["mac"].lower()]] and lamp["model"] == info["model"]


async def test_the_home_graph_merges_each_mirrored_device_into_one_node(fresh_address: Callable[[], str]) -> None:
    from weaklink.adapters import live_adapters
    from weaklink.live.collect import collect
    from weaklink.model import IdentifierKind
    from weaklink.sim.livehome import live_home

    # Advertised, as the adapters check mDNS; with identities of its own, as another simulated home
    # (`weaklink sim` of the same example) may be announcing on 127.0.0.1 at the same time.
    spec = example(fresh_address, uuid=secrets.token_hex(16))
    spec = spec.model_copy(update={"hosts": [
        HueBridgeSpec.model_validate({**host.model_dump(), "bridge_id": f"001788fffe{secrets.token_hex(3)}", "mac": None})
        if isinstance(host, HueBridgeSpec) else host for host in spec.hosts]})
    async with VirtualHome(spec, high_ports=True) as home:
        live = live_home(home)
        live = live.model_copy(update={"hosts": [h for h in live.hosts if h.adapter in live_adapters()]})
        assert {h.adapter for h in live.hosts} == {"homeassistant", "hue", "shelly", "miio"}
        state = await collect(live, live_adapters(), timeout=2)
    try:
        assert state.healthy, [p for p in state.probes if not p.ok]
        graph = state.graph
        for entity_id, vendor in (("light.driveway", "hue:light/"), ("switch.porch", "shelly:"),
                                  ("switch.hallway_lamp", "miio:")):
            device = graph.device_of(entity_id)
            assert device is not None
            # one node carries HA's entity and the vendor adapter's own capability of the same device
            capabilities = {capability.id for capability in graph.capabilities_of(device)}
            assert entity_id in capabilities and any(c.startswith(vendor) for c in capabilities), capabilities
        driveway = graph.device_of("light.driveway")
        assert driveway is not None and IdentifierKind.ZIGBEE in {i.kind for i in driveway.identifiers}
        hub = graph.hub_of(driveway)
        assert hub is not None and [d.name for d in graph.devices].count("Hue Bridge") == 1
        assert {i.kind for i in hub.identifiers} >= {IdentifierKind.MAC, IdentifierKind.VENDOR}
    finally:
        await state.close()


# ------------------------------------------------------------------ the home file


@pytest.mark.parametrize(
    ("edit", "anchor", "says"),
    [(lambda t: t.replace("light.driveway: Hue Bridge/1", "light.driveway: Hue Bridge/9"),
      "light.driveway: Hue Bridge/9", "Hue Bridge has no light 9 (lights: 1, 2, 3"),
     (lambda t: t.replace("switch.porch: Porch relay/0", "switch.porch: Porch relay/1"),
      "switch.porch: Porch relay/1", "Porch relay has no relay 1 (relays 0 to 0)"),
     (lambda t: t.replace("switch.porch: Porch relay/0", "switch.porch: Garage gate/0"),
      "switch.porch: Garage gate/0", "names no host of this home"),
     (lambda t: t.replace("switch.hallway_lamp: Hallway lamp plug", "switch.hallway_lamp: Hallway lamp plug/0"),
      "switch.hallway_lamp: Hallway lamp plug/0", "a miIO device is mirrored whole"),
     (lambda t: t.replace("switch.porch: Porch relay/0", "switch.porch: Hue Bridge/2"),
      "switch.porch: Hue Bridge/2", "mirrored by a light entity, not a switch one"),
     (lambda t: t.replace("switch.porch: Porch relay/0", "switch.porch: Home Assistant"),
      "switch.porch: Home Assistant", "is a homeassistant host, not a vendor device"),
     (lambda t: t.replace("switch.porch: Porch relay/0", "light.hallway: Hue Bridge/1"),
      "light.hallway: Hue Bridge/1", "both mirror 'Hue Bridge/1'")],
)
def test_a_mirror_naming_nothing_is_an_error_at_its_line(tmp_path: Path, edit: Callable[[str], str], anchor: str,
                                                         says: str) -> None:
    text = edit(EXAMPLE.read_text())
    path = tmp_path / "home.yaml"
    path.write_text(text)
    line = next(number for number, content in enumerate(text.splitlines(), start=1) if anchor in content)
    with pytest.raises(SimError) as caught:
        load_virtual_home(path)
    assert caught.value.line == line and says in caught.value.message, str(caught.value)
    assert caught.value.field is not None and caught.value.field.startswith("hosts.0.mirrors.")


async def test_an_entity_names_what_it_mirrors_and_a_wrong_integration_is_an_error(
        tmp_path: Path, fresh_address: Callable[[], str]) -> None:
    text = EXAMPLE.read_text().replace(
        "    mirrors:                  # HA entity",
        "    entities:\n"
        "      - {entity_id: person.alex, state: not_home}\n"
        "      - {entity_id: light.driveway, integration: zha, mirrors: Hue Bridge/1}\n"
        "    mirrors:                  # HA entity")
    path = tmp_path / "home.yaml"
    path.write_text(text)
    with pytest.raises(SimError) as caught:
        load_virtual_home(path)
    line = next(n for n, content in enumerate(text.splitlines(), start=1) if "integration: zha" in content)
    assert caught.value.line == line and caught.value.field == "hosts.0.entities.1.mirrors"
    assert "through the hue integration, not zha" in caught.value.message
    path.write_text(text.replace("integration: zha, ", ""))
    spec = load_virtual_home(path)
    (ha,) = [host for host in spec.hosts if isinstance(host, HomeAssistantSpec)]
    assert ha.entities[1].mirrors == "Hue Bridge/1"
    spec = spec.model_copy(update={"hosts": [h.model_copy(update={"address": fresh_address()}) for h in spec.hosts]})
    async with started(spec) as home:
        ha_sim, hue, _, _ = parts(home)
        registry = {item["entity_id"]: item for item in ha_sim.core.entity_registry()}
        assert set(registry) >= {"person.alex", "light.driveway", "switch.porch", "switch.hallway_lamp"}
        assert registry["light.driveway"]["platform"] == "hue"
        hue.set_light("1", on=True)
        assert ha_sim.state("light.driveway").state == "on"


def test_a_home_built_in_code_is_checked_too(fresh_address: Callable[[], str]) -> None:
    spec = example(fresh_address, mirrors={"light.driveway": "Hue Bridge/7"})
    with pytest.raises(SimError) as caught:
        VirtualHome(spec, advertise=False)
    assert caught.value.field == "hosts.0.mirrors.light.driveway" and "has no light 7" in caught.value.message


async def test_without_mirrors_home_assistant_keeps_its_own_driveway_light(fresh_address: Callable[[], str]) -> None:
    async with started(example(fresh_address, mirrors={})) as home:
        ha, hue, _, _ = parts(home)
        assert "light.driveway" not in ha.core._links
        ha.report("device_tracker.pixel_8", "home")
        await ha.settle()
        assert ha.state("light.driveway").state == "on"
        assert hue.node("light", "1").on is False  # nothing links them
        # with no switch entity HA has no switch.turn_on: the run stops there, as HA's would
        assert ha.state("alarm_control_panel.simplisafe").state == "armed_away"
        driveway = next(d for d in ha.core.device_registry() if d["name"] == "Driveway")
        assert driveway["identifiers"] == [["hue", "3f2e6a1c-9b8d-4e7f-a6c5-d4e3f2a1b0c9"]]
        assert "switch.porch" not in {s.entity_id for s in ha.core.all()}


async def test_a_mirrored_entity_changes_at_its_device_not_by_report(home: VirtualHome) -> None:
    ha, hue, _, _ = parts(home)
    with pytest.raises(ValueError, match="mirrors a simulated device"):
        ha.report("light.driveway", "on")
    hue.set_light("1", on=True, brightness=50.0)
    assert ha.state("light.driveway").state == "on"
    assert ha.state("light.driveway").attributes["brightness"] == 128
