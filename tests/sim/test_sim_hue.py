"""The simulated Hue bridge, driven as real clients drive one: aiohttp over HTTPS (CLIP v2, the
event stream, the v1 API) and zeroconf browsing `_hue._tcp` on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from pydantic import ValidationError
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from weaklink.sim import Advertiser, Fault, FaultKind
from weaklink.sim.hue import SERVICE_TYPE, HueBridge, HueBridgeSpec

PORT = 8443
KEY = "sim-key-4f0c2a9e"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "hue" / "aiohue_v2_resources.json"


def make_spec(address: str) -> HueBridgeSpec:
    """A bridge with two lights, a motion and a contact sensor; a fresh bridge id per test
    (records on the shared 127.0.0.1 mDNS must not collide with another test's)."""
    return HueBridgeSpec(
        name="Hue Bridge", address=address, port=PORT, bridge_id=f"001788fffe{secrets.token_hex(3)}", app_key=KEY,
        lights=[{"id": "1", "name": "Driveway", "room": "Outside", "archetype": "wall_lantern", "model": "1746430P7"},
                {"id": "2", "name": "Hall", "on": True, "brightness": 50.0}],
        sensors=[{"id": "5", "name": "Drive motion", "type": "motion", "room": "Outside"},
                 {"id": "6", "name": "Garage side door", "type": "contact"}],
    )


async def running(address: str, advertiser: Advertiser | None) -> AsyncIterator[HueBridge]:
    hue = HueBridge(make_spec(address), advertiser)
    await hue.start()
    yield hue
    await hue.stop()


@pytest.fixture
async def bridge(address: str) -> AsyncIterator[HueBridge]:
    """A bridge on its own loopback address, not advertised (mDNS is tested with `advertised`)."""
    async for hue in running(address, None):
        yield hue


@pytest.fixture
async def advertised(address: str, advertiser: Advertiser) -> AsyncIterator[HueBridge]:
    """A bridge published over mDNS on 127.0.0.1."""
    async for hue in running(address, advertiser):
        yield hue


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    # the bridge's certificate is self-signed, as a real bridge's is (signed by Signify's own CA)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False),
                                     timeout=aiohttp.ClientTimeout(total=3)) as client:
        yield client


async def v2(session: aiohttp.ClientSession, bridge: HueBridge, path: str, key: str | None = KEY,
             method: str = "GET", body: Any = None) -> tuple[int, dict[str, Any]]:
    headers = {"hue-application-key": key} if key else {}
    async with session.request(method, f"{bridge.base_url}/clip/v2/{path}", headers=headers, json=body) as response:
        return response.status, await response.json()


async def v1(session: aiohttp.ClientSession, bridge: HueBridge, path: str, method: str = "GET",
             body: Any = None) -> Any:
    async with session.request(method, f"{bridge.base_url}/api{path}", json=body) as response:
        assert response.status == 200  # v1 answers errors with 200 too
        return await response.json()


class EventStream:
    """The v2 event stream read frame by frame, as aiohue reads it."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    async def frame(self) -> dict[str, str]:
        """The next frame's fields (`id`, `data`, or the `:` comment)."""
        fields: dict[str, str] = {}
        async with asyncio.timeout(2):
            while (line := (await self.response.content.readline()).decode()) not in ("\n", ""):
                key, _, value = line.rstrip("\n").partition(":")
                fields[key] = value.strip()
        return fields

    async def events(self) -> list[dict[str, Any]]:
        """The events of the next frame."""
        return json.loads((await self.frame())["data"])


@pytest.fixture
async def events(bridge: HueBridge, session: aiohttp.ClientSession) -> AsyncIterator[EventStream]:
    headers = {"hue-application-key": KEY, "Accept": "text/event-stream"}
    async with session.get(f"{bridge.base_url}/eventstream/clip/v2", headers=headers,
                           timeout=aiohttp.ClientTimeout(total=None, sock_read=5)) as response:
        assert response.status == 200 and response.content_type == "text/event-stream"
        stream = EventStream(response)
        assert await stream.frame() == {"": "hi"}  # the bridge's hello comment
        yield stream


def by_type(resources: list[dict[str, Any]], rtype: str) -> list[dict[str, Any]]:
    return [resource for resource in resources if resource["type"] == rtype]


