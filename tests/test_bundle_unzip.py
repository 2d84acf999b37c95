"""Unpacking an untrusted zip: every hostile archive is refused, nothing escapes, nothing is left.

The hostile archives are built here, most with `zipfile`, the rest (NUL bytes in a name, an
encrypted flag, a zip bomb, headers that lie about sizes) with a small writer of raw zip
records that streams its data, so a gigabyte of zeros costs a megabyte on disk.
"""

from __future__ import annotations

import io
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from weaklink.bundle.unzip import ZipLimits, extract_zip
from weaklink.errors import BundleError, InputError

GIB = 1 << 30
MIB = 1 << 20


# --------------------------------------------------------------------------- building zips


@dataclass
class Raw:
    """One member as written byte for byte: what its headers declare, and the data that follows."""

    name: bytes
    data: Iterable[bytes] = ()
    method: int = zipfile.ZIP_STORED
    crc: int = 0
    compressed: int | None = None  # declared compressed size (default: the data's real length)
    size: int | None = None  # declared uncompressed size (default: the data's length, right when stored)
    flags: int = 0
    external_attr: int = 0o644 << 16
    chunks: list[bytes] = field(default_factory=list)


def write_raw_zip(path: Path, members: list[Raw]) -> None:
    """A zip archive with exactly the headers given, its data streamed to disk."""
    central = []
    with path.open("wb") as out:
        for member in members:
            offset = out.tell()
            # Local header first with placeholder sizes, patched once the data's length is known.
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, member.flags, member.method, 0, 0x21,
                                  member.crc, 0, 0, len(member.name), 0) + member.name)
            start = out.tell()
            for chunk in member.data:
                out.write(chunk)
            length = out.tell() - start
            compressed = length if member.compressed is None else member.compressed
            size = length if member.size is None else member.size
            end = out.tell()
            out.seek(offset + 18)
            out.write(struct.pack("<II", compressed, size))
            out.seek(end)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, member.flags,
                                       member.method, 0, 0x21, member.crc, compressed, size, len(member.name),
                                       0, 0, 0, 0, member.external_attr, offset) + member.name)
        directory = out.tell()
        for record in central:
            out.write(record)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                              out.tell() - directory, directory, 0))


def zeros_deflated(mebibytes: int) -> Iterator[bytes]:
    """A raw deflate stream of `mebibytes` MiB of zeros, made without compressing them all:
    after a full flush a deflate stream starts afresh, so one 1 MiB block can be repeated."""
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = block.compress(bytes(MIB)) + block.flush(zlib.Z_FULL_FLUSH)
    for _ in range(mebibytes):
        yield segment
    yield zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # the final, empty block


def crc_of_zeros(mebibytes: int) -> int:
    crc, block = 0, bytes(MIB)
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    return crc


Member = bytes | tuple[bytes, int]


