"""The mDNS adapter as weaklink loads it: manifest, the live contract, no sessions, no secrets, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mdns_records import CANARIES, SAMPLES, Sample

from weaklink.adapters import installed_adapters, live_adapters
from weaklink.errors import InputError
from weaklink.live.contract import HostSpec, LiveAdapter
from weaklink_mdns import READERS, MdnsAdapter

SERVICE_TYPES = ["_hap._tcp.local.", "_hap._udp.local.", "_matter._tcp.local.", "_matterc._udp.local.",
                 "_esphomelib._tcp.local.", "_googlecast._tcp.local.", "_sonos._tcp.local."]


def test_the_manifest_declares_a_discovery_only_adapter_for_the_five_brands() -> None:
    manifest = MdnsAdapter().manifest
    assert (manifest.name, manifest.brand, manifest.quality) == ("mdns", "mDNS-identified devices", "experimental")
    assert (manifest.operations, manifest.capabilities, manifest.host_operations) == (["discover"], [], [])
    assert manifest.mdns_types == SERVICE_TYPES
    assert set(READERS) == set(manifest.mdns_types)  # every type browsed has a reader, and no reader goes unused


def test_weaklink_loads_it_from_its_entry_point_as_a_live_adapter() -> None:
    (adapter,) = [a for a in installed_adapters() if a.manifest.name == "mdns"]
    assert isinstance(adapter, MdnsAdapter) and isinstance(adapter, LiveAdapter)
    assert isinstance(live_adapters()["mdns"], MdnsAdapter)


async def test_nothing_can_be_opened_to_an_identified_device() -> None:
    host = HostSpec(adapter="mdns", name="Kitchen speaker", address="192.168.1.41", port=8009)
    with pytest.raises(InputError) as raised:
        await MdnsAdapter().connect(host, timeout=1)
    assert "only names devices" in raised.value.message and "nothing can be opened" in raised.value.message
    assert "Kitchen speaker" in raised.value.message and raised.value.field == "adapter"


@pytest.mark.parametrize("service_type", ["_hue._tcp.local.", "_http._tcp.local.", "_shelly._tcp.local.",
                                          "_airplay._tcp.local.", "_hap._tcp"])
def test_other_service_types_are_left_to_other_adapters(service_type: str) -> None:
    assert MdnsAdapter().identify(service_type, f"x.{service_type}", "192.168.1.40", 80, {"id": "x"}) is None


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.instance)
def test_planted_secrets_and_private_ids_never_reach_the_result(sample: Sample) -> None:
    canaries = CANARIES[sample.service_type]
    found = sample.identify(dict(canaries))
    assert found is not None and found.problem is None
    dumped = found.model_dump_json()
    assert not [value for value in canaries.values() if value in dumped]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.instance)
def test_every_realistic_record_is_trusted_named_only_and_found_via_its_type(sample: Sample) -> None:
    found = sample.identify()
    assert found is not None and found.problem is None and found.identifiers
    assert (found.adapter, found.operations, found.via, found.port) == (None, [], sample.service_type, sample.port)


@settings(max_examples=150, deadline=None)
@given(service_type=st.sampled_from(SERVICE_TYPES), instance=st.text(min_size=1, max_size=40),
       txt=st.dictionaries(st.sampled_from(["id", "ID", "md", "c#", "sf", "ci", "D", "VP", "CM", "DT", "DN", "mac",
                                            "fn", "info", "protovers", "version", "platform", "board", "project_name",
                                            "other"]),
                           st.text(max_size=30), max_size=8))
def test_any_record_of_its_types_is_identified_without_raising(service_type: str, instance: str,
                                                               txt: dict[str, str]) -> None:
    found = MdnsAdapter().identify(service_type, f"{instance}.{service_type}", "192.168.1.40", 0, txt)
    assert found is not None and found.via == service_type and found.port is None
    assert found.problem is not None or found.identifiers  # trusted only with an identity
