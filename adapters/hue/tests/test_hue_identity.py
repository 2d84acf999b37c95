"""Finding bridges, and refusing to send the key to a host that is not the bridge it should be."""

from __future__ import annotations

import pytest
from hue_sim import KEY, PORT, RecordingBridge, host_of, make_spec

from weaklink.adapters import live_adapters
from weaklink.errors import InputError
from weaklink.live.discover import discover
from weaklink.sim import Advertiser
from weaklink.sim.addresses import next_loopback
from weaklink_hue import SERVICE_TYPE, CertificateChanged, HueAdapter, IdentityMismatch
from weaklink_hue.identity import check_identity, mac_of, normalize_bridge_id

TXT = {"bridgeid": "001788fffe4d5e6f", "modelid": "BSB002"}


def test_a_hue_record_becomes_a_bridge(adapter: HueAdapter) -> None:
    found = adapter.identify(SERVICE_TYPE, f"Hue Bridge - 4D5E6F.{SERVICE_TYPE}", "127.0.0.9", 443, TXT)
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name, found.model) == ("hue", "Philips Hue", "Hue Bridge - 4D5E6F",
                                                                     "BSB002")
    assert found.identifiers == {"bridgeid": "001788fffe4d5e6f", "mac": "00:17:88:4d:5e:6f"}
    assert found.via == SERVICE_TYPE and set(found.operations) == {"snapshot", "probe", "observe", "act"}
    assert adapter.identify("_http._tcp.local.", "x._http._tcp.local.", "127.0.0.9", 80, TXT) is None


@pytest.mark.parametrize("bridge_id", ["", "1234", "001788fffe4d5e6g", "0017881234567890", "001788fffe4d5e6f00"])
def test_a_record_with_a_malformed_bridge_id_is_not_trusted(adapter: HueAdapter, bridge_id: str) -> None:
    found = adapter.identify(SERVICE_TYPE, f"Hue Bridge - X.{SERVICE_TYPE}", "127.0.0.9", 443,
                             {"bridgeid": bridge_id} if bridge_id else {})
    assert found is not None and "not a Hue bridge id" in (found.problem or "")
    assert "no credentials will be sent" in (found.problem or "")


def test_the_identity_check_wants_three_sources_to_agree() -> None:
    assert normalize_bridge_id(" 001788FFFE4D5E6F ") == "001788fffe4d5e6f" and normalize_bridge_id(17) is None
    assert mac_of("ecb5fafffe84fdc7") == "ec:b5:fa:84:fd:c7"
    good = "001788fffe4d5e6f"
    assert check_identity(None, good, good.upper(), "a") == good
    assert check_identity(good.upper(), good, good.upper(), "a") == good
    for expected, certificate, announced, words in ((None, good, "bogus", "not a Hue bridge id"),
                                                    (None, "001788fffe000000", good, "TLS certificate names"),
                                                    ("001788fffe000000", good, good, "not 001788fffe000000")):
        with pytest.raises(IdentityMismatch, match=words):
            check_identity(expected, certificate, announced, "127.0.0.9:443")


async def test_discovery_finds_the_bridge_and_flags_an_impostor(adapter: HueAdapter, advertiser: Advertiser) -> None:
    genuine = RecordingBridge(make_spec(next_loopback()), advertiser)
    impostor = RecordingBridge(make_spec(next_loopback()), advertiser, txt_bridge_id="not-a-bridge")
    for hue in (genuine, impostor):
        await hue.start()
    try:
        result = await discover({"hue": adapter}, interfaces=["127.0.0.1"], seconds=5)
    finally:
        for hue in (genuine, impostor):
            await hue.stop()
    found = {host.address: host for host in result.found}
    assert found[genuine.address].identifiers["bridgeid"] == genuine.bridge_id
    assert found[genuine.address].port == PORT and found[genuine.address].problem is None
    assert "not a Hue bridge id" in (found[impostor.address].problem or "")
    assert not genuine.requests and not impostor.requests  # discovery itself sends nothing to the bridges


async def test_a_bridge_named_by_address_is_identified_without_a_key(adapter: HueAdapter,
                                                                     bridge: RecordingBridge) -> None:
    found = await adapter.identify_host(f"{bridge.address}:{PORT}", timeout=2)
    assert found is not None and found.identifiers["bridgeid"] == bridge.bridge_id and found.via == "hue-api-config"
    assert found.identifiers["mac"] == bridge.spec.mac and found.model == "BSB002"
    assert await adapter.identify_host(f"{next_loopback()}:{PORT}", timeout=1) is None  # nothing there
    assert not bridge.saw()


async def test_connect_refuses_another_bridge_before_sending_the_key(adapter: HueAdapter,
                                                                     bridge: RecordingBridge) -> None:
    with pytest.raises(IdentityMismatch, match=f"is Hue bridge {bridge.bridge_id}, not 001788fffe000000"):
        await adapter.connect(host_of(bridge, bridge_id="001788FFFE000000"), timeout=2)
    assert [line.split()[:2] for line in bridge.requests] == [["GET", "/api/config"]]
    assert not bridge.saw()


async def test_connect_checks_the_home_files_bridge_id(adapter: HueAdapter, bridge: RecordingBridge) -> None:
    with pytest.raises(InputError, match="not a Hue bridge id"):
        await adapter.connect(host_of(bridge, bridge_id="my-bridge"), timeout=2)
    assert not bridge.requests


async def test_a_host_with_another_certificate_is_never_sent_the_key(adapter: HueAdapter) -> None:
    address = next_loopback()
    first = RecordingBridge(make_spec(address))
    await first.start()
    session = await adapter.connect(host_of(first, bridge_id=None), timeout=2)  # no id in the home file
    await first.stop()
    # another device takes the address, with the same key even, and another certificate
    second = RecordingBridge(make_spec(address))
    await second.start()
    try:
        [network] = await session.probe(timeout=2)
        with pytest.raises(CertificateChanged):
            await session.snapshot()
    finally:
        await session.close()
        await second.stop()
    assert (network.layer, network.ok) == ("network", False)
    assert "another certificate" in network.detail and "no credentials sent" in network.detail
    assert not second.requests  # the pinned certificate failed the handshake: not even a path was sent
    assert not first.saw(KEY)


def test_registered_under_the_entry_point() -> None:
    hue = live_adapters()["hue"]
    assert isinstance(hue, HueAdapter) and hue.manifest.mdns_types == [SERVICE_TYPE]
    assert hue.manifest.quality == "gold" and hue.manifest.brand == "Philips Hue"  # docs/writing-an-adapter.md
