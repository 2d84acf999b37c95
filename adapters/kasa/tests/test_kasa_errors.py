"""A recognised dump that cannot be read names the file and the field; what firmware adds is tolerated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kasa_fixtures import document, fixture, write
from weaklink.errors import ExportError
from weaklink.model import CapabilityKind
from weaklink_kasa import KasaAdapter

Edit = Callable[[dict[str, Any]], object]


def sysinfo(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["system"]["get_sysinfo"]


def forget_who(doc: dict[str, Any]) -> None:
    """No device id and no MAC anywhere in a SMART dump."""
    for key in ("device_id", "mac"):
        doc["get_device_info"].pop(key)
    doc.pop("discovery_result")


def edited(tmp_path: Path, name: str, edit: Edit) -> Path:
    doc = document(fixture(name))
    edit(doc)
    return write(tmp_path / "dump.json", doc)


@pytest.mark.parametrize("name, edit, field", [
    ("iot_KP115", lambda d: sysinfo(d).update(relay_state="yes"), "system.get_sysinfo.relay_state"),
    ("iot_KP115", lambda d: d["system"].update(get_sysinfo=["not", "an", "object"]), "system.get_sysinfo"),
    ("iot_KP115", lambda d: sysinfo(d).update(err_code=-1), "system.get_sysinfo.err_code"),
    ("iot_KP115", lambda d: [sysinfo(d).pop(k) for k in ("deviceId", "mac")], "system.get_sysinfo.deviceId"),
    ("iot_KP115", lambda d: d["emeter"]["get_realtime"].update(power_mw="lots"), "emeter.get_realtime.power_mw"),
    ("iot_KL130", lambda d: sysinfo(d).update(light_state={"on_off": "bright"}),
     "system.get_sysinfo.light_state.on_off"),
    ("iot_HS300", lambda d: sysinfo(d).update(children="six"), "system.get_sysinfo.children"),
    ("smart_P110", lambda d: d.update(get_device_info=-1001), "get_device_info"),
    ("smart_P110", lambda d: d["get_device_info"].update(device_on="maybe"), "get_device_info.device_on"),
    ("smart_P110", lambda d: forget_who(d), "get_device_info.device_id"),
    ("smart_P110", lambda d: d.update(get_current_power={"current_power": "high"}),
     "get_current_power.current_power"),
    ("smart_P110", lambda d: d.update(component_nego={"component_list": "all"}), "component_nego.component_list"),
    ("smart_H100", lambda d: d["get_child_device_list"].update(child_device_list="none"),
     "get_child_device_list.child_device_list"),
])
def test_a_malformed_dump_names_the_file_and_the_field(name: str, edit: Edit, field: str, tmp_path: Path) -> None:
    path = edited(tmp_path, name, edit)
    assert KasaAdapter().detect(path)
    with pytest.raises(ExportError) as raised:
        KasaAdapter().load(path)
    assert raised.value.source == str(path) and raised.value.field == field
    assert str(path) in str(raised.value)


def test_a_dump_cut_short_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text('{\n  "system": {\n    "get_sysinfo": {"alias": "Lamp",\n')
    with pytest.raises(ExportError) as raised:
        KasaAdapter().load(path)
    assert raised.value.source == str(path) and raised.value.line == 4


def test_a_file_that_is_no_dump_is_refused_by_name(tmp_path: Path) -> None:
    path = write(tmp_path / "other.json", {"devices": []})
    with pytest.raises(ExportError, match="not a Kasa/Tapo device dump") as raised:
        KasaAdapter().load(path)
    assert raised.value.source == str(path)


def test_one_unreadable_hub_child_is_left_out_with_a_warning(tmp_path: Path) -> None:
    def break_the_button(doc: dict[str, Any]) -> None:
        button = next(c for c in doc["get_child_device_list"]["child_device_list"] if c["model"] == "S200B")
        button["at_low_battery"] = "perhaps"

    fragment = KasaAdapter().load(edited(tmp_path, "smart_H100", break_the_button))
    assert {d.model for d in fragment.devices} == {"H100", "T310", "T110", "T100", "T300", "KE100"}
    [warning] = fragment.log
    assert warning.level == "WARNING" and warning.at is None and "at_low_battery" in warning.message
    assert "get_child_device_list.child_device_list.4" in warning.message


def test_one_unreadable_outlet_is_left_out_with_a_warning(tmp_path: Path) -> None:
    fragment = KasaAdapter().load(edited(tmp_path, "iot_HS300", lambda d: sysinfo(d)["children"][2].pop("id")))
    outlets = [c.id.rsplit("/", 1)[1] for c in fragment.capabilities if c.kind is CapabilityKind.SWITCH]
    assert outlets == ["outlet:1", "outlet:2", "outlet:4", "outlet:5", "outlet:6"]
    [warning] = fragment.log
    assert "outlet 3" in warning.message and "children.2.id" in warning.message


def test_refused_modules_and_methods_are_no_capability(tmp_path: Path) -> None:
    def refuse(doc: dict[str, Any]) -> None:
        doc["emeter"] = {"err_code": -1, "err_msg": "module not support"}

    fragment = KasaAdapter().load(edited(tmp_path, "iot_KP115", refuse))
    assert [c.id.rsplit("/", 1)[1] for c in fragment.capabilities] == ["switch"]

    def refuse_smart(doc: dict[str, Any]) -> None:  # SMART records a refused method as its error code
        for method in ("get_current_power", "get_emeter_data", "get_energy_usage"):
            doc[method] = -1001

    fragment = KasaAdapter().load(edited(tmp_path, "smart_P110", refuse_smart))
    assert [c.id.rsplit("/", 1)[1] for c in fragment.capabilities] == ["switch"]


def test_new_fields_types_and_values_are_tolerated(tmp_path: Path) -> None:
    def from_the_future(doc: dict[str, Any]) -> None:
        doc["get_device_info"].update(type="SMART.TAPOFUTURE", brand_new_field={"nested": [1, 2]}, rssi=-40)
        doc["get_something_new"] = {"value": 1}
        doc["get_led_info"] = -40210

    fragment = KasaAdapter().load(edited(tmp_path, "smart_S505", from_the_future))
    assert [(c.kind, c.state) for c in fragment.capabilities] == [(CapabilityKind.SWITCH, "on")]

    def new_leak_state(doc: dict[str, Any]) -> None:
        leak = next(c for c in doc["get_child_device_list"]["child_device_list"] if c["model"] == "T300")
        leak.update(water_leak_status="sensor_fault", some_new_reading=3)

    fragment = KasaAdapter().load(edited(tmp_path, "smart_H100", new_leak_state))
    [leak] = [c for c in fragment.capabilities if c.kind is CapabilityKind.MOISTURE]
    assert leak.state == "off" and leak.attributes["status"] == "sensor_fault"


def test_older_firmware_reports_its_meter_in_units_not_milli_units(tmp_path: Path) -> None:
    def old_meter(doc: dict[str, Any]) -> None:
        doc["emeter"]["get_realtime"] = {"current": 0.0151, "err_code": 0, "power": 0.93, "total": 55.1,
                                         "voltage": 231.07}

    fragment = KasaAdapter().load(edited(tmp_path, "iot_KP115", old_meter))
    [meter] = [c for c in fragment.capabilities if c.id.endswith("/energy")]
    assert meter.state == "0.93" and meter.attributes == {"unit": "W"}


def test_a_hub_of_a_type_never_seen_is_known_by_what_is_paired_to_it(tmp_path: Path) -> None:
    fragment = KasaAdapter().load(edited(tmp_path, "smart_H100",
                                         lambda d: d["get_device_info"].update(type="SMART.TAPOGATEWAY")))
    [hub] = fragment.hubs
    assert len(fragment.devices) == 7 and all(d.hub_id == hub.id for d in fragment.devices[1:])


def test_an_empty_children_list_leaves_the_relay_alone(tmp_path: Path) -> None:
    fragment = KasaAdapter().load(edited(tmp_path, "iot_KP115", lambda d: sysinfo(d).update(children=[])))
    assert [c.id.rsplit("/", 1)[1] for c in fragment.capabilities] == ["switch", "energy"]
