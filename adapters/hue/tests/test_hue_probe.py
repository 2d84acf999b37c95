"""probe(): every fault the simulated bridge can have, found at its layer, never raised."""

from __future__ import annotations

from typing import Any

import pytest
from hue_sim import KEY, PORT, RecordingBridge, host_of, make_spec

from weaklink.model import ProbeResult
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink_hue import BridgeUnreachable, HueAdapter, HueSession
from weaklink_hue.client import BridgeConfig
from weaklink_hue.fragment_v1 import fragment_v1


def failed(results: list[ProbeResult]) -> list[tuple[str, str]]:
    """(layer, element) of every failing result."""
    return [(result.layer, result.element) for result in results if not result.ok]


def by_layer(results: list[ProbeResult], layer: str) -> list[ProbeResult]:
    return [result for result in results if result.layer == layer]


def no_secrets(results: list[ProbeResult]) -> None:
    assert all(KEY not in result.detail and result.latency_ms is not None and result.at for result in results)


async def test_a_healthy_bridge(session: HueSession, bridge: RecordingBridge) -> None:
    results = await session.probe(timeout=2)
    assert failed(results) == []
    assert [result.layer for result in results] == ["network", "integration", "hub"] + ["radio"] * 4
    assert by_layer(results, "network")[0].element == f"hue:bridge/{bridge.bridge_id}"
    assert "answers with 4 devices" in by_layer(results, "hub")[0].detail
    no_secrets(results)


async def test_light_unreachable_is_that_lights_radio(session: HueSession, bridge: RecordingBridge) -> None:
    driveway = bridge.node("light", "1")
    await bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="1"))
    results = await session.probe(timeout=2)
    assert failed(results) == [("radio", f"hue:device/{driveway.device_rid}")]
    [radio] = [result for result in by_layer(results, "radio") if not result.ok]
    assert radio.detail.startswith(f"Driveway (light, Zigbee {driveway.mac})") and "disconnected" in radio.detail


async def test_connectivity_issue_names_the_light(session: HueSession, bridge: RecordingBridge) -> None:
    await bridge.inject(Fault(kind=FaultKind.CONNECTIVITY_ISSUE, target="Hall"))
    results = await session.probe(timeout=2)
    assert failed(results) == [("radio", f"hue:device/{bridge.node('light', '2').device_rid}")]
    assert "Hall (light" in by_layer([r for r in results if not r.ok], "radio")[0].detail
    assert "connectivity issue" in [r for r in results if not r.ok][0].detail


async def test_every_device_down_is_the_hubs_zigbee_network(session: HueSession, bridge: RecordingBridge) -> None:
    await bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE))  # no target: every device
    results = await session.probe(timeout=2)
    [hub] = by_layer(results, "hub")
    assert not hub.ok and "every one of the 4 Zigbee devices" in hub.detail
    assert len([r for r in by_layer(results, "radio") if not r.ok]) == 4


async def test_a_revoked_key_is_the_integration(session: HueSession, bridge: RecordingBridge) -> None:
    await bridge.inject(Fault(kind=FaultKind.KEY_REVOKED))
    results = await session.probe(timeout=2)
    assert failed(results) == [("integration", f"hue:bridge/{bridge.bridge_id}")]
    assert "revoked" in results[-1].detail and "403" in results[-1].detail
    no_secrets(results)


async def test_a_missing_key_is_the_integration(adapter: HueAdapter, bridge: RecordingBridge) -> None:
    host = host_of(bridge)
    host.credentials.clear()
    session = await adapter.connect(host, timeout=2)
    try:
        results = await session.probe(timeout=2)
    finally:
        await session.close()
    assert failed(results) == [("integration", f"hue:bridge/{bridge.bridge_id}")]
    assert "no application key" in results[-1].detail


@pytest.mark.parametrize("fault", [Fault(kind=FaultKind.HOST_DOWN), Fault(kind=FaultKind.DROP),
                                   Fault(kind=FaultKind.SLOW, seconds=1.0)], ids=["host_down", "drop", "slow"])
async def test_no_answer_is_the_network(session: HueSession, bridge: RecordingBridge, fault: Fault) -> None:
    await bridge.inject(fault)
    results = await session.probe(timeout=0.3)
    assert failed(results) == [("network", f"hue:bridge/{bridge.bridge_id}")] and len(results) == 1
    words = "connection refused" if fault.kind is FaultKind.HOST_DOWN else "no answer"
    # `slow` would answer after 1 s: the probe gave up at its own timeout instead
    assert words in results[0].detail and bridge.address in results[0].detail


async def test_a_bridge_down_when_connecting_is_found_by_probe(adapter: HueAdapter) -> None:
    """connect() does not fail for a bridge that is off: the session reports it, and sends nothing meanwhile."""
    hue = RecordingBridge(make_spec(next_loopback()))
    session = await adapter.connect(host_of(hue), timeout=0.5)  # never started
    try:
        [network] = await session.probe(timeout=0.5)
        assert (network.layer, network.ok, network.element) == ("network", False, f"hue:bridge/{hue.bridge_id}")
        with pytest.raises(BridgeUnreachable):
            await session.snapshot()
        await hue.start()
        assert failed(await session.probe(timeout=2)) == []  # verified now, and then the key went out
        assert hue.requests[0].startswith("GET /api/config") and hue.saw(KEY)
    finally:
        await session.close()
        await hue.stop()


