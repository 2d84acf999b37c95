"""Probing a simulated SmartThings account with every fault injected: the finding's layer, verdict,
problem, element and words."""

from __future__ import annotations

from typing import Any

import pytest
from smartthings_live_support import Connect, Make, authorized, capability, device_ref

from weaklink.model import ProbeResult
from weaklink.sim import Fault, FaultKind
from weaklink.sim.smartthings import SmartThingsCloud
from weaklink_smartthings.session import SmartThingsSession

DEVICES = [{"name": "Porch light", "kind": "light"}, {"name": "Back door lock", "kind": "lock"},
           {"name": "Garage door", "kind": "garage_door"}, {"name": "Kettle", "kind": "switch", "type": "LAN"},
           {"name": "Hallway motion", "kind": "motion"}]


def verdicts(results: list[ProbeResult]) -> list[tuple[str, bool, str | None]]:
    return [(r.layer, r.ok, r.problem) for r in results]


def about(results: list[ProbeResult], element: str) -> ProbeResult:
    [found] = [r for r in results if r.element == element]
    return found


async def probed(make: Make, connect: Connect, *faults: Fault, timeout: float = 2.0,
                 **fields: Any) -> tuple[SmartThingsCloud, list[ProbeResult]]:
    """An account, and what probing it finds once `faults` are injected (after connecting)."""
    cloud = await make(devices=DEVICES, **fields)
    session = await connect(cloud)
    for fault in faults:
        await cloud.inject(fault)
    return cloud, await session.probe(timeout)


async def test_a_healthy_account_is_ok_at_every_layer_one_finding_per_device(make: Make, connect: Connect) -> None:
    cloud, results = await probed(make, connect)
    assert verdicts(results) == [("network", True, None), ("integration", True, None), ("hub", True, None),
                                 ("radio", True, None), ("radio", True, None), ("integration", True, None),
                                 ("network", True, None), ("radio", True, None)]
    assert [r.element for r in results[:2]] == ["SmartThings", "SmartThings"]
    assert [r.element for r in results[2:]] == [device_ref(cloud, name) for name in (
        "SmartThings hub", "Porch light", "Back door lock", "Garage door", "Kettle", "Hallway motion")]
    assert "lists 6 devices" in results[1].detail and results[3].detail == "Porch light (zigbee) is ONLINE"
    assert all(r.at is not None for r in results) and results[0].latency_ms is not None


async def test_a_zigbee_device_offline_behind_an_online_hub_is_its_radio_link(make: Make, connect: Connect) -> None:
    cloud, results = await probed(make, connect, Fault(kind=FaultKind.DEVICE_OFFLINE, target="Porch light"))
    failure = about(results, device_ref(cloud, "Porch light"))
    assert (failure.layer, failure.ok) == ("radio", False)
    assert "Porch light (zigbee) is OFFLINE since " in failure.detail
    assert "while its hub SmartThings hub is ONLINE" in failure.detail and "radio link" in failure.detail
    assert [r for r in results if not r.ok] == [failure]


@pytest.mark.parametrize("device, layer, words", [
    ("Kettle", "network", "gone from its network"),
    ("Garage door", "integration", "its maker's cloud no longer reaches it"),
    ("Back door lock", "radio", "radio link to the hub is lost"),
])
async def test_each_kind_of_device_offline_names_its_layer(make: Make, connect: Connect, device: str, layer: str,
                                                           words: str) -> None:
    cloud, results = await probed(make, connect, Fault(kind=FaultKind.DEVICE_OFFLINE, target=device))
    failure = about(results, device_ref(cloud, device))
    assert (failure.layer, failure.ok, failure.problem) == (layer, False, None) and words in failure.detail


async def test_the_hub_offline_is_the_hub_for_it_and_every_device_behind_it(make: Make, connect: Connect) -> None:
    cloud, results = await probed(make, connect, Fault(kind=FaultKind.HUB_OFFLINE))
    hub = about(results, device_ref(cloud, "SmartThings hub"))
    assert (hub.layer, hub.ok) == ("hub", False) and "SmartThings hub (the SmartThings hub) is OFFLINE" in hub.detail
    for name in ("Porch light", "Back door lock", "Kettle", "Hallway motion"):
        behind = about(results, device_ref(cloud, name))
        assert (behind.layer, behind.ok) == ("hub", False), name
        assert "because its hub SmartThings hub is OFFLINE" in behind.detail
    assert about(results, device_ref(cloud, "Garage door")).ok  # a cloud-to-cloud device does not need the hub


async def test_an_expired_token_is_a_credentials_finding(make: Make, connect: Connect) -> None:
    _, results = await probed(make, connect, Fault(kind=FaultKind.KEY_REVOKED))
    assert verdicts(results) == [("network", True, None), ("integration", False, "credentials")]
    assert results[1].element == "SmartThings"
    assert "refuses the personal access token (401" in results[1].detail and "24 hours" in results[1].detail


async def test_a_token_refused_from_the_start_is_the_same_finding(make: Make, connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud, token="00000000-0000-4000-8000-000000000000")  # connecting sends no token
    assert verdicts(await session.probe(2.0)) == [("network", True, None), ("integration", False, "credentials")]


