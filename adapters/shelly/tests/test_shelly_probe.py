"""Probing simulated Shellies with every fault injected: the finding's layer, verdict and words."""

from __future__ import annotations

from typing import Any

import pytest
from shelly_fixtures import PASSWORD, Connect, Make, RecordingShelly

from weaklink.model import ProbeResult
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback

GENERATIONS = pytest.mark.parametrize("generation", [1, 2], ids=["gen1", "gen2"])


def by_layer(results: list[ProbeResult]) -> dict[str, list[ProbeResult]]:
    layers: dict[str, list[ProbeResult]] = {}
    for result in results:
        layers.setdefault(result.layer, []).append(result)
    return layers


def only_failure(results: list[ProbeResult]) -> ProbeResult:
    """The one failing finding, the last of the probe (nothing behind it could be known)."""
    failures = [result for result in results if not result.ok]
    assert len(failures) == 1 and results[-1] is failures[0], results
    return failures[0]


async def probed(make: Make, connect: Connect, fault: Fault, timeout: float = 1.0,
                 **fields: Any) -> tuple[RecordingShelly, list[ProbeResult]]:
    """A password-protected device, and what probing it finds once `fault` is injected."""
    device = await make(password=PASSWORD, **fields)
    session = await connect(device, PASSWORD)
    await device.inject(fault)
    return device, await session.probe(timeout)


def no_secret(results: list[ProbeResult]) -> bool:
    return all(PASSWORD not in result.detail for result in results)


@GENERATIONS
async def test_a_healthy_device_is_ok_at_every_layer(make: Make, connect: Connect, generation: int) -> None:
    device = await make(generation=generation, password=PASSWORD)
    session = await connect(device, PASSWORD, mac=device.mac)
    results = await session.probe(2.0)
    assert [(r.layer, r.ok) for r in results] == [("network", True), ("integration", True), ("device", True)]
    element = f"shelly:{device.device_id}"
    assert [r.element for r in results] == [element, element, f"{element}/switch:0"]
    assert f"answers as {device.device_id}" in results[0].detail
    assert "accepted the password" in results[1].detail and "no fault" in results[2].detail
    assert all(r.latency_ms is not None and r.latency_ms >= 0 and r.at is not None for r in results)


async def test_a_device_without_a_password_says_none_was_needed(make: Make, connect: Connect) -> None:
    session = await connect(await make(generation=2))
    assert "without authentication" in (await session.probe(2.0))[1].detail


@GENERATIONS
async def test_host_down_is_a_network_finding(make: Make, connect: Connect, generation: int) -> None:
    device, results = await probed(make, connect, Fault(kind=FaultKind.HOST_DOWN), generation=generation)
    failure = only_failure(results)
    assert (failure.layer, failure.element) == ("network", f"shelly:{device.device_id}")
    assert "nothing answers at" in failure.detail and "moved to another address" in failure.detail
    assert len(results) == 1


@GENERATIONS
@pytest.mark.parametrize("fault", [Fault(kind=FaultKind.DROP), Fault(kind=FaultKind.SLOW, seconds=5)],
                         ids=["drop", "slow"])
async def test_no_answer_within_the_timeout_is_a_network_finding(make: Make, connect: Connect, generation: int,
                                                                 fault: Fault) -> None:
    _, results = await probed(make, connect, fault, 0.3, generation=generation)
    failure = only_failure(results)
    assert failure.layer == "network" and "did not answer /shelly within 0.3 s" in failure.detail


async def test_a_device_slow_within_the_timeout_is_healthy(make: Make, connect: Connect) -> None:
    device = await make(generation=2)
    session = await connect(device)
    await device.inject(Fault(kind=FaultKind.SLOW, seconds=0.05))
    results = await session.probe(2.0)
    assert all(result.ok for result in results) and results[0].latency_ms >= 50  # type: ignore[operator]


