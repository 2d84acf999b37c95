"""Properties of the `.storage` parser: tolerant of what HA may add or omit, strict about garbage."""

from __future__ import annotations

import json
from typing import Any

from ha_fixtures import HOME
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from weaklink.errors import ExportError
from weaklink_homeassistant.homeconfig import CORE_CONFIG
from weaklink_homeassistant.registries import (
    AREA_REGISTRY,
    CONFIG_ENTRIES,
    DEVICE_REGISTRY,
    ENTITY_REGISTRY,
    PERSONS,
    StoreFormat,
    parse_store,
)

CASES: list[tuple[StoreFormat[Any], str, str | None]] = [
    (DEVICE_REGISTRY, "core.device_registry", "devices"),
    (ENTITY_REGISTRY, "core.entity_registry", "entities"),
    (AREA_REGISTRY, "core.area_registry", "areas"),
    (CONFIG_ENTRIES, "core.config_entries", "entries"),
    (PERSONS, "person", "items"),
    (CORE_CONFIG, "core.config", None),
]
# The keys HA has always written; everything else may be missing in some version.
REQUIRED = {
    "devices": {"id"},
    "entities": {"entity_id", "unique_id", "platform"},
    "areas": {"id", "name"},
    "entries": {"entry_id", "domain"},
    "items": {"id", "name"},
}
DOCUMENTS = {name: json.loads((HOME / ".storage" / name).read_text()) for _, name, _ in CASES}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
extra_keys = st.dictionaries(st.text(min_size=1, max_size=12).map(lambda k: f"x_{k}"), json_values, max_size=4)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), extras=extra_keys, data=st.data())
def test_extra_keys_and_missing_optional_fields_never_break_parsing(case, extras, data) -> None:  # type: ignore[no-untyped-def]
    fmt, name, list_key = case
    document = json.loads(json.dumps(DOCUMENTS[name]))
    document.update(extras)
    if list_key is None:
        target = document["data"]
        drop = data.draw(st.sets(st.sampled_from(sorted(target))))
        for key in drop:
            del target[key]
        target.update(extras)
    else:
        document["data"].update(extras)
        for item in document["data"][list_key]:
            optional = sorted(set(item) - REQUIRED[list_key])
            for key in data.draw(st.sets(st.sampled_from(optional))) if optional else ():
                del item[key]
            item.update(extras)
    parsed = parse_store(json.dumps(document), fmt, source=name)
    if list_key is not None:
        assert len(getattr(parsed, list_key)) == len(document["data"][list_key])


@settings(max_examples=200)
@given(case=st.sampled_from(CASES), garbage=st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_garbage_raises_export_error_only(case, garbage: bytes) -> None:  # type: ignore[no-untyped-def]
    fmt, name, _ = case
    try:
        parse_store(garbage, fmt, source=name)
    except ExportError as exc:
        assert exc.source == name
    # Garbage that happens to be a valid, empty store of the right major is fine too.


@settings(max_examples=150)
@given(case=st.sampled_from(CASES), data_value=json_values, version=st.integers(min_value=-3, max_value=5) | st.text(max_size=3))
def test_any_json_document_raises_export_error_or_parses(case, data_value, version) -> None:  # type: ignore[no-untyped-def]
    fmt, name, _ = case
    text = json.dumps({"version": version, "key": name, "data": data_value})
    try:
        parse_store(text, fmt, source=name)
    except ExportError as exc:
        assert exc.source == name and exc.message


@settings(max_examples=100)
@given(case=st.sampled_from([c for c in CASES if c[2]]), index=st.integers(min_value=0, max_value=3), junk=json_values)
def test_a_wrong_value_in_a_required_field_names_its_path(case, index, junk) -> None:  # type: ignore[no-untyped-def]
    fmt, name, list_key = case
    document = json.loads(json.dumps(DOCUMENTS[name]))
    items = document["data"][list_key]
    item = items[index % len(items)]
    key = sorted(REQUIRED[list_key])[0]
    if isinstance(junk, str) or (key == "unique_id" and isinstance(junk, (int, float)) and not isinstance(junk, bool)):
        return  # a valid value for that field
    item[key] = junk
    try:
        parse_store(json.dumps(document), fmt, source=name)
    except ExportError as exc:
        assert exc.field is not None and exc.field.startswith(f"data.{list_key}.{items.index(item)}.")
    else:
        raise AssertionError(f"{key}={junk!r} was accepted")
