"""HomeKit records (`_hap._tcp`, `_hap._udp`): device id, maker, category, pairing, configuration number."""

from __future__ import annotations

import pytest
from mdns_records import EVE_ENERGY, HAP, HAP_THREAD, THREAD_CONTACT, UNPAIRED_BRIDGE


def test_a_paired_outlet_is_named_with_its_maker_category_and_config_number() -> None:
    found = EVE_ENERGY.identify()
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name, found.address, found.port) == (
        None, "Eve", "Eve Energy 5A3F", "192.168.1.40", 80)
    assert found.model == "Eve Energy 20EBO8301 (outlet, paired, config #4)"
    assert found.identifiers == {"homekit_id": "5a3f1c880b9e"}
    assert (found.via, found.operations) == (HAP, [])


def test_an_accessory_waiting_to_be_paired_says_so() -> None:
    found = UNPAIRED_BRIDGE.identify()
    assert found is not None and found.problem is None
    assert found.brand == "HomeKit accessory"  # "homebridge" names no maker
    assert found.model == "homebridge (bridge, not paired, config #2)"
    assert found.identifiers == {"homekit_id": "0e2b4c617a90"}


def test_a_thread_accessory_is_found_over_hap_udp() -> None:
    found = THREAD_CONTACT.identify()
    assert found is not None and found.problem is None
    assert (found.brand, found.via) == ("Eve", HAP_THREAD)
    assert found.model == "Eve Door 20EBN9901 (sensor, paired, config #7, Thread)"


@pytest.mark.parametrize(("flags", "said"), [
    ("0", ["paired"]), ("1", ["not paired"]), ("3", ["not paired", "Wi-Fi not configured"]),
    ("4", ["paired", "reports a problem"]), ("5", ["not paired", "reports a problem"]),
])
def test_status_flags_are_read_bit_by_bit(flags: str, said: list[str]) -> None:
    found = EVE_ENERGY.identify({"sf": flags})
    assert found is not None and found.model == f"Eve Energy 20EBO8301 (outlet, {', '.join(said)}, config #4)"


@pytest.mark.parametrize(("category", "name"), [
    ("2", "bridge"), ("5", "lightbulb"), ("6", "door lock"), ("7", "outlet"), ("8", "switch"), ("9", "thermostat"),
    ("10", "sensor"), ("11", "security system"), ("12", "door"), ("13", "window"), ("14", "window covering"),
    ("17", "IP camera"), ("18", "video doorbell"), ("28", "sprinkler"), ("29", "faucet"), ("32", "remote"),
    ("99", "category 99"),
])
def test_categories_are_named(category: str, name: str) -> None:
    found = UNPAIRED_BRIDGE.identify({"ci": category})
    assert found is not None and found.model == f"homebridge ({name}, not paired, config #2)"


@pytest.mark.parametrize(("model", "maker"), [
    ("Eve Energy 20EBO8301", "Eve"), ("ecobee3 lite", "ecobee"), ("VELUX Window", "VELUX"), ("LIFX A19", "LIFX"),
    ("eve motion", "Eve"), ("Evening Lamp", "HomeKit accessory"), ("MSS425F", "HomeKit accessory"),
    (None, "HomeKit accessory"),
])
def test_the_brand_is_the_maker_only_when_the_model_names_it(model: str | None, maker: str) -> None:
    found = EVE_ENERGY.identify({"md": model})
    assert found is not None and found.brand == maker


def test_keys_are_read_whatever_their_case() -> None:
    found = EVE_ENERGY.identify({"id": None, "md": None, "ID": "5A:3F:1C:88:0B:9E", "MD": "Eve Energy 20EBO8301"})
    assert found is not None and found.problem is None
    assert found.identifiers == {"homekit_id": "5a3f1c880b9e"} and found.brand == "Eve"


def test_garbled_descriptive_fields_are_left_out_not_fatal() -> None:
    found = EVE_ENERGY.identify({"ci": "outlet", "sf": "", "c#": "four", "md": None})
    assert found is not None and found.problem is None
    assert found.model is None and found.identifiers == {"homekit_id": "5a3f1c880b9e"}


@pytest.mark.parametrize("device_id", [None, "", "1234", "5A:3F:1C:88:0B", "5A:3F:1C:88:0B:9E:00", "GG:3F:1C:88:0B:9E"])
def test_a_record_without_a_valid_device_id_is_kept_but_not_trusted(device_id: str | None) -> None:
    found = EVE_ENERGY.identify({"id": device_id})
    assert found is not None
    assert found.problem is not None and found.problem.endswith("not trusted")
    assert ("no id" in found.problem) if not device_id else (repr(device_id) in found.problem)
    assert found.model == "Eve Energy 20EBO8301 (outlet, paired, config #4)"  # still described
    assert found.identifiers == ({"homekit_id": device_id} if device_id else {})


def test_what_the_record_says_is_also_given_as_fields() -> None:
    paired, unpaired, thread = EVE_ENERGY.identify(), UNPAIRED_BRIDGE.identify(), THREAD_CONTACT.identify()
    assert paired is not None and unpaired is not None and thread is not None
    assert paired.details == {"category": "outlet", "paired": True, "wifi_configured": True,
                              "problem_detected": False, "config_number": 4, "state_number": 1, "transport": "ip"}
    assert (unpaired.details["paired"], unpaired.details["category"], unpaired.details["config_number"]) == (
        False, "bridge", 2)
    assert (thread.details["transport"], thread.details["state_number"]) == ("thread", 12)
    troubled = EVE_ENERGY.identify({"sf": "6"})
    assert troubled is not None
    assert (troubled.details["paired"], troubled.details["wifi_configured"], troubled.details["problem_detected"]) == (
        True, False, True)


def test_facts_a_record_does_not_state_are_left_out_of_its_fields() -> None:
    found = EVE_ENERGY.identify({"sf": None, "c#": "four", "s#": None})
    assert found is not None
    assert set(found.details) == {"category", "transport"}
