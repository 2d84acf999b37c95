"""A live trace in a hostile home: hosts that hang or reset connections, garbled JSON and
malformed miIO packets of every kind, a flood of 1,000 bogus mDNS services, and an impostor
bridge at the bridge's address. Each trace must end within its own time budget (a hang guard,
not a speed measurement), name the affected hop with evidence, and raise nothing; the impostor
must be reported and never sent the key.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest
from zeroconf.asyncio import AsyncServiceInfo

from weaklink.adapters import live_adapters
from weaklink.demo import EXAMPLES, PHONE
from weaklink.live.discover import discover
from weaklink.live.trace import LiveTrace
from weaklink.report import TraceReport
from weaklink.scenario import load_scenario
from weaklink.sim.home import VirtualHome, load_virtual_home
from weaklink.sim.http import HttpHost
from weaklink.sim.livehome import live_home

SPEC = load_virtual_home(EXAMPLES / "home.yaml")
SCENARIO = load_scenario(EXAMPLES / "driveway.yaml")
TIMEOUT = 1.5
WAIT = 5.0


def budget(trace: LiveTrace) -> float:
    """All a live trace may take: reaching every host (connect, probe, following a move), the
    wait for the trigger, every step's budget, and the slack for late reports."""
    return 4 * TIMEOUT + WAIT + sum(step.budget().total_seconds() for step in SCENARIO.steps) + 5


async def traced(home: VirtualHome, *, before: Callable[[], Awaitable[None]] | None = None,
                 live: VirtualHome | None = None) -> TraceReport:
    """Trace the driveway chain of a started home, Alex's phone arriving, within the trace's budget."""
    ha = home.host("Home Assistant")

    async def arrive() -> None:
        ha.report(PHONE, "home")  # type: ignore[attr-defined]

    if before is not None:
        await before()
    trace = LiveTrace(live_home(live or home), live_adapters(), timeout=TIMEOUT, wait=WAIT)
    async with asyncio.timeout(budget(trace)):
        return await trace.run(SCENARIO, trigger=arrive)


def with_faults(*faults: str) -> VirtualHome:
    return VirtualHome(SPEC.model_copy(update={"faults": list(faults)}), high_ports=True)


@pytest.mark.parametrize("fault, step, layer", [
    ("Hue Bridge:reset", 3, "hub"),  # the hub of a Zigbee light resets every connection
    ("Porch relay:reset", 4, "network"),
    ("Home Assistant:reset", 1, "network"),
    ("Porch relay:drop", 4, "network"),  # hangs: accepts, never answers
    ("Hallway lamp plug:drop", 5, "network"),
])
async def test_hosts_that_hang_or_reset_are_named_at_their_hop(fault: str, step: int, layer: str) -> None:
    async with with_faults(fault) as home:
        report = await traced(home)
    link = report.broken_link
    assert link is not None and (link.step, link.layer.value) == (step, layer), report.summary
    assert any(item.kind == "probe" for item in link.evidence)


@pytest.mark.parametrize("mode", ["json", "magic", "checksum", "length"])
async def test_every_kind_of_malformed_miio_packet_is_named_at_the_plugs_hop(mode: str) -> None:
    async with with_faults(f"Hallway lamp plug:garble:{mode}") as home:
        report = await traced(home)
    link = report.broken_link
    assert link is not None and link.step == 5, report.summary
    probes = [item for item in link.evidence if item.kind == "probe" and item.source == "Hallway lamp plug"]
    assert probes, link.evidence  # the plug's own answer is in the evidence


async def test_garbled_json_from_every_http_host_is_named_at_its_hop() -> None:
    for fault, step in (("Hue Bridge:garble", 3), ("Porch relay:garble", 4), ("Home Assistant:garble", 1)):
        async with with_faults(fault) as home:
            report = await traced(home)
        assert report.broken_link is not None and report.broken_link.step == step, (fault, report.summary)
        assert report.broken_link.cause == "garbled_answers", (fault, report.broken_link)


