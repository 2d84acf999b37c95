"""The fault matrix: every fault kind at every hop of the driveway chain of the simulated home,
each traced live with the real clients, and the trace must name the injected element and layer.

The chain (examples/virtual-home/driveway.yaml) has six hops, each through other parts:
1 Alex's phone (Home Assistant's mobile_app), 2 the garage door (aladdin_connect, and the
automation), 3 the driveway light (the Hue bridge, its Zigbee link, HA's hue integration),
4 the porch light (a Shelly Gen1 relay, HA's shelly), 5 the hallway lamp (a miIO plug, HA's
xiaomi_miio), 6 the alarm (simplisafe). Home Assistant carries every hop, so its own faults
are first seen at hop 1. Every fault kind each host of the chain can be given is injected
at start, as `weaklink sim --fault` does, and the chain is run by Alex's phone arriving.

What a fault should produce, when the chain cannot pass, is its broken link (step, layer,
cause, element). A fault that leaves the chain working (a host that moved and that Home
Assistant followed, a host gone from mDNS) is a *concern* of a healthy report. A Home
Assistant that cannot be confirmed to be the instance named (it is gone from mDNS while the
home file names its uuid) is never sent the token: the chain cannot be checked, which is an
inconclusive verdict whose concern names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from weaklink.adapters import live_adapters
from weaklink.demo import CHAIN_FAULTS, EXAMPLES, PHONE
from weaklink.live.trace import LiveTrace
from weaklink.report import TraceReport
from weaklink.scenario import load_scenario
from weaklink.sim.faults import Fault
from weaklink.sim.home import VirtualHome, faults_of, load_virtual_home, parse_fault
from weaklink.sim.livehome import live_home

BRIDGE = "hue:bridge/001788fffe4d5e6f"  # the example bridge's id, as the Hue adapter names it
PORCH = "shelly:shelly1-17EAD2"  # the porch relay, as the Shelly adapter names it (from its MAC)
PLUG = "miio:770049261"  # the hallway plug, as the miIO adapter names it (its device id)


@dataclass(frozen=True)
class Expect:
    """What the live trace must say: `verdict`, and the finding at `step` (the broken link, or
    for a chain that works or cannot be checked, a concern)."""

    verdict: str
    step: int
    layer: str
    cause: str
    element: str


def broken(step: int, layer: str, cause: str, element: str) -> Expect:
    return Expect("broken", step, layer, cause, element)


def concern(step: int, layer: str, cause: str, element: str) -> Expect:
    return Expect("ok", step, layer, cause, element)


MATRIX: dict[str, Expect] = {
    # Home Assistant carries every hop: what keeps weaklink from reading it stops the chain at hop 1
    "Home Assistant:host_down": broken(1, "network", "device_offline", "Home Assistant"),
    "Home Assistant:slow:4": broken(1, "network", "device_offline", "Home Assistant"),
    "Home Assistant:drop": broken(1, "network", "device_offline", "Home Assistant"),
    "Home Assistant:reset": broken(1, "network", "device_offline", "Home Assistant"),
    "Home Assistant:garble": broken(1, "device", "garbled_answers", "Home Assistant"),
    "Home Assistant:key_revoked": broken(1, "integration", "credentials_rejected", "Home Assistant"),
    "Home Assistant:not_advertised": Expect("inconclusive", 1, "network", "identity_unconfirmed", "Home Assistant"),
    "Home Assistant:moved:127.0.0.40": concern(1, "network", "host_moved", "Home Assistant"),
    "Home Assistant:integration_failed:mobile_app": broken(1, "integration", "integration_failed", "mobile_app"),
    "Home Assistant:automation_disabled:automation.arrive_home":
        broken(2, "logic", "automation_disabled", "automation.arrive_home"),
    "Home Assistant:integration_failed:aladdin_connect": broken(2, "integration", "integration_failed", "aladdin_connect"),
    "Home Assistant:integration_failed:hue": broken(3, "integration", "integration_failed", "hue"),
    "Home Assistant:integration_failed:shelly": broken(4, "integration", "integration_failed", "shelly"),
    "Home Assistant:integration_failed:xiaomi_miio": broken(5, "integration", "integration_failed", "xiaomi_miio"),
    "Home Assistant:integration_failed:simplisafe": broken(6, "integration", "integration_failed", "simplisafe"),
    # hop 3: the Hue bridge, the hub of a Zigbee light
    "Hue Bridge:host_down": broken(3, "hub", "hub_offline", BRIDGE),
    "Hue Bridge:slow:4": broken(3, "timing", "host_slow", BRIDGE),
    "Hue Bridge:drop": broken(3, "hub", "hub_offline", BRIDGE),
    "Hue Bridge:reset": broken(3, "hub", "hub_offline", BRIDGE),
    "Hue Bridge:garble": broken(3, "hub", "garbled_answers", BRIDGE),
    "Hue Bridge:not_advertised": concern(3, "network", "not_advertised", "Hue Bridge"),
    "Hue Bridge:moved:127.0.0.41": concern(3, "network", "host_moved", "Hue Bridge"),
    "Hue Bridge:light_unreachable:1": broken(3, "radio", "radio_link_lost", "light.driveway"),
    "Hue Bridge:connectivity_issue:1": broken(3, "radio", "radio_link_lost", "light.driveway"),
    "Hue Bridge:key_revoked": broken(3, "integration", "integration_failed", "hue"),
    # hop 4: a Shelly Gen1 relay on Wi-Fi
    "Porch relay:host_down": broken(4, "network", "device_offline", "switch.porch"),
    "Porch relay:slow:4": broken(4, "timing", "host_slow", PORCH),
    "Porch relay:drop": broken(4, "network", "device_offline", "switch.porch"),
    "Porch relay:reset": broken(4, "network", "device_offline", "switch.porch"),
    "Porch relay:garble": broken(4, "device", "garbled_answers", PORCH),
    "Porch relay:not_advertised": concern(4, "network", "not_advertised", "Porch relay"),
    "Porch relay:moved:127.0.0.42": concern(4, "network", "host_moved", "Porch relay"),
    "Porch relay:overpower:0": broken(4, "device", "device_fault", f"{PORCH}/switch:0"),
    "Porch relay:key_revoked": broken(4, "integration", "integration_failed", "shelly"),
    # hop 5: a Xiaomi miIO plug
    "Hallway lamp plug:host_down": broken(5, "network", "device_offline", "switch.hallway_lamp"),
    "Hallway lamp plug:slow:4": broken(5, "timing", "host_slow", PLUG),
    "Hallway lamp plug:drop": broken(5, "network", "device_offline", "switch.hallway_lamp"),
    "Hallway lamp plug:garble": broken(5, "device", "garbled_answers", PLUG),
    "Hallway lamp plug:not_advertised": concern(5, "network", "not_advertised", "Hallway lamp plug"),
    "Hallway lamp plug:moved:127.0.0.43": concern(5, "network", "host_moved", "Hallway lamp plug"),
    "Hallway lamp plug:wrong_token": broken(5, "integration", "credentials_rejected", PLUG),
}
CHAIN_HOSTS = ("Home Assistant", "Hue Bridge", "Porch relay", "Hallway lamp plug")
SPEC = load_virtual_home(EXAMPLES / "home.yaml")
SCENARIO = load_scenario(EXAMPLES / "driveway.yaml")


def _injected(fault: str) -> tuple[str, Fault]:
    return parse_fault(fault, SPEC)


def test_the_matrix_gives_every_host_of_the_chain_every_fault_it_can_take() -> None:
    for host in CHAIN_HOSTS:
        given = {fault.kind for name, fault in map(_injected, MATRIX) if name == host}
        spec = next(h for h in SPEC.hosts if h.name == host)
        assert given == set(faults_of(spec)), host


def test_the_matrix_reaches_every_hop_and_every_fault_kind() -> None:
    assert {expect.step for expect in MATRIX.values()} == set(range(1, len(SCENARIO.steps) + 1))
    kinds = {fault.kind for _, fault in map(_injected, MATRIX)}
    assert kinds == {kind for spec in SPEC.hosts for kind in faults_of(spec)}


def test_the_demo_picks_only_faults_the_matrix_checks_and_that_break_the_chain() -> None:
    assert set(CHAIN_FAULTS) <= set(MATRIX)
    assert all(MATRIX[fault].verdict == "broken" for fault in CHAIN_FAULTS)


async def _trace(fault: str) -> TraceReport:
    home = VirtualHome(SPEC.model_copy(update={"faults": [fault]}), high_ports=True)
    async with home:
        ha = home.host("Home Assistant")

        async def arrive() -> None:
            ha.report(PHONE, "home")  # type: ignore[attr-defined]

        return await LiveTrace(live_home(home), live_adapters(), timeout=1.5, wait=5).run(SCENARIO, trigger=arrive)


@pytest.mark.parametrize("fault", list(MATRIX))
async def test_the_live_trace_names_the_injected_element_and_layer(fault: str) -> None:
    expect = MATRIX[fault]
    report = await _trace(fault)
    assert report.mode == "live"
    assert report.verdict.value == expect.verdict, report.summary
    statuses = [step.status.value for step in report.steps]
    if expect.verdict == "broken":
        link = report.broken_link
        assert link is not None
        assert (link.step, link.layer.value, link.cause, link.element) == \
               (expect.step, expect.layer, expect.cause, expect.element), link.summary
        assert link.evidence and link.fix and link.responsible
        assert statuses[: expect.step - 1] == ["passed"] * (expect.step - 1) and statuses[expect.step - 1] == "failed"
        return
    assert report.broken_link is None
    found = [(c.step, c.layer.value, c.cause, c.element) for c in report.concerns]
    assert (expect.step, expect.layer, expect.cause, expect.element) in found, found
    if expect.verdict == "ok":
        assert statuses == ["passed"] * len(SCENARIO.steps)
