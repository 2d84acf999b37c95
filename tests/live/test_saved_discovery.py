"""A saved discovery is part of a home: `weaklink discover --format json > found.json` in a home
folder puts every host it found in the graph, brands known from mDNS alone included, one node
with what another source says of the same device."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from weaklink.adapters import live_adapters
from weaklink.graph import HomeGraph
from weaklink.homefolder import import_home
from weaklink.live.discover import discover
from weaklink.live.saved_discovery import SavedDiscovery
from weaklink.sim import Advertiser
from weaklink.sim.home import VirtualHome, load_virtual_home
from weaklink.sim.livehome import live_home
from weaklink.sim.mdns import service_info

EXAMPLE = Path(__file__).parents[2] / "examples" / "virtual-home" / "home.yaml"


async def test_discovered_hosts_join_the_graph_and_merge_with_a_dump_of_the_same_device(
        fresh_address: Callable[[], str], advertiser: Advertiser, tmp_path: Path) -> None:
    spec = load_virtual_home(EXAMPLE)
    spec = spec.model_copy(update={"hosts": [h.model_copy(update={"address": fresh_address()}) for h in spec.hosts]})
    board = f"garage-sensor-{secrets.token_hex(3)}"
    mac = "a8032a" + secrets.token_hex(3)
    # an ESPHome board, a brand weaklink knows from its mDNS record alone
    await advertiser.register(service_info("_esphomelib._tcp.local.", board, fresh_address(), 6053, {
        "mac": mac, "version": "2024.11.1", "platform": "ESP32", "board": "esp32dev", "network": "wifi",
        "friendly_name": "Garage sensor"}))
    async with VirtualHome(spec, high_ports=True) as home:
        found = await discover(live_adapters(), interfaces=["127.0.0.1"], seconds=6)
        porch = next(h for h in live_home(home).hosts if h.name == "Porch relay")
        session = await live_adapters()["shelly"].connect(porch, 3.0)
        try:
            dump = await session.dump()  # type: ignore[attr-defined]
        finally:
            await session.close()
    (tmp_path / "found.json").write_text(SavedDiscovery.of(found).model_dump_json(indent=2))
    (tmp_path / "porch.json").write_text(json.dumps(dump.document))

    imported = import_home(tmp_path)
    assert sorted(adapter for _, adapter in imported.read) == ["discovery", "shelly"]
    graph = HomeGraph.from_fragments(imported.fragments)
    sensor = next(d for d in graph.devices if d.name == "Garage sensor")
    assert (sensor.brand, sensor.host) == ("ESPHome", found.found[[h.name for h in found.found].index(
        "Garage sensor")].address)
    relay = next(d for d in graph.devices if any(r.platform == "shelly" for r in graph.reports_of(d)))
    assert sorted(r.platform for r in graph.reports_of(relay)) == ["discovery", "shelly"]
    # a record that fails its brand's identity check is not made a device
    assert not [d for d in graph.devices if d.name.startswith("BOGUS")]
