"""Probing simulated Tapo devices with every fault injected: the finding's layer, verdict, problem
and words; a relay that does not follow is a finding only once this session commanded it."""

from __future__ import annotations

from typing import Any

from tapo_live_support import ConnectTapo, MakeTapo, paths, plug_switch, strip_outlet, tapo_host
from weaklink_kasa import KasaAdapter

from weaklink.model import ProbeResult
from weaklink.sim import Fault, FaultKind
from weaklink.sim.tapo import TapoDevice


def verdicts(results: list[ProbeResult]) -> list[tuple[str, bool, str | None]]:
    return [(r.layer, r.ok, r.problem) for r in results]


def only_failure(results: list[ProbeResult]) -> ProbeResult:
    """The one failing finding, the last of the probe (nothing behind it could be known)."""
    failures = [result for result in results if not result.ok]
    assert len(failures) == 1 and results[-1] is failures[0], results
    return failures[0]


async def probed(make_tapo: MakeTapo, connect_tapo: ConnectTapo, fault: Fault, timeout: float = 1.0,
                 **fields: Any) -> tuple[TapoDevice, list[ProbeResult]]:
    """A device, and what probing it finds once `fault` is injected (after connecting)."""
    device = await make_tapo(**fields)
    session = await connect_tapo(device, device_id=device.spec.device_id)
    await device.inject(fault)
    return device, await session.probe(timeout)


async def test_a_healthy_plug_is_ok_at_every_layer(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(model="P110(EU)", name="Kettle", on=True, rssi=-84)
    results = await (await connect_tapo(plug, mac=plug.spec.mac)).probe(2.0)
    element = f"kasa:{plug.spec.device_id}"
    assert verdicts(results) == [("network", True, None), ("integration", True, None), ("device", True, None),
                                 ("device", True, None)]
    assert [r.element for r in results] == [element, element, element, plug_switch(plug)]
    assert "answers KLAP as Kettle (P110" in results[0].detail
    assert "proved it knows the TP-Link account" in results[1].detail
    assert "firmware 1.2.3" in results[2].detail and "-84 dBm (weak)" in results[2].detail
    assert results[3].detail == "Kettle is on"
    assert all(r.latency_ms is not None and r.latency_ms >= 0 and r.at is not None for r in results)


async def test_every_probe_shakes_hands_anew(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo()
    session = await connect_tapo(plug)
    before = paths(plug).count("handshake1")
    await session.probe(2.0)
    await session.probe(2.0)
    assert paths(plug).count("handshake1") == before + 2 and paths(plug).count("handshake2") == before + 2


async def test_a_strip_reports_each_outlet(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    strip = await make_tapo(model="P300(EU)")
    strip.set_relay(True, outlet=3)
    results = await (await connect_tapo(strip)).probe(2.0)
    outlets = [r for r in results if r.element.startswith(f"kasa:{strip.spec.device_id}/")]
    assert [r.element for r in outlets] == [strip_outlet(strip, n) for n in (1, 2, 3)]
    assert all(r.ok for r in outlets) and outlets[2].detail == "Outlet 3 is on"


async def test_a_device_that_is_down_is_a_network_finding(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    _, results = await probed(make_tapo, connect_tapo, Fault(kind=FaultKind.HOST_DOWN))
    failure = only_failure(results)
    assert (failure.layer, failure.problem) == ("network", "unreachable")
    assert "nothing answers at" in failure.detail and "Connection refused" in failure.detail


async def test_a_connection_reset_is_a_network_finding(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    _, results = await probed(make_tapo, connect_tapo, Fault(kind=FaultKind.RESET))
    failure = only_failure(results)
    assert (failure.layer, failure.problem) == ("network", "unreachable") and "handshake1" in failure.detail


async def test_a_silent_device_is_a_timeout(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    for fault in (Fault(kind=FaultKind.DROP), Fault(kind=FaultKind.SLOW, seconds=3)):
        _, results = await probed(make_tapo, connect_tapo, fault, timeout=0.4)
        failure = only_failure(results)
        assert (failure.layer, failure.problem) == ("network", "timeout"), fault
        assert "within 0.4 s" in failure.detail


async def test_garbled_answers_are_a_device_finding_after_a_network_that_works(make_tapo: MakeTapo,
                                                                              connect_tapo: ConnectTapo) -> None:
    _, results = await probed(make_tapo, connect_tapo, Fault(kind=FaultKind.GARBLE))
    assert verdicts(results) == [("network", True, None), ("device", False, "garbled")]
    assert "answered handshake1 with 24 bytes" in results[1].detail  # its seed and proof, cut in half


async def test_a_revoked_account_is_an_integration_finding_and_nothing_more_is_sent(
        make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    plug, results = await probed(make_tapo, connect_tapo, Fault(kind=FaultKind.KEY_REVOKED))
    assert verdicts(results) == [("network", True, None), ("integration", False, "credentials")]
    assert results[1].element == f"kasa:{plug.spec.device_id}"
    assert "does not prove it knows the TP-Link account" in results[1].detail
    assert paths(plug)[-1] == "handshake1"  # its proof did not match: no handshake2, no request


async def test_a_host_that_never_answered_is_reported_by_the_first_probe_without_asking_again(
        make_tapo: MakeTapo) -> None:
    plug = await make_tapo()
    await plug.inject(Fault(kind=FaultKind.HOST_DOWN))
    session = await KasaAdapter().connect(tapo_host(plug), 1.0)  # nothing answers: a session all the same
    try:
        await plug.heal()  # it is back before the probe: the first probe still says what connecting met
        first = await session.probe(1.0)
        assert verdicts(first) == [("network", False, "unreachable")] and plug.request_log == []
        second = await session.probe(1.0)
        assert all(r.ok for r in second) and paths(plug)[0] == "handshake1"
    finally:
        await session.close()


async def test_a_stuck_relay_is_found_only_once_this_session_switched_it(make_tapo: MakeTapo,
                                                                        connect_tapo: ConnectTapo) -> None:
    plug = await make_tapo(on=False)
    session = await connect_tapo(plug)
    await plug.inject(Fault(kind=FaultKind.RELAY_STUCK))
    assert all(r.ok for r in await session.probe(2.0))  # nothing commanded: nothing to find
    await session.act(plug_switch(plug), "turn_on")  # accepted (error_code 0), and the relay stays off
    failure = only_failure(await session.probe(2.0))
    assert (failure.layer, failure.element) == ("device", plug_switch(plug))
    assert "was switched on" in failure.detail and "still reports off" in failure.detail
    await plug.heal()
    await session.act(plug_switch(plug), "turn_on")
    assert all(r.ok for r in await session.probe(2.0))  # it followed: the command is forgotten


async def test_one_stuck_outlet_of_a_strip_is_named(make_tapo: MakeTapo, connect_tapo: ConnectTapo) -> None:
    strip = await make_tapo(model="P300(EU)")
    session = await connect_tapo(strip)
    await strip.inject(Fault(kind=FaultKind.RELAY_STUCK, target="2"))
    await session.act(strip_outlet(strip, 1), "turn_on")
    await session.act(strip_outlet(strip, 2), "turn_on")
    [failure] = [r for r in await session.probe(2.0) if not r.ok]
    assert failure.element == strip_outlet(strip, 2) and strip.relay_on(1) and not strip.relay_on(2)
