"""The Home Assistant adapter: a config folder read offline, or a running instance live."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from weaklink.adapters import AdapterManifest
from weaklink.history import History
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, Discovered, HostSpec
from weaklink.model import HomeFragment, LogEntry

from .automations import load_automations
from .devices import PLATFORM, map_areas, map_capabilities, map_deleted, map_devices, map_integrations
from .homeconfig import load_home_config
from .logs import apply_health, read_logs
from .registries import STORAGE_DIR, load_registries
from .traces import load_saved_traces, load_trace_folder
from .yamlconfig import WARNING_LOGGER

if TYPE_CHECKING:
    from .live import HomeAssistantSession

RECORDER_DATABASE = "home-assistant_v2.db"


def config_folder(path: Path) -> Path:
    """The config folder `path` names (a path to its configuration.yaml names its folder)."""
    return path.parent if path.is_file() and path.name == "configuration.yaml" else path


class HomeAssistantAdapter:
    """Reads a Home Assistant config folder (registries, automations, traces, log and history),
    or talks to a running instance over its WebSocket API (discover, snapshot, probe, observe, act)."""

    manifest: AdapterManifest = AdapterManifest.of_package(__package__)

    def detect(self, path: Path) -> bool:
        """Whether `path` is a HA config folder (it has `.storage/` or `configuration.yaml`)."""
        folder = config_folder(path)
        return folder.is_dir() and ((folder / STORAGE_DIR).is_dir() or (folder / "configuration.yaml").is_file())

    def load(self, path: Path) -> HomeFragment:
        """Read the config folder at `path` into a home fragment.

        Raises ExportError naming the file (and line or field) when one is malformed.
        """
        root = config_folder(path)
        warnings: list[LogEntry] = []

        def warn(message: str, where: Path) -> None:
            source = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
            warnings.append(LogEntry(at=None, level="WARNING", logger=WARNING_LOGGER, message=message, source=source))

        registries = load_registries(root, warn=warn)
        config = load_automations(root, registries)
        home = load_home_config(root, config.configuration)
        logs = read_logs(root, tz=home.tz())
        # A zone this computer's time zone database does not know (a typo, or a name newer than
        # its tzdata) is not handed on: the log, `--at` and the report then all read as UTC.
        time_zone = home.time_zone if home.tz() is not None else None
        if home.time_zone and time_zone is None:
            warn(f"unknown time zone {home.time_zone!r}: times read as UTC", root / STORAGE_DIR / "core.config")
        runs = load_saved_traces(root, config.automations) + load_trace_folder(root, config.automations)
        return HomeFragment(
            source=str(root),
            platform=PLATFORM,
            time_zone=time_zone,
            location_name=home.location_name,
            devices=map_devices(registries),
            capabilities=map_capabilities(registries),
            deleted_capabilities=map_deleted(registries),
            integrations=apply_health(map_integrations(registries), logs),
            areas=map_areas(registries),
            automations=config.automations,
            runs=sorted(runs, key=lambda run: run.started_at),
            log=[*warnings, *config.warnings, *logs.entries],
        )

    def open_history(self, path: Path) -> History | None:
        """The recorder database of the config folder, or None when it has none."""
        database = config_folder(path) / RECORDER_DATABASE
        if not database.is_file():
            return None
        from .recorder import RecorderHistory  # the recorder needs SQL machinery offline imports don't

        return RecorderHistory.open(database)

    # The live side imports aiohttp and zeroconf: only when it is used.

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """The instance a `_home-assistant._tcp` mDNS record announces (`problem` set when its
        uuid or version is not what Home Assistant publishes)."""
        from .identity import identify

        return identify(service_type, name, address, port, properties, adapter=self.manifest.name,
                        operations=self.manifest.host_operations)

    def prepare(self) -> None:
        """Load the live client (aiohttp, zeroconf) before hosts are visited."""
        from . import live  # noqa: F401

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> HomeAssistantSession:
        """A live session to `host`, whose identity is checked before its token is sent
        (IdentityMismatch when it is not the instance named)."""
        from .live import connect

        return await connect(host, timeout)
