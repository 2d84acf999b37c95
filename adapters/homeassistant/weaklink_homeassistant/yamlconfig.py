"""Home Assistant's YAML configuration, read the way Home Assistant reads it.

Sources: the `automation:` and `script:` keys of configuration.yaml (including labelled
keys such as `automation old:`, packages, and the `!include`, `!include_dir_list`,
`!include_dir_merge_list`, `!include_dir_named` and `!include_dir_merge_named` tags);
without a configuration.yaml, `automations.yaml` and `scripts.yaml` themselves.

`!secret` values stay unresolved and `secrets.yaml` is never opened; an include that
leaves the config folder is not followed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq
from weaklink.errors import ExportError
from weaklink.model import LogEntry
from weaklink.yamlio import Tagged, parse_yaml, read_text

WARNING_LOGGER = "weaklink.homeassistant"
SECRETS_FILE = "secrets.yaml"

_AUTOMATION_KEY = re.compile(r"^automation(\s.+)?$")
_SCRIPT_KEY = re.compile(r"^script(\s.+)?$")


def node_line(node: Any) -> int | None:
    """The line a YAML node starts on (1-based), or None when it does not say."""
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None


@dataclass
class Item:
    """One automation or script as written, and where."""

    config: Any
    file: Path
    config_key: str = "automation"
    list_no: int = 0
    script_key: str | None = None
    line: int | None = None


@dataclass
class Reader:
    """Follows configuration.yaml and its includes inside one config folder."""

    root: Path
    warnings: list[LogEntry]
    lines: dict[Path, list[str]] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def warn(self, message: str, path: Path | None, line: int | None = None, integration: str = "automation") -> None:
        self.warnings.append(
            LogEntry(
                at=None,
                level="WARNING",
                logger=WARNING_LOGGER,
                message=message,
                integration=integration,
                source=self.rel(path) if path is not None else None,
                line=line,
            )
        )

    def load(self, path: Path) -> Any:
        """Parse one YAML file, remembering its lines; ExportError (file, line) when malformed."""
        text = read_text(path, ExportError)
        self.lines[path.resolve()] = text.splitlines()

        def duplicate(key: str, first: int, last: int) -> None:
            # Home Assistant only logs a key written twice, and keeps the last value: so do we.
            self.warn(f"key {key!r} is written twice (lines {first} and {last}); the last one counts", path, last)

        return parse_yaml(text, source=path, error=ExportError, on_duplicate=duplicate)

    def _target(self, tagged: Tagged, here: Path) -> Path | None:
        """Where an include tag points, or None (with a warning) when it must not be followed."""
        if not isinstance(tagged.value, str):
            self.warn(f"{tagged.tag} needs a file or folder name", here, node_line(tagged.value))
            return None
        target = (here.parent / tagged.value).resolve()
        if target.name == SECRETS_FILE:
            self.warn(f"{tagged} not followed: secrets.yaml is never read", here)
            return None
        try:
            target.relative_to(self.root.resolve())
        except ValueError:
            self.warn(f"{tagged} not followed: it points outside the config folder", here)
            return None
        if not target.exists():
            self.warn(f"{tagged}: no such file or folder (Home Assistant would refuse this configuration)", here)
            return None
        return target

    def _files(self, folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.rglob("*.yaml")):
            relative = path.relative_to(folder).parts
            if any(part.startswith(".") for part in relative) or path.name == SECRETS_FILE:
                continue
            found.append(path)
        return found

    def items(self, value: Any, here: Path) -> Iterator[tuple[Any, Path, int | None]]:
        """The items of a list-valued key (automations) with file and line, following include tags."""
        if isinstance(value, Tagged):
            target = self._target(value, here) if value.tag.startswith("!include") else None
            if target is None:
                return
            if value.tag == "!include":
                yield from self.items(self.load(target), target)
            elif value.tag == "!include_dir_list":
                for path in self._files(target):
                    document = self.load(path)
                    if document is not None:
                        yield document, path, node_line(document) or 1
            elif value.tag == "!include_dir_merge_list":
                for path in self._files(target):
                    yield from self.items(self.load(path), path)
            else:
                self.warn(f"{value.tag} cannot hold a list of automations", here)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Tagged) and item.tag == "!include":
                    target = self._target(item, here)
                    if target is not None:
                        document = self.load(target)
                        yield document, target, node_line(document) or 1
                else:
                    line = value.lc.item(index)[0] + 1 if isinstance(value, CommentedSeq) else None
                    yield item, here, node_line(item) or line
        elif value is not None:
            yield value, here, node_line(value)

    def named(self, value: Any, here: Path) -> Iterator[tuple[str, Any, Path]]:
        """The entries of a mapping-valued key (scripts, packages), following include tags."""
        if isinstance(value, Tagged):
            target = self._target(value, here) if value.tag.startswith("!include") else None
            if target is None:
                return
            if value.tag == "!include":
                yield from self.named(self.load(target), target)
            elif value.tag == "!include_dir_named":
                for path in self._files(target):
                    yield path.stem, self.load(path), path
            elif value.tag == "!include_dir_merge_named":
                for path in self._files(target):
                    yield from self.named(self.load(path), path)
            else:
                self.warn(f"{value.tag} cannot hold named entries", here)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, Tagged) and item.tag == "!include":
                    target = self._target(item, here)
                    if target is not None:
                        yield str(key), self.load(target), target
                else:
                    yield str(key), item, here
        elif value is not None:
            self.warn("expected a mapping of names to configurations", here, node_line(value))

    def sections(self, configuration: Any, here: Path) -> Iterator[tuple[str, Any, Path]]:
        """Top-level keys of configuration.yaml and of every package, with where they were written."""
        if not isinstance(configuration, dict):
            return
        for key, value in configuration.items():
            yield str(key), value, here
        core = configuration.get("homeassistant")
        if isinstance(core, Tagged):
            target = self._target(core, here)
            core, core_file = (self.load(target), target) if target else (None, here)
        else:
            core_file = here
        if isinstance(core, dict) and "packages" in core:
            for _name, package, package_file in self.named(core["packages"], core_file):
                if isinstance(package, dict):
                    for key, value in package.items():
                        yield str(key), value, package_file


def load_configuration(root: Path, reader: Reader) -> Any:
    """configuration.yaml as parsed YAML, or None when the folder has none."""
    path = root / "configuration.yaml"
    return reader.load(path) if path.is_file() else None


def collect(root: Path, configuration: Any, reader: Reader) -> tuple[list[Item], list[Item]]:
    automations: list[Item] = []
    scripts: list[Item] = []
    config_file = root / "configuration.yaml"
    if configuration is None and not config_file.is_file():
        # A bare export: the UI's files without the configuration that includes them.
        for name, target in (("automations.yaml", automations), ("scripts.yaml", scripts)):
            path = root / name
            if not path.is_file():
                continue
            document = reader.load(path)
            if name == "automations.yaml":
                target.extend(Item(config, file, line=line) for config, file, line in reader.items(document, path))
            else:
                target.extend(Item(config, file, "script", script_key=key) for key, config, file in reader.named(document, path))
        for number, item in enumerate(automations):
            item.list_no = number
        return automations, scripts
    counters: dict[str, int] = {}
    for key, value, here in reader.sections(configuration, config_file):
        if _AUTOMATION_KEY.match(key):
            counters.setdefault(key, 0)
            for config, file, line in reader.items(value, here):
                number = counters.get(key, 0)
                counters[key] = number + 1
                automations.append(Item(config, file, key, number, line=line))
        elif _SCRIPT_KEY.match(key):
            for name, config, file in reader.named(value, here):
                scripts.append(Item(config, file, "script", script_key=name))
    if not counters and (root / "automations.yaml").is_file():
        reader.warn(
            "automations.yaml exists but configuration.yaml does not include it "
            "(no 'automation: !include automations.yaml'): Home Assistant loads none of its automations",
            config_file,
        )
    return automations, scripts
