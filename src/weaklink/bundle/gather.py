"""The customer's data about a broken hop, gathered from the exports that describe it.

Each export lands under `data/<adapter>/<its path in the home folder>`: from a Home Assistant
config folder only the hop's part of it (`homeassistant_extract`); from a vendor's dump, or
a folder of dumps, the dump as it is, unless it is too large or not text (then it is left
out, and said so). Nothing here is scrubbed yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..home import OpenHome
from .homeassistant_extract import home_assistant_part, is_config_folder
from .hop import Hop, hop_exports

# A vendor dump larger than this is left out (and said so): a bundle is read by a person.
_MAX_EXPORT_BYTES = 20_000_000
_MAX_FOLDER_FILES = 200


@dataclass
class Gathered:
    """The customer's data gathered for the bundle, not yet scrubbed."""

    json: dict[str, Any] = field(default_factory=dict)  # bundle path → document
    text: dict[str, str] = field(default_factory=dict)  # bundle path → text
    left_out: list[str] = field(default_factory=list)  # what was not included, and why
    kept_addresses: set[str] = field(default_factory=set)  # IP addresses of the hop's devices, from config entries


def gather(hop: Hop | None, home: OpenHome) -> Gathered:
    """What the exports describing `hop` hold about it (nothing when no link broke)."""
    data = Gathered()
    if hop is None:
        return data
    for path, adapter in hop_exports(hop, home):
        prefix = _prefix(path, adapter, home.path)
        if path.is_file() and path.name == "configuration.yaml":  # names its config folder
            path = path.parent
        if is_config_folder(path):
            part = home_assistant_part(path, prefix, hop, home, data.kept_addresses)
            data.json.update(part.json)
            data.text.update(part.text)
            data.kept_addresses |= part.addresses
        elif path.is_dir():
            files = [f for f in sorted(path.rglob("*")) if f.is_file() and not f.is_symlink()
                     and not any(p.startswith(".") for p in f.relative_to(path).parts)]
            for file in files[:_MAX_FOLDER_FILES]:
                _export_file(file, f"{prefix}/{'/'.join(_safe_name(p) for p in file.relative_to(path).parts)}", data)
            if len(files) > _MAX_FOLDER_FILES:
                data.left_out.append(f"{prefix}: {len(files) - _MAX_FOLDER_FILES} more files of this export")
        elif path.is_file():
            _export_file(path, prefix, data)
    return data


def _safe_name(part: str) -> str:
    return re.sub(r"[^\w.@+ -]", "_", part).strip() or "_"


def _prefix(path: Path, adapter: str, home_root: Path) -> str:
    try:
        relative = path.relative_to(home_root).parts
    except ValueError:
        relative = (path.name,)
    return "/".join(["data", _safe_name(adapter), *(_safe_name(p) for p in relative if p not in ("", "."))])


def _export_file(path: Path, name: str, data: Gathered) -> None:
    try:
        size = path.stat().st_size
        if size > _MAX_EXPORT_BYTES:
            data.left_out.append(f"{name}: {size:,} bytes, too large to read through")
            return
        raw = path.read_bytes()
    except OSError as exc:
        data.left_out.append(f"{name}: could not be read ({exc.strerror or exc})")
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        data.left_out.append(f"{name}: not text (a binary file cannot be checked for secrets)")
        return
    try:
        data.json[name] = json.loads(text)
    except ValueError:
        data.text[name] = text
