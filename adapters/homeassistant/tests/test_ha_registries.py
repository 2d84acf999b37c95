"""The `.storage` read models, over every recorded format version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from weaklink.errors import ExportError
from weaklink_homeassistant.homeconfig import CORE_CONFIG, load_home_config
from weaklink_homeassistant.registries import (
    AREA_REGISTRY,
    CONFIG_ENTRIES,
    DEVICE_REGISTRY,
    ENTITY_REGISTRY,
    PERSONS,
    RESTORE_STATE,
    StoreFormat,
    load_registries,
    parse_store,
)

from ha_fixtures import HOME, STORAGE_VERSIONS

FORMATS = {f.key: f for f in (DEVICE_REGISTRY, ENTITY_REGISTRY, AREA_REGISTRY, CONFIG_ENTRIES, PERSONS, RESTORE_STATE, CORE_CONFIG)}


def _recorded() -> list[tuple[str, Path]]:
    found = [(path.name, path) for path in sorted((HOME / ".storage").iterdir()) if path.name in FORMATS]
    found += [(path.parent.name, path) for path in sorted(STORAGE_VERSIONS.glob("*/*.json"))]
    return found


def test_every_recorded_file_is_used() -> None:
    """A fixture no test reads is a format nobody checks."""
    assert {key for key, _ in _recorded()} == set(FORMATS)
    assert {path.parent.name for path in STORAGE_VERSIONS.glob("*/*.json")} <= set(FORMATS)
    assert not [path for path in STORAGE_VERSIONS.iterdir() if path.is_file()]


@pytest.mark.parametrize(("key", "path"), _recorded(), ids=lambda v: v if isinstance(v, str) else f"{v.parent.name}/{v.name}")
def test_recorded_file_parses(key: str, path: Path) -> None:
    parsed = parse_store(path.read_bytes(), FORMATS[key], source=path)
    dumped = parsed.model_dump_json()
    assert "CANARY" not in dumped
    assert "latitude" not in dumped and "52.373" not in dumped and "41.837" not in dumped


def test_device_registry_current_and_oldest() -> None:
    old = parse_store((STORAGE_VERSIONS / "core.device_registry/1.1.json").read_text(), DEVICE_REGISTRY, source="old")
    lamp = next(d for d in old.devices if d.name == "Hallway")
    assert lamp.via_device_id == "0d1c2b3a4f5e46d7c8b9a0f1e2d3c4b5"  # read from hub_device_id
    assert old.deleted_devices == []
    new = parse_store((STORAGE_VERSIONS / "core.device_registry/1.12.json").read_text(), DEVICE_REGISTRY, source="new")
    spot = next(d for d in new.devices if d.name_by_user == "Garden Spot")
    assert spot.entry_ids == ["01K45T0R8B2N6Q1V3X5Z7C9E2G", "01K45T3M5P7R9T1V3X5Z7B9D1F"]
    assert spot.model_id == "1741530P7"
    assert [d.id for d in new.deleted_devices] == ["1f2e3d4c5b6a49788796a5b4c3d2e1f0"]


def test_device_registry_major_2_reads_entries_from_subentries() -> None:
    """HA reads major 2 since 2025.2: the same shape without the `config_entries` list."""
    document = json.loads((STORAGE_VERSIONS / "core.device_registry/1.12.json").read_text())
    document["version"] = 2
    document["minor_version"] = 1
    for device in document["data"]["devices"]:
        del device["config_entries"]
    parsed = parse_store(json.dumps(document), DEVICE_REGISTRY, source="v2")
    assert parsed.devices[0].entry_ids == ["01K45T0R8B2N6Q1V3X5Z7C9E2G"]


def test_entity_registry_reads_numeric_unique_ids_and_deleted_entities() -> None:
    old = parse_store((STORAGE_VERSIONS / "core.entity_registry/1.1.json").read_text(), ENTITY_REGISTRY, source="old")
    attic = next(e for e in old.entities if e.entity_id == "sensor.attic_temperature")
    assert attic.unique_id == "2567"
    assert attic.disabled_by == "user"
    current = parse_store((HOME / ".storage/core.entity_registry").read_text(), ENTITY_REGISTRY, source="home")
    assert [e.entity_id for e in current.deleted_entities] == ["light.hallway_bulb"]
    motion = next(e for e in current.entities if e.entity_id == "binary_sensor.garage_motion")
    assert (motion.device_class, motion.original_device_class) == (None, "motion")


def test_config_entries_never_keep_data_or_options() -> None:
    for path in [HOME / ".storage/core.config_entries", *STORAGE_VERSIONS.glob("core.config_entries/*.json")]:
        parsed = parse_store(path.read_text(), CONFIG_ENTRIES, source=path)
        for entry in parsed.entries:
            assert not hasattr(entry, "data") and not hasattr(entry, "options")
        assert "CANARY" not in repr(parsed)
    old = parse_store((STORAGE_VERSIONS / "core.config_entries/1.1.json").read_text(), CONFIG_ENTRIES, source="old")
    assert {e.domain: e.connection_class for e in old.entries} == {"hue": "local_poll", "myq": "cloud_poll"}


def test_person_with_null_trackers_has_none() -> None:
    persons = parse_store((HOME / ".storage/person").read_text(), PERSONS, source="person")
    assert {p.name: p.device_trackers for p in persons.items} == {"Alex": ["device_tracker.pixel_8"], "Sam": []}


def test_core_config_keeps_time_zone_and_name_never_coordinates(tmp_path: Path) -> None:
    for version in ("1.1", "1.4"):
        (tmp_path / ".storage").mkdir(exist_ok=True)
        (tmp_path / ".storage/core.config").write_bytes((STORAGE_VERSIONS / f"core.config/{version}.json").read_bytes())
        config = load_home_config(tmp_path)
        assert (config.time_zone, config.location_name, config.unit_system) == ("Europe/Amsterdam", "Canal House", "metric")
        assert "52.37" not in config.model_dump_json() and "4.89" not in config.model_dump_json()
        assert config.tz() is not None


def test_yaml_core_settings_override_storage() -> None:
    config = load_home_config(HOME, {"homeassistant": {"name": "Maple Lane", "time_zone": "America/Denver"}})
    assert (config.location_name, config.time_zone) == ("Maple Lane", "America/Denver")


def test_unknown_major_version_is_refused_naming_file_and_version(tmp_path: Path) -> None:
    path = tmp_path / "core.entity_registry"
    document = json.loads((HOME / ".storage/core.entity_registry").read_text())
    document["version"], document["minor_version"] = 3, 1
    path.write_text(json.dumps(document))
    with pytest.raises(ExportError) as caught:
        parse_store(path.read_text(), ENTITY_REGISTRY, source=path)
    assert caught.value.source == str(path)
    assert "3.1" in caught.value.message and "not supported" in caught.value.message


@pytest.mark.parametrize("fmt", [DEVICE_REGISTRY, ENTITY_REGISTRY, AREA_REGISTRY, CONFIG_ENTRIES, PERSONS, CORE_CONFIG])
def test_every_format_refuses_a_major_it_does_not_know(fmt: StoreFormat) -> None:
    major = max(fmt.majors) + 1
    with pytest.raises(ExportError, match=f"version {major}"):
        parse_store(json.dumps({"version": major, "key": fmt.key, "data": {}}), fmt, source="x")


def test_extra_keys_are_tolerated_at_every_level() -> None:
    document = json.loads((HOME / ".storage/core.device_registry").read_text())
    document["written_by"] = "HA 2099.1"
    document["data"]["floors_of_the_future"] = []
    document["data"]["devices"][0]["quantum_link"] = {"entangled": True}
    document["data"]["devices"][0]["connections"].append(["thread", "fd00::1"])
    parsed = parse_store(json.dumps(document), DEVICE_REGISTRY, source="x")
    assert parsed.devices[0].name == "Hue Bridge"
    assert ["thread", "fd00::1"] in parsed.devices[0].connections


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "core.area_registry"
    text = (HOME / ".storage/core.area_registry").read_text()
    broken = text.replace('"name": "Garage",', '"name": "Garage"', 1)
    path.write_text(broken)
    with pytest.raises(ExportError) as caught:
        parse_store(path.read_bytes(), AREA_REGISTRY, source=path)
    expected_line = broken.splitlines().index(next(l for l in broken.splitlines() if '"name": "Garage"' in l)) + 2
    assert caught.value.source == str(path)
    assert caught.value.line == expected_line
    assert f"{path}:{expected_line}" in str(caught.value)


def test_wrong_type_names_the_field_path() -> None:
    document = json.loads((HOME / ".storage/core.entity_registry").read_text())
    document["data"]["entities"][4]["disabled_by"] = {"who": "user"}
    with pytest.raises(ExportError) as caught:
        parse_store(json.dumps(document), ENTITY_REGISTRY, source="core.entity_registry")
    assert caught.value.field == "data.entities.4.disabled_by"


def test_missing_required_key_is_named() -> None:
    document = json.loads((HOME / ".storage/core.area_registry").read_text())
    del document["data"]["areas"][2]["name"]
    with pytest.raises(ExportError, match="missing required key 'name'") as caught:
        parse_store(json.dumps(document), AREA_REGISTRY, source="core.area_registry")
    assert caught.value.field == "data.areas.2.name"


def test_a_file_with_another_key_is_refused() -> None:
    text = (HOME / ".storage/core.area_registry").read_text()
    with pytest.raises(ExportError, match="not 'core.device_registry'"):
        parse_store(text, DEVICE_REGISTRY, source="x")


def test_load_registries_reads_the_whole_folder() -> None:
    registries = load_registries(HOME)
    assert len(registries.devices.devices) == 14
    assert len(registries.entities.entities) == 20
    assert registries.restored_states["automation.garage_light_on_motion"] == "off"
    assert registries.entity_by_unique_id("automation", "1700000000001").entity_id == "automation.arrive_home"
    assert registries.entity_ids_by_registry_id()["6d2a9f4c81b34e0fa7c5e3b1d9f02a48"] == "lock.front_door"


def test_a_broken_restore_state_is_a_warning_not_a_failure(home: Path) -> None:
    (home / ".storage/core.restore_state").write_text("{ not json")
    warnings: list[str] = []
    registries = load_registries(home, warn=lambda message, where: warnings.append(message))
    assert registries.restored_states == {}
    assert warnings and "malformed JSON" in warnings[0]
    with pytest.raises(ExportError):
        load_registries(home)


def test_empty_folder_has_empty_registries(tmp_path: Path) -> None:
    registries = load_registries(tmp_path)
    assert registries.devices.devices == [] and registries.entities.entities == []
