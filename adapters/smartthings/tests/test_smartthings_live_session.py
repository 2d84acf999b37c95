"""A live session with a simulated SmartThings account: the snapshot is what the offline reader makes of
the same answers, and the token only ever goes to a host that proved it is the API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from smartthings_live_support import Connect, Make, authorized, capability, device_ref, host_for

from weaklink.errors import InputError
from weaklink.live.contract import HostSpec
from weaklink.live.dump import dump_hosts
from weaklink.live.secrets import Secret
from weaklink.model import CapabilityKind, Role, Transport
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink_smartthings import SmartThingsAdapter
from weaklink_smartthings.endpoint import endpoint_of
from weaklink_smartthings.errors import IdentityMismatch, RequestFailed

TOKEN = "6b1f0c2d-3e4a-4b5c-8d6e-7f8091a2b3c4"


async def test_the_snapshot_is_what_the_offline_reader_reads_from_the_dump(make: Make, connect: Connect,
                                                                          tmp_path: Path) -> None:
    cloud = await make(page_size=2)  # five devices on three pages
    cloud.report("Hallway motion", "motionSensor", "motion", "active")
    await cloud.inject(Fault(kind=FaultKind.DEVICE_OFFLINE, target="Back door lock"))
    live = await (await connect(cloud)).snapshot()
    adapter = SmartThingsAdapter()
    [outcome] = await dump_hosts([host_for(cloud)], {"smartthings": adapter}, tmp_path, timeout=2.0)
    assert outcome.error is None and outcome.path is not None and outcome.devices == 5
    renamed = outcome.path.rename(tmp_path / "smartthings answers (2).txt")  # read by content, whatever its name
    assert adapter.detect(renamed)
    offline = adapter.load(renamed)
    assert offline.devices == live.devices and offline.capabilities == live.capabilities
    assert live.source == f"smartthings://{cloud.home_address}/v1"


async def test_the_snapshot_maps_the_account(make: Make, connect: Connect) -> None:
    cloud = await make()
    fragment = await (await connect(cloud)).snapshot()
    devices = {device.name: device for device in fragment.devices}
    hub = devices["SmartThings hub"]
    assert hub.role is Role.HUB and hub.host == cloud.device("SmartThings hub").description["hub"]["hubData"]["localIP"]
    assert devices["Porch light"].hub_id == hub.id and devices["Porch light"].transport is Transport.ZIGBEE
    assert devices["Back door lock"].transport is Transport.ZWAVE
    assert devices["Garage door"].transport is Transport.CLOUD and devices["Garage door"].hub_id is None
    kinds = {c.id: (c.kind, c.state, c.available) for c in fragment.capabilities}
    assert kinds[capability(cloud, "Porch light", "switch")] == (CapabilityKind.LIGHT, "off", True)
    assert kinds[capability(cloud, "Back door lock", "lock")] == (CapabilityKind.LOCK, "locked", True)
    assert kinds[capability(cloud, "Garage door", "doorControl")] == (CapabilityKind.COVER, "closed", True)
    assert kinds[capability(cloud, "Hallway motion", "motionSensor")] == (CapabilityKind.MOTION, "inactive", True)
    assert devices["Hallway motion"].id == device_ref(cloud, "Hallway motion")


async def test_the_first_request_carries_no_token(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud)
    assert cloud.request_log and "Authorization=" not in cloud.request_log[0]
    assert authorized(cloud) == []  # connecting sent nothing secret
    await session.snapshot()
    assert authorized(cloud) == ["GET /v1/devices?includeHealth=true&includeStatus=true"]


# ------------------------------------------------------------------ hosts that are not the API


@asynccontextmanager
async def fake_api(answer: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> AsyncIterator[
        tuple[str, list[dict[str, str]]]]:
    """A plain-HTTP server on a fresh loopback address answering everything with `answer`; the
    headers of every request it got."""
    seen: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append(dict(request.headers))
        return await answer(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    address = next_loopback()
    site = web.TCPSite(runner, address, 18090)
    await site.start()
    try:
        yield f"http://{address}:18090/v1", seen
    finally:
        await runner.cleanup()


def fake_host(base_url: str) -> HostSpec:
    return HostSpec(adapter="smartthings", name="SmartThings", address=base_url.split("//")[1].split(":")[0],
                    credentials={"token": Secret(TOKEN, "literal")}, options={"base_url": base_url})


async def test_a_host_that_does_not_ask_for_a_token_is_never_sent_it() -> None:
    async def open_door(request: web.Request) -> web.Response:
        return web.json_response({"items": [], "_links": {}})

    async with fake_api(open_door) as (base_url, seen):
        with pytest.raises(IdentityMismatch, match="answered a request without a token with 200") as refused:
            await SmartThingsAdapter().connect(fake_host(base_url), 1.0)
    assert len(seen) == 1 and "Authorization" not in seen[0] and TOKEN not in str(refused.value)


Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _guarded(then: Callable[[web.Request], web.StreamResponse]) -> Answer:
    """An API that refuses requests without a token (so the adapter trusts it), then answers `then`."""
    async def answer(request: web.Request) -> web.StreamResponse:
        if "Authorization" not in request.headers:
            return web.Response(status=401, text="<html>401 Authorization Required</html>", content_type="text/html")
        return then(request)
    return answer


async def test_a_next_page_on_another_host_is_not_followed() -> None:
    elsewhere = f"http://{next_loopback()}:18090/v1/devices?page=1"
    page = {"items": [{"deviceId": "a7e1c3d2-6f4b-4b8e-9d21-3c5e7f9a1b2d", "components": []}],
            "_links": {"next": {"href": elsewhere}}}
    async with fake_api(_guarded(lambda request: web.json_response(page))) as (base_url, seen):
        session = await SmartThingsAdapter().connect(fake_host(base_url), 1.0)
        try:
            with pytest.raises(RequestFailed, match="not on its own address") as failed:
                await session.snapshot()
        finally:
            await session.close()
    assert failed.value.reason == "garbled" and len(seen) == 2  # the check, the first page: nothing elsewhere


async def test_a_redirect_is_not_followed() -> None:
    redirect = web.Response(status=302, headers={"Location": "http://127.0.9.9:1/steal"})
    async with fake_api(_guarded(lambda request: redirect)) as (base_url, seen):
        session = await SmartThingsAdapter().connect(fake_host(base_url), 1.0)
        try:
            with pytest.raises(RequestFailed, match="redirect") as failed:
                await session.snapshot()
        finally:
            await session.close()
    assert failed.value.reason == "garbled" and len(seen) == 2


async def test_an_answer_that_is_not_a_device_list_is_named() -> None:
    answers = [web.json_response({"items": [{"deviceId": 42, "components": "none"}]}),
               web.Response(text="{\"items\": [", content_type="application/json")]
    for answer in answers:
        async with fake_api(_guarded(lambda request, answer=answer: answer)) as (base_url, _):  # type: ignore[misc]
            session = await SmartThingsAdapter().connect(fake_host(base_url), 1.0)
            try:
                with pytest.raises(RequestFailed) as failed:
                    await session.snapshot()
            finally:
                await session.close()
        assert failed.value.reason == "garbled" and base_url in failed.value.detail


# ------------------------------------------------------------------ the home file entry


@pytest.mark.parametrize("address, port, options, expected", [
    ("api.smartthings.com", None, {}, "https://api.smartthings.com/v1"),
    ("api.smartthings.com", 443, {}, "https://api.smartthings.com/v1"),
    ("https://api.smartthings.com/v1/", None, {}, "https://api.smartthings.com/v1"),
    ("127.0.0.1", 8090, {"base_url": "http://127.0.0.1:8090/v1"}, "http://127.0.0.1:8090/v1"),
    ("localhost", None, {"base_url": "http://localhost:9000"}, "http://localhost:9000/v1"),
])
def test_the_api_is_found_from_the_home_file_entry(address: str, port: int | None, options: dict[str, Any],
                                                    expected: str) -> None:
    host = HostSpec(adapter="smartthings", address=address, port=port, options=options)
    assert endpoint_of(host).where == expected


@pytest.mark.parametrize("address, options, words", [
    ("192.168.1.20", {"base_url": "http://192.168.1.20:8080/v1"}, "plain HTTP"),
    ("api.smartthings.com", {"base_url": "ftp://api.smartthings.com/v1"}, "not an http"),
    ("api.smartthings.com", {"base_url": "https://me:pw@api.smartthings.com/v1"}, "no user"),
    ("api.smartthings.com", {"base_url": 42}, "is not a URL"),
])
def test_an_entry_that_would_leak_the_token_is_bad_input(address: str, options: dict[str, Any], words: str) -> None:
    with pytest.raises(InputError, match=words) as bad:
        endpoint_of(HostSpec(adapter="smartthings", address=address, options=options))
    assert bad.value.field == "options.base_url"


@pytest.mark.parametrize("credentials, options, field", [
    ({}, {}, "credentials.token"),
    ({"token": TOKEN}, {"poll_interval": 0}, "options.poll_interval"),
    ({"token": TOKEN}, {"allow": [3]}, "options.allow"),
])
async def test_connect_refuses_an_entry_it_cannot_use(make: Make, credentials: dict[str, str],
                                                      options: dict[str, Any], field: str) -> None:
    cloud = await make()
    host = HostSpec(adapter="smartthings", address=cloud.home_address,
                    credentials={k: Secret(v, "literal") for k, v in credentials.items()},
                    options={"base_url": cloud.api_url, **options})
    with pytest.raises(InputError) as bad:
        await SmartThingsAdapter().connect(host, 1.0)
    assert bad.value.field == field and cloud.request_log == []


async def test_a_cloud_that_did_not_answer_is_reported_by_the_first_probe_without_asking_again(make: Make) -> None:
    cloud = await make()
    await cloud.inject(Fault(kind=FaultKind.HOST_DOWN))
    session = await SmartThingsAdapter().connect(host_for(cloud), 1.0)  # nothing answers: a session all the same
    try:
        await cloud.heal()  # back before the probe: the first probe still says what connecting met
        first = await session.probe(1.0)
        assert [(r.layer, r.ok, r.problem) for r in first] == [("network", False, "unreachable")]
        assert cloud.request_log == []
        second = await session.probe(1.0)
        assert all(r.ok for r in second) and len(second) == 7  # the cloud, the token, five devices
        assert "Authorization=" not in cloud.request_log[0] and len(authorized(cloud)) == 1
    finally:
        await session.close()


def test_the_manifest_declares_the_live_operations_and_no_discovery() -> None:
    manifest = SmartThingsAdapter().manifest
    assert manifest.operations == ["offline", "snapshot", "probe", "observe", "act", "dump"]
    assert manifest.mdns_types == [] and manifest.quality == "gold"
    assert SmartThingsAdapter().identify("_smartthings._tcp.local.", "hub", "127.0.9.9", 443, {}) is None
    assert not hasattr(SmartThingsAdapter(), "identify_host")
    assert json.loads((Path(__file__).parents[1] / "weaklink_smartthings" / "manifest.json").read_text())[
        "name"] == "smartthings"
