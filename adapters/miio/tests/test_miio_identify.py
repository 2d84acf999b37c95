"""Registration, and recognising miIO devices: mDNS records (genuine and not) and unicast hellos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from miio_sim import DID, TIMEOUT, RecordingDevice

from weaklink.adapters import AdapterManifest, installed_adapters, live_adapters
from weaklink.live.contract import LiveAdapter
from weaklink.sim import Fault
from weaklink_miio import MiioAdapter

MANIFEST_FILE = Path(__file__).resolve().parent.parent / "weaklink_miio" / "manifest.json"
SERVICE = "_miio._udp.local."
OPERATIONS = ["discover", "identify", "snapshot", "probe", "observe", "act"]
HOST_OPERATIONS = ["snapshot", "probe", "observe", "act"]


def test_registered_as_a_live_adapter_under_the_entry_point_group() -> None:
    assert any(isinstance(adapter, MiioAdapter) for adapter in installed_adapters())
    assert isinstance(live_adapters()["miio"], MiioAdapter)
    assert isinstance(MiioAdapter(), LiveAdapter)


def test_manifest_is_the_json_file() -> None:
    manifest = AdapterManifest.model_validate(json.loads(MANIFEST_FILE.read_text()))
    assert MiioAdapter.manifest == manifest
    assert (manifest.name, manifest.brand, manifest.quality) == ("miio", "Xiaomi miIO", "experimental")
    assert manifest.operations == OPERATIONS and manifest.mdns_types == [SERVICE]


def test_a_plugs_record_names_its_model_device_id_and_mac() -> None:
    found = MiioAdapter().identify(SERVICE, f"chuangmi-plug-m1_miio{DID}.{SERVICE}", "127.0.9.9", 54321,
                                   {"epoch": "1", "mac": "286c078586d3"})
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name) == ("miio", "Xiaomi miIO", f"chuangmi-plug-m1_miio{DID}")
    assert (found.address, found.port, found.model, found.via) == ("127.0.9.9", 54321, "chuangmi.plug.m1", SERVICE)
    assert found.identifiers == {"device_id": str(DID), "mac": "28:6c:07:85:86:d3"}
    assert found.operations == HOST_OPERATIONS


def test_a_record_without_a_mac_is_still_a_device() -> None:
    found = MiioAdapter().identify(SERVICE, f"yeelink-light-color1_miio55966389.{SERVICE}", "127.0.9.9", 54321, {})
    assert found is not None and found.problem is None
    assert found.model == "yeelink.light.color1" and found.identifiers == {"device_id": "55966389"}


@pytest.mark.parametrize(("name", "mac", "problem"), [
    ("chuangmi-plug-m1_miioXYZ", "286c078586d3", "is not <model>_miio<device id>"),
    ("printer", "286c078586d3", "is not <model>_miio<device id>"),
    ("chuangmi-plug-m1_miio0", "286c078586d3", "device id 0 is not one"),
    ("chuangmi-plug-m1_miio99999999999", "286c078586d3", "device id 99999999999 is not one"),
    (f"chuangmi-plug-m1_miio{DID}", "not-a-mac", "TXT mac 'not-a-mac' is not a MAC address"),
])
def test_a_record_failing_the_identity_check_is_reported_untrusted(name: str, mac: str, problem: str) -> None:
    found = MiioAdapter().identify(SERVICE, f"{name}.{SERVICE}", "127.0.9.9", 54321, {"mac": mac})
    assert found is not None and found.adapter == "miio"
    assert problem in (found.problem or "") and "never sent a token" in (found.problem or "")
    assert found.operations == []


def test_other_service_types_are_not_miio() -> None:
    assert MiioAdapter().identify("_hue._tcp.local.", "Hue Bridge._hue._tcp.local.", "127.0.9.9", 443, {}) is None


async def test_a_unicast_hello_identifies_the_device_by_its_id(plug: RecordingDevice) -> None:
    found = await MiioAdapter().identify_host(plug.address, TIMEOUT)
    assert found is not None and found.problem is None
    assert (found.address, found.port, found.via, found.name) == (plug.address, 54321, "miio-handshake", f"miio{DID}")
    assert found.identifiers == {"device_id": str(DID)}
    assert plug.sealed == []  # a hello, nothing sealed with a token


async def test_a_silent_or_closed_address_is_no_device(plug: RecordingDevice) -> None:
    await plug.inject(Fault.parse("drop"))
    assert await MiioAdapter().identify_host(plug.address, 0.2) is None
    await plug.inject(Fault.parse("host_down"))  # nothing listens: refused
    assert await MiioAdapter().identify_host(plug.address, 0.2) is None


async def test_a_garbled_hello_is_reported_untrusted(plug: RecordingDevice) -> None:
    await plug.inject(Fault.parse("garble:magic"))
    found = await MiioAdapter().identify_host(plug.address, TIMEOUT)
    assert found is not None and found.identifiers == {}
    assert "magic 0x3121" in (found.problem or "") and "not trusted" in (found.problem or "")
