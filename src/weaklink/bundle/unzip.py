"""Unpacking a zip someone sent us without trusting a byte of it.

Every member is checked before anything is written: its path must stay inside the
destination (no absolute paths, drive letters, `..`, backslash escapes or NUL bytes), it
must be a regular file or a folder (no links, no devices), unencrypted, and named once
(two names that differ only in case are one name on many file systems). The sizes the
archive declares are checked first, then the bytes actually decompressed are counted as
they stream, so a member that lies about its size is stopped as soon as it passes a limit.
On any failure everything written is removed; nothing is ever written outside `dest`.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import BundleError

_CHUNK = 1 << 16
# Below this, a member may compress as well as it likes: small files of zeros are common.
_RATIO_FLOOR = 1_000_000
_DRIVE = re.compile(r"^[A-Za-z]:")
_FLAG_ENCRYPTED = 0x1


@dataclass(frozen=True)
class ZipLimits:
    """How much a zip may hold before it is refused."""

    max_members: int = 20_000
    max_total_bytes: int = 1_000_000_000  # uncompressed, counted while streaming (never trust header sizes)
    max_member_bytes: int = 500_000_000
    max_ratio: float = 200.0  # uncompressed/compressed per member above 1 MB -> a zip bomb


def extract_zip(source: Path | BinaryIO, dest: Path, limits: ZipLimits = ZipLimits(), *,
                name: str | None = None) -> list[Path]:
    """Extract the regular files of the zip `source` into `dest`, which must not exist or be empty.

    Returns the files written, in archive order. Raises `BundleError` naming the bundle (`name`,
    default the path or the stream's name) and the member at fault when the zip is corrupt,
    unsafe or over `limits`; `dest` is then left empty (removed, if this call created it).
    """
    label = name or (str(source) if isinstance(source, (str, Path))
                     else str(getattr(source, "name", "") or "the bundle"))
    created = _prepare(dest)
    try:
        return _extract(source, dest, limits, label)
    except BaseException:
        _clear(dest, created)
        raise


def _prepare(dest: Path) -> bool:
    if dest.exists() or dest.is_symlink():
        if dest.is_symlink() or not dest.is_dir() or any(dest.iterdir()):
            raise FileExistsError(f"{dest} exists and is not an empty folder")
        return False
    dest.mkdir(parents=True)
    return True


def _clear(dest: Path, created: bool) -> None:
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for entry in list(dest.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _size_of(source: Path | BinaryIO) -> int | None:
    try:
        if isinstance(source, (str, Path)):
            return os.path.getsize(source)
        position = source.tell()
        size = source.seek(0, os.SEEK_END)
        source.seek(position)
        return size
    except (OSError, ValueError, AttributeError):
        return None


def _extract(source: Path | BinaryIO, dest: Path, limits: ZipLimits, label: str) -> list[Path]:
    archive_size = _size_of(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise BundleError(f"not a zip file, or a damaged one ({exc})", source=label) from None
    except OSError as exc:
        raise BundleError(f"cannot be read: {exc.strerror or exc}", source=label) from None
    with archive:
        plan = _plan(archive.infolist(), limits, label, archive_size)
        budget = _Budget(limits)
        written = []
        for info, parts in plan:
            target = dest.joinpath(*parts)
            _write(archive, info, target, dest, budget, archive_size, label)
            written.append(target)
        return written


def _shown(name: str) -> str:
    """A member's name fit for a one-line message: control characters escaped, cut short."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return text if len(text) <= 120 else text[:117] + "…"


def _refuse(label: str, member: str, message: str) -> BundleError:
    return BundleError(message, source=label, field=_shown(member))


def _safe_parts(info: zipfile.ZipInfo, label: str) -> list[str]:
    raw = info.orig_filename
    if "\x00" in raw:
        raise _refuse(label, raw, "a NUL byte in the member's name")
    # Windows tools write backslashes as separators: read them as separators, so `..\..` is caught too.
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise _refuse(label, raw, "an absolute path: members must stay inside the bundle")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _refuse(label, raw, "a path that leaves the bundle ('..')")
    if not parts:
        raise _refuse(label, raw, "a member without a name")
    return parts


def _is_folder(info: zipfile.ZipInfo, label: str) -> bool:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        raise _refuse(label, info.orig_filename, "a symbolic link: only regular files are unpacked")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _refuse(label, info.orig_filename, "a device or other special file: only regular files are unpacked")
    return kind == stat.S_IFDIR or info.orig_filename.replace("\\", "/").endswith("/")


def _folded(parts: list[str]) -> str:
    return "/".join(unicodedata.normalize("NFC", part).casefold() for part in parts)


def _plan(members: list[zipfile.ZipInfo], limits: ZipLimits, label: str,
          archive_size: int | None) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """Check every member before anything is written; the files to write, with their paths."""
    if len(members) > limits.max_members:
        raise BundleError(f"{len(members)} members, more than the {limits.max_members} allowed", source=label)
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    declared = 0
    plan = []
    for info in members:
        parts = _safe_parts(info, label)
        folder = _is_folder(info, label)
        if info.flag_bits & _FLAG_ENCRYPTED:
            raise _refuse(label, info.orig_filename, "an encrypted member: send the bundle without a password")
        key = _folded(parts)
        prefixes = [_folded(parts[:n]) for n in range(1, len(parts))]
        if folder:
            if key in files:
                raise _refuse(label, info.orig_filename,
                              f"named twice (as a file, {_shown(files[key])!r}, and a folder)")
            folders.setdefault(key, info.orig_filename)
            continue
        if key in files or key in folders:
            other = files.get(key) or folders[key]
            raise _refuse(label, info.orig_filename,
                          f"named twice (also {_shown(other)!r}; names differing only in case count as one)")
        for prefix in prefixes:
            if prefix in files:
                raise _refuse(label, info.orig_filename, f"inside {_shown(files[prefix])!r}, which is a file")
            folders.setdefault(prefix, info.orig_filename)
        files[key] = info.orig_filename
        _check_declared(info, limits, label, archive_size)
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise _refuse(label, info.orig_filename,
                          f"the members add up to more than {limits.max_total_bytes:,} bytes unpacked")
        plan.append((info, parts))
    return plan


def _compressed_size(info: zipfile.ZipInfo, archive_size: int | None) -> int:
    # A member cannot really hold more compressed bytes than the whole archive has.
    size = info.compress_size if archive_size is None else min(info.compress_size, archive_size)
    return max(size, 1)


def _check_declared(info: zipfile.ZipInfo, limits: ZipLimits, label: str, archive_size: int | None) -> None:
    if info.file_size > limits.max_member_bytes:
        raise _refuse(label, info.orig_filename,
                      f"{info.file_size:,} bytes unpacked, more than the {limits.max_member_bytes:,} allowed")
    ratio = info.file_size / _compressed_size(info, archive_size)
    if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
        raise _refuse(label, info.orig_filename, f"a zip bomb: it unpacks to {ratio:,.0f} times its size")


class _Budget:
    """The bytes unpacked so far, over the whole archive."""

    def __init__(self, limits: ZipLimits) -> None:
        self.limits = limits
        self.total = 0


def _write(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, dest: Path, budget: _Budget,
           archive_size: int | None, label: str) -> None:
    limits = budget.limits
    compressed = _compressed_size(info, archive_size)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Built from checked parts, under a folder holding only what we made: never outside. Checked anyway.
    if not target.resolve().is_relative_to(dest.resolve()):
        raise _refuse(label, info.orig_filename, "a path that leaves the bundle")
    written = 0
    try:
        with archive.open(info) as member, open(target, "xb") as out:
            while chunk := member.read(_CHUNK):
                written += len(chunk)
                budget.total += len(chunk)
                if written > limits.max_member_bytes:
                    raise _refuse(label, info.orig_filename, f"unpacks to more than {limits.max_member_bytes:,} bytes")
                if budget.total > limits.max_total_bytes:
                    raise _refuse(label, info.orig_filename,
                                  f"the bundle unpacks to more than {limits.max_total_bytes:,} bytes")
                if written > _RATIO_FLOOR and written / compressed > limits.max_ratio:
                    raise _refuse(label, info.orig_filename,
                                  f"a zip bomb: it unpacks to more than {limits.max_ratio:,.0f} times its size")
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _refuse(label, info.orig_filename, f"damaged or unreadable ({exc})") from None
    except OSError as exc:
        raise _refuse(label, info.orig_filename, f"cannot be written: {exc.strerror or exc}") from None
