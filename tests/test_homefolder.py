"""A folder of exports of any brands is a home: what is read whole, what file by file, what is left out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from weaklink.adapters import AdapterManifest
from weaklink.errors import ExportError, InputError
from weaklink.exports import read_json, sniff_json, validated
from weaklink.homefolder import import_home
from weaklink.model import Device, HomeFragment

from cli_support import HOME, weaklink_process


class GizmoExports:
    """A made-up brand whose export is a JSON object with a `gizmo_devices` list, under any name."""

    manifest = AdapterManifest(name="gizmo", brand="Gizmo", operations=["offline"])

    def detect(self, path: Path) -> bool:
        document = sniff_json(path)
        return isinstance(document, dict) and "gizmo_devices" in document

    def load(self, path: Path) -> HomeFragment:
        document = read_json(path)
        devices = [validated(Device, item, path, at=f"gizmo_devices.{index}")
                   for index, item in enumerate(document["gizmo_devices"])]
        return HomeFragment(source=str(path), platform="gizmo", devices=devices)

    def open_history(self, path: Path) -> None:
        return None


def gizmo_file(path: Path, *names: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"gizmo_devices": [{"id": f"gizmo:{n}", "name": n} for n in names]}))
    return path


def test_files_are_recognised_by_content_whatever_their_names(tmp_path: Path) -> None:
    gizmo_file(tmp_path / "export (3).json", "porch")
    gizmo_file(tmp_path / "nested" / "more" / "backup.txt", "hall")
    (tmp_path / "README.md").write_text("what the customer sent\n")
    (tmp_path / "photo.json").write_text('{"not": "a gizmo"}')
    gizmo_file(tmp_path / ".hidden" / "old.json", "ghost")
    imported = import_home(tmp_path, [GizmoExports()])
    assert sorted(d.name for f in imported.fragments for d in f.devices) == ["hall", "porch"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in imported.skipped) == ["README.md", "photo.json"]
    assert {name for _, name in imported.read} == {"gizmo"}


def test_a_folder_an_adapter_reads_whole_is_not_walked_file_by_file(tmp_path: Path) -> None:
    shutil.copytree(HOME, tmp_path / "ha-config")
    gizmo_file(tmp_path / "gizmo.json", "porch")
    imported = import_home(tmp_path)  # the installed adapters: Home Assistant reads its folder whole
    assert (tmp_path / "ha-config", "homeassistant") in imported.read
    assert not any(path.is_relative_to(tmp_path / "ha-config") for path in imported.skipped)
    assert tmp_path / "gizmo.json" in imported.skipped  # no installed adapter knows the made-up brand


def test_nothing_recognised_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="no installed adapter recognises anything here"):
        import_home(tmp_path, [GizmoExports()])


def test_a_recognised_file_that_does_not_fit_names_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "gizmo.json"
    path.write_text(json.dumps({"gizmo_devices": [{"id": "gizmo:1", "name": "ok"}, {"id": "gizmo:2"}]}))
    with pytest.raises(ExportError) as raised:
        import_home(tmp_path, [GizmoExports()])
    assert raised.value.source == str(path) and raised.value.field == "gizmo_devices.1.name"


def test_read_json_names_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{\n  "gizmo_devices": [\n    {"id": 1,,}\n')
    with pytest.raises(ExportError) as raised:
        read_json(path)
    assert raised.value.line == 3 and raised.value.source == str(path)
    assert sniff_json(path) is None  # sniffing a broken file is no error: it is just not recognised


def test_sniffing_reads_a_file_again_once_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"version": 1}')
    assert sniff_json(path) == {"version": 1}
    path.write_text('{"version": 22}')  # another size, so another cache key even on a coarse clock
    assert sniff_json(path) == {"version": 22}


def test_the_graph_command_lists_what_it_left_out(tmp_path: Path) -> None:
    shutil.copytree(HOME, tmp_path / "ha")
    (tmp_path / "notes.txt").write_text("the customer's words")
    result = weaklink_process("graph", "--home", tmp_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["devices"]
    assert "1 file(s) no installed adapter recognises were left out: notes.txt" in result.stderr
