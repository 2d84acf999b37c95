"""The live adapter against the simulated Home Assistant: real aiohttp WebSocket API clients
and real mDNS on loopback, faults injected on the simulator while it runs."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from weaklink.live.contract import Discovered, HostSpec, LiveAdapter, LiveSession
from weaklink.live.discover import discover
from weaklink.live.secrets import Secret
from weaklink.model import CapabilityKind, EventRecord, IntegrationHealth, ProbeResult, StateChange
from weaklink.sim import Advertiser, Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink.sim.homeassistant import SERVICE_TYPE, EntitySpec, HomeAssistantSim, HomeAssistantSpec, stable_hex
from weaklink.sim.http import HttpHost
from weaklink.sim.mdns import service_info
from weaklink_homeassistant import HomeAssistantAdapter
from weaklink_homeassistant.errors import AuthInvalid, CommandFailed, IdentityMismatch, IdentityUnconfirmed, NetworkError
from weaklink_homeassistant.live import HomeAssistantSession
from weaklink_homeassistant.livemap import ApiView, evidence_of, fragment_of, safe_attributes
from zeroconf.asyncio import AsyncServiceInfo

PORT = 8123
TIMEOUT = 2.0
SHORT = 0.3  # a probe timeout for the faults that make the host hang
ADAPTER = HomeAssistantAdapter()


class RecordingSim(HomeAssistantSim):
    """The simulated HA, remembering every credential that reached it (REST header, WebSocket auth)."""

    def __init__(self, spec: HomeAssistantSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec, advertiser)
        self.received: list[str] = []

    def _authorized(self, request: web.Request) -> bool:
        self.received.append(request.headers.get("Authorization", ""))
        return super()._authorized(request)

    async def _authenticate(self, socket: web.WebSocketResponse) -> bool:
        receive = socket.receive

        async def recording(*args: Any, **kwargs: Any) -> Any:
            message = await receive(*args, **kwargs)
            if message.type is WSMsgType.TEXT:
                self.received.append(message.data)
            return message

        socket.receive = recording  # type: ignore[method-assign]
        return await super()._authenticate(socket)

    def saw_token(self) -> bool:
        return any(self.spec.token in text for text in self.received)


def spec(**fields: Any) -> HomeAssistantSpec:
    # A uuid of its own: other test runs on this machine advertise simulated HAs on 127.0.0.1 too.
    return HomeAssistantSpec(address=next_loopback(), port=PORT, uuid=secrets.token_hex(16), **fields)


def host_for(sim: HomeAssistantSim, address: str | None = None, token: str | None = None,
             **options: Any) -> HostSpec:
    credentials = {"token": Secret(token or sim.spec.token, "literal")}
    return HostSpec(adapter="homeassistant", name="ha", address=address or sim.address, port=PORT,
                    credentials=credentials, options=options)


@pytest.fixture
async def ha() -> AsyncIterator[RecordingSim]:
    sim = RecordingSim(spec())
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def advertised() -> AsyncIterator[RecordingSim]:
    """An instance announced over mDNS on 127.0.0.1, by an advertiser of its own."""
    sim = RecordingSim(spec(location_name="Maple St."), Advertiser())
    await sim.start()
    yield sim
    await sim.stop()
    await sim.advertiser.close()  # type: ignore[union-attr]


@pytest.fixture
async def session(ha: RecordingSim) -> AsyncIterator[HomeAssistantSession]:
    opened = await ADAPTER.connect(host_for(ha), TIMEOUT)
    yield opened
    await opened.close()


def failures(results: list[ProbeResult]) -> dict[str, ProbeResult]:
    return {result.element: result for result in results if not result.ok}


# ---------------------------------------------------------------------- the contract, identify, discover


def test_one_adapter_is_offline_and_live() -> None:
    assert isinstance(ADAPTER, LiveAdapter)
    assert ADAPTER.manifest.mdns_types == [SERVICE_TYPE]


def test_identify_a_record_as_home_assistant_publishes_it() -> None:
    uuid = stable_hex("instance")
    properties = {"location_name": "Maple St", "uuid": uuid, "version": "2025.11.2", "external_url": "",
                  "internal_url": "http://127.0.0.9:8123", "base_url": "http://127.0.0.9:8123",
                  "requires_api_password": "True"}
    found = ADAPTER.identify(SERVICE_TYPE, f"Maple St.{SERVICE_TYPE}", "127.0.0.9", PORT, properties)
    assert found == Discovered(adapter="homeassistant", brand="Home Assistant", name="Maple St", address="127.0.0.9",
                               port=PORT, model="Home Assistant 2025.11.2", identifiers={"uuid": uuid},
                               via=SERVICE_TYPE, operations=["snapshot", "probe", "observe", "act"])
    assert ADAPTER.identify("_hue._tcp.local.", "Hue.local.", "127.0.0.9", 443, properties) is None


@pytest.mark.parametrize(("changes", "complaint"), [
    ({"uuid": "not-an-instance"}, "uuid 'not-an-instance' is not a Home Assistant instance id"),
    ({"uuid": ""}, "uuid '' is not"),
    ({"version": "1.0"}, "version '1.0' is not a Home Assistant version"),
])
def test_a_record_failing_the_identity_check_is_kept_untrusted(changes: dict[str, str], complaint: str) -> None:
    properties = {"location_name": "Home", "uuid": stable_hex("x"), "version": "2024.1.0b3", **changes}
    found = ADAPTER.identify(SERVICE_TYPE, f"Home.{SERVICE_TYPE}", "127.0.0.9", PORT, properties)
    assert found is not None and complaint in (found.problem or "") and "not trusted" in (found.problem or "")


async def test_discovery_finds_the_simulated_instance(advertised: RecordingSim) -> None:
    result = await discover({"homeassistant": ADAPTER}, interfaces=["127.0.0.1"], seconds=5)
    mine = [host for host in result.found if host.address == advertised.address]
    assert len(mine) == 1
    assert mine[0].name == "Maple St" and mine[0].port == PORT  # HA replaces the dot in its record name
    assert mine[0].identifiers == {"uuid": advertised.spec.uuid} and mine[0].problem is None
    assert mine[0].brand in result.by_brand()


# ---------------------------------------------------------------------- identity before the token


async def test_connect_checks_the_uuid_over_mdns_before_sending_the_token(advertised: RecordingSim) -> None:
    opened = await ADAPTER.connect(host_for(advertised, uuid=advertised.spec.uuid), TIMEOUT)
    try:
        assert isinstance(opened, LiveSession) and opened.problem is None
        assert advertised.saw_token()
    finally:
        await opened.close()


async def test_connect_refuses_an_address_another_instance_answers_on(advertised: RecordingSim) -> None:
    # The home file names `advertised` by its uuid, but its address now answers as another instance.
    impostor = RecordingSim(spec(token=advertised.spec.token), advertised.advertiser)
    await impostor.start()
    try:
        with pytest.raises(IdentityMismatch, match=f"not Home Assistant {advertised.spec.uuid}") as refused:
            await ADAPTER.connect(host_for(advertised, address=impostor.address, uuid=advertised.spec.uuid), TIMEOUT)
        assert advertised.address in str(refused.value) and advertised.spec.token not in str(refused.value)
        assert not impostor.saw_token() and impostor.received == []
    finally:
        await impostor.stop()


class NotHomeAssistant(HttpHost):
    """Something else on port 8123: a WebSocket greeting in another protocol (remembering what it
    hears), or no WebSocket at all."""

    brand = "other"

    def __init__(self, address: str, websocket: bool) -> None:
        super().__init__("other", address, PORT)
        self.websocket = websocket
        self.heard: list[str] = []

    def routes(self, app: web.Application) -> None:
        if not self.websocket:
            return
        async def websocket(request: web.Request) -> web.WebSocketResponse:
            socket = web.WebSocketResponse()
            await socket.prepare(request)
            await socket.send_json({"type": "hello", "server": "node-red"})
            async for message in socket:
                self.heard.append(message.data)
            return socket

        app.router.add_get("/api/websocket", websocket)

    def services(self) -> list[AsyncServiceInfo]:
        return [service_info(SERVICE_TYPE, "other", self.address, self.port, {})]


@pytest.mark.parametrize(("websocket", "words"), [(True, "greeted with '{\"type\": \"hello\""),
                                                (False, "answers HTTP 404, not Home Assistant's WebSocket API")])
async def test_connect_refuses_a_host_that_is_not_home_assistant(ha: RecordingSim, websocket: bool, words: str) -> None:
    other = NotHomeAssistant(next_loopback(), websocket)
    await other.start()
    try:
        with pytest.raises(IdentityMismatch) as refused:
            await ADAPTER.connect(host_for(ha, address=other.address), TIMEOUT)
        assert words in str(refused.value) and other.heard == []
        stray = host_for(ha, address=ha.address)
        stray.port = 8124  # nothing listens there: a network problem, not an identity one
        opened = await ADAPTER.connect(stray, SHORT)
        assert isinstance(opened.problem, NetworkError)
        await opened.close()
    finally:
        await other.stop()


async def test_an_instance_mdns_does_not_confirm_never_gets_the_token(ha: RecordingSim) -> None:
    # `ha` is not advertised: nothing confirms it is the instance the home file names.
    opened = await ADAPTER.connect(host_for(ha, uuid=ha.spec.uuid), SHORT)
    try:
        assert isinstance(opened.problem, IdentityUnconfirmed)
        results = await opened.probe(SHORT)
        assert [(r.layer, r.ok) for r in results] == [("network", False)]
        assert "does not answer over mDNS" in results[0].detail and "token was not sent" in results[0].detail
        with pytest.raises(IdentityUnconfirmed):
            await opened.snapshot()
        assert not ha.saw_token()
    finally:
        await opened.close()


# ---------------------------------------------------------------------- snapshot


async def test_snapshot_is_the_home_as_the_offline_adapter_would_read_it(session: HomeAssistantSession,
                                                                         ha: RecordingSim) -> None:
    fragment = await session.snapshot()
    assert (fragment.platform, fragment.source) == ("homeassistant", ha.base_url)
    assert (fragment.location_name, fragment.time_zone) == ("Home", "UTC")
    capabilities = {capability.id: capability for capability in fragment.capabilities}
    assert set(capabilities) == {"person.alex", "device_tracker.pixel_8", "cover.garage_door", "light.driveway",
                                 "alarm_control_panel.simplisafe", "automation.arrive_home"}
    light = capabilities["light.driveway"]
    assert (light.kind, light.state, light.available, light.platform) == (CapabilityKind.LIGHT, "off", True, "hue")
    assert capabilities["cover.garage_door"].device_class == "garage"  # from the state: the registry list omits it
    assert capabilities["person.alex"].attributes["device_trackers"] == ["device_tracker.pixel_8"]
    devices = {device.id: device for device in fragment.devices}
    assert light.device_id in devices and devices[light.device_id].area == "Driveway"
    assert [str(identifier) for identifier in devices[light.device_id].identifiers] == [
        "vendor:hue:3f2e6a1c-9b8d-4e7f-a6c5-d4e3f2a1b0c9"]
    assert {i.domain: i.health for i in fragment.integrations} == {
        "mobile_app": IntegrationHealth.OK, "hue": IntegrationHealth.OK,
        "aladdin_connect": IntegrationHealth.OK, "simplisafe": IntegrationHealth.OK}
    assert light.integration_id in {i.id for i in fragment.integrations}
    assert [area.id for area in fragment.areas] == ["driveway", "garage", "hallway"]
    # No run yet: the automation's configuration comes from automation/config, not from a trace.
    [automation] = fragment.automations
    assert (automation.entity_id, automation.config_id, automation.alias, automation.enabled) == (
        "automation.arrive_home", "1700000000001", "Arrive home", True)
    assert [(t.kind, t.entity_ids, t.to) for t in automation.triggers] == [("state", ["person.alex"], ["home"])]
    assert automation.acts_on() == {"cover.garage_door", "light.driveway", "alarm_control_panel.simplisafe"}
    assert fragment.runs == [] and not any("automation/config" in entry.message for entry in fragment.log)


async def test_snapshot_reads_automations_and_runs_from_traces(session: HomeAssistantSession,
                                                               ha: RecordingSim) -> None:
    ha.report("device_tracker.pixel_8", "home")
    await ha.settle()
    fragment = await session.snapshot()
    [automation] = fragment.automations
    assert [(t.kind, t.entity_ids, t.to) for t in automation.triggers] == [("state", ["person.alex"], ["home"])]
    assert [(a.service, a.targets) for a in automation.actions] == [
        ("cover.open_cover", ["cover.garage_door"]), ("light.turn_on", ["light.driveway"]),
        ("alarm_control_panel.alarm_disarm", ["alarm_control_panel.simplisafe"])]
    [run] = fragment.runs
    assert (run.automation, run.result, run.trigger) == ("automation.arrive_home", "finished", "state of person.alex")
    assert run.services_called == ["cover.open_cover", "light.turn_on", "alarm_control_panel.alarm_disarm"]
    assert run.context_id and run.context_parent_id
    states = {c.id: c.state for c in fragment.capabilities}
    assert states["light.driveway"] == "on" and states["cover.garage_door"] == "open"


async def test_snapshot_says_which_integration_is_down(session: HomeAssistantSession, ha: RecordingSim) -> None:
    await ha.inject(Fault(kind=FaultKind.INTEGRATION_FAILED, target="aladdin_connect"))
    await ha.inject(Fault(kind=FaultKind.AUTOMATION_DISABLED))
    fragment = await session.snapshot()
    health = {i.domain: (i.health, i.detail) for i in fragment.integrations}
    assert health["aladdin_connect"] == (IntegrationHealth.RETRYING, "setup_retry: Cannot connect")
    cover = next(c for c in fragment.capabilities if c.id == "cover.garage_door")
    assert (cover.state, cover.available) == ("unavailable", False)
    assert [a.enabled for a in fragment.automations] == [False]


# ---------------------------------------------------------------------- probe


async def test_a_healthy_instance_probes_ok_at_every_layer(session: HomeAssistantSession) -> None:
    results = await session.probe(TIMEOUT)
    assert all(result.ok for result in results), failures(results)
    network = results[0]
    assert (network.element, network.layer) == ("ha", "network") and network.latency_ms is not None
    assert "Home Assistant 2025.11.2" in network.detail
    layers = {(r.element, r.layer) for r in results}
    assert {("ha", "integration"), ("hue", "integration"), ("automation.arrive_home", "logic"),
            ("light.driveway", "device"), ("person.alex", "device")} <= layers


@pytest.mark.parametrize(("fault", "timeout", "words"), [
    (Fault(kind=FaultKind.HOST_DOWN), TIMEOUT, "refused the connection"),
    (Fault(kind=FaultKind.DROP), SHORT, f"did not answer the WebSocket handshake within {SHORT:g} s"),
    (Fault(kind=FaultKind.SLOW, seconds=1.5), SHORT, f"within {SHORT:g} s"),
])
async def test_a_host_that_does_not_answer_is_a_network_finding(session: HomeAssistantSession, ha: RecordingSim,
                                                                fault: Fault, timeout: float, words: str) -> None:
    await ha.inject(fault)
    results = await session.probe(timeout)
    assert [(r.element, r.layer, r.ok) for r in results] == [("ha", "network", False)]
    assert words in results[0].detail


async def test_a_garbled_answer_is_evidence_not_an_exception(session: HomeAssistantSession, ha: RecordingSim) -> None:
    await ha.inject(Fault(kind=FaultKind.GARBLE))
    results = await session.probe(TIMEOUT)
    assert [(r.layer, r.ok) for r in results] == [("network", True), ("integration", True), ("device", False)]
    assert "not JSON" in results[-1].detail and results[-1].element == "ha"


async def test_a_revoked_token_is_an_integration_finding(session: HomeAssistantSession, ha: RecordingSim) -> None:
    await ha.inject(Fault(kind=FaultKind.KEY_REVOKED))
    results = await session.probe(TIMEOUT)
    assert [(r.element, r.layer, r.ok) for r in results] == [("ha", "network", True), ("ha", "integration", False)]
    assert "refused the access token (Invalid access token or password)" in results[1].detail
    assert ha.spec.token not in results[1].detail
    opened = await ADAPTER.connect(host_for(ha), TIMEOUT)  # a refused token is kept for probe, not raised
    try:
        assert isinstance(opened.problem, AuthInvalid)
        with pytest.raises(AuthInvalid):
            await opened.snapshot()
    finally:
        await opened.close()


async def test_no_token_is_an_integration_finding(ha: RecordingSim) -> None:
    host = host_for(ha)
    host.credentials = {}
    opened = await ADAPTER.connect(host, TIMEOUT)
    try:
        results = await opened.probe(TIMEOUT)
        assert [(r.layer, r.ok) for r in results] == [("network", True), ("integration", False)]
        assert "no long-lived access token" in results[1].detail
    finally:
        await opened.close()


async def test_a_disabled_automation_is_a_logic_finding(session: HomeAssistantSession, ha: RecordingSim) -> None:
    await ha.inject(Fault(kind=FaultKind.AUTOMATION_DISABLED, target="1700000000001"))
    found = failures(await session.probe(TIMEOUT))
    assert list(found) == ["automation.arrive_home"]
    assert found["automation.arrive_home"].layer == "logic"
    assert "'Arrive home' (automation.arrive_home) is turned off" in found["automation.arrive_home"].detail


async def test_a_failed_integration_names_its_domain_and_its_entities(session: HomeAssistantSession,
                                                                      ha: RecordingSim) -> None:
    await ha.inject(Fault(kind=FaultKind.INTEGRATION_FAILED, target="simplisafe"))
    found = failures(await session.probe(TIMEOUT))
    assert sorted(found) == ["alarm_control_panel.simplisafe", "simplisafe"]
    assert found["simplisafe"].layer == "integration"
    assert "failed to set up and is retrying: Cannot connect" in found["simplisafe"].detail
    entity = found["alarm_control_panel.simplisafe"]
    assert entity.layer == "integration" and "its simplisafe integration failed to set up" in entity.detail


async def test_one_unavailable_entity_of_a_healthy_integration_is_a_device_finding() -> None:
    home = spec()
    home.entities.append(EntitySpec(entity_id="light.porch", state="on", integration="hue"))
    sim = HomeAssistantSim(home)
    await sim.start()
    opened = await ADAPTER.connect(host_for(sim), TIMEOUT)
    try:
        sim.report("light.driveway", "unavailable")
        found = failures(await opened.probe(TIMEOUT))
        assert list(found) == ["light.driveway"] and found["light.driveway"].layer == "device"
        assert "while 1 of the other 1 entities of the hue integration are available" in found["light.driveway"].detail
        sim.report("light.porch", "unavailable")
        found = failures(await opened.probe(TIMEOUT))
        assert {e: r.layer for e, r in found.items()} == {"light.driveway": "integration", "light.porch": "integration"}
        assert "as are all 2 entities of the hue integration" in found["light.porch"].detail
    finally:
        await opened.close()
        await sim.stop()


async def test_a_host_that_moved_is_found_where_mdns_says(advertised: RecordingSim) -> None:
    opened = await ADAPTER.connect(host_for(advertised, uuid=advertised.spec.uuid), TIMEOUT)
    try:
        elsewhere = next_loopback()
        await advertised.inject(Fault(kind=FaultKind.MOVED, address=elsewhere))
        results = await opened.probe(TIMEOUT)
        assert [(r.layer, r.ok) for r in results] == [("network", False)]
        assert "refused the connection" in results[0].detail and f"announces itself at {elsewhere} (it moved)" in \
            results[0].detail
    finally:
        await opened.close()


async def test_a_session_opened_while_the_host_was_down_recovers(ha: RecordingSim) -> None:
    await ha.inject(Fault(kind=FaultKind.HOST_DOWN))
    opened = await ADAPTER.connect(host_for(ha), TIMEOUT)
    try:
        assert isinstance(opened.problem, NetworkError) and not ha.saw_token()
        await ha.heal()
        assert any(c.id == "light.driveway" for c in (await opened.snapshot()).capabilities)
        assert opened.problem is None
    finally:
        await opened.close()


# ---------------------------------------------------------------------- observe and act


async def _collect(stream: AsyncIterator[StateChange | EventRecord], until: Callable[[Any], bool]) -> list[Any]:
    seen = []
    async with asyncio.timeout(5):
        async for record in stream:
            seen.append(record)
            if until(record):
                return seen
    return seen


async def test_act_and_observe_the_change_it_made(session: HomeAssistantSession, ha: RecordingSim) -> None:
    stream = session.observe()
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)  # let the subscriptions start
    await session.act("light.driveway", "turn_on", {"brightness_pct": 50})
    seen = [await first, *await _collect(stream, lambda r: isinstance(r, StateChange))]
    await stream.aclose()
    call, change = seen[0], seen[-1]
    assert isinstance(call, EventRecord) and call.event_type == "call_service"
    assert call.data == {"domain": "light", "service": "turn_on",
                         "service_data": {"brightness_pct": 50, "entity_id": "light.driveway"}}
    assert isinstance(change, StateChange) and (change.entity_id, change.state) == ("light.driveway", "on")
    assert change.attributes["brightness"] == 128 and change.context_id == call.context_id
    assert change.context_user_id == ha.spec.user_id
    assert ha.state("light.driveway").state == "on"  # type: ignore[union-attr]
    await session.act("light.driveway", "light.turn_off")
    assert ha.state("light.driveway").state == "off"  # type: ignore[union-attr]
    with pytest.raises(CommandFailed, match="not_found"):
        await session.act("light.driveway", "light.explode")


async def test_observe_links_an_automation_run_to_its_trigger(session: HomeAssistantSession, ha: RecordingSim) -> None:
    stream = session.observe()
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    ha.report("device_tracker.pixel_8", "home")
    seen = [await first, *await _collect(
        stream, lambda r: isinstance(r, StateChange) and r.entity_id == "alarm_control_panel.simplisafe")]
    await stream.aclose()
    person = next(r for r in seen if isinstance(r, StateChange) and r.entity_id == "person.alex")
    run = next(r for r in seen if isinstance(r, EventRecord) and r.event_type == "automation_triggered")
    assert run.data["entity_id"] == "automation.arrive_home" and run.context_parent_id == person.context_id
    alarm = seen[-1]
    assert alarm.state == "disarmed" and alarm.context_parent_id == person.context_id


async def test_observing_ends_with_the_reason_when_the_token_is_revoked(session: HomeAssistantSession,
                                                                        ha: RecordingSim) -> None:
    stream = session.observe()
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    await ha.inject(Fault(kind=FaultKind.KEY_REVOKED))
    with pytest.raises(NetworkError, match="closed the connection"):
        async with asyncio.timeout(5):
            await waiting


# ---------------------------------------------------------------------- mapping details


def test_attributes_keep_no_secret() -> None:
    kept = safe_attributes({"latitude": 52.1, "longitude": 4.3, "gps_accuracy": 12, "friendly_name": "Pixel",
                            "entity_picture": "/api/camera_proxy/camera.door?token=abcdef0123456789",
                            "changed_by": "alex@example.com"})
    assert kept == {"latitude": "**REDACTED**", "longitude": "**REDACTED**", "gps_accuracy": 12,
                    "friendly_name": "Pixel", "changed_by": "**REDACTED**"}


def test_a_removed_entity_and_odd_events() -> None:
    removed = evidence_of({"event_type": "state_changed", "time_fired": "2025-11-15T00:02:10+00:00",
                           "data": {"entity_id": "light.x", "old_state": {}, "new_state": None},
                           "context": {"id": "C1", "parent_id": None, "user_id": None}})
    assert isinstance(removed, StateChange) and removed.removed and removed.context_id == "C1"
    assert evidence_of({"event_type": "state_changed", "data": "junk"}) is None
    code = evidence_of({"event_type": "call_service", "data": {"domain": "alarm_control_panel",
                                                                "service_data": {"code": "1234"}}})
    assert isinstance(code, EventRecord) and code.data["service_data"] == {"code": "**REDACTED**"}


def test_answers_of_a_real_instance_map_like_its_storage() -> None:
    # What automation/config (which the simulator lacks) and the registry lists of a real HA answer.
    view = ApiView(
        states=[{"entity_id": "automation.porch", "state": "off", "attributes": {"id": "42", "friendly_name": "Porch"}},
                {"entity_id": "binary_sensor.porch_motion", "state": "on",
                 "attributes": {"device_class": "motion", "friendly_name": "Porch motion"}},
                {"entity_id": "sensor.yaml_only", "state": "12", "attributes": {"unit_of_measurement": "W"}}],
        entities=[{"entity_id": "automation.porch", "platform": "automation", "unique_id": "42"},
                  {"entity_id": "binary_sensor.porch_motion", "platform": "zha", "unique_id": "00:11-1",
                   "config_entry_id": "E1", "device_id": "D1", "has_entity_name": True, "original_name": "Motion"},
                  {"entity_id": "light.broken"}],
        devices=[{"id": "D1", "name": "Porch sensor", "config_entries": ["E1"], "identifiers": [["zha", "00:11:22:33:44:55:66:77"]],
                  "connections": [["zigbee", "00:11:22:33:44:55:66:77"]], "area_id": "porch"}],
        areas=[{"area_id": "porch", "name": "Porch"}],
        entries=[{"entry_id": "E1", "domain": "zha", "title": "ZHA", "state": "setup_error", "reason": None}],
        automation_configs={"automation.porch": {
            "id": "42", "alias": "Porch", "trigger": [{"platform": "state", "entity_id": "binary_sensor.porch_motion",
                                                       "to": "on"}],
            "action": [{"service": "light.turn_on", "target": {"entity_id": "light.porch"}}]}},
    )
    fragment = fragment_of(view, "http://127.0.0.9:8123")
    [automation] = fragment.automations
    assert (automation.entity_id, automation.enabled, automation.source.file) == (  # type: ignore[union-attr]
        "automation.porch", False, "http://127.0.0.9:8123 automation.porch")
    assert [(t.kind, t.entity_ids, t.to) for t in automation.triggers] == [("state", ["binary_sensor.porch_motion"], ["on"])]
    assert [(a.service, a.targets, a.expected_state) for a in automation.actions] == [("light.turn_on", ["light.porch"], "on")]
    capabilities = {c.id: c for c in fragment.capabilities}
    motion = capabilities["binary_sensor.porch_motion"]
    assert (motion.kind, motion.name, motion.device_class) == (CapabilityKind.MOTION, "Porch sensor Motion", "motion")
    assert capabilities["sensor.yaml_only"].kind is CapabilityKind.SENSOR and "light.broken" not in capabilities
    [device] = fragment.devices
    assert (device.area, str(device.identifiers[0])) == ("Porch", "zigbee:00:11:22:33:44:55:66:77")
    assert [(i.domain, i.health, i.detail) for i in fragment.integrations] == [("zha", IntegrationHealth.FAILED, "setup_error")]
    assert any("skipped an entry of the entity registry" in entry.message for entry in fragment.log)
