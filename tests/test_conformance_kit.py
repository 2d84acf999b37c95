"""The conformance kit catches what it promises to: run it, in a pytest of its own, on adapters
that get each rule wrong, and on one that gets them right."""

from __future__ import annotations

import json

import pytest
from kit_support import kit_outcomes

pytest_plugins = ["pytester"]

# An adapter for a made-up brand, written into the inner test run; `BUG` picks what it gets wrong.
ADAPTER = '''
import json, random
from pathlib import Path
from weaklink.adapters import AdapterManifest
from weaklink.errors import ExportError
from weaklink.exports import read_json, sniff_json
from weaklink.model import Capability, Device, HomeFragment

BUG = {bug!r}


class GizmoAdapter:
    manifest = AdapterManifest(name="gizmo", brand="Gizmo", operations=["offline"] + (["probe"] if BUG == "undeclared" else []),
                               capabilities=["switch"] if BUG != "kinds" else [])

    def detect(self, path):
        if BUG == "greedy":
            return True
        document = sniff_json(path)
        return isinstance(document, dict) and "gizmo" in document

    def load(self, path):
        try:
            document = json.loads(Path(path).read_text())
        except ValueError:
            if BUG == "crash":
                raise
            raise ExportError("not JSON", source=path)
        gizmo = document["gizmo"]
        suffix = str(random.random()) if BUG == "unstable" else ""
        name = gizmo["name"] + (" " + gizmo.get("password", "") if BUG == "leak" else "")
        device = Device(id="gizmo:" + gizmo["serial"] + suffix, name=name)
        capabilities = [Capability(id="gizmo:" + gizmo["serial"] + "/relay", kind="switch", device_id=device.id)]
        return HomeFragment(source=str(path), platform="gizmo", devices=[device], capabilities=capabilities)

    def open_history(self, path):
        return None
'''
CONFTEST = '''
import pytest
from adapter import GizmoAdapter
import weaklink.adapters as adapters

@pytest.fixture(autouse=True)
def only_gizmo(monkeypatch):
    # the kit looks adapters up among the installed ones: install this one for the inner run
    monkeypatch.setattr(adapters, "installed_adapters", lambda: (GizmoAdapter(),))
    monkeypatch.setattr("weaklink.testing.conformance.installed_adapters", lambda: (GizmoAdapter(),))
'''
TESTS = '''
from pathlib import Path
from weaklink.testing import AdapterConformance

class TestGizmo(AdapterConformance):
    adapter = "gizmo"
    fixtures = Path(__file__).parent / "fixtures"
'''


def run_kit(pytester: pytest.Pytester, bug: str | None) -> dict[str, str]:
    """The kit's verdict on each of its tests for an adapter with `bug`."""
    pytester.makepyfile(adapter=ADAPTER.format(bug=bug), conftest=CONFTEST, test_gizmo=TESTS)
    fixtures = pytester.mkdir("fixtures")
    (fixtures / "G1_1.0.json").write_text(json.dumps({"gizmo": {"serial": "G1A", "name": "Porch",
                                                                "password": "hunter2hunter2"}}))
    (fixtures / "G2_2.1.json").write_text(json.dumps({"gizmo": {"serial": "G2B", "name": "Hall"}}))
    return kit_outcomes(pytester)


def failing(outcomes: dict[str, str]) -> set[str]:
    return {name.split("[")[0] for name, outcome in outcomes.items() if outcome != "PASSED"}


def test_a_sound_adapter_passes_every_test(pytester: pytest.Pytester) -> None:
    outcomes = run_kit(pytester, None)
    assert failing(outcomes) == set()
    # run once per fixture, and the canary test only where there is a secret to plant
    assert "test_the_fixture_loads_into_devices[G2_2.1.json]" in outcomes
    assert [name for name in outcomes if name.startswith("test_planted")] == [
        "test_planted_secrets_never_reach_the_model[G1_1.0.json]"]


@pytest.mark.parametrize("bug, caught", [
    ("leak", {"test_planted_secrets_never_reach_the_model"}),
    ("unstable", {"test_ids_are_unique_and_stable", "test_loading_is_deterministic"}),
    ("greedy", {"test_detect_never_raises_and_claims_no_foreign_file"}),
    ("crash", {"test_a_fixture_cut_short_is_an_export_error_naming_the_file"}),
    ("kinds", {"test_capability_kinds_are_the_ones_the_manifest_declares"}),
    ("undeclared", {"test_the_manifest_is_valid_and_its_operations_are_implemented"}),
])
def test_each_broken_rule_is_caught_by_its_test_and_no_other(pytester: pytest.Pytester, bug: str,
                                                              caught: set[str]) -> None:
    assert failing(run_kit(pytester, bug)) == caught
