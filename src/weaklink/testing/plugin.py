"""The pytest plugin behind the conformance kit (registered under pytest's `pytest11` entry point).

It only parametrises: a test of an `AdapterConformance` subclass that takes `fixture` runs
once per fixture of the class, one that takes `secret_fixture` once per fixture holding a
secret. A test with nothing to run on (no fixture holds a secret: a Hue bridge's answers
have none) is deselected, not skipped: there is nothing it could check. Nothing happens for
any other test, so having weaklink installed changes no one else's test run.
"""

from __future__ import annotations

import pytest

from .conformance import AdapterConformance


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise the kit's tests over the subclass's fixtures, or its mDNS service types."""
    kit = metafunc.cls
    if kit is None:
        return
    if issubclass(kit, AdapterConformance):
        for argument, paths in (("fixture", kit.fixture_paths), ("secret_fixture", kit.secret_fixture_paths)):
            if argument in metafunc.fixturenames:
                chosen = paths() if kit.fixtures.is_dir() else []
                _parametrize(metafunc, argument, chosen, [p.name for p in chosen])
    elif getattr(kit, "_weaklink_live_kit", False) and "service_type" in metafunc.fixturenames:
        types = list(kit.instance().manifest.mdns_types)
        _parametrize(metafunc, "service_type", types, types)


def _parametrize(metafunc: pytest.Metafunc, argument: str, values: list[object], ids: list[str]) -> None:
    if values:
        metafunc.parametrize(argument, values, ids=ids)
    else:
        metafunc.parametrize(argument, [pytest.param(None, marks=_NOTHING_TO_CHECK, id="none")])


_NOTHING_TO_CHECK = pytest.mark.weaklink_nothing_to_check


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker that stands for "no fixture to run this on"."""
    config.addinivalue_line("markers", "weaklink_nothing_to_check: a kit test with no fixture to run on")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the kit's tests that have no fixture to run on."""
    idle = [item for item in items if item.get_closest_marker("weaklink_nothing_to_check") is not None]
    if idle:
        config.hook.pytest_deselected(items=idle)
        items[:] = [item for item in items if item.get_closest_marker("weaklink_nothing_to_check") is None]