@GENERATIONS
async def test_garbled_answers_are_a_device_finding_with_evidence(make: Make, connect: Connect,
                                                                  generation: int) -> None:
    device, results = await probed(make, connect, Fault(kind=FaultKind.GARBLE), generation=generation)
    failure = only_failure(results)
    assert failure.layer == "device" and "answered /shelly with malformed JSON: '{\"" in failure.detail
    assert not device.saw_credentials()  # its identity could not be checked: nothing signed was sent


@GENERATIONS
async def test_a_revoked_password_is_an_integration_finding(make: Make, connect: Connect, generation: int) -> None:
    device, results = await probed(make, connect, Fault(kind=FaultKind.KEY_REVOKED), generation=generation)
    failure = only_failure(results)
    assert [r.layer for r in results] == ["network", "integration"] and results[0].ok
    assert failure.element == f"shelly:{device.device_id}"
    assert "refused the password" in failure.detail and "changed on the device" in failure.detail
    assert no_secret(results)


@GENERATIONS
async def test_a_password_asked_for_and_not_given_is_an_integration_finding(make: Make, connect: Connect,
                                                                            generation: int) -> None:
    device = await make(generation=generation, password=PASSWORD)
    failure = only_failure(await (await connect(device)).probe(1.0))
    assert failure.layer == "integration" and "the home file gives none" in failure.detail


@pytest.mark.parametrize("model", ["SHSW-25", "SNSW-102P16EU"], ids=["gen1", "gen2"])
async def test_overpower_is_a_device_finding_on_the_tripped_relay(make: Make, connect: Connect, model: str) -> None:
    device = await make(model=model, password=PASSWORD)
    device.set_relay(0, True)
    device.set_relay(1, True)
    session = await connect(device, PASSWORD)
    await device.inject(Fault.parse("overpower:1"))
    layers = by_layer(await session.probe(1.0))
    assert all(result.ok for result in layers["network"] + layers["integration"])
    healthy, tripped = layers["device"]
    assert (healthy.ok, healthy.element) == (True, f"shelly:{device.device_id}/switch:0")
    assert "relay 0" in healthy.detail and "is on" in healthy.detail
    assert (tripped.ok, tripped.element) == (False, f"shelly:{device.device_id}/switch:1")
    assert "relay 1" in tripped.detail and "is off and reports overpower" in tripped.detail
    evidence = "relays[1].overpower is true, meters[1].overpower = 3712 W" if model == "SHSW-25" \
        else "switch:1.errors = ['overpower']"
    assert evidence in tripped.detail and "load draws more power than the relay allows" in tripped.detail


@GENERATIONS
async def test_another_device_at_the_address_is_a_network_finding(make: Make, connect: Connect,
                                                                  generation: int) -> None:
    device = await make(generation=generation, password=PASSWORD)
    session = await connect(device, PASSWORD, mac=device.mac)
    await device.stop()
    stranger = await make(generation=generation, address=device.home_address, password=PASSWORD)
    failure = only_failure(await session.probe(1.0))
    assert (failure.layer, failure.element) == ("network", f"shelly:{device.device_id}")
    assert f"answers as {stranger.device_id}" in failure.detail and "moved to another address" in failure.detail
    assert not stranger.saw_credentials()


async def test_a_moved_device_is_no_longer_at_its_address(make: Make, connect: Connect) -> None:
    _, results = await probed(make, connect, Fault(kind=FaultKind.MOVED, address=next_loopback()), generation=1)
    failure = only_failure(results)
    assert failure.layer == "network" and "has moved to another address" in failure.detail


async def test_a_probe_never_raises_even_for_a_host_that_is_no_shelly(make: Make, connect: Connect) -> None:
    device = await make(generation=2)
    session = await connect(device)
    await device.stop()
    other = await make(generation=1, address=device.home_address)  # a Gen1 where a Gen2 was
    failure = only_failure(await session.probe(1.0))
    assert failure.layer == "network" and other.device_id in failure.detail