def bogus_services(count: int) -> list[AsyncServiceInfo]:
    """`count` records on 127.0.0.1: the known brands' types with identities that fail their
    checks (a bridge id that is no bridge id, a Shelly name without a MAC, a miIO name without a
    device id, a Home Assistant without a uuid), and types no adapter knows."""
    kinds = [
        ("_hue._tcp.local.", "Hue Bridge - BOGUS{i:04d}", {"bridgeid": "not-a-bridge-{i}", "modelid": "BSB002"}),
        ("_shelly._tcp.local.", "shellyplus1-bogus{i:04d}", {"gen": "2", "app": "Plus1"}),
        ("_http._tcp.local.", "shelly1-zz{i:04d}", {"id": "shelly1-other"}),
        ("_miio._udp.local.", "not-a-miio-device-{i:04d}", {}),
        ("_home-assistant._tcp.local.", "Bogus Home {i:04d}", {"uuid": "nope", "version": "x"}),
        ("_printer._tcp.local.", "Printer {i:04d}", {"rp": "queue"}),
    ]
    records = []
    for i in range(count):
        service_type, name, properties = kinds[i % len(kinds)]
        address = socket.inet_aton(f"127.0.{200 + i // 250}.{1 + i % 250}")
        records.append(AsyncServiceInfo(
            service_type, f"{name.format(i=i)}.{service_type}", addresses=[address], port=9000 + i % 1000,
            properties={k: v.format(i=i) for k, v in properties.items()}, server=f"bogus-{i}.local."))
    return records


async def test_a_flood_of_1000_bogus_mdns_services_neither_hides_nor_breaks_anything() -> None:
    home = with_faults("Hue Bridge:light_unreachable:1")
    async with home:
        assert home.advertiser is not None
        for record in bogus_services(1000):
            await home.advertiser.register(record)
        report = await traced(home)
        found = await discover(live_adapters(), interfaces=["127.0.0.1"], seconds=6,
                               hosts=[home.host("Hallway lamp plug").address])
    link = report.broken_link
    assert link is not None and (link.step, link.layer.value, link.cause) == (3, "radio", "radio_link_lost")
    assert not any(concern.cause == "not_advertised" for concern in report.concerns)  # every real host was heard
    # Discovery under the flood ends, finds every real host and trusts no bogus record.
    real = {host.address for host in home.hosts.values()}
    assert real <= {host.address for host in found.found if host.problem is None}
    untrusted = [host for host in found.found if host.problem is not None]
    assert untrusted and all("not trusted" in (host.problem or "") for host in untrusted)
    assert not any(host.address.startswith("127.0.2") for host in found.found if host.problem is None)
    assert len(found.found) > 100  # it did hear the flood


async def test_an_impostor_at_the_bridges_address_is_reported_and_never_sent_the_key() -> None:
    genuine = with_faults()  # only its live home file is used: the bridge the user paired
    hosts = [host.model_copy(update={"bridge_id": "001788fffe000001"}) if host.kind == "hue_bridge" else host
             for host in SPEC.hosts]
    impostor_home = VirtualHome(SPEC.model_copy(update={"hosts": hosts}), high_ports=True)
    async with impostor_home:
        report = await traced(impostor_home, live=genuine)
        bridge = impostor_home.host("Hue Bridge")
    assert isinstance(bridge, HttpHost)
    key = next(host for host in SPEC.hosts if host.kind == "hue_bridge").app_key  # type: ignore[union-attr]
    assert bridge.request_log and not any(key in line for line in bridge.request_log)
    about = [finding for finding in ([report.broken_link] if report.broken_link else []) + list(report.concerns)
             if finding.element in ("Hue Bridge", "hue:bridge/001788fffe4d5e6f")]
    assert about and any("001788fffe000001" in finding.summary or any(
        "001788fffe000001" in item.detail for item in finding.evidence) for finding in about), report.summary
