"""The adapter contract and how adapters are found.

An adapter reads one brand's world and returns a `HomeFragment`. Adapters are found only
through the `weaklink.adapters` entry-point group: the adapters in this repository's
`adapters/` folder are installed packages registered there exactly as a vendor's separate
package would be, and the core never imports a specific adapter.

An entry point names a class (or any zero-argument callable) that returns an object with:

- `manifest`: an `AdapterManifest`, readable without touching the network or the disk;
- `detect(path) -> bool`: whether this adapter can read the folder or file at `path`;
- `load(path) -> HomeFragment`: read the export at `path` (offline import);
- `open_history(path) -> History | None`: the recorded history at `path`, if it has one.

An adapter that talks to live hosts offers the methods of `weaklink.live.contract.LiveAdapter`
instead of (or beside) those; it must offer one of the two sets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from importlib.resources import files
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from .errors import AdapterError, InputError
from .history import History
from .live.contract import LiveAdapter
from .model import HomeFragment

ENTRY_POINT_GROUP = "weaklink.adapters"


class AdapterManifest(BaseModel):
    """What an adapter declares about itself."""

    name: str
    brand: str
    description: str = ""
    protocols: list[str] = Field(default_factory=list)
    operations: list[str] = Field(default_factory=list)  # offline, history, discover, snapshot, probe, observe, act
    mdns_types: list[str] = Field(default_factory=list)  # e.g. "_hue._tcp.local.": what discovery browses for
    # The integration domains through which hub platforms reach this brand's devices (Home
    # Assistant's `xiaomi_miio` for miIO): how a live trace knows that a platform entity's device
    # is behind a host this adapter talks to.
    platform_domains: list[str] = Field(default_factory=list)
    quality: str = "experimental"

    @classmethod
    def of_package(cls, package: str) -> AdapterManifest:
        """The `manifest.json` shipped inside an adapter's package (`AdapterManifest.of_package(__package__)`)."""
        return cls.model_validate_json(files(package).joinpath("manifest.json").read_text(encoding="utf-8"))


@runtime_checkable
class Adapter(Protocol):
    """An offline adapter: reads an export on disk into a home fragment."""

    manifest: AdapterManifest

    def detect(self, path: Path) -> bool:
        """Whether this adapter can read the folder or file at `path`."""
        ...

    def load(self, path: Path) -> HomeFragment:
        """Read the export at `path` into a home fragment."""
        ...

    def open_history(self, path: Path) -> History | None:
        """Open the recorded history kept at `path`, or None when there is none."""
        ...


def _entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _instantiate(entry_point: EntryPoint) -> Adapter:
    try:
        factory = entry_point.load()
        adapter = factory()
    except Exception as exc:  # a broken third-party package must not take the tool down
        raise AdapterError(f"adapter {entry_point.name!r} failed to load: {exc}") from exc
    if not isinstance(adapter, (Adapter, LiveAdapter)) or not isinstance(getattr(adapter, "manifest", None), AdapterManifest):
        raise AdapterError(
            f"adapter {entry_point.name!r} ({entry_point.value}) does not implement the adapter contract"
        )
    return adapter  # type: ignore[return-value]


@cache
def installed_adapters() -> tuple[Adapter, ...]:
    """Every adapter registered under the `weaklink.adapters` entry-point group.

    Set WEAKLINK_TRACE_ADAPTERS=1 to print which entry points are loaded.
    """
    adapters = []
    for entry_point in _entry_points():
        if os.environ.get("WEAKLINK_TRACE_ADAPTERS"):
            print(f"weaklink: loading adapter {entry_point.name} from {entry_point.value}")
        adapters.append(_instantiate(entry_point))
    return tuple(adapters)


def adapters_for(path: Path) -> Iterator[Adapter]:
    """The installed offline adapters that can read `path`."""
    for adapter in installed_adapters():
        if isinstance(adapter, Adapter) and adapter.detect(path):
            yield adapter


def live_adapters() -> dict[str, LiveAdapter]:
    """The installed adapters that can talk to live hosts, by manifest name."""
    return {a.manifest.name: a for a in installed_adapters() if isinstance(a, LiveAdapter)}  # type: ignore[misc]


def load_home(path: Path) -> tuple[list[HomeFragment], list[History]]:
    """Read `path` with every adapter that recognises it.

    Raises `InputError` when nothing installed can read it.
    """
    if not path.exists():
        raise InputError("no such file or folder", source=path)
    fragments: list[HomeFragment] = []
    histories: list[History] = []
    for adapter in adapters_for(path):
        fragments.append(adapter.load(path))
        history = adapter.open_history(path)
        if history is not None:
            histories.append(history)
    if not fragments:
        names = ", ".join(a.manifest.name for a in installed_adapters()) or "none"
        raise InputError(f"no installed adapter recognises this home (installed: {names})", source=path)
    return fragments, histories
