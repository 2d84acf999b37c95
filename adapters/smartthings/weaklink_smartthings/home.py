"""The home around a file: the other SmartThings documents saved with it.

A device list says what the devices are; health and status answers, saved as separate files,
say whether each is online and what it last reported. Whichever of those files is loaded,
its fragment must describe a device the same way, so every file is read together with the
documents of its home:

- the home's folder is the file's folder, or its parent folder when that one also holds a
  device list or a device (so that `devices.json` beside `device_status/<id>.json` is one
  home, whichever of the two is read);
- the home holds the SmartThings documents of that folder and of its direct sub-folders;
- a health answer names its device; a status answer does not, so it is attached to the
  device whose id its file name holds (`<deviceId>.json`, `status-<deviceId>.json`, or a
  `<deviceId>/` folder holding it), or the `deviceId` someone added to it. A status whose
  name holds no id of a device of the home adds nothing (its fragment says so).

A sibling that cannot be read is left out here: its own load reports it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from weaklink.errors import ExportError
from weaklink.exports import SNIFF_LIMIT, sniff_json

from .documents import DocumentKind, Parsed, devices_in, kind_of, parse
from .readings import Knowledge
from .schema import Device, DeviceHealth, DeviceStatus

MAX_FILES = 4000  # a home folder larger than this is nobody's SmartThings export: read its first files
_MIN_ID_LENGTH = 8  # shorter "ids" would match file names by chance


@dataclass(frozen=True)
class Described:
    """A device as one document describes it, with the other devices of that document."""

    device: Device
    same_file: dict[str, Device]


@dataclass
class Home:
    """The SmartThings documents of one home folder, and what they tell about each device."""

    root: Path
    descriptions: dict[str, Described] = field(default_factory=dict)  # device id → first description read
    knowledge: dict[str, Knowledge] = field(default_factory=dict)  # device id → readings and health

    def known(self, same_file: dict[str, Device]) -> dict[str, Device]:
        """Every device the home describes, by id, as `same_file` describes it when it does."""
        return {native: described.device for native, described in self.descriptions.items()} | same_file

    def knowledge_of(self, device_id: str) -> Knowledge:
        """Every reading and the health the home holds for a device (empty when none)."""
        return self.knowledge.get(device_id, Knowledge())

    def _learn(self, device_id: str) -> Knowledge:
        return self.knowledge.setdefault(device_id, Knowledge())


def home_of(path: Path) -> Home:
    """The home `path` belongs to (see the module's docstring)."""
    root = _root(path.resolve())
    files = _scope(root)
    signature = tuple((str(p), s.st_mtime_ns, s.st_size) for p, s in files)
    return _indexed(str(root), signature)


def _root(path: Path) -> Path:
    folder = path.parent
    parent = folder.parent
    if parent != folder and _holds_devices(parent):
        return parent
    return folder


def _holds_devices(folder: Path) -> bool:
    """Whether the folder itself (not its sub-folders) holds a device list or a device."""
    for entry in _visible_files(folder):
        if _looks_like_json(entry) and kind_of(sniff_json(entry)) in (DocumentKind.DEVICE_LIST, DocumentKind.DEVICE):
            return True
    return False


def _visible_files(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [Path(e.path) for e in entries if not e.name.startswith(".") and _is_file(e)]


def _visible_folders(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [Path(e.path) for e in entries if not e.name.startswith(".") and _is_folder(e)]


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _scope(root: Path) -> list[tuple[Path, os.stat_result]]:
    """The files of the home: the root's, then each direct sub-folder's (links to folders not followed)."""
    files = _visible_files(root)
    for folder in _visible_folders(root):
        files.extend(_visible_files(folder))
    found = []
    for file in files[:MAX_FILES]:
        try:
            stat = file.stat()
        except OSError:
            continue
        if 0 < stat.st_size <= SNIFF_LIMIT:
            found.append((file, stat))
    return found


def _looks_like_json(path: Path) -> bool:
    """A cheap look at the first bytes, so that photos and logs are not read whole."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[")


@lru_cache(maxsize=16)
def _indexed(root: str, signature: tuple[tuple[str, int, int], ...]) -> Home:
    # keyed on every file's time and size: a home whose files changed is read again
    home = Home(Path(root))
    documents: list[tuple[Path, Parsed]] = []
    for name, _, _ in signature:
        path = Path(name)
        parsed = _readable(path)
        if parsed is not None:
            documents.append((path, parsed))
    for _, parsed in documents:
        described = devices_in(parsed)
        same_file = {device.deviceId: device for device in reversed(described)}  # the first of an id wins
        for device in described:
            home.descriptions.setdefault(device.deviceId, Described(device, same_file))
            home._learn(device.deviceId).add_device(device)
    for path, parsed in documents:
        if isinstance(parsed, DeviceHealth):
            home._learn(parsed.deviceId).add_health(parsed)
        elif isinstance(parsed, DeviceStatus):
            device_id = parsed.deviceId or attach(path, home.root, home.descriptions)
            if device_id is None:
                continue
            knowledge = home._learn(device_id)
            knowledge.add_status(parsed.components)
            if parsed.healthState is not None:
                knowledge.add_health(parsed.healthState)
    return home


def _readable(path: Path) -> Parsed | None:
    if not _looks_like_json(path):
        return None
    document = sniff_json(path)
    if kind_of(document) is None:
        return None
    try:
        return parse(document, path)
    except ExportError:
        return None


def attach(path: Path, root: Path, known: dict[str, Described]) -> str | None:
    """The id of the device a status file is about, read from its name or its folder's name.

    The file's own name is tried first, then its folder's (when that is not the home's root);
    an id written in full is needed, in any case. None when no known id, or more than one of
    the same length, is written there.
    """
    names = [path.stem] + ([path.parent.name] if path.parent != root else [])
    for name in names:
        lowered = name.lower()
        if name in known:
            return name
        found = [device_id for device_id in known
                 if len(device_id) >= _MIN_ID_LENGTH and device_id.lower() in lowered]
        if found:
            longest = max(len(device_id) for device_id in found)
            best = [device_id for device_id in found if len(device_id) == longest]
            return best[0] if len(best) == 1 else None
    return None