# ------------------------------------------------------------------ spec


def test_spec_defaults_follow_the_real_bridge() -> None:
    spec = HueBridgeSpec(address="127.0.0.2", bridge_id="001788FFFE1A2B3C")
    assert (spec.kind, spec.port, spec.model, spec.bridge_id) == ("hue_bridge", 443, "BSB002", "001788fffe1a2b3c")
    assert spec.mac == "00:17:88:1a:2b:3c"  # the bridge id is the MAC with fffe inside
    for bad in ({"bridge_id": "1234"}, {"colour": "red"},
                {"lights": [{"id": "1", "name": "a"}, {"id": "1", "name": "b"}]},
                {"sensors": [{"id": "1", "name": "a", "type": "motion"}]}):
        with pytest.raises(ValidationError):
            HueBridgeSpec(address="127.0.0.2", **bad)


async def test_the_certificate_names_the_bridge_id(bridge: HueBridge) -> None:
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    _, writer = await asyncio.open_connection(bridge.address, PORT, ssl=insecure)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    await writer.wait_closed()
    subject = x509.load_der_x509_certificate(der).subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == bridge.bridge_id
    # a client that pinned this certificate talks to the bridge with verification on
    pinned = ssl.create_default_context(cadata=ssl.DER_cert_to_PEM_cert(der))
    async with aiohttp.ClientSession() as verifying, verifying.get(f"{bridge.base_url}/api/config",
                                                                  ssl=pinned) as response:
        assert response.status == 200


# ------------------------------------------------------------------ CLIP v2


async def test_v2_refuses_a_missing_or_wrong_key_before_routing(bridge: HueBridge,
                                                                session: aiohttp.ClientSession) -> None:
    refused = {"errors": [{"description": "unauthorized user"}], "data": []}
    assert await v2(session, bridge, "resource/light", key=None) == (403, refused)
    assert await v2(session, bridge, "resource/light", key="not-a-key") == (403, refused)
    assert await v2(session, bridge, "resources", key=None) == (403, refused)  # aiohue's v2 probe
    assert (await v2(session, bridge, "resources"))[0] == 404


