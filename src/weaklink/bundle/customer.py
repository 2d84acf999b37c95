"""A customer's bundle: their Home Assistant config export, vendor dumps, maybe a scenario.

What a support desk receives is a zip (or, on the command line, a folder): a config folder
(`configuration.yaml` and `.storage/`, at the root or one folder down, e.g. `ha-config/`)
beside whatever the customer's vendors' tools wrote, and perhaps a scenario file saying
which chain broke. A folder is read where it is; a zip is unpacked safely into a work
folder. The source is never modified.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..adapters import Adapter, installed_adapters
from ..errors import BundleError, InputError, ScenarioError
from ..scenario import load_scenario
from ..yamlio import parse_yaml
from .unzip import ZipLimits, extract_zip

# A scenario is a short file: anything larger is something else (a dump, a database).
_MAX_SCENARIO_BYTES = 256_000
_SCENARIO_SUFFIXES = (".yaml", ".yml")
_STEPS = re.compile(r"^[\"']?steps[\"']?\s*:", re.MULTILINE)
# What macOS's archiver adds beside every file: copies of resource forks, not the customer's data.
_MACOS_METADATA = "__MACOSX"
# The folder a config export at a zip's root is moved into, so the vendor dumps beside it are read too.
_CONFIG_FOLDER = "ha-config"


@dataclass
class CustomerBundle:
    """A customer's bundle, ready to open with `weaklink.home.open_home(bundle.root)`."""

    root: Path  # the extracted folder (a home folder weaklink.home.open_home reads)
    scenarios: list[Path] = field(default_factory=list)  # scenario files found inside (loadable by load_scenario)


def unpack_customer_bundle(source: Path, workdir: Path, limits: ZipLimits = ZipLimits(), *,
                           name: str | None = None) -> CustomerBundle:
    """Open a customer's bundle: a folder is used in place, a zip is unpacked into `workdir`
    (which must not exist, or be empty).

    Scenario files are found by their content whatever their names. Raises `BundleError`
    naming the bundle when it is not a folder or a usable zip, and the `ScenarioError`
    `load_scenario` gives for a file that looks like a scenario (a `steps:` key) but is not
    a valid one. `name` names the bundle in messages (default: its path).
    """
    label = name or str(source)
    if source.is_dir():
        root = source
    elif source.is_file():
        root = workdir
        extract_zip(source, root, limits, name=label)
        shutil.rmtree(root / _MACOS_METADATA, ignore_errors=True)
        _separate_config_folder(root)
    else:
        raise BundleError("no such file or folder", source=label)
    return CustomerBundle(root=root, scenarios=find_scenarios(root))


def find_scenarios(root: Path) -> list[Path]:
    """Every scenario file under `root`, by content: a YAML mapping with a `steps` key.

    A `.yaml`/`.yml` file with a top-level `steps:` must be a valid scenario (its
    `ScenarioError` is raised); any other small text file counts only if it parses as one.
    """
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part.startswith(".") for part in relative) or path.is_symlink() or not path.is_file():
            continue
        text = _small_text(path)
        if text is None or not _STEPS.search(text):
            continue
        if path.suffix.lower() in _SCENARIO_SUFFIXES or _parses_as_scenario(text, path):
            load_scenario(path)  # a file that claims to be a scenario must be one: its error names the line
            found.append(path)
    return found


def _small_text(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_SCENARIO_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _parses_as_scenario(text: str, path: Path) -> bool:
    try:
        document = parse_yaml(text, source=path, error=ScenarioError)
    except InputError:
        return False
    return isinstance(document, dict) and "steps" in document


def _separate_config_folder(root: Path) -> None:
    """A config export zipped at the root, with vendor dumps beside `configuration.yaml`:
    move the config into a folder of its own, so that each dump is read by its own adapter
    (a config folder is read whole, and whatever else it holds is not offered to the others)."""
    if not ((root / ".storage").is_dir() or (root / "configuration.yaml").is_file()):
        return
    adapters = [a for a in installed_adapters() if isinstance(a, Adapter)]
    readers_of_root = [a for a in adapters if a.detect(root)]
    others = [a for a in adapters if a not in readers_of_root]
    entries = sorted(root.iterdir())
    dumps = [entry for entry in entries if not entry.name.startswith(".") and entry.is_file()
             and any(adapter.detect(entry) for adapter in others)]
    if not dumps:
        return
    folder = root / _CONFIG_FOLDER
    while folder.exists():
        folder = folder.with_name(folder.name + "_")
    folder.mkdir()
    for entry in entries:
        if entry not in dumps:
            entry.rename(folder / entry.name)
