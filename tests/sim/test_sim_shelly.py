"""The simulated Shelly relays, driven with the clients a live adapter uses: aiohttp (HTTP, basic
and digest auth, the `/rpc` WebSocket) and zeroconf (browsing on 127.0.0.1). Shapes are checked
against real devices' dumps in ../shared/reference/shelly."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import socket
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import DigestAuthMiddleware, encode_basic_auth
from pydantic import ValidationError
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from weaklink.sim import Advertiser, Fault, FaultKind
from weaklink.sim.shelly import ShellyDevice, ShellySpec

PORT = 8680
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "shelly"
Make = Callable[..., Awaitable[ShellyDevice]]


def reference(name: str) -> dict[str, Any]:
    """A real device's dump (`shelly`, `status`, `settings`/`config`) from the reference folder."""
    (path,) = REFERENCE.glob(f"{name}*.json")
    return json.loads(path.read_text())


@pytest.fixture
async def make(advertiser: Advertiser, fresh_address: Callable[[], str]) -> AsyncIterator[Make]:
    """Start Shelly devices on fresh loopback addresses (advertised over mDNS when `advertised`);
    all are stopped after the test."""
    started: list[ShellyDevice] = []

    async def start(advertised: bool = False, **fields: Any) -> ShellyDevice:
        # unique names give unique MACs and mDNS names: other test runs may share 127.0.0.1's mDNS
        fields.setdefault("name", f"Relay {secrets.token_hex(4)}")
        spec = ShellySpec(address=fresh_address(), port=PORT, **fields)
        device = ShellyDevice(spec, advertiser if advertised else None)
        started.append(device)
        await device.start()
        return device

    yield start
    for device in started:
        await device.stop()


def session(**kwargs: Any) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=kwargs.pop("timeout", 2.0)), **kwargs)


async def get(url: str, **kwargs: Any) -> tuple[int, Any]:
    """Status and JSON body (or text, when it is not JSON) of a GET."""
    middlewares = kwargs.pop("middlewares", ())
    async with session(timeout=kwargs.pop("timeout", 2.0), middlewares=middlewares) as client:
        async with client.get(url, **kwargs) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text


def basic(login: str, password: str) -> dict[str, str]:
    """Gen1's HTTP basic credentials, encoded by aiohttp."""
    return {"Authorization": encode_basic_auth(login, password)}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def frame_auth(challenge: dict[str, Any], password: str) -> dict[str, Any]:
    """The `auth` object of a JSON-RPC frame, computed as the Shelly docs describe."""
    ha1 = sha256(f"admin:{challenge['realm']}:{password}")
    cnonce = secrets.randbelow(10**9)
    response = sha256(f"{ha1}:{challenge['nonce']}:{challenge.get('nc', 1)}:{cnonce}:auth:"
                      f"{sha256('dummy_method:dummy_uri')}")
    return {"realm": challenge["realm"], "username": "admin", "nonce": challenge["nonce"], "cnonce": cnonce,
            "response": response, "algorithm": "SHA-256"}


async def receive(ws: aiohttp.ClientWebSocketResponse, method: str | None = None) -> dict[str, Any]:
    """The next frame (a notification of `method`, when one is named), within 2 s."""
    while True:
        frame = await ws.receive_json(timeout=2)
        if method is None or frame.get("method") == method:
            return frame


Found = dict[str, AsyncServiceInfo]


