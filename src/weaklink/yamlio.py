"""Reading YAML while remembering the line every value came from.

Home Assistant's YAML uses its own tags (`!secret`, `!include`, `!input`, `!env_var`, …);
they are kept as `Tagged` values rather than refused, so a file Home Assistant accepts is a
file we can read. A secret's name is kept, never its value: `secrets.yaml` is never opened.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


def yaml_text(document: Any) -> str:
    """`document` (plain dicts, lists and scalars) as block-style YAML text."""
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(document, out)
    return out.getvalue()


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


DuplicateKey = Callable[[str, int, int], None]


def parse_yaml(
    text: str, *, source: str | Path, error: type[InputError] = InputError, on_duplicate: DuplicateKey | None = None
) -> Any:
    """Parse YAML text; see `load_yaml`.

    A key written twice in one mapping is an error, unless `on_duplicate` is given: then,
    as Home Assistant does with its own files, the last value wins and
    `on_duplicate(key, first_line, last_line)` is told.
    """
    try:
        if on_duplicate is None:
            return _yaml().load(text)
        yaml = _yaml()
        node = yaml.compose(text)
        if node is None:
            return None
        _keep_last(node, on_duplicate, set())
        return yaml.constructor.construct_document(node)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        raise error(f"malformed YAML: {problem}", source=source, line=mark.line + 1 if mark else None) from exc
    except YAMLError as exc:
        raise error(f"malformed YAML: {exc}", source=source) from exc


def _keep_last(node: Node, report: DuplicateKey, seen: set[int]) -> None:
    """Drop all but the last of each key written twice in a mapping, reporting each."""
    if id(node) in seen:  # an alias: already walked where its anchor was
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        last: dict[str, int] = {}
        for index, (key, _value) in enumerate(node.value):
            if isinstance(key, ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if key.value in last:
                    first = node.value[last[key.value]][0]
                    report(str(key.value), first.start_mark.line + 1, key.start_mark.line + 1)
                last[key.value] = index
        kept = set(last.values())
        node.value = [pair for index, pair in enumerate(node.value)
                      if index in kept or not isinstance(pair[0], ScalarNode) or pair[0].tag == "tag:yaml.org,2002:merge"]
        for key, value in node.value:
            _keep_last(key, report, seen)
            _keep_last(value, report, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _keep_last(item, report, seen)


M = TypeVar("M", bound=BaseModel)


def validate(document: Any, model: type[M], *, source: str | Path, error: type[InputError] = InputError,
             tags: frozenset[str] = frozenset()) -> M:
    """Validate a YAML document against `model`; on failure raise `error` naming the line and field
    of the first problem, in words a person reads ("unknown key 'whithin'").

    `tags` are the discriminator values of tagged unions, which pydantic puts in error locations
    but which are not keys of the file.
    """
    try:
        return model.model_validate(plain(document))
    except ValidationError as exc:
        first = exc.errors()[0]
        # pydantic appends the failing type (e.g. 'function-after[...]') and union tags to locations
        location = [part for part in first["loc"]
                    if isinstance(part, int) or (isinstance(part, str) and "[" not in part and part not in tags)]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = f"unknown key {location[-1]!r}"
        elif first["type"] == "missing":
            message = f"missing required key {location[-1]!r}"
        field = ".".join(str(part) for part in location) or None
        raise error(message, source=source, line=line_of(document, location), field=field) from exc


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
