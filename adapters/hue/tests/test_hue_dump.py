"""A bridge's resources saved to a file, read offline: the same home a live snapshot sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weaklink.errors import ExportError
from weaklink.model import CapabilityKind, IdentifierKind, Role, Transport
from weaklink_hue import HueAdapter, HueSession

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference"
AIOHUE = REFERENCE / "hue" / "aiohue_v2_resources.json"


def test_the_reference_bridge_imports_every_device_and_light() -> None:
    assert AIOHUE.is_file(), f"the reference dumps are missing: {AIOHUE}"
    adapter = HueAdapter()
    assert adapter.detect(AIOHUE)
    fragment = adapter.load(AIOHUE)
    raw = json.loads(AIOHUE.read_text())
    [hub] = fragment.hubs
    assert hub.role is Role.HUB and hub.model == "BSB003" and hub.id == "hue:bridge/aabbccddeeffggh"
    # every device resource is a device, the bridge's own one as the hub
    assert len(fragment.devices) == sum(1 for r in raw if r["type"] == "device")
    lights = [c for c in fragment.capabilities if c.kind is CapabilityKind.LIGHT]
    assert len(lights) == sum(1 for r in raw if r["type"] == "light")
    assert {c.state for c in lights} <= {"on", "off"} and all(c.device_id for c in lights)
    ids = [d.id for d in fragment.devices]
    assert len(ids) == len(set(ids)) and ids == [d.id for d in adapter.load(AIOHUE).devices]  # unique, stable
    # the dump's MACs are redacted to six bytes, no IEEE address: the devices with a Zigbee link
    # still hang off the bridge, and keep their Hue ids for matching
    zigbee = [d for d in fragment.devices if d.transport is Transport.ZIGBEE]
    assert len(zigbee) == sum(1 for r in raw if r["type"] == "zigbee_connectivity")
    assert all(d.hub_id == hub.id and any(i.kind is IdentifierKind.VENDOR for i in d.identifiers) for d in zigbee)


async def test_a_dump_of_what_the_bridge_answers_reads_as_its_live_snapshot(session: HueSession,
                                                                            tmp_path: Path) -> None:
    live = await session.snapshot()
    answer = await session.client.v2("GET", "", 2.0)
    config = await session.client.public_config(2.0)
    path = tmp_path / "bridge (copy).txt"  # recognised by what is in it, not by its name
    path.write_text(json.dumps({"config": config.model_dump(), "resources": answer.data}))
    adapter = HueAdapter()
    assert adapter.detect(path)
    offline = adapter.load(path)

    def comparable(fragment):  # type: ignore[no-untyped-def]
        return ([d.model_dump(exclude={"host"}) for d in fragment.devices],
                [c.model_dump() for c in fragment.capabilities], fragment.areas, fragment.time_zone)

    assert comparable(offline) == comparable(live)
    assert offline.source == str(path)


def test_the_bare_v2_answer_is_read_too(tmp_path: Path) -> None:
    resources = json.loads(AIOHUE.read_text())
    path = tmp_path / "resource.json"
    path.write_text(json.dumps({"errors": [], "data": resources}))
    assert [d.id for d in HueAdapter().load(path).devices] == [d.id for d in HueAdapter().load(AIOHUE).devices]


def test_an_unreadable_resource_is_left_out_with_a_warning_naming_it(tmp_path: Path) -> None:
    resources = json.loads(AIOHUE.read_text())
    light = next(r for r in resources if r["type"] == "light")
    light["on"] = {"on": "maybe"}
    path = tmp_path / "resources.json"
    path.write_text(json.dumps(resources))
    fragment = HueAdapter().load(path)
    assert f"hue:light/{light['id']}" not in {c.id for c in fragment.capabilities}
    assert any(light["id"] in entry.message and entry.at is None for entry in fragment.log)
    assert len(fragment.devices) == len(HueAdapter().load(AIOHUE).devices)


@pytest.mark.parametrize("text, line, field", [
    ('[\n{"id": "1", "type": "bridge",\n', 3, None),  # cut short
    ('{"config": {"name": 5}, "resources": [{"id": "b", "type": "bridge", "bridge_id": "001788fffe000001"}]}',
     None, "config.name"),
    ('[{"id": "d", "type": "device"}, {"id": "z", "type": "zigbee_connectivity"}]', None, "data"),  # no bridge
])
def test_a_dump_that_cannot_be_read_names_the_file_and_where(tmp_path: Path, text: str, line: int | None,
                                                             field: str | None) -> None:
    path = tmp_path / "hue.json"
    path.write_text(text)
    with pytest.raises(ExportError) as raised:
        HueAdapter().load(path)
    assert (raised.value.source, raised.value.line, raised.value.field) == (str(path), line, field)


def test_other_files_are_not_taken_for_a_bridge(tmp_path: Path) -> None:
    adapter = HueAdapter()
    others = [p for p in REFERENCE.rglob("*.json") if p.parent.name != "hue"]
    assert others and not any(adapter.detect(p) for p in others)
    (tmp_path / "list.json").write_text('[{"id": "1", "type": "switch"}]')  # ids and types, but no bridge's
    assert not adapter.detect(tmp_path / "list.json")