async def browse(service_types: list[str], until: Callable[[Found], bool]) -> Found:
    """Resolved records of `service_types` seen on 127.0.0.1, once `until` holds of them (3 s at most)."""
    client = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    names: set[tuple[str, str]] = set()

    def seen(zeroconf: object, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Added:
            names.add((service_type, name))

    browser = AsyncServiceBrowser(client.zeroconf, service_types, handlers=[seen])
    found: Found = {}
    try:
        for _ in range(30):
            await asyncio.sleep(0.1)
            for service_type, name in names - {(info.type, info.name) for info in found.values()}:
                info = AsyncServiceInfo(service_type, name)
                if await info.async_request(client.zeroconf, 1000):
                    found[name] = info
            if until(found):
                break
        return found
    finally:
        await browser.async_cancel()
        await client.async_close()


# ---------------------------------------------------------------------- the spec


def test_spec_fills_identity_from_the_model() -> None:
    gen1 = ShellySpec(name="Porch", address="127.0.0.9", model="SHSW-1", mac="aabbccddeeff")
    assert (gen1.generation, gen1.device_id, gen1.relays, gen1.metering) == (1, "shelly1-DDEEFF", 1, False)
    assert gen1.port == 80
    plus = ShellySpec(name="Porch", address="127.0.0.9", model="SNSW-001X16EU", mac="AABBCCDDEEFF")
    assert (plus.generation, plus.device_id, plus.app) == (2, "shellyplus1-aabbccddeeff", "Plus1")
    gen3 = ShellySpec(name="Porch", address="127.0.0.9", generation=3)
    assert gen3.model == "S3SW-001P16EU" and gen3.device_id.startswith("shelly1pmg3-")
    assert ShellySpec(name="a", address="127.0.0.9").mac != ShellySpec(name="b", address="127.0.0.9").mac
    with pytest.raises(ValidationError, match="Gen1 device"):
        ShellySpec(name="x", address="127.0.0.9", model="SHSW-1", generation=2)
    with pytest.raises(ValidationError):
        ShellySpec(name="x", address="127.0.0.9", relay_count=2)  # type: ignore[call-arg]


# ---------------------------------------------------------------------- Gen1


async def test_gen1_answers_in_the_real_devices_shapes(make: Make) -> None:
    device = await make(model="SHPLG-S", name="Coffee")
    real = reference("gen1_Shelly Plug S")
    status, shelly = await get(f"{device.base_url}/shelly")
    assert status == 200 and set(shelly) == set(real["shelly"])
    assert (shelly["type"], shelly["mac"], shelly["auth"], shelly["num_outputs"]) == ("SHPLG-S", device.mac, False, 1)
    _, state = await get(f"{device.base_url}/status")
    assert set(real["status"]["relays"][0]) == set(state["relays"][0])
    assert set(real["status"]["meters"][0]) <= set(state["meters"][0])
    assert state["wifi_sta"]["ip"] == device.address and state["relays"][0]["ison"] is False
    _, settings = await get(f"{device.base_url}/settings")
    assert settings["device"]["hostname"] == device.device_id == f"shellyplug-s-{device.mac[-6:]}"
    assert settings["login"]["enabled"] is False


async def test_gen1_relay_turns_on_off_and_toggles(make: Make) -> None:
    device = await make(generation=1)
    status, relay = await get(f"{device.base_url}/relay/0?turn=on")
    assert status == 200 and relay["ison"] is True and relay["source"] == "http" and device.relay_on(0)
    assert (await get(f"{device.base_url}/relay/0?turn=toggle"))[1]["ison"] is False
    device.set_relay(0, True)
    assert (await get(f"{device.base_url}/status"))[1]["relays"][0] == {**relay, "source": "input"}
    assert (await get(f"{device.base_url}/relay/0"))[1]["ison"] is True  # no `turn`: status only
    assert (await get(f"{device.base_url}/relay/1?turn=on"))[0] == 404
    assert (await get(f"{device.base_url}/relay/0?turn=up"))[0] == 400


async def test_gen1_basic_auth_and_a_revoked_password(make: Make) -> None:
    device = await make(generation=1, password="s3cret")
    status, shelly = await get(f"{device.base_url}/shelly")  # identity stays open
    assert status == 200 and shelly["auth"] is True
    async with session() as client, client.get(f"{device.base_url}/status") as response:
        assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Basic ")
    assert (await get(f"{device.base_url}/status", headers=basic("admin", "wrong")))[0] == 401
    assert (await get(f"{device.base_url}/relay/0?turn=on", headers=basic("admin", "s3cret")))[1]["ison"] is True

    await device.inject(Fault(kind=FaultKind.KEY_REVOKED))
    assert (await get(f"{device.base_url}/status", headers=basic("admin", "s3cret")))[0] == 401
    await device.heal()
    assert (await get(f"{device.base_url}/status", headers=basic("admin", "s3cret")))[0] == 200


async def test_gen1_overpower_trips_the_targeted_relay_and_keeps_it_off(make: Make) -> None:
    device = await make(model="SHSW-25")
    for index in (0, 1):
        await get(f"{device.base_url}/relay/{index}?turn=on")
    await device.inject(Fault.parse("overpower:switch:1"))  # `1` reads the same
    _, state = await get(f"{device.base_url}/status")
    assert [relay["ison"] for relay in state["relays"]] == [True, False]
    assert [relay["overpower"] for relay in state["relays"]] == [False, True]
    assert state["meters"][1]["overpower"] > 0 and state["meters"][0]["overpower"] == 0
    _, relay = await get(f"{device.base_url}/relay/1?turn=on")
    assert relay["ison"] is False and relay["overpower"] is True  # accepted, and tripped again
    await device.heal()
    assert (await get(f"{device.base_url}/relay/1?turn=on"))[1] == {**relay, "ison": True, "overpower": False}


async def test_gen1_overpower_without_target_is_relay_zero(make: Make) -> None:
    device = await make(generation=1)
    device.set_relay(0, True)
    await device.inject(Fault(kind=FaultKind.OVERPOWER))
    assert device.overpowered(0) and not device.relay_on(0)
    device.set_relay(0, True)
    assert not device.relay_on(0)


# ---------------------------------------------------------------------- Gen2+ over HTTP


async def test_gen2_identity_and_status_in_the_real_devices_shapes(make: Make) -> None:
    device = await make(model="SNSW-001P16EU")
    real = reference("gen2_Shelly Plus 1PM")
    _, shelly = await get(f"{device.base_url}/shelly")
    assert set(shelly) == set(real["shelly"])
    assert (shelly["gen"], shelly["app"], shelly["model"]) == (2, "Plus1PM", "SNSW-001P16EU")
    assert shelly["id"] == device.device_id == f"shellyplus1pm-{device.mac.lower()}"
    assert (shelly["auth_en"], shelly["auth_domain"]) == (False, None)
    assert (await get(f"{device.base_url}/rpc/Shelly.GetDeviceInfo"))[1] == shelly
    _, status = await get(f"{device.base_url}/rpc/Shelly.GetStatus")
    assert {key for key in real["status"] if not key.startswith("script:")} <= set(status)
    assert set(status["switch:0"]) == set(real["status"]["switch:0"]) and "errors" not in status["switch:0"]
    assert status["wifi"]["sta_ip"] == device.address
    _, config = await get(f"{device.base_url}/rpc/Shelly.GetConfig")
    assert config["sys"]["device"]["mac"] == device.mac and config["switch:0"]["id"] == 0
    gen3 = await make(model="S3SW-001X16EU")
    assert (await get(f"{gen3.base_url}/shelly"))[1]["gen"] == 3


async def test_gen2_switch_over_http_get_and_post(make: Make) -> None:
    device = await make(model="SNSW-102P16EU")
    assert await get(f"{device.base_url}/rpc/Switch.Set?id=1&on=true") == (200, {"was_on": False})
    _, switch = await get(f"{device.base_url}/rpc/Switch.GetStatus?id=1")
    assert (switch["id"], switch["output"], switch["source"], switch["apower"] > 0) == (1, True, "HTTP_in", True)
    assert device.relay_on(1) and not device.relay_on(0)
    async with session() as client:
        frame = {"id": 7, "src": "probe", "method": "Switch.Toggle", "params": {"id": 1}}
        async with client.post(f"{device.base_url}/rpc", json=frame) as response:
            assert response.status == 200
            answer = await response.json()
            assert answer == {"id": 7, "src": device.device_id, "dst": "probe", "result": {"was_on": True}}
        async with client.post(f"{device.base_url}/rpc/Switch.Set", json={"id": 0, "on": True}) as response:
            assert await response.json() == {"was_on": False}
    assert not device.relay_on(1) and device.relay_on(0)


async def test_gen2_rpc_errors_carry_the_firmwares_codes(make: Make) -> None:
    device = await make(generation=2)
    status, body = await get(f"{device.base_url}/rpc/Cover.Open?id=0")
    assert (status, body) == (404, {"code": 404, "message": "No handler for Cover.Open"})
    status, body = await get(f"{device.base_url}/rpc/Switch.GetStatus?id=3")
    assert status == 400 and body["code"] == -105 and "'id'" in body["message"]
    status, body = await get(f"{device.base_url}/rpc/Switch.Set?id=0")
    assert status == 400 and body["code"] == -103 and "'on'" in body["message"]


async def test_gen2_digest_auth_with_aiohttps_middleware(make: Make) -> None:
    device = await make(generation=2, password="s3cret")
    _, shelly = await get(f"{device.base_url}/shelly")
    assert (shelly["auth_en"], shelly["auth_domain"]) == (True, device.device_id)
    assert (await get(f"{device.base_url}/rpc/Shelly.GetDeviceInfo"))[0] == 200  # open by design
    async with session() as client, client.get(f"{device.base_url}/rpc/Shelly.GetStatus") as response:
        assert response.status == 401
        challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Digest ") and f'realm="{device.device_id}"' in challenge
    assert "algorithm=SHA-256" in challenge and 'qop="auth"' in challenge

    right = (DigestAuthMiddleware("admin", "s3cret"),)
    status, result = await get(f"{device.base_url}/rpc/Switch.Set?id=0&on=true", middlewares=right)
    assert (status, result) == (200, {"was_on": False}) and device.relay_on(0)
    wrong = (DigestAuthMiddleware("admin", "guess"),)
    assert (await get(f"{device.base_url}/rpc/Shelly.GetStatus", middlewares=wrong))[0] == 401

    frame = {"id": 3, "src": "probe", "method": "Switch.Set", "params": {"id": 0, "on": False}}
    async with session() as client, client.post(f"{device.base_url}/rpc", json=frame) as response:
        assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Digest ")
        assert (await response.json())["error"]["code"] == 401
    async with session(middlewares=right) as client, client.post(f"{device.base_url}/rpc", json=frame) as response:
        assert response.status == 200 and (await response.json())["result"] == {"was_on": True}

    await device.inject(Fault(kind=FaultKind.KEY_REVOKED))
    assert (await get(f"{device.base_url}/rpc/Shelly.GetStatus", middlewares=right))[0] == 401


async def test_gen2_digest_exchange_by_hand(make: Make) -> None:
    """The challenge and the answer as headers on the wire, computed as RFC 7616 says (SHA-256)."""
    device = await make(generation=2, password="s3cret")
    path = "/rpc/Switch.Set?id=0&on=true"
    async with session() as client:
        async with client.get(f"{device.base_url}{path}") as response:
            scheme, _, rest = response.headers["WWW-Authenticate"].partition(" ")
        challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        assert scheme == "Digest" and challenge["realm"] == device.device_id and challenge["nonce"]

        ha1 = sha256(f"admin:{challenge['realm']}:s3cret")
        ha2 = sha256(f"GET:{path}")
        cnonce, nc = secrets.token_hex(8), "00000001"
        response_hash = sha256(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{ha2}")

        def header(response: str) -> dict[str, str]:
            return {"Authorization": f'Digest username="admin", realm="{challenge["realm"]}", '
                                     f'nonce="{challenge["nonce"]}", uri="{path}", algorithm=SHA-256, '
                                     f'qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}"'}

        async with client.get(f"{device.base_url}{path}", headers=header("0" * 64)) as response:
            assert response.status == 401
        async with client.get(f"{device.base_url}{path}", headers=header(response_hash)) as response:
            assert response.status == 200 and await response.json() == {"was_on": False}
    assert device.relay_on(0)


# ---------------------------------------------------------------------- Gen2+ WebSocket


async def test_websocket_rpc_and_notify_status_after_switch_set(make: Make) -> None:
    device = await make(generation=2)
    async with session() as client, client.ws_connect(f"{device.base_url}/rpc") as ws:
        await ws.send_json({"id": 1, "src": "weaklink-test", "method": "Shelly.GetStatus"})
        answer = await receive(ws)
        assert (answer["id"], answer["src"], answer["dst"]) == (1, device.device_id, "weaklink-test")
        assert answer["result"]["switch:0"]["output"] is False

        await get(f"{device.base_url}/rpc/Switch.Set?id=0&on=true")  # another client switches it
        note = await receive(ws, "NotifyStatus")
        assert (note["src"], note["dst"]) == (device.device_id, "weaklink-test") and note["params"]["ts"] > 0
        assert note["params"]["switch:0"]["output"] is True and note["params"]["switch:0"]["source"] == "HTTP_in"

        await ws.send_json({"id": 2, "src": "weaklink-test", "method": "Switch.Set", "params": {"id": 0, "on": False}})
        frames = [await receive(ws), await receive(ws)]  # the answer and the notification, in either order
        answer = next(frame for frame in frames if frame.get("id") == 2)
        note = next(frame for frame in frames if frame.get("method") == "NotifyStatus")
        assert answer["result"] == {"was_on": True}
        assert note["params"]["switch:0"]["output"] is False and note["params"]["switch:0"]["source"] == "WS_in"

        device.set_relay(0, True)  # the wall switch
        assert (await receive(ws, "NotifyStatus"))["params"]["switch:0"]["output"] is True


async def test_websocket_digest_auth_and_a_revoked_password(make: Make) -> None:
    device = await make(generation=2, password="s3cret")
    async with session() as client, client.ws_connect(f"{device.base_url}/rpc") as ws:
        await ws.send_json({"id": 1, "src": "t", "method": "Shelly.GetStatus"})
        error = (await receive(ws))["error"]
        challenge = json.loads(error["message"])
        assert error["code"] == 401 and challenge["auth_type"] == "digest" and challenge["realm"] == device.device_id

        # not authenticated yet: a change is not pushed (the next frame is the answer, not a notification)
        signed = (DigestAuthMiddleware("admin", "s3cret"),)
        await get(f"{device.base_url}/rpc/Switch.Set?id=0&on=true", middlewares=signed)
        await ws.send_json({"id": 2, "src": "t", "method": "Shelly.GetDeviceInfo"})
        assert (await receive(ws))["id"] == 2

        auth = frame_auth(challenge, "s3cret")
        await ws.send_json({"id": 3, "src": "t", "method": "Shelly.GetStatus", "auth": auth})
        assert (await receive(ws))["result"]["switch:0"]["output"] is True
        device.set_relay(0, False)
        assert (await receive(ws, "NotifyStatus"))["params"]["switch:0"]["output"] is False

        await device.inject(Fault(kind=FaultKind.KEY_REVOKED))
        await ws.send_json({"id": 4, "src": "t", "method": "Shelly.GetStatus", "auth": auth})
        assert (await receive(ws))["error"]["code"] == 401
        await ws.send_json({"id": 5, "src": "t", "method": "Shelly.GetStatus", "auth": frame_auth(challenge, "guess")})
        assert (await receive(ws))["error"]["code"] == 401


async def test_gen2_overpower_on_the_wire(make: Make) -> None:
    device = await make(generation=2)
    async with session() as client, client.ws_connect(f"{device.base_url}/rpc") as ws:
        await ws.send_json({"id": 1, "src": "t", "method": "Switch.Set", "params": {"id": 0, "on": True}})
        await receive(ws, "NotifyStatus")
        await device.inject(Fault(kind=FaultKind.OVERPOWER, target="0"))
        tripped = (await receive(ws, "NotifyStatus"))["params"]["switch:0"]
        assert tripped["output"] is False and tripped["errors"] == ["overpower"]

        status, answer = await get(f"{device.base_url}/rpc/Switch.Set?id=0&on=true")
        assert (status, answer) == (200, {"was_on": False})  # accepted, and ineffective
        attempt = (await receive(ws, "NotifyStatus"))["params"]["switch:0"]
        assert (attempt["output"], attempt["source"], attempt["errors"]) == (False, "HTTP_in", ["overpower"])
        _, switch = await get(f"{device.base_url}/rpc/Switch.GetStatus?id=0")
        assert switch["output"] is False and switch["errors"] == ["overpower"] and switch["apower"] == 0

        await device.heal()
        assert (await receive(ws, "NotifyStatus"))["params"]["switch:0"]["errors"] == []
        await get(f"{device.base_url}/rpc/Switch.Set?id=0&on=true")
        _, switch = await get(f"{device.base_url}/rpc/Switch.GetStatus?id=0")
        assert switch["output"] is True and "errors" not in switch


# ---------------------------------------------------------------------- mDNS and the generic faults


async def test_advertised_with_the_real_service_types_and_txt(make: Make) -> None:
    gen1 = await make(generation=1, advertised=True)
    gen2 = await make(generation=2, advertised=True)
    types = ["_http._tcp.local.", "_shelly._tcp.local."]
    expected = {f"{gen1.device_id}._http._tcp.local.", f"{gen2.device_id}._http._tcp.local.",
                f"{gen2.device_id}._shelly._tcp.local."}
    found = await browse(types, lambda found: expected <= set(found))
    assert expected <= set(found)
    for name in expected - {f"{gen1.device_id}._http._tcp.local."}:
        assert found[name].properties == {b"gen": b"2", b"app": b"Plus1PM", b"ver": b"1.1.0"}
        assert found[name].parsed_addresses() == [gen2.address] and found[name].port == PORT
    gen1_info = found[f"{gen1.device_id}._http._tcp.local."]
    assert gen1_info.parsed_addresses() == [gen1.address] and b"gen" not in gen1_info.properties
    assert gen1_info.properties[b"id"] == gen1.device_id.encode() and gen1_info.server == f"{gen1.device_id}.local."


async def test_not_advertised_and_moved(make: Make, fresh_address: Callable[[], str]) -> None:
    hidden = await make(generation=1, advertised=True)
    moving = await make(generation=2, advertised=True)
    new_address = fresh_address()
    await hidden.inject(Fault(kind=FaultKind.NOT_ADVERTISED))
    await moving.inject(Fault(kind=FaultKind.MOVED, address=new_address))
    shelly_name = f"{moving.device_id}._shelly._tcp.local."
    http_name = f"{moving.device_id}._http._tcp.local."
    # both answer the same queries: once the moved one is resolved, the hidden one would have been too
    types = ["_http._tcp.local.", "_shelly._tcp.local."]
    found = await browse(types, lambda found: {shelly_name, http_name} <= set(found))
    assert found[shelly_name].parsed_addresses() == [new_address]
    assert f"{hidden.device_id}._http._tcp.local." not in found
    assert (await get(f"{hidden.base_url}/shelly"))[0] == 200  # silent on mDNS, still answering
    assert (await get(f"http://{new_address}:{PORT}/shelly"))[1]["id"] == moving.device_id


async def test_host_down_closes_the_port(make: Make) -> None:
    device = await make(generation=2)
    await device.inject(Fault(kind=FaultKind.HOST_DOWN))
    with socket.socket() as probe:
        assert probe.connect_ex((device.address, PORT)) != 0
    await device.heal()
    assert (await get(f"{device.base_url}/shelly"))[0] == 200


async def test_slow_drop_and_garble_over_http(make: Make) -> None:
    device = await make(generation=1)
    await device.inject(Fault(kind=FaultKind.SLOW, seconds=5))
    with pytest.raises(asyncio.TimeoutError):
        await get(f"{device.base_url}/shelly", timeout=0.3)
    await device.heal()
    await device.inject(Fault(kind=FaultKind.DROP))
    with pytest.raises(asyncio.TimeoutError):
        await get(f"{device.base_url}/status", timeout=0.3)
    await device.heal()
    await device.inject(Fault(kind=FaultKind.GARBLE))
    status, body = await get(f"{device.base_url}/shelly")
    assert status == 200 and isinstance(body, str) and body.startswith('{"type"')  # cut mid-JSON


async def test_drop_and_garble_over_the_websocket(make: Make) -> None:
    device = await make(generation=2)
    async with session() as client, client.ws_connect(f"{device.base_url}/rpc") as ws:
        await device.inject(Fault(kind=FaultKind.GARBLE))
        await ws.send_json({"id": 1, "src": "t", "method": "Shelly.GetDeviceInfo"})
        text = (await ws.receive(timeout=2)).data
        assert text.startswith('{"id": 1') and not _parses(text)
        await device.heal()
        await device.inject(Fault(kind=FaultKind.DROP))
        await ws.send_json({"id": 2, "src": "t", "method": "Shelly.GetDeviceInfo"})
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.3)
    # the fixture then stops the device with that request still held: it must not hang


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
