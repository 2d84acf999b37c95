"""Recognising Shellies from their mDNS records and their `/shelly` answers, without a network."""

from __future__ import annotations

import pytest

from weaklink_shelly import ShellyAdapter
from weaklink_shelly.identity import NotAShelly, mismatch, read_identity

SHELLY, HTTP = "_shelly._tcp.local.", "_http._tcp.local."
GEN2_TXT = {"gen": "2", "app": "Plus1PM", "ver": "1.1.0"}

# `/shelly` as real devices answer it (from published device dumps)
GEN1_SHELLY = {"type": "SHPLG-S", "mac": "AABBCCDDEEFF", "auth": False, "fw": "20230913-113421/v1.14.0-gcb84623",
               "discoverable": True, "longid": 1, "num_outputs": 1, "num_meters": 1}
GEN2_SHELLY = {"name": None, "id": "shellyplus1pm-aabbccddeeff", "mac": "AABBCCDDEEFF", "slot": 0,
               "model": "SNSW-001P16EU", "gen": 2, "fw_id": "20231219-133934/1.1.0-g34b5d4f", "ver": "1.1.0",
               "app": "Plus1PM", "auth_en": True, "auth_domain": "shellyplus1pm-aabbccddeeff"}


def identify(service_type: str, name: str, properties: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return ShellyAdapter().identify(service_type, f"{name}.{service_type}", "127.0.0.9", 80, properties or {})


def test_a_gen2_record_gives_its_mac_model_and_operations() -> None:
    for service_type in (SHELLY, HTTP):
        host = identify(service_type, "shellyplus1pm-aabbccddeeff", GEN2_TXT)
        assert host is not None and host.problem is None
        assert (host.adapter, host.brand, host.name, host.address, host.port) == \
            ("shelly", "Shelly", "shellyplus1pm-aabbccddeeff", "127.0.0.9", 80)
        assert host.identifiers == {"device_id": "shellyplus1pm-aabbccddeeff", "mac": "aa:bb:cc:dd:ee:ff"}
        assert (host.model, host.via) == ("Plus1PM", service_type)
        assert host.operations == ["snapshot", "probe", "observe", "act"]


def test_a_gen1_record_gives_its_hostname_and_model() -> None:
    host = identify(HTTP, "shellyplug-s-DDEEFF", {"id": "shellyplug-s-DDEEFF", "fw_id": "x", "arch": "esp8266"})
    assert host is not None and host.problem is None
    assert host.identifiers == {"device_id": "shellyplug-s-DDEEFF"}  # Gen1 names carry half the MAC only
    assert host.model == "SHPLG-S"
    assert identify(HTTP, "shellyplug-DDEEFF").model is None  # two models share that prefix


def test_other_brands_http_records_are_left_alone() -> None:
    assert identify(HTTP, "Brother HL-L2350DW") is None
    assert identify(HTTP, "nas-aabbccddeeff", GEN2_TXT) is None


@pytest.mark.parametrize(("service_type", "name", "properties", "problem"), [
    (SHELLY, "shellyplus1pm-notamacaddress", GEN2_TXT, "not a Shelly Gen2+ id"),
    (SHELLY, "plug-aabbccddeeff", GEN2_TXT, "not a Shelly Gen2+ id"),
    (HTTP, "shellyplus1pm-aabbcc", GEN2_TXT, "not a Shelly Gen2+ id"),  # half a MAC on a Gen2
    (HTTP, "shelly1-XYZ123", {}, "not a Shelly Gen1 id"),
    (HTTP, "shelly1-AABBCC", {"id": "shelly1-112233"}, "TXT id"),
    (SHELLY, "shellyplus1-aabbccddeeff", {"gen": "two"}, "TXT gen 'two'"),
])
def test_a_record_claiming_to_be_a_shelly_that_fails_its_identity_is_kept_untrusted(
        service_type: str, name: str, properties: dict[str, str], problem: str) -> None:
    host = identify(service_type, name, properties)
    assert host is not None and host.brand == "Shelly"
    assert problem in (host.problem or "") and "no credentials will be sent" in (host.problem or "")
    assert "mac" not in host.identifiers


def test_slash_shelly_of_both_generations() -> None:
    gen1 = read_identity(GEN1_SHELLY)
    assert (gen1.generation, gen1.device_id, gen1.model, gen1.mac_address, gen1.auth) == \
        (1, "shellyplug-s-DDEEFF", "SHPLG-S", "aa:bb:cc:dd:ee:ff", False)
    gen2 = read_identity(GEN2_SHELLY)
    assert (gen2.generation, gen2.device_id, gen2.model, gen2.auth) == (2, "shellyplus1pm-aabbccddeeff",
                                                                        "SNSW-001P16EU", True)
    assert read_identity({**GEN2_SHELLY, "id": "ShellyWallDisplay-AABBCCDDEEFF"}).generation == 2


@pytest.mark.parametrize("document", [
    [1, 2], {"hello": "world"}, {**GEN1_SHELLY, "mac": "not-a-mac"},
    {**GEN2_SHELLY, "id": "shellyplus1pm-112233445566"},  # an id that is not its MAC's
    {**GEN2_SHELLY, "id": "printer-aabbccddeeff"},
])
def test_an_answer_that_is_no_shellys_identity(document: object) -> None:
    with pytest.raises(NotAShelly):
        read_identity(document)


def test_mismatch_by_mac_or_device_id() -> None:
    gen1, gen2 = read_identity(GEN1_SHELLY), read_identity(GEN2_SHELLY)
    assert mismatch(gen2, "aa-bb-cc-dd-ee-ff", "shellyplus1pm-AABBCCDDEEFF") is None  # any spelling
    assert "not the expected 11:22:33:44:55:66" in (mismatch(gen2, "112233445566", None) or "")
    assert "not the expected shellyplus1pm-112233445566" in (mismatch(gen2, None, "shellyplus1pm-112233445566") or "")
    assert mismatch(gen1, None, "shellyplug-s-ddeeff") is None  # Gen1: the hostname's MAC digits
    assert "does not end in" in (mismatch(gen1, None, "shellyplug-s-112233") or "")