@pytest.mark.parametrize("target, status", [(None, "503"), ("500", "500"), ("504", "504")])
async def test_a_failing_cloud_is_named_responsible(make: Make, connect: Connect, target: str | None,
                                                    status: str) -> None:
    _, results = await probed(make, connect, Fault(kind=FaultKind.SERVER_ERROR, target=target))
    assert verdicts(results) == [("network", True, None), ("integration", False, None)]
    assert f"answered GET /v1/devices with {status}" in results[1].detail
    assert "responsible: Samsung SmartThings" in results[1].detail and "not this home" in results[1].detail


@pytest.mark.parametrize("fault", [Fault(kind=FaultKind.DROP), Fault(kind=FaultKind.SLOW, seconds=3)])
async def test_a_silent_cloud_is_a_timeout_of_the_cloud(make: Make, connect: Connect, fault: Fault) -> None:
    _, results = await probed(make, connect, fault, timeout=0.4)
    assert verdicts(results) == [("integration", False, "timeout")]
    assert "did not answer GET /v1/devices within 0.4 s" in results[0].detail
    assert "responsible: Samsung SmartThings" in results[0].detail


async def test_a_garbled_answer_is_named_with_its_excerpt(make: Make, connect: Connect) -> None:
    cloud, results = await probed(make, connect, Fault(kind=FaultKind.GARBLE))
    assert verdicts(results) == [("network", True, None), ("integration", False, "garbled")]
    assert f"{cloud.api_url} answered GET /v1/devices with something that is not the API's JSON: '{{\"items\"" \
        in results[1].detail


@pytest.mark.parametrize("fault", [Fault(kind=FaultKind.RESET), Fault(kind=FaultKind.HOST_DOWN)])
async def test_a_cloud_that_cannot_be_reached_is_a_network_finding(make: Make, connect: Connect, fault: Fault) -> None:
    _, results = await probed(make, connect, fault)
    assert verdicts(results) == [("network", False, "unreachable")]


async def test_a_rate_limited_token_waits_no_longer_than_the_probe_and_asks_no_more(make: Make,
                                                                                    connect: Connect) -> None:
    cloud = await make()
    session = await connect(cloud)
    await cloud.inject(Fault.parse("rate_limited:30"))
    first = await session.probe(1.0)
    assert verdicts(first) == [("network", True, None), ("integration", False, None)]
    assert "429 Too Many Requests (retry after 30 s)" in first[0].detail + first[1].detail
    asked = len(cloud.request_log)
    second = await session.probe(1.0)  # the cloud said 30 s: not asked again meanwhile
    assert len(cloud.request_log) == asked and verdicts(second) == [("integration", False, None)]
    assert "asked this token to wait" in second[0].detail and 0 < session.client.gate.wait() <= 30


async def test_a_short_retry_after_is_waited_out_within_the_probe(make: Make, connect: Connect) -> None:
    cloud = await make(rate_limit=2, rate_window=1.5)
    session = await connect(cloud)
    assert all(r.ok for r in await session.probe(2.0)) and all(r.ok for r in await session.probe(2.0))
    third = await session.probe(4.0)  # the third request in the window: 429, Retry-After 1-2 s, then answered
    assert all(r.ok for r in third), third
    assert len(authorized(cloud)) == 4  # the two probes, the refused one and its retry


async def test_a_command_accepted_and_not_carried_out_is_a_device_finding(make: Make, connect: Connect) -> None:
    cloud = await make(devices=DEVICES)
    session: SmartThingsSession = await connect(cloud)
    await cloud.inject(Fault(kind=FaultKind.COMMAND_IGNORED, target="Porch light"))
    light = capability(cloud, "Porch light", "switch")
    await session.act(light, "turn_on")
    assert cloud.commands[-1].status == "ACCEPTED" and cloud.value("Porch light", "switch", "switch") == "off"
    results = await session.probe(2.0)
    failure = about(results, light)
    assert (failure.layer, failure.ok) == ("device", False)
    assert "Porch light was commanded switch.on at " in failure.detail
    assert "(the cloud accepted it) and still reports off: the device did not act on it" in failure.detail
    assert about(results, device_ref(cloud, "Porch light")).ok  # online all along: the device, not its link
    await cloud.heal()
    await session.act(light, "turn_on")
    carried_out = about(await session.probe(2.0), light)
    assert carried_out.ok and carried_out.detail == "Porch light is on, as commanded"
    assert light not in session.commanded and all(r.element != light for r in await session.probe(2.0))


async def test_a_command_the_cloud_could_not_deliver_says_so(make: Make, connect: Connect) -> None:
    cloud = await make(devices=DEVICES)
    session = await connect(cloud)
    await cloud.inject(Fault(kind=FaultKind.DEVICE_OFFLINE, target="Kettle"))
    kettle = capability(cloud, "Kettle", "switch")
    await session.act(kettle, "switch.turn_on")
    assert cloud.commands[-1].status == "FAILED"
    failure = about(await session.probe(2.0), kettle)
    assert not failure.ok and "could not deliver it (FAILED)" in failure.detail
    assert "still reports nothing (offline)" in failure.detail
