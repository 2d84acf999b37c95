"""Google Cast records: the receiver by its UUID, named as the user named it."""

from __future__ import annotations

import pytest
from mdns_records import CAST, NEST_MINI


def test_a_receiver_is_named_by_its_friendly_name_and_identified_by_its_uuid() -> None:
    found = NEST_MINI.identify()
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name, found.model, found.port, found.via, found.operations) == (
        None, "Google Cast", "Kitchen speaker", "Google Nest Mini", 8009, CAST, [])
    assert found.identifiers == {"cast_id": "3d5a9b1c8e7f4a2b9c0d1e2f3a4b5c6d"}


def test_a_uuid_written_with_dashes_is_the_same_receiver() -> None:
    found = NEST_MINI.identify({"id": "3D5A9B1C-8E7F-4A2B-9C0D-1E2F3A4B5C6D"})
    assert found is not None and found.identifiers == {"cast_id": "3d5a9b1c8e7f4a2b9c0d1e2f3a4b5c6d"}


def test_without_a_friendly_name_it_is_named_by_its_instance() -> None:
    found = NEST_MINI.identify({"fn": None})
    assert found is not None and found.name == NEST_MINI.instance


@pytest.mark.parametrize("cast_id", [None, "", "3d5a9b1c", "3d5a9b1c8e7f4a2b9c0d1e2f3a4b5c6z"])
def test_a_record_without_a_valid_uuid_is_not_trusted(cast_id: str | None) -> None:
    found = NEST_MINI.identify({"id": cast_id})
    assert found is not None and found.problem is not None and found.problem.endswith("not trusted")
    assert ("no id" in found.problem) if not cast_id else (repr(cast_id) in found.problem)
