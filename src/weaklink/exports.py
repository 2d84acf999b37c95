"""Reading vendor exports: JSON documents an adapter recognises by their content.

A home folder holds whatever the user saved: `bridge_devices.json`, `shelly-porch.json`,
`devices (3).json`. Adapters recognise their brand's files by what is in them, not by name,
so every adapter looks at every file. `sniff_json` parses each file once per import (later
calls reuse it) and gives up quietly on what is not JSON; `read_json` is for an adapter that
has claimed the file and must explain, with the line and column, why it cannot be read.
`validated` turns a pydantic model's complaint into an `ExportError` naming the file and the
field.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ExportError

SNIFF_LIMIT = 64 * 1024 * 1024  # bytes: a larger file is nobody's device dump
_JSON_STARTS = (b"{", b"[")

Model = TypeVar("Model", bound=BaseModel)


def sniff_json(path: Path) -> Any | None:
    """The JSON document in `path`, or None when it is not a readable JSON file (no error)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file() or stat.st_size > SNIFF_LIMIT or stat.st_size == 0:
        return None
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _parsed(path: str, mtime_ns: int, size: int) -> Any | None:
    # keyed on the file's time and size: a file changed between two imports is read again
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as some Windows editors save
    if raw.lstrip()[:1] not in _JSON_STARTS:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def read_json(path: Path) -> Any:
    """The JSON document in `path`; `ExportError` naming the line and column when it is not JSON."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read it: {exc.strerror or exc}", source=path) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ExportError(f"not valid JSON: {exc.msg} (column {exc.colno})", source=path, line=exc.lineno) from None
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ExportError(f"not valid JSON: {type(exc).__name__}", source=path) from None


def validated(model: type[Model], document: Any, path: Path, *, at: str = "") -> Model:
    """`document` (or its part at the dotted path `at`) read as `model`; `ExportError` naming
    the file and the first field that does not fit."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = ".".join(str(part) for part in (*([at] if at else []), *error["loc"]))
        raise ExportError(error["msg"], source=path, field=location or None) from None