async def test_a_moved_bridge_is_the_network(adapter: HueAdapter, session: HueSession,
                                             bridge: RecordingBridge) -> None:
    elsewhere = next_loopback()
    await bridge.inject(Fault(kind=FaultKind.MOVED, address=elsewhere))
    [network] = await session.probe(timeout=1)
    assert (network.layer, network.ok) == ("network", False) and "moved to another address" in network.detail
    found = await adapter.identify_host(f"{elsewhere}:{PORT}", timeout=2)  # rediscovered at the new address
    assert found is not None and found.identifiers["bridgeid"] == bridge.bridge_id


async def test_garbled_answers_are_the_hub(session: HueSession, bridge: RecordingBridge) -> None:
    await bridge.inject(Fault(kind=FaultKind.GARBLE))
    results = await session.probe(timeout=2)
    assert [(r.layer, r.ok) for r in results] == [("network", True), ("hub", False)]
    assert "malformed JSON" in results[1].detail


async def test_garbled_before_the_identity_is_known_withholds_the_key(adapter: HueAdapter) -> None:
    hue = RecordingBridge(make_spec(next_loopback()))
    hue.faults.add(Fault(kind=FaultKind.GARBLE))
    await hue.start()
    try:
        session = await adapter.connect(host_of(hue), timeout=2)
        results = await session.probe(timeout=2)
        await session.close()
    finally:
        await hue.stop()
    assert [(r.layer, r.ok) for r in results] == [("network", True), ("hub", False)]
    assert "no credentials were sent" in results[1].detail and not hue.saw(KEY)


async def test_v1_bridge_faults(v1_session: HueSession, old_bridge: RecordingBridge) -> None:
    assert failed(await v1_session.probe(timeout=2)) == []
    await old_bridge.inject(Fault(kind=FaultKind.LIGHT_UNREACHABLE, target="1"))
    results = await v1_session.probe(timeout=2)
    assert failed(results) == [("radio", f"hue:zigbee/{old_bridge.node('light', '1').mac}")]
    assert "Driveway (light 1" in [r for r in results if not r.ok][0].detail
    await old_bridge.inject(Fault(kind=FaultKind.KEY_REVOKED))
    results = await v1_session.probe(timeout=2)
    assert failed(results) == [("integration", f"hue:bridge/{old_bridge.bridge_id}")]
    assert "unauthorized user" in results[-1].detail
    no_secrets(results)


async def test_a_v1_error_never_quotes_the_key_in_its_url(v1_session: HueSession, old_bridge: RecordingBridge) -> None:
    v1_session.timeout = 0.3
    await old_bridge.inject(Fault(kind=FaultKind.DROP))
    with pytest.raises(BridgeUnreachable) as raised:
        await v1_session.snapshot()
    assert "GET /api/<key>" in str(raised.value) and KEY not in str(raised.value)


class OddBridge(RecordingBridge):
    """A bridge that describes one of Hall's services in a shape no bridge should send."""

    def resources(self) -> list[dict[str, Any]]:
        """Every resource, and the odd one."""
        hall = self.node("light", "2")
        return super().resources() + [{"id": "odd", "type": "light", "on": "yes",
                                       "owner": {"rid": hall.device_rid, "rtype": "device"}}]


async def test_an_unreadable_resource_is_that_devices_finding(adapter: HueAdapter) -> None:
    hue = OddBridge(make_spec(next_loopback()))
    await hue.start()
    try:
        session = await adapter.connect(host_of(hue), timeout=2)
        results = await session.probe(timeout=2)
        fragment = await session.snapshot()  # the rest of the bridge reads as usual
        await session.close()
    finally:
        await hue.stop()
    assert failed(results) == [("device", f"hue:device/{hue.node('light', '2').device_rid}")]
    assert "light odd in a form weaklink cannot read (on:" in results[-1].detail
    assert len(fragment.capabilities) == 4


def test_v1_data_of_odd_shapes_is_read_as_far_as_it_goes() -> None:
    odd = {"groups": ["not", "a", "mapping"], "sensors": None, "config": {"timezone": "Europe/Paris"},
           "lights": {"1": {"name": "Lamp", "type": "Dimmable light", "uniqueid": "00:17:88:01:00:00:00:01-0b",
                            "state": {"bri": "high", "on": "yes"}},
                      "2": "garbage", "3": {"name": "No radio", "type": "Dimmable light"}}}
    fragment = fragment_v1(odd, BridgeConfig(), "001788fffe000001", "192.0.2.1", "test")
    [lamp] = fragment.capabilities
    assert (lamp.id, lamp.state, lamp.attributes.get("brightness")) == ("hue:lights/1", None, None)
    assert fragment.time_zone == "Europe/Paris" and len(fragment.devices) == 2
