"""The probe, healthy and under every fault the simulated device knows: the layer each lands on,
in words a person understands, never with the token, never raising."""

from __future__ import annotations

import logging

import pytest
from miio_sim import DID, TOKEN, RecordingDevice, host_for, opened, plug_spec

from weaklink.model import ProbeResult
from weaklink.sim import Fault
from weaklink.sim.addresses import next_loopback
from weaklink_miio import MiioSession

OK, FAILED = True, False


def outline(results: list[ProbeResult]) -> list[tuple[str, bool]]:
    return [(result.layer, result.ok) for result in results]


def assert_clean(results: list[ProbeResult]) -> None:
    """Every result names the device, says when and how long, and never quotes the token."""
    for result in results:
        assert result.element == f"miio:{DID}" and result.at is not None and result.latency_ms is not None
        assert TOKEN not in result.detail and TOKEN[:8] not in result.detail


async def test_a_healthy_device_passes_every_layer_with_its_details(session: MiioSession) -> None:
    results = await session.probe(1.0)
    assert outline(results) == [("network", OK), ("integration", OK), ("device", OK)]
    network, integration, device = (result.detail for result in results)
    assert f"answers the miIO hello as device {DID}" in network
    assert "accepts our token" in integration
    assert device.startswith("healthy: chuangmi.plug.m1, firmware 1.2.4_16, hardware MW300, Wi-Fi signal -52 dBm")
    assert device.endswith("power on")
    assert_clean(results)


# fault, probe timeout, the layers the probe reports, what the failing one says. Where the device
# answers a hello, the timeout leaves that hello room on a loaded machine: a silent command keeps
# a third of it for the second hello, and 0.5 s once left CI too little.
FAULTS = [
    ("host_down", 1.0, [("network", FAILED)], "UDP port 54321 is closed: ICMP port unreachable"),
    ("drop", 0.3, [("network", FAILED)], "no answer to the miIO hello"),
    ("slow:2", 0.3, [("network", FAILED)], "no answer to the miIO hello"),
    ("slow:0.3", 0.6, [("network", OK), ("network", FAILED)], "is slow: it answered the miIO hello after"),
    ("wrong_token", 1.0, [("network", OK), ("integration", FAILED)], "does not accept our token"),
    ("wrong_token:silent", 1.0, [("network", OK), ("integration", FAILED)],
     "answers the miIO hello but not miIO.info sealed with our token"),
    ("garble", 1.0, [("network", OK), ("integration", OK), ("device", FAILED)],
     "miIO.info with a sealed packet whose content is not JSON"),
    ("garble:json", 1.0, [("network", OK), ("integration", OK), ("device", FAILED)], "it ends '"),
    ("garble:magic", 1.0, [("network", OK), ("device", FAILED)],
     "answered the miIO hello with a malformed packet: magic 0x3121 instead of 0x2131 (header bytes 31 21"),
    ("garble:length", 1.0, [("network", OK), ("device", FAILED)],
     "a 20-byte answer, shorter than a miIO header"),
    # a corrupted checksum cannot be told from another token's, on a real network either
    ("garble:checksum", 1.0, [("network", OK), ("integration", FAILED)], "(checksum error)"),
]


@pytest.mark.parametrize(("fault", "timeout", "layers", "says"), FAULTS, ids=[fault[0] for fault in FAULTS])
async def test_each_fault_is_a_finding_at_its_layer(session: MiioSession, plug: RecordingDevice, fault: str,
                                                    timeout: float, layers: list[tuple[str, bool]], says: str) -> None:
    await plug.inject(Fault.parse(fault))
    results = await session.probe(timeout)
    assert outline(results) == layers
    assert says in results[-1].detail
    assert_clean(results)


async def test_a_device_that_moved_is_a_network_finding(session: MiioSession, plug: RecordingDevice) -> None:
    await plug.inject(Fault.parse(f"moved:{next_loopback()}"))
    [result] = await session.probe(1.0)
    assert (result.layer, result.ok) == ("network", False)
    assert "now has its address" in result.detail


async def test_another_device_at_the_address_is_never_sent_the_token(plug: RecordingDevice) -> None:
    async with opened(host_for(plug)) as session:  # connected before the home file knew the id
        session.client.expected_id = DID + 1  # …and now it names another device
        [result] = await session.probe(1.0)
    assert (result.layer, result.ok) == ("network", False)
    assert f"another miIO device answers at {plug.address}: device id {DID}" in result.detail
    assert plug.sealed == []


async def test_the_probe_recovers_when_the_fault_heals(session: MiioSession, plug: RecordingDevice) -> None:
    await plug.inject(Fault.parse("wrong_token"))
    assert outline(await session.probe(1.0))[-1] == ("integration", FAILED)
    await plug.heal()
    assert outline(await session.probe(1.0)) == [("network", OK), ("integration", OK), ("device", OK)]


async def test_an_unprovisioned_device_is_healthy_but_said_to_give_its_token_away() -> None:
    async with RecordingDevice(plug_spec(reveal_token=True)) as plug, opened(host_for(plug)) as session:
        results = await session.probe(1.0)
    assert all(result.ok for result in results)
    assert "gives its token away in the hello" in results[0].detail
    assert TOKEN not in results[0].detail


async def test_python_miio_does_not_log_our_failures_as_errors(session: MiioSession, plug: RecordingDevice,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    await plug.inject(Fault.parse("wrong_token:silent"))
    with caplog.at_level(logging.DEBUG, logger="miio"):
        assert outline(await session.probe(1.0))[-1] == ("integration", FAILED)
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
