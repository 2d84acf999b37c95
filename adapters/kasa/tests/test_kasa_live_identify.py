"""Finding a legacy Kasa device at an address the user names: a unicast UDP get_sysinfo, never a broadcast."""

from __future__ import annotations

import pytest
from kasa_live_support import PORT, Make

from weaklink.adapters import live_adapters
from weaklink.live.discover import discover
from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback
from weaklink_kasa import KasaAdapter
from weaklink_kasa.discovery import split_address


async def test_a_plug_is_identified_by_its_answer_to_a_datagram(make: Make) -> None:
    plug = await make(model="KP125(US)", name="Desk fan")
    found = await KasaAdapter().identify_host(f"{plug.address}:{PORT}", 1.0)
    assert found is not None and found.problem is None
    assert (found.adapter, found.name, found.address, found.port, found.model, found.via) == \
        ("kasa", "Desk fan", plug.address, PORT, "KP125(US)", "kasa-udp")
    assert found.identifiers == {"device_id": plug.spec.device_id, "mac": plug.spec.mac.lower()}
    assert found.operations == ["snapshot", "probe", "observe", "act"]
    assert plug.request_log == ['{"system":{"get_sysinfo":null}}']  # python-kasa's discovery request, nothing more


async def test_nothing_at_the_address_is_no_device() -> None:
    assert await KasaAdapter().identify_host(f"{next_loopback()}:{PORT}", 0.5) is None


async def test_a_silent_device_is_no_device(make: Make) -> None:
    plug = await make()
    await plug.inject(Fault(kind=FaultKind.DROP))
    assert await KasaAdapter().identify_host(f"{plug.address}:{PORT}", 0.3) is None


async def test_a_garbled_answer_is_reported_and_not_trusted(make: Make) -> None:
    plug = await make()
    await plug.inject(Fault(kind=FaultKind.GARBLE))
    found = await KasaAdapter().identify_host(f"{plug.address}:{PORT}", 1.0)
    assert found is not None and found.operations == [] and found.identifiers == {}
    assert found.problem is not None and "not in the protocol" in found.problem
    assert "not the Kasa protocol's JSON" in found.problem  # with the evidence


@pytest.mark.parametrize("address, split", [
    ("192.0.2.7", ("192.0.2.7", 9999)), ("192.0.2.7:20000", ("192.0.2.7", 20000)),
    ("192.0.2.7:http", None), ("192.0.2.7:0", None), ("kasa.local", ("kasa.local", 9999)),
])
def test_an_address_may_name_its_port(address: str, split: tuple[str, int] | None) -> None:
    assert split_address(address) == split


def test_no_mdns_record_is_a_legacy_kasa_device() -> None:
    adapter = KasaAdapter()
    assert adapter.manifest.mdns_types == [] and "discover" not in adapter.manifest.operations
    assert adapter.identify("_http._tcp.local.", "HS110._http._tcp.local.", "127.0.9.9", 80, {}) is None


async def test_discovery_of_named_hosts_finds_the_plug(make: Make) -> None:
    plug = await make(name="Porch plug")
    result = await discover(live_adapters(), interfaces=["127.0.0.1"], hosts=[f"{plug.address}:{PORT}"], seconds=3.0)
    kasa = [host for host in result.found if host.adapter == "kasa"]
    assert [(host.name, host.identifiers["device_id"]) for host in kasa] == [("Porch plug", plug.spec.device_id)]