async def test_v2_resources_have_the_real_shapes(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    status, everything = await v2(session, bridge, "resource")
    assert status == 200 and everything["errors"] == []
    resources = everything["data"]
    reference: dict[str, set[str]] = {}
    for resource in json.loads(REFERENCE.read_text()):
        reference.setdefault(resource["type"], set()).update(resource)
    for resource in resources:  # every key we send, a real bridge sends for that type
        assert set(resource) <= reference[resource["type"]], resource["type"]
    for rtype in ("bridge", "device", "light", "zigbee_connectivity", "motion", "contact"):
        status, listed = await v2(session, bridge, f"resource/{rtype}")
        assert status == 200 and listed["data"] == by_type(resources, rtype) and listed["data"]

    ids = {resource["id"]: resource["type"] for resource in resources}
    for resource in resources:  # references resolve: owners, services, room children
        links = [resource["owner"]] if "owner" in resource else []
        links += resource.get("services", []) + resource.get("children", [])
        assert all(ids[link["rid"]] == link["rtype"] for link in links)

    [bridge_resource] = by_type(resources, "bridge")
    assert bridge_resource["bridge_id"] == bridge.bridge_id
    lights = {light["id_v1"]: light for light in by_type(resources, "light")}
    assert lights["/lights/2"]["on"] == {"on": True} and lights["/lights/2"]["dimming"]["brightness"] == 50.0
    assert lights["/lights/1"]["metadata"] == {"archetype": "wall_lantern", "name": "Driveway"}
    links = by_type(resources, "zigbee_connectivity")
    assert {link["status"] for link in links} == {"connected"} and len(links) == 4
    assert all(link["mac_address"].startswith("00:17:88:01:") for link in links)
    [motion] = by_type(resources, "motion")
    assert motion["motion"]["motion"] is False and motion["id_v1"] == "/sensors/5"
    [contact] = by_type(resources, "contact")
    assert contact["contact_report"]["state"] == "contact" and "id_v1" not in contact  # v2 only


async def test_v2_one_resource_and_not_found(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    light = bridge.node("light", "1")
    status, one = await v2(session, bridge, f"resource/light/{light.service_rid}")
    assert status == 200 and [item["id"] for item in one["data"]] == [light.service_rid]
    assert await v2(session, bridge, f"resource/motion/{light.service_rid}") == (
        404, {"errors": [{"description": "Not Found"}], "data": []})
    assert await v2(session, bridge, "resource/scene") == (200, {"errors": [], "data": []})


async def test_v2_put_switches_a_light(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    rid = bridge.node("light", "1").service_rid
    status, answer = await v2(session, bridge, f"resource/light/{rid}", method="PUT",
                              body={"on": {"on": True}, "dimming": {"brightness": 40}})
    assert (status, answer) == (200, {"errors": [], "data": [{"rid": rid, "rtype": "light"}]})
    light = (await v2(session, bridge, f"resource/light/{rid}"))[1]["data"][0]
    assert light["on"] == {"on": True} and light["dimming"]["brightness"] == 40.0
    assert (await v1(session, bridge, f"/{KEY}/lights/1"))["state"]["on"] is True
    status, answer = await v2(session, bridge, f"resource/light/{rid}", method="PUT", body={"on": True})
    assert status == 400 and answer["errors"]


async def test_event_stream_pushes_updates_as_they_happen(bridge: HueBridge, session: aiohttp.ClientSession,
                                                          events: EventStream) -> None:
    light = bridge.node("light", "2")
    await v2(session, bridge, f"resource/light/{light.service_rid}", method="PUT", body={"on": {"on": False}})
    frame = await events.frame()
    second, _, index = frame["id"].partition(":")
    assert second.isdigit() and index.isdigit()
    [event] = json.loads(frame["data"])
    assert event["type"] == "update" and event["creationtime"].endswith("Z")
    assert event["data"] == [{"id": light.service_rid, "id_v1": "/lights/2", "on": {"on": False},
                              "owner": {"rid": light.device_rid, "rtype": "device"}, "type": "light"}]

    assert bridge.set_motion("5", True)
    [event] = await events.events()
    assert event["data"][0]["type"] == "motion" and event["data"][0]["motion"]["motion"] is True
    assert bridge.set_contact("6", False)
    [event] = await events.events()
    assert event["data"][0]["contact_report"]["state"] == "no_contact"


# ------------------------------------------------------------------ v1


async def test_v1_config_without_a_user(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    public = await v1(session, bridge, "/config")
    assert public["bridgeid"] == bridge.bridge_id.upper() and public["modelid"] == "BSB002"
    assert set(public) == {"name", "bridgeid", "modelid", "apiversion", "swversion", "mac", "datastoreversion",
                           "factorynew", "replacesbridgeid", "starterkitid"}
    assert await v1(session, bridge, "/0/config") == public
    full = await v1(session, bridge, f"/{KEY}/config")
    assert full["ipaddress"] == bridge.address and KEY in full["whitelist"]


async def test_v1_refuses_an_unknown_user(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    for path in ("lights", "sensors", "groups", "rules"):
        assert await v1(session, bridge, f"/stranger/{path}") == [
            {"error": {"type": 1, "address": f"/{path}", "description": "unauthorized user"}}]
    assert (await v1(session, bridge, "/stranger/lights/1/state", "PUT", {"on": True}))[0]["error"]["type"] == 1


async def test_v1_collections_and_commands(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    lights = await v1(session, bridge, f"/{KEY}/lights")
    assert set(lights) == {"1", "2"} and lights["2"]["state"]["bri"] == 127 and lights["1"]["state"]["reachable"]
    assert lights["1"]["config"]["archetype"] == "walllantern"  # v1 spells archetypes without underscores
    sensors = await v1(session, bridge, f"/{KEY}/sensors")
    assert {key: sensor["type"] for key, sensor in sensors.items()} == {"1": "Daylight", "5": "ZLLPresence"}
    groups = await v1(session, bridge, f"/{KEY}/groups")
    assert groups == {"1": groups["1"]} and groups["1"]["lights"] == ["1"] and groups["1"]["type"] == "Room"
    assert await v1(session, bridge, f"/{KEY}/rules") == {}

    answer = await v1(session, bridge, f"/{KEY}/lights/1/state", "PUT", {"on": True, "bri": 254, "hue": 3})
    assert answer == [{"success": {"/lights/1/state/on": True}}, {"success": {"/lights/1/state/bri": 254}},
                      {"error": {"type": 6, "address": "/lights/1/state/hue",
                                 "description": "parameter, hue, not available"}}]
    assert bridge.node("light", "1").on and bridge.node("light", "1").brightness == 100.0
    assert (await v1(session, bridge, f"/{KEY}/lights/9"))[0]["error"]["type"] == 3
    await v1(session, bridge, f"/{KEY}/groups/0/action", "PUT", {"on": False})
    assert not any(node.on for node in bridge.nodes if node.kind == "light")


async def test_v1_link_button_creates_a_user(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    request = {"devicetype": "weaklink#test", "generateclientkey": True}
    assert (await v1(session, bridge, "", "POST", request))[0]["error"]["type"] == 101
    bridge.press_link_button()
    [created] = await v1(session, bridge, "", "POST", request)
    username = created["success"]["username"]
    assert created["success"]["clientkey"]
    assert "1" in await v1(session, bridge, f"/{username}/lights")
    assert (await v2(session, bridge, "resource/bridge", key=username))[0] == 200  # the key is the username


# ------------------------------------------------------------------ Hue faults


async def test_light_unreachable(bridge: HueBridge, session: aiohttp.ClientSession, events: EventStream) -> None:
    light = bridge.node("light", "1")
    await bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="1"))
    [event] = await events.events()
    assert event["data"] == [{"id": light.zigbee_rid, "id_v1": "/lights/1", "mac_address": light.mac,
                              "owner": {"rid": light.device_rid, "rtype": "device"}, "status": "disconnected",
                              "type": "zigbee_connectivity"}]
    status, link = await v2(session, bridge, f"resource/zigbee_connectivity/{light.zigbee_rid}")
    assert link["data"][0]["status"] == "disconnected"
    assert (await v1(session, bridge, f"/{KEY}/lights/1"))["state"]["reachable"] is False
    assert (await v1(session, bridge, f"/{KEY}/lights/2"))["state"]["reachable"] is True  # its sibling is fine

    status, answer = await v2(session, bridge, f"resource/light/{light.service_rid}", method="PUT",
                              body={"on": {"on": True}})
    assert status == 207 and "communication issues" in answer["errors"][0]["description"]
    assert not light.on  # the command never reached it
    await bridge.heal()
    [event] = await events.events()
    assert event["data"][0]["status"] == "connected"


async def test_an_unreachable_sensor_loses_its_reports(bridge: HueBridge, session: aiohttp.ClientSession) -> None:
    await bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="Drive motion"))
    assert bridge.set_motion("5", True) is False
    sensor = (await v1(session, bridge, f"/{KEY}/sensors/5"))
    assert sensor["config"]["reachable"] is False and sensor["state"]["presence"] is False


async def test_connectivity_issue(bridge: HueBridge, session: aiohttp.ClientSession, events: EventStream) -> None:
    light = bridge.node("light", "2")
    await bridge.inject(Fault(kind=FaultKind.CONNECTIVITY_ISSUE, target="lights/2"))
    [event] = await events.events()
    assert event["data"][0]["id"] == light.zigbee_rid and event["data"][0]["status"] == "connectivity_issue"
    _, links = await v2(session, bridge, "resource/zigbee_connectivity")
    assert {link["owner"]["rid"]: link["status"] for link in links["data"]}[light.device_rid] == "connectivity_issue"
    status, answer = await v2(session, bridge, f"resource/light/{light.service_rid}", method="PUT",
                              body={"on": {"on": False}})
    assert status == 207 and answer["errors"] and not light.on  # warned, but it got through


async def test_key_revoked(bridge: HueBridge, session: aiohttp.ClientSession, events: EventStream) -> None:
    await bridge.inject(Fault(kind=FaultKind.KEY_REVOKED))
    assert await events.frame() == {}  # the bridge ends the revoked key's stream
    assert (await v2(session, bridge, "resource/light"))[0] == 403
    assert await v1(session, bridge, f"/{KEY}/lights") == [
        {"error": {"type": 1, "address": "/lights", "description": "unauthorized user"}}]
    assert "whitelist" not in await v1(session, bridge, f"/{KEY}/config")  # only the public part now
    await bridge.heal()
    assert (await v2(session, bridge, "resource/light"))[0] == 200


# ------------------------------------------------------------------ mDNS and the generic faults


class Browser:
    """A zeroconf client on 127.0.0.1 browsing `_hue._tcp`, remembering each instance's last change."""

    def __init__(self) -> None:
        self.client = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        self.last: dict[str, ServiceStateChange] = {}
        self.changed = asyncio.Event()
        self.browser = AsyncServiceBrowser(self.client.zeroconf, [SERVICE_TYPE], handlers=[self._changed])

    def _changed(self, zeroconf: object, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        self.last[name] = state_change
        self.changed.set()

    async def until(self, name: str, state: ServiceStateChange) -> None:
        """Wait until `name`'s last change is `state` (added, updated or removed)."""
        async with asyncio.timeout(4):
            while self.last.get(name) is not state:
                self.changed.clear()
                await self.changed.wait()

    async def resolve(self, name: str) -> AsyncServiceInfo:
        """The instance's SRV, TXT and address records."""
        await self.until(name, ServiceStateChange.Added)
        info = AsyncServiceInfo(SERVICE_TYPE, name)
        assert await info.async_request(self.client.zeroconf, 2000)
        return info

    async def close(self) -> None:
        await self.browser.async_cancel()
        await self.client.async_close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    watching = Browser()
    yield watching
    await watching.close()


def instance(bridge: HueBridge) -> str:
    return f"Hue Bridge - {bridge.bridge_id[-6:].upper()}.{SERVICE_TYPE}"


async def test_advertised_as_a_hue_bridge_and_withdrawn(advertised: HueBridge, browser: Browser,
                                                        session: aiohttp.ClientSession) -> None:
    bridge = advertised
    info = await browser.resolve(instance(bridge))
    assert info.parsed_addresses() == [bridge.address] and info.port == PORT
    assert info.properties == {b"bridgeid": bridge.bridge_id.encode(), b"modelid": b"BSB002"}
    await bridge.inject(Fault(kind=FaultKind.NOT_ADVERTISED))
    await browser.until(instance(bridge), ServiceStateChange.Removed)
    assert (await v1(session, bridge, "/config"))["bridgeid"] == bridge.bridge_id.upper()  # still answering


async def test_host_down_and_moved(advertised: HueBridge, session: aiohttp.ClientSession,
                                  fresh_address: Callable[[], str]) -> None:
    bridge = advertised
    await bridge.inject(Fault(kind=FaultKind.HOST_DOWN))
    with socket.socket() as probe:
        assert probe.connect_ex((bridge.address, PORT)) != 0
    await bridge.heal()
    old = bridge.base_url
    new_address = fresh_address()
    await bridge.inject(Fault(kind=FaultKind.MOVED, address=new_address))
    assert (await v1(session, bridge, "/config"))["bridgeid"] == bridge.bridge_id.upper()
    with pytest.raises(aiohttp.ClientConnectorError):
        await session.get(f"{old}/api/config")
    fresh = Browser()  # a client that starts looking now, as `weaklink discover` would
    try:
        assert (await fresh.resolve(instance(bridge))).parsed_addresses() == [new_address]
    finally:
        await fresh.close()


async def test_slow_and_garbled(bridge: HueBridge, session: aiohttp.ClientSession, events: EventStream) -> None:
    await bridge.inject(Fault(kind=FaultKind.GARBLE))
    async with session.get(f"{bridge.base_url}/api/config") as response:
        body = await response.read()
    with pytest.raises(ValueError):
        json.loads(body)
    bridge.set_light("1", on=True)
    with pytest.raises(ValueError):  # the event stream's frames are cut short too
        await events.events()
    await bridge.heal()
    await bridge.inject(Fault(kind=FaultKind.SLOW, seconds=1.0))
    with pytest.raises(asyncio.TimeoutError):
        await session.get(f"{bridge.base_url}/api/config", timeout=aiohttp.ClientTimeout(total=0.2))
