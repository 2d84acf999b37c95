"""Reading YAML while remembering the line every value came from.

Home Assistant's YAML uses its own tags (`!secret`, `!include`, `!input`, `!env_var`, …);
they are kept as `Tagged` values rather than refused, so a file Home Assistant accepts is a
file we can read. A secret's name is kept, never its value: `secrets.yaml` is never opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import InputError


@dataclass(frozen=True)
class Tagged:
    """A value carrying a custom tag, e.g. `!secret alarm_code` → Tagged('!secret', 'alarm_code')."""

    tag: str
    value: Any

    def __str__(self) -> str:
        return f"{self.tag} {self.value}"


def _construct_tagged(constructor: Any, tag_suffix: str, node: Any) -> Tagged:
    if hasattr(node, "value") and isinstance(node.value, str):
        value: Any = node.value
    elif node.id == "sequence":
        value = constructor.construct_sequence(node, deep=True)
    else:
        value = constructor.construct_mapping(node, deep=True)
    return Tagged(tag=node.tag if isinstance(node.tag, str) else str(node.tag), value=value)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.constructor.add_multi_constructor("!", _construct_tagged)
    return yaml


def read_text(path: Path, error: type[InputError] = InputError) -> str:
    """A file's UTF-8 text, raising `error` naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason})", source=path) from exc
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", source=path) from exc


def load_yaml(path: Path, error: type[InputError] = InputError) -> Any:
    """Parse a YAML file, raising `error` naming the file and line when it is malformed.

    Mappings and sequences come back as ruamel's commented types, which remember lines;
    pass them to `line_of` to find where a value was written.
    """
    return parse_yaml(read_text(path, error), source=path, error=error)


def parse_yaml(text: str, *, source: str | Path, error: type[InputError] = InputError) -> Any:
    """Parse YAML text; see `load_yaml`."""
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        raise error(f"malformed YAML: {problem}", source=source, line=mark.line + 1 if mark else None) from exc
    except YAMLError as exc:
        raise error(f"malformed YAML: {exc}", source=source) from exc


def line_of(document: Any, path: Sequence[str | int]) -> int | None:
    """The 1-based line where the value at `path` inside `document` was written.

    Falls back to the nearest enclosing value whose line is known, so an error about a
    missing key points at the mapping that should have held it.
    """
    line: int | None = None
    node = document
    for key in path:
        if isinstance(node, CommentedMap) and key in node:
            try:
                line = node.lc.key(key)[0] + 1
            except (KeyError, TypeError):
                pass
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            try:
                line = node.lc.item(key)[0] + 1
            except (KeyError, TypeError):
                pass
            node = node[key]
        else:
            break
    if line is None and isinstance(document, (CommentedMap, CommentedSeq)):
        line = document.lc.line + 1
    return line


def plain(value: Any) -> Any:
    """Convert ruamel's commented containers into plain dicts and lists (tags are kept)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Tagged):
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)  # ruamel's scalar strings and YAML timestamps become plain text
