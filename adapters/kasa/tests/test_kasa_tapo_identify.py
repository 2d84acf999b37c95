"""Finding a Tapo device at an address the user names, without credentials: one TP-Link discovery
probe to its UDP 20002 (never a broadcast, never KLAP), and what it says of itself."""

from __future__ import annotations

from kasa_live_support import PORT, Make
from tapo_live_support import TAPO_PORT, MakeTapo
from weaklink_kasa import KasaAdapter
from weaklink_kasa.tapo_discovery import discovered, parse_answer, probe_packet

from weaklink.sim import Fault, FaultKind
from weaklink.sim.addresses import next_loopback


async def test_a_tapo_plug_is_identified_by_its_discovery_answer(make_tapo: MakeTapo) -> None:
    plug = await make_tapo(model="P110(EU)", name="Desk fan")
    found = await KasaAdapter().identify_host(plug.address, 1.0)
    assert found is not None and found.problem is None
    assert (found.adapter, found.name, found.address, found.port, found.model, found.via) == \
        ("kasa", "P110(EU)", plug.address, TAPO_PORT, "P110(EU)", "kasa-tdp")  # the name needs the account
    assert found.identifiers == {"mac": plug.spec.mac.lower()}
    assert found.operations == ["snapshot", "probe", "observe", "act"]
    assert plug.discovery_requests == 1 and plug.request_log == []  # no KLAP, nothing of the account


async def test_a_strip_is_identified_too(make_tapo: MakeTapo) -> None:
    strip = await make_tapo(model="P300(EU)")
    found = await KasaAdapter().identify_host(strip.address, 1.0)
    assert found is not None and found.model == "P300(EU)"


async def test_a_silent_or_garbled_device_is_no_device(make_tapo: MakeTapo) -> None:
    for fault in (Fault(kind=FaultKind.DROP), Fault(kind=FaultKind.GARBLE)):
        plug = await make_tapo()
        await plug.inject(fault)
        assert await KasaAdapter().identify_host(plug.address, 0.3) is None, fault


async def test_a_legacy_plug_is_still_identified_as_one(make: Make) -> None:
    plug = await make(model="KP125(US)", name="Old lamp")
    found = await KasaAdapter().identify_host(f"{plug.address}:{PORT}", 1.0)
    assert found is not None and (found.via, found.name) == ("kasa-udp", "Old lamp")


async def test_nothing_at_the_address_is_no_device() -> None:
    assert await KasaAdapter().identify_host(next_loopback(), 0.3) is None


def test_the_probe_is_the_bare_tdp_header() -> None:
    # version 2, message type 0, op code 1 (probe), no payload, the CRC-32 in place (python-kasa's constant)
    assert probe_packet().hex() == "020000010000000000000000463cb5d3"


def test_answers_that_are_not_a_discovery_answer_are_refused() -> None:
    header = bytes(16)
    for data in (b"", header, header + b"{not json", header + b'{"error_code": -1}',
                 header + b'{"error_code": 0, "result": {"device_model": "P110(EU)"}}'):  # no device type
        assert parse_answer(data) is None, data
    found = parse_answer(header + b'{"error_code": 0, "result": {"device_type": "SMART.TAPOPLUG", "mac": "3C-84-6A-'
                                  b'01-02-03", "mgt_encrypt_schm": {"encrypt_type": "AES", "http_port": 80}}}')
    assert found is not None and (found.mac, found.encryption, found.http_port) == ("3c:84:6a:01:02:03", "AES", 80)
    # older firmware's AES passthrough: listed, with nothing weaklink can do with it live
    assert discovered(found, "127.9.9.9", ["snapshot"], "TP-Link Kasa/Tapo").operations == []
