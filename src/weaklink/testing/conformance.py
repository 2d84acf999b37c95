"""The adapter conformance kit: the contract tests every adapter passes, run against its own fixtures.

A vendor's package subclasses `AdapterConformance` in one of its test modules:

    class TestAcmeConformance(AdapterConformance):
        adapter = "acme"                                  # its entry point's name
        fixtures = Path(__file__).parent.parent / "fixtures"

and pytest (with weaklink installed, its plugin is loaded) runs every test below, once per
fixture where a test takes `fixture`. A fixture is a file of the folder (one per device
model, as python-kasa keeps them), or a sub-folder for an export that is a folder (a Home
Assistant config folder): override `fixture_paths` to choose.

What is checked, for offline import:
- the manifest is valid, registered under the entry point, and every operation it declares
  is implemented;
- every fixture is recognised by its content (under a name that says nothing) and loads;
- device and capability ids are unique, and stable from one load to the next; every
  capability belongs to a device of the fragment;
- every capability kind used is one the manifest declares;
- secrets (passwords, tokens, SSIDs, coordinates: any value under a secret key) planted as
  canaries in a fixture appear nowhere in what the adapter returns;
- a fixture cut short is an `ExportError` naming the file, never another exception;
- `detect` never raises, and claims neither garbage nor common JSON of no brand;
- loading is deterministic: the same export gives the same fragment, byte for byte.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from ..adapters import Adapter, AdapterManifest, installed_adapters
from ..errors import ExportError, InputError
from ..live.contract import LiveAdapter
from ..model import HomeFragment
from .canaries import has_secrets, plant_canaries

# What each declared operation needs the adapter to offer.
REQUIRED_METHODS = {
    "offline": ("detect", "load", "open_history"),
    "history": ("open_history",),
    "discover": ("identify",),
    "identify": ("identify_host",),
    "snapshot": ("connect",),
    "probe": ("connect",),
    "observe": ("connect",),
    "act": ("connect",),
    "dump": ("connect", "load"),  # its sessions' dump() writes what its offline reader loads
}
# Documents that belong to no brand: an adapter must not claim them.
FOREIGN_DOCUMENTS = {
    "empty-object.json": "{}",
    "empty-list.json": "[]",
    "numbers.json": "[1, 2, 3]",
    "settings.json": '{"name": "x", "version": 2, "items": [{"id": 1, "type": "thing"}]}',
    "nested.json": '{"data": {"devices": "none"}, "status": "ok"}',
    "binary.bin": "\x00\x01\x02\xff\xfe garbage",
    "text.txt": "the customer's words: my lights don't come on when I get home\n",
    "cut.json": '{"devices": [{"id": "1",',
}


class AdapterConformance:
    """Contract tests for an offline adapter; subclass with `adapter` and `fixtures` set."""

    adapter: ClassVar[str]
    fixtures: ClassVar[Path]
    # Dotted paths (fnmatch patterns) of fields that look like secrets but are the format's own
    # (Home Assistant's storage files name themselves under `key`): no canary is planted there.
    not_secret: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def fixture_paths(cls) -> list[Path]:
        """The fixtures to check: every visible file of `fixtures` (override for folder exports)."""
        return sorted(p for p in cls.fixtures.iterdir() if p.is_file() and not p.name.startswith(".")
                      and p.suffix != ".md")

    @classmethod
    def secret_fixture_paths(cls) -> list[Path]:
        """The fixtures that hold a value under a secret key (where canaries can be planted)."""
        return [path for path in cls.fixture_paths() if has_secrets(path, cls.not_secret)]

    # ------------------------------------------------------------------ helpers

    @classmethod
    def instance(cls) -> Adapter:
        """The installed adapter the entry point `adapter` names."""
        found = [a for a in installed_adapters() if a.manifest.name == cls.adapter]
        assert found, f"no installed adapter is named {cls.adapter!r}: is the package installed, with its " \
                      "`weaklink.adapters` entry point?"
        return found[0]

    def _load(self, path: Path) -> HomeFragment:
        adapter = self.instance()
        assert isinstance(adapter, Adapter), f"{self.adapter} does not implement the offline contract"
        return adapter.load(path)

    @staticmethod
    def _copy(path: Path, where: Path, name: str) -> Path:
        target = where / name
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            shutil.copyfile(path, target)
        return target

    # ------------------------------------------------------------------ the manifest

    def test_the_fixture_folder_holds_fixtures(self) -> None:
        assert self.fixtures.is_dir(), f"{self.fixtures} is not a folder"
        assert self.fixture_paths(), f"no fixtures in {self.fixtures}: add one file per device model"

    def test_the_manifest_is_valid_and_its_operations_are_implemented(self) -> None:
        adapter = self.instance()
        manifest = adapter.manifest
        assert isinstance(manifest, AdapterManifest)
        AdapterManifest.model_validate(manifest.model_dump())  # what it declares passes the manifest's own checks
        assert manifest.operations, "the manifest declares no operation"
        for operation in manifest.operations:
            for method in REQUIRED_METHODS[operation]:
                assert callable(getattr(adapter, method, None)), \
                    f"the manifest declares {operation!r}, but the adapter has no {method}()"
        if "offline" in manifest.operations:
            assert isinstance(adapter, Adapter)
        if {"snapshot", "probe", "observe", "act"} & set(manifest.operations):
            assert isinstance(adapter, LiveAdapter)

    # ------------------------------------------------------------------ every fixture

    def test_the_fixture_is_recognised_by_its_content(self, fixture: Path, tmp_path: Path) -> None:
        renamed = self._copy(fixture, tmp_path, "customer export (2)")
        assert self.instance().detect(renamed), f"{fixture.name}, renamed, is not recognised"

    def test_the_fixture_loads_into_devices(self, fixture: Path) -> None:
        fragment = self._load(fixture)
        assert isinstance(fragment, HomeFragment)
        assert fragment.devices, f"{fixture.name} gives no device"

    def test_ids_are_unique_and_stable(self, fixture: Path) -> None:
        first, again = self._load(fixture), self._load(fixture)
        devices = [d.id for d in first.devices]
        capabilities = [c.id for c in first.capabilities]
        assert len(devices) == len(set(devices)), f"device ids repeat: {sorted(devices)}"
        assert len(capabilities) == len(set(capabilities)), f"capability ids repeat: {sorted(capabilities)}"
        assert devices == [d.id for d in again.devices] and capabilities == [c.id for c in again.capabilities]

    def test_every_capability_belongs_to_a_device_of_the_fragment(self, fixture: Path) -> None:
        fragment = self._load(fixture)
        devices = {d.id for d in fragment.devices}
        strays = [c.id for c in fragment.capabilities if c.device_id is not None and c.device_id not in devices]
        assert not strays, f"capabilities of devices the fragment does not hold: {strays[:5]}"

    def test_capability_kinds_are_the_ones_the_manifest_declares(self, fixture: Path) -> None:
        declared = set(self.instance().manifest.capabilities)
        used = {c.kind for c in self._load(fixture).capabilities}
        assert used <= declared, f"kinds used but not declared in the manifest: {sorted(used - declared)}"

    def test_planted_secrets_never_reach_the_model(self, secret_fixture: Path, tmp_path: Path) -> None:
        copy = self._copy(secret_fixture, tmp_path, secret_fixture.name)
        canaries = plant_canaries(copy, self.not_secret)
        assert canaries.planted
        leaked = canaries.found_in(self._load(copy).model_dump_json())
        assert not leaked, f"secrets reached the model: {leaked}"

    def test_a_fixture_cut_short_is_an_export_error_naming_the_file(self, fixture: Path, tmp_path: Path) -> None:
        copy = self._copy(fixture, tmp_path, fixture.name)
        victim = _largest_json(copy)
        if victim is None:  # nothing of it is JSON: cut the file itself
            victim = copy
        raw = victim.read_bytes()
        victim.write_bytes(raw[: len(raw) // 2])
        with pytest.raises(InputError) as raised:
            self._load(copy)
        assert isinstance(raised.value, ExportError | InputError)
        assert raised.value.source is not None and Path(raised.value.source).name in (victim.name, copy.name), \
            f"the error names {raised.value.source!r}, not the file cut short ({victim.name})"

    def test_loading_is_deterministic(self, fixture: Path, tmp_path: Path) -> None:
        here = self._load(fixture).model_dump(exclude={"source"})
        elsewhere = self._load(self._copy(fixture, tmp_path, fixture.name)).model_dump(exclude={"source"})
        assert json.dumps(here, sort_keys=True, default=str) == json.dumps(elsewhere, sort_keys=True, default=str)

    # ------------------------------------------------------------------ what it must not claim

    def test_detect_never_raises_and_claims_no_foreign_file(self, tmp_path: Path) -> None:
        adapter = self.instance()
        claimed = []
        for name, text in FOREIGN_DOCUMENTS.items():
            path = tmp_path / name
            path.write_bytes(text.encode("latin-1"))
            if adapter.detect(path):
                claimed.append(name)
        assert not claimed, f"claims files of no brand: {claimed}"
        assert not adapter.detect(tmp_path / "does-not-exist.json")
        (tmp_path / "empty").mkdir()
        assert not adapter.detect(tmp_path / "empty")


def _largest_json(export: Path) -> Path | None:
    files: Iterator[Path] = iter([export]) if export.is_file() else (p for p in export.rglob("*") if p.is_file())
    parsed = []
    for path in files:
        try:
            json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError):
            continue
        parsed.append(path)
    return max(parsed, key=lambda p: p.stat().st_size, default=None)
