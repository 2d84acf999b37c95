"""Probing simulated Kasa devices with every fault injected: the finding's layer, verdict, problem and words."""

from __future__ import annotations

from typing import Any

from kasa_live_support import Connect, Make, host_for, outlet, switch

from weaklink.model import ProbeResult
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink.sim.kasa import KasaDevice
from weaklink_kasa import KasaAdapter


def verdicts(results: list[ProbeResult]) -> list[tuple[str, bool, str | None]]:
    return [(r.layer, r.ok, r.problem) for r in results]


def only_failure(results: list[ProbeResult]) -> ProbeResult:
    """The one failing finding, the last of the probe (nothing behind it could be known)."""
    failures = [result for result in results if not result.ok]
    assert len(failures) == 1 and results[-1] is failures[0], results
    return failures[0]


async def probed(make: Make, connect: Connect, fault: Fault, timeout: float = 1.0,
                 **fields: Any) -> tuple[KasaDevice, list[ProbeResult]]:
    """A device, and what probing it finds once `fault` is injected (after connecting)."""
    device = await make(**fields)
    session = await connect(device, device_id=device.spec.device_id)
    await device.inject(fault)
    return device, await session.probe(timeout)


async def test_a_healthy_plug_is_ok_at_every_layer(make: Make, connect: Connect) -> None:
    plug = await make(model="KP125(US)", name="Kettle", on=True, rssi=-84)
    results = await (await connect(plug, mac=plug.spec.mac)).probe(2.0)
    element = f"kasa:{plug.spec.device_id}"
    assert verdicts(results) == [("network", True, None), ("device", True, None), ("device", True, None)]
    assert [r.element for r in results] == [element, element, switch(plug)]
    assert "answers get_sysinfo as Kettle (KP125(US)" in results[0].detail
    assert "firmware 1.0.6" in results[1].detail and "-84 dBm (weak)" in results[1].detail
    assert results[2].detail == "Kettle is on"
    assert all(r.latency_ms is not None and r.latency_ms >= 0 and r.at is not None for r in results)


async def test_a_strip_reports_each_outlet(make: Make, connect: Connect) -> None:
    strip = await make(model="HS300(US)")
    strip.set_relay(True, outlet=3)
    results = await (await connect(strip)).probe(2.0)
    outlets = [r for r in results if r.element.startswith(f"kasa:{strip.spec.device_id}/")]
    assert [r.element for r in outlets] == [outlet(strip, n) for n in range(1, 7)]
    assert all(r.ok for r in outlets) and outlets[2].detail == "Outlet 3 is on"


async def test_a_device_that_is_down_is_a_network_finding(make: Make, connect: Connect) -> None:
    _, results = await probed(make, connect, Fault(kind=FaultKind.HOST_DOWN))
    failure = only_failure(results)
    assert (failure.layer, failure.problem) == ("network", "unreachable")
    assert "nothing answers at" in failure.detail and "Connection refused" in failure.detail


async def test_a_host_that_never_answered_is_reported_by_the_first_probe_without_asking_again(make: Make) -> None:
    plug = await make(address=next_loopback())
    await plug.inject(Fault(kind=FaultKind.HOST_DOWN))
    session = await KasaAdapter().connect(host_for(plug), 1.0)  # nothing answers: a session all the same
    await plug.heal()  # it is back before the probe: the first probe still says what connecting met
    first = await session.probe(1.0)
    assert verdicts(first) == [("network", False, "unreachable")] and plug.request_log == []
    second = await session.probe(1.0)
    assert all(r.ok for r in second) and len(plug.request_log) == 1


async def test_a_silent_device_is_a_timeout(make: Make, connect: Connect) -> None:
    for fault in (Fault(kind=FaultKind.DROP), Fault(kind=FaultKind.SLOW, seconds=3)):
        _, results = await probed(make, connect, fault, timeout=0.4)
        failure = only_failure(results)
        assert (failure.layer, failure.problem) == ("network", "timeout"), fault
        assert "did not answer system.get_sysinfo within 0.4 s" in failure.detail


async def test_a_slow_device_within_the_time_is_healthy(make: Make, connect: Connect) -> None:
    _, results = await probed(make, connect, Fault(kind=FaultKind.SLOW, seconds=0.2), timeout=2.0)
    assert all(r.ok for r in results) and results[0].latency_ms is not None and results[0].latency_ms >= 200


async def test_a_reset_connection_is_a_network_finding(make: Make, connect: Connect) -> None:
    _, results = await probed(make, connect, Fault(kind=FaultKind.RESET))
    failure = only_failure(results)
    assert (failure.layer, failure.problem) == ("network", "unreachable")
    assert "reset the connection" in failure.detail or "closed the connection" in failure.detail


async def test_a_garbled_answer_is_a_device_finding_with_the_evidence(make: Make, connect: Connect) -> None:
    plug, results = await probed(make, connect, Fault(kind=FaultKind.GARBLE), name="Freezer")
    assert verdicts(results) == [("network", True, None), ("device", False, "garbled")]
    assert "not the Kasa protocol's JSON" in results[1].detail and '{"system":{"get_sysinfo":' in results[1].detail
    assert results[1].element == f"kasa:{plug.spec.device_id}"


async def test_a_refused_get_sysinfo_is_a_device_finding(make: Make, connect: Connect) -> None:
    class Failing(KasaDevice):
        def sysinfo(self) -> dict[str, Any]:
            return {"err_code": -1, "err_msg": "internal error"}

    plug = await make(device=Failing)
    results = await (await connect(plug)).probe(1.0)
    assert verdicts(results) == [("network", True, None), ("device", False, None)]
    assert "refused get_sysinfo: err_code -1 (internal error)" in results[1].detail


async def test_another_device_at_the_address_is_an_identity_finding(make: Make, connect: Connect) -> None:
    plug = await make(name="Heater plug")
    session = await connect(plug, device_id=plug.spec.device_id)
    address = plug.address
    await plug.stop()
    await make(address=address, name="Aquarium pump")
    failure = only_failure(await session.probe(1.0))
    assert (failure.layer, failure.problem) == ("network", "identity")
    assert "Aquarium pump" in failure.detail and "moved to another address" in failure.detail


async def test_a_stuck_relay_is_a_device_finding_on_the_relay(make: Make, connect: Connect) -> None:
    strip = await make(model="HS300(US)")
    session = await connect(strip)
    await strip.inject(Fault(kind=FaultKind.RELAY_STUCK, target="2"))
    await session.act(outlet(strip, 1), "turn_on")  # it follows
    await session.act(outlet(strip, 2), "turn_on")  # accepted, and nothing happens
    assert [strip.relay_on(1), strip.relay_on(2)] == [True, False]
    results = await session.probe(1.0)
    [failure] = [r for r in results if not r.ok]  # the other outlets are still read, and fine
    assert (failure.layer, failure.element, failure.problem) == ("device", outlet(strip, 2), None)
    assert "switched on" in failure.detail and "still reports off" in failure.detail
    assert "does not follow commands" in failure.detail
    assert next(r for r in results if r.element == outlet(strip, 1)).ok


async def test_a_relay_switched_back_by_hand_is_no_fault(make: Make, connect: Connect) -> None:
    plug = await make()
    session = await connect(plug)
    await session.act(switch(plug), "turn_on")
    assert all(r.ok for r in await session.probe(1.0))  # it followed: the command is settled
    plug.set_relay(False)  # someone pressed its button since
    assert all(r.ok for r in await session.probe(1.0))
