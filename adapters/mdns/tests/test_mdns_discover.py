"""`weaklink discover` names a device of each of the five brands, over real mDNS on 127.0.0.1.

The records are published with weaklink's simulator advertiser and found by the real
`discover` with every installed live adapter, then by the real command in a subprocess.
Other test runs may publish on 127.0.0.1 at the same time: every id here is fresh per run,
and only our own records are looked at.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from mdns_records import CAST, ESPHOME, HAP, MATTER, SONOS

from weaklink.adapters import live_adapters
from weaklink.live.contract import Discovered
from weaklink.live.discover import discover
from weaklink.sim import Advertiser
from weaklink.sim.addresses import next_loopback
from weaklink.sim.mdns import service_info


@dataclass(frozen=True)
class Expected:
    """One record we publish, and how discovery must report it."""

    service_type: str
    instance: str
    address: str
    port: int
    txt: dict[str, str]
    brand: str
    key: str  # the identifier that identifies it
    value: str


def _records() -> list[Expected]:
    """One record per brand, with ids nobody else on this machine uses, and one HomeKit record without an id."""
    hap_id, node, mac, cast_id, sonos_mac = (secrets.token_hex(n).upper() for n in (6, 8, 6, 16, 6))
    fabric = secrets.token_hex(8).upper()
    hap = ":".join(hap_id[i:i + 2] for i in range(0, 12, 2))
    return [
        Expected(HAP, f"Eve Energy {hap_id[-4:]}", next_loopback(), 51827, {
            "c#": "4", "ff": "1", "id": hap, "md": "Eve Energy 20EBO8301", "pv": "1.1", "s#": "1", "sf": "1",
            "ci": "7", "sh": "W3lq4g=="}, "Eve", "homekit_id", hap_id.lower()),
        Expected(MATTER, f"{fabric}-{node}", next_loopback(), 5540, {"SII": "5000", "SAI": "300", "T": "0"},
                 "Matter device", "matter_node", f"{fabric}-{node}".lower()),
        Expected(ESPHOME, f"sensor-{mac[-6:].lower()}", next_loopback(), 6053, {
            "friendly_name": f"Sensor {mac[-6:]}", "version": "2024.6.1", "mac": mac.lower(), "platform": "ESP32",
            "board": "esp32dev", "network": "wifi"}, "ESPHome", "mac", mac.lower()),
        Expected(CAST, f"Google-Nest-Mini-{cast_id.lower()}", next_loopback(), 8009, {
            "id": cast_id.lower(), "md": "Google Nest Mini", "fn": f"Speaker {cast_id[:6]}", "ve": "05",
            "ca": "199172", "st": "0", "rs": ""}, "Google Cast", "cast_id", cast_id.lower()),
        Expected(SONOS, f"Sonos-{sonos_mac}@Kitchen", next_loopback(), 1443, {
            "info": f"/api/v1/players/RINCON_{sonos_mac}01400/info", "vers": "3", "protovers": "1.24.1",
            "bootseq": "88", "hhid": "Sonos_CANARY_HOUSEHOLD", "locationid": "lc_CANARY_LOCATION"},
                 "Sonos", "sonos_player", f"RINCON_{sonos_mac}01400"),
    ]


@pytest.fixture
async def published() -> AsyncIterator[tuple[list[Expected], Expected]]:
    """Our five devices and one HomeKit record without an id, announced on 127.0.0.1 for the test."""
    advertiser = Advertiser()
    records = _records()
    nameless = Expected(HAP, f"Broken Accessory {secrets.token_hex(3)}", next_loopback(), 51828,
                        {"md": "Mystery Plug", "ci": "7", "sf": "1", "c#": "1"}, "HomeKit accessory", "", "")
    try:
        for record in [*records, nameless]:
            server = f"host-{secrets.token_hex(4)}.local."
            await advertiser.register(service_info(record.service_type, record.instance, record.address,
                                                   record.port, record.txt, server=server))
        yield records, nameless
    finally:
        await advertiser.close()


def _ours(found: list[Discovered], expected: Expected) -> list[Discovered]:
    return [host for host in found if host.identifiers.get(expected.key) == expected.value]


async def test_discover_names_one_device_of_each_brand(published: tuple[list[Expected], Expected]) -> None:
    records, nameless = published
    result = await discover(live_adapters(), interfaces=["127.0.0.1"], seconds=6)
    for expected in records:
        hosts = _ours(result.found, expected)
        assert len(hosts) == 1, (expected.instance, [h.name for h in result.found])
        (host,) = hosts
        assert (host.brand, host.adapter, host.operations, host.problem) == (expected.brand, None, [], None)
        assert (host.address, host.port, host.via) == (expected.address, expected.port, expected.service_type)
    sonos = _ours(result.found, records[-1])[0]
    assert sonos.name == "Kitchen" and "CANARY" not in sonos.model_dump_json()
    eve = _ours(result.found, records[0])[0]
    assert eve.model == "Eve Energy 20EBO8301 (outlet, not paired, config #4)"
    # the record without a device id is listed once, not trusted
    (broken,) = [host for host in result.found if host.name == nameless.instance]
    assert "not trusted" in (broken.problem or "") and broken.address == nameless.address


async def test_the_command_lists_them_as_json(published: tuple[list[Expected], Expected]) -> None:
    records, nameless = published
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from weaklink.cli import main; main()", "discover", "--interface", "127.0.0.1",
        "--format", "json", "--seconds", "3", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    listed = [Discovered.model_validate(host) for host in json.loads(stdout)["hosts"]]
    for expected in records:
        hosts = _ours(listed, expected)
        assert [(h.brand, h.adapter, h.address, h.problem) for h in hosts] == [
            (expected.brand, None, expected.address, None)], expected.instance
    assert [h.problem is not None for h in listed if h.name == nameless.instance] == [True]
    assert "CANARY" not in stdout.decode()
