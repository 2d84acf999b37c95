"""Sonos records: the player by its RINCON id and MAC, named by its room; household and location ids kept out."""

from __future__ import annotations

import pytest
from mdns_records import SONOS, SONOS_PLAYER


def test_a_player_is_identified_by_its_rincon_id_and_mac() -> None:
    found = SONOS_PLAYER.identify()
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name, found.port, found.via, found.operations) == (
        None, "Sonos", "Kitchen", 1443, SONOS, [])
    assert found.identifiers == {"sonos_player": "RINCON_347E5C0A1B2C01400", "mac": "347e5c0a1b2c"}
    assert found.model == "API 1.24.1"


def test_household_and_location_ids_never_leave() -> None:
    found = SONOS_PLAYER.identify()
    assert found is not None
    dumped = found.model_dump_json()
    for key in ("hhid", "mhhid", "locationid"):
        assert SONOS_PLAYER.txt[key] not in dumped
    assert "hH1xT0f8qLmN4oPz7rS2uV5wX9" not in dumped and "lc_" not in dumped


def test_a_model_announced_is_kept_and_a_name_without_a_room_is_the_instance() -> None:
    found = SONOS_PLAYER.identify({"model": "Sonos One"}, instance="Sonos-347E5C0A1B2C")
    assert found is not None and (found.name, found.model) == ("Sonos-347E5C0A1B2C", "Sonos One (API 1.24.1)")


def test_a_lower_case_rincon_id_is_the_same_player() -> None:
    for info in ("/api/v1/players/rincon_347e5c0a1b2c01400/info", "/api/v1/players/RINCON_347e5c0a1b2c01400/info"):
        found = SONOS_PLAYER.identify({"info": info})
        assert found is not None and found.problem is None
        assert found.identifiers == {"sonos_player": "RINCON_347E5C0A1B2C01400", "mac": "347e5c0a1b2c"}


@pytest.mark.parametrize("info", [None, "", "/api/v1/players/info", "/api/v1/players/RINCON_347E5C0A1B01400/info"])
def test_a_record_naming_no_player_is_not_trusted(info: str | None) -> None:
    found = SONOS_PLAYER.identify({"info": info})
    assert found is not None and found.problem is not None and found.problem.endswith("not trusted")
    assert ("no info" in found.problem) if not info else (repr(info) in found.problem)
    assert found.identifiers == {} and found.name == "Kitchen"
