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
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from importlib.resources import files
from pathlib import Path
from typing import Literal, Protocol, get_args, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from .errors import AdapterError
from .history import History
from .live.contract import LiveAdapter
from .model import CapabilityKind, HomeFragment

ENTRY_POINT_GROUP = "weaklink.adapters"


Operation = Literal["offline", "history", "discover", "identify", "snapshot", "probe", "observe", "act", "dump"]
OPERATIONS: tuple[str, ...] = get_args(Operation)
HOST_OPERATIONS = ("snapshot", "probe", "observe", "act")
Quality = Literal["experimental", "bronze", "silver", "gold"]
QUALITY_LEVELS: tuple[str, ...] = get_args(Quality)


class AdapterManifest(BaseModel):
    """What an adapter declares about itself (its package's `manifest.json`).

    `operations` say what it can do: `offline` (read an export on disk), `history` (recorded
    history), `discover` (recognise mDNS records), `identify` (ask an address it was given),
    `snapshot`, `probe`, `observe`, `act` (live), `dump` (record a host's answers as a fixture).
    `quality` is the level it has earned, from `experimental` up (docs/writing-an-adapter.md).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Unique among installed adapters; lower case.")
    brand: str
    description: str = ""
    protocols: list[str] = Field(default_factory=list)
    operations: list[Operation] = Field(default_factory=list)
    capabilities: list[CapabilityKind] = Field(default_factory=list, description="The kinds it maps devices' "
                                               "features to.")
    mdns_types: list[str] = Field(default_factory=list)  # e.g. "_hue._tcp.local.": what discovery browses for
    # The integration domains through which hub platforms reach this brand's devices (Home
    # Assistant's `xiaomi_miio` for miIO): how a live trace knows that a platform entity's device
    # is behind a host this adapter talks to.
    platform_domains: list[str] = Field(default_factory=list)
    quality: Quality = "experimental"

    @property
    def host_operations(self) -> list[str]:
        """What it can do with a host it found on the network (`Discovered.operations`)."""
        return [operation for operation in self.operations if operation in HOST_OPERATIONS]

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


class InstalledAdapter(BaseModel):
    """One entry point of the `weaklink.adapters` group, as `weaklink adapters` lists it."""

    entry_point: str
    target: str  # module:attribute the entry point names
    package: str | None = None  # the distribution that registers it
    version: str | None = None
    manifest: AdapterManifest | None = None
    error: str | None = None  # why it could not be loaded


def catalogue() -> list[InstalledAdapter]:
    """Every registered adapter, loaded one by one: a broken package is listed with its error
    instead of hiding the others."""
    listed = []
    for entry_point in _entry_points():
        dist = entry_point.dist
        entry = InstalledAdapter(entry_point=entry_point.name, target=entry_point.value,
                                 package=dist.name if dist else None, version=dist.version if dist else None)
        try:
            entry.manifest = _instantiate(entry_point).manifest
        except AdapterError as exc:
            entry.error = str(exc)
        listed.append(entry)
    return listed


def live_adapters() -> dict[str, LiveAdapter]:
    """The installed adapters that can talk to live hosts, by manifest name."""
    return {a.manifest.name: a for a in installed_adapters() if isinstance(a, LiveAdapter)}  # type: ignore[misc]