def make_zip(path: Path, members: dict[str, Member] | list[tuple[str, Member]]) -> Path:
    """A zip made by zipfile; a member given as (data, mode) gets that unix mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names: those are the point
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in (members.items() if isinstance(members, dict) else members):
                data, mode = content if isinstance(content, tuple) else (content, stat.S_IFREG | 0o644)
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = mode << 16
                archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return path


def everything_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def refused(archive: Path, dest: Path, limits: ZipLimits = ZipLimits()) -> BundleError:
    """Extract, expecting a refusal that leaves nothing behind; the error."""
    around = everything_under(archive.parent)
    with pytest.raises(BundleError) as caught:
        extract_zip(archive, dest, limits)
    assert not dest.exists(), "the folder extract_zip made must be removed"
    assert everything_under(archive.parent) == around, "nothing may be written beside the destination"
    message = str(caught.value)
    assert str(archive) in message and "\n" not in message
    return caught.value


# --------------------------------------------------------------------------- the happy path


def test_regular_files_are_extracted_with_their_folders(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "ok.zip", {"ha-config/configuration.yaml": b"default_config:\n",
                                             "ha-config/.storage/core.config": b"{}", "hue.json": b"[1]",
                                             "ha-config/": (b"", stat.S_IFDIR | 0o755)})
    written = extract_zip(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "ha-config/.storage/core.config", "ha-config/configuration.yaml", "hue.json"]
    assert (tmp_path / "out" / "ha-config" / "configuration.yaml").read_bytes() == b"default_config:\n"
    assert (tmp_path / "out" / "hue.json").stat().st_mode & 0o111 == 0


def test_a_stream_is_read_and_named_as_told(tmp_path: Path) -> None:
    data = make_zip(tmp_path / "ok.zip", {"a.txt": b"hello"}).read_bytes()
    written = extract_zip(io.BytesIO(data), tmp_path / "out", name="upload-17.zip")
    assert [p.read_bytes() for p in written] == [b"hello"]
    with pytest.raises(BundleError, match="upload-17.zip"):
        extract_zip(io.BytesIO(b"not a zip at all"), tmp_path / "other", name="upload-17.zip")


def test_an_existing_empty_destination_is_used_and_left_empty_on_failure(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    archive = make_zip(tmp_path / "bad.zip", {"fine.txt": b"x", "../escape.txt": b"y"})
    with pytest.raises(BundleError):
        extract_zip(archive, dest)
    assert dest.is_dir() and list(dest.iterdir()) == []
    (dest / "something").write_text("here")
    with pytest.raises(FileExistsError):
        extract_zip(make_zip(tmp_path / "ok.zip", {"a": b"1"}), dest)
    assert (dest / "something").read_text() == "here"


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("name", ["../../evil", "ok/../../evil", "/etc/x", "C:/Windows/evil", "c:evil",
                                  "..\\..\\evil", "ok\\..\\..\\evil", "\\\\server\\share\\evil"])
def test_paths_that_leave_the_destination_are_refused(tmp_path: Path, name: str) -> None:
    archive = make_zip(tmp_path / "slip.zip", {"first.txt": b"written first", name: b"owned"})
    (tmp_path / "work").mkdir()
    error = refused(archive, tmp_path / "work" / "out")
    assert "evil" in str(error) or "x" in str(error)
    assert not (tmp_path / "evil").exists() and not (tmp_path / "work" / "evil").exists()


def test_a_nul_byte_in_a_name_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "nul.zip"
    write_raw_zip(archive, [Raw(name=b"safe.txt\x00../../evil", data=[b"x"], crc=zlib.crc32(b"x"))])
    error = refused(archive, tmp_path / "out")
    assert "NUL" in str(error)


# --------------------------------------------------------------------------- kinds of member


def test_a_symlink_member_is_refused_and_no_link_is_made(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "link.zip", {"readme.txt": b"hi", "passwd": (b"/etc/passwd", stat.S_IFLNK | 0o777)})
    error = refused(archive, tmp_path / "out")
    assert "passwd" in str(error) and "link" in str(error)


@pytest.mark.parametrize("kind", [stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK])
def test_device_and_special_files_are_refused(tmp_path: Path, kind: int) -> None:
    archive = make_zip(tmp_path / "dev.zip", {"null": (b"", kind | 0o666)})
    assert "special file" in str(refused(archive, tmp_path / "out"))


@pytest.mark.parametrize("names", [("a.txt", "a.txt"), ("README.md", "readme.MD"), ("dir/x", "DIR/X"),
                                   ("a", "a/b"), ("a/b", "a"), ("./a.txt", "a.txt")])
def test_names_given_twice_are_refused(tmp_path: Path, names: tuple[str, str]) -> None:
    archive = make_zip(tmp_path / "dup.zip", [(names[0], b"first"), (names[1], b"second")])
    message = str(refused(archive, tmp_path / "out"))
    assert "named twice" in message or "which is a file" in message


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "secret.zip"
    write_raw_zip(archive, [Raw(name=b"locked.txt", data=[b"\x00" * 12 + b"ciphertext"], flags=0x1)])
    assert "encrypted" in str(refused(archive, tmp_path / "out"))


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(11)})
    assert "11 members" in str(refused(archive, tmp_path / "out", ZipLimits(max_members=10)))
    assert len(extract_zip(archive, tmp_path / "fine", ZipLimits(max_members=11))) == 11


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut short", b"just some text, no zip"])
def test_what_is_not_a_zip_is_refused(tmp_path: Path, content: bytes) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(content)
    error = refused(archive, tmp_path / "out")
    assert isinstance(error, InputError) and "not a zip" in str(error)


def test_a_damaged_member_is_refused_and_the_files_before_it_removed(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "damaged.zip", {"good.txt": b"good" * 1000, "bad.txt": b"bad" * 1000})
    data = bytearray(archive.read_bytes())
    # flip bytes inside the second member's compressed data: its CRC no longer matches
    second = data.index(b"bad.txt") + len(b"bad.txt")
    data[second + 2:second + 6] = b"\xff\xff\xff\xff"
    archive.write_bytes(bytes(data))
    assert "bad.txt" in str(refused(archive, tmp_path / "out"))


# --------------------------------------------------------------------------- sizes


def test_a_gigabyte_of_zeros_is_a_bomb(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    write_raw_zip(archive, [Raw(name=b"zeros.bin", data=zeros_deflated(1024), method=zipfile.ZIP_DEFLATED,
                                crc=crc_of_zeros(1024), size=GIB)])
    assert archive.stat().st_size < 2 * MIB
    with zipfile.ZipFile(archive) as check:  # an honest archive: zipfile itself would unpack 1 GiB
        assert check.infolist()[0].file_size == GIB
    error = refused(archive, tmp_path / "out")
    assert "zeros.bin" in str(error)
    # with room for a gigabyte, its ratio still gives it away
    roomy = ZipLimits(max_total_bytes=2 * GIB, max_member_bytes=2 * GIB)
    assert "zip bomb" in str(refused(archive, tmp_path / "out", roomy))


def test_a_bomb_smaller_than_the_limits_is_caught_by_its_ratio(tmp_path: Path) -> None:
    archive = tmp_path / "small-bomb.zip"
    write_raw_zip(archive, [Raw(name=b"notes.txt", data=[b"fine"], crc=zlib.crc32(b"fine")),
                            Raw(name=b"zeros.bin", data=zeros_deflated(64), method=zipfile.ZIP_DEFLATED,
                                crc=crc_of_zeros(64), size=64 * MIB)])
    assert "zip bomb" in str(refused(archive, tmp_path / "out"))


def test_headers_that_understate_the_size_are_not_believed(tmp_path: Path) -> None:
    # The headers say 1,000 bytes; the data inflates to a gigabyte. Only the declared bytes can be
    # read, and they do not match the checksum: refused, having written no more than that.
    archive = tmp_path / "liar.zip"
    write_raw_zip(archive, [Raw(name=b"small.txt", data=zeros_deflated(1024), method=zipfile.ZIP_DEFLATED,
                                crc=crc_of_zeros(1024), size=1000)])
    assert "small.txt" in str(refused(archive, tmp_path / "out"))


def test_a_compressed_size_larger_than_the_archive_does_not_hide_a_bomb(tmp_path: Path) -> None:
    archive = tmp_path / "liar.zip"
    write_raw_zip(archive, [Raw(name=b"zeros.bin", data=zeros_deflated(256), method=zipfile.ZIP_DEFLATED,
                                crc=crc_of_zeros(256), size=256 * MIB, compressed=0xFFFF_FF00)])
    assert "zip bomb" in str(refused(archive, tmp_path / "out"))


def test_sizes_over_the_limits_are_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a.bin": bytes(600), "b.bin": bytes(600)})
    assert "a.bin" in str(refused(archive, tmp_path / "out", ZipLimits(max_member_bytes=500)))
    assert "b.bin" in str(refused(archive, tmp_path / "out", ZipLimits(max_total_bytes=1000)))
    assert len(extract_zip(archive, tmp_path / "fine", ZipLimits(max_member_bytes=600, max_total_bytes=1200))) == 2


def test_the_bytes_unpacked_are_counted_even_when_the_headers_pass(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # With the check of what the headers declare switched off, counting while streaming alone stops each.
    monkeypatch.setattr("weaklink.bundle.unzip._check_declared", lambda *args: None)
    bomb = tmp_path / "bomb.zip"
    write_raw_zip(bomb, [Raw(name=b"zeros.bin", data=zeros_deflated(64), method=zipfile.ZIP_DEFLATED,
                             crc=crc_of_zeros(64), size=64 * MIB)])
    assert "more than 200 times" in str(refused(bomb, tmp_path / "out"))
    archive = make_zip(tmp_path / "big.zip", {"a.bin": bytes(600), "b.bin": bytes(600)})
    assert "a.bin" in str(refused(archive, tmp_path / "out", ZipLimits(max_member_bytes=500)))
    limits = ZipLimits(max_total_bytes=1000)
    monkeypatch.setattr("weaklink.bundle.unzip._plan", lambda members, *args: [(m, [m.filename]) for m in members])
    assert "b.bin" in str(refused(archive, tmp_path / "out", limits))
