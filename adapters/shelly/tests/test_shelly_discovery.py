"""Finding simulated Shellies with weaklink's discovery engine: mDNS on 127.0.0.1, and unicast `/shelly`."""

from __future__ import annotations

from shelly_fixtures import PORT, Make

from weaklink.live.discover import discover
from weaklink.sim import Fault, FaultKind
from weaklink_shelly import ShellyAdapter


async def test_discovery_finds_both_generations_once_each(make: Make) -> None:
    gen1 = await make(model="SHPLG-S", advertised=True)
    gen2 = await make(model="SNSW-001P16EU", advertised=True)  # announced as _shelly._tcp and _http._tcp
    result = await discover({"shelly": ShellyAdapter()}, interfaces=["127.0.0.1"], seconds=5)
    # other test runs may advertise on 127.0.0.1 too: look at ours
    ours = [host for host in result.found if host.address in (gen1.address, gen2.address)]
    by_name = {host.name: host for host in ours}
    assert sorted(by_name) == sorted([gen1.device_id, gen2.device_id]) and len(ours) == 2
    plug, plus = by_name[gen1.device_id], by_name[gen2.device_id]
    assert (plug.brand, plug.port, plug.model, plug.via, plug.problem) == \
        ("Shelly", PORT, "SHPLG-S", "_http._tcp.local.", None)
    assert plug.identifiers == {"device_id": gen1.device_id}
    assert plus.identifiers == {"device_id": gen2.device_id,
                                "mac": ":".join(gen2.mac[i:i + 2] for i in range(0, 12, 2)).lower()}
    assert (plus.model, plus.problem) == ("Plus1PM", None)
    assert "act" in plus.operations
    assert {plug.name, plus.name} <= {host.name for host in result.by_brand()["Shelly"]}


async def test_a_host_announcing_a_bogus_shelly_id_is_reported_untrusted(make: Make) -> None:
    impostor = await make(generation=2, device_id="shellyplus1pm-notamacaddress", advertised=True)
    result = await discover({"shelly": ShellyAdapter()}, interfaces=["127.0.0.1"], seconds=5)
    (found,) = [host for host in result.found if host.address == impostor.address]
    assert "not a Shelly Gen2+ id" in (found.problem or "") and "mac" not in found.identifiers


async def test_a_named_address_is_identified_by_its_slash_shelly(make: Make) -> None:
    device = await make(generation=2)  # not advertised
    hidden = await make(generation=1, advertised=True)
    await hidden.inject(Fault(kind=FaultKind.NOT_ADVERTISED))
    result = await discover({"shelly": ShellyAdapter()}, interfaces=["127.0.0.1"],
                            hosts=[f"{device.address}:{PORT}", f"{hidden.address}:{PORT}"], seconds=1)
    found = {host.address: host for host in result.found if host.via == "unicast"}
    assert found[device.address].identifiers["device_id"] == device.device_id
    assert found[hidden.address].name == hidden.device_id and found[hidden.address].model == "SHSW-PM"
    assert (await ShellyAdapter().identify_host(f"{device.address}:1", 1.0)) is None  # nothing answers there
