"""A home on disk: one export, or a folder of exports of any supported brands.

What a support desk receives is a folder: a Home Assistant config export, a Hue bridge's
resources, two Shelly dumps, a SmartThings device list, named however the customer saved
them. `import_home` reads it so:

1. an adapter that recognises the path as a whole reads it (a Home Assistant config folder
   is one export, `.storage/` and all);
2. otherwise, in a folder, every entry is offered in turn, sub-folders the same way (so a
   config folder inside the home folder is read whole), files to every installed adapter,
   which recognises its own brand's files by their content, whatever their names;
3. a file no adapter recognises is skipped and listed, not an error: a folder may hold a
   README or a photo. Hidden entries (`.name`) are skipped; links to folders are not followed.

A file that an adapter recognises but cannot read is an error naming the file. A path in
which nothing at all is recognised is an error too: the user pointed at the wrong place.
When two adapters recognise the same file, each reads it (they see different things in it:
the graph merges the devices they share by their identifiers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .adapters import Adapter, installed_adapters
from .errors import InputError
from .history import History
from .model import HomeFragment


@dataclass
class HomeImport:
    """What was read from a home path, by whom, and what was left alone."""

    fragments: list[HomeFragment] = field(default_factory=list)
    histories: list[History] = field(default_factory=list)
    read: list[tuple[Path, str]] = field(default_factory=list)  # each export, and the adapter that read it
    skipped: list[Path] = field(default_factory=list)  # files no installed adapter recognises


def import_home(path: Path, adapters: Sequence[Adapter] | None = None) -> HomeImport:
    """Read the home at `path` (see the module's docstring) with `adapters` (default: every
    installed offline adapter). `InputError` when nothing there is recognised."""
    if not path.exists():
        raise InputError("no such file or folder", source=path)
    offline = [a for a in (installed_adapters() if adapters is None else adapters) if isinstance(a, Adapter)]
    result = HomeImport()
    _read(path, offline, result, top=True)
    if not result.fragments:
        names = ", ".join(a.manifest.name for a in offline) or "none"
        raise InputError(f"no installed adapter recognises anything here (installed: {names})", source=path)
    return result


def _read(path: Path, adapters: Sequence[Adapter], result: HomeImport, *, top: bool = False) -> None:
    claimed = [adapter for adapter in adapters if adapter.detect(path)]
    for adapter in claimed:
        result.fragments.append(adapter.load(path))
        history = adapter.open_history(path)
        if history is not None:
            result.histories.append(history)
        result.read.append((path, adapter.manifest.name))
    if claimed:
        return
    if path.is_dir() and (top or not path.is_symlink()):
        for entry in _entries(path):
            _read(entry, adapters, result)
    elif path.is_file():
        result.skipped.append(path)


def _entries(folder: Path) -> Iterable[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(f"cannot list the folder: {exc.strerror or exc}", source=folder) from None
    return (entry for entry in entries if not entry.name.startswith("."))
