"""One SmartThings document, read with its home, as a home fragment.

A fragment holds the devices its document is about, and the hubs and parents they reach the
home through:

- a device list or a device is about the devices it describes;
- a health or a status is about the one device it names (or its file name names), described
  by the first document of the home that describes it: the graph then sees one device, the
  same, however many files speak of it. A health or status about a device no document of the
  home describes gives nothing, and says why.

Every device is described the same way whichever file is read: its capabilities take their
states and availability from every health and status of the home, its hub or parent comes
from whichever document of the home describes it, or is a placeholder when none does (the
graph merges it with the hub's own description, by its SmartThings id, wherever that is).
"""

from __future__ import annotations

from pathlib import Path

from weaklink.model import Capability, Device, HomeFragment, Integration, LogEntry

from .capabilities import Context, map_capabilities
from .devices import hub_reference, map_device, map_integration, placeholder_hub, radio_hub
from .documents import Parsed, devices_in
from .home import Home, attach
from .naming import PLATFORM, device_id
from .readings import Knowledge
from .schema import Device as StDevice
from .schema import DeviceHealth, DeviceStatus

LOGGER = "weaklink_smartthings"


class _Builder:
    """Collects devices, capabilities and integrations, each once."""

    def __init__(self, home: Home, known: dict[str, StDevice]) -> None:
        self.home = home
        self.known = known  # every device of the home, as the document read describes it when it does
        self.devices: dict[str, Device] = {}
        self.capabilities: list[Capability] = []
        self.integrations: dict[str, Integration] = {}

    def add(self, device: StDevice, own: Knowledge) -> None:
        """The device, its capabilities, its connector, then whatever it hangs off."""
        mapped = map_device(device, self.known)
        if mapped.id in self.devices:
            return
        self.devices[mapped.id] = mapped
        integration = map_integration(device)
        if integration is not None:
            self.integrations.setdefault(integration.id, integration)
        knowledge = self.home.knowledge_of(device.deviceId).merged(own)
        context = Context(device=device, device_id=mapped.id, name=mapped.name, knowledge=knowledge,
                          integration_id=integration.id if integration else None)
        self.capabilities.extend(map_capabilities(context))
        self._add_upstream(device)

    def _add_upstream(self, device: StDevice) -> None:
        native = hub_reference(device, self.known)
        if native is None or device_id(native) in self.devices:
            return
        if native in self.known:
            self.add(self.known[native], Knowledge())
        elif native == radio_hub(device):
            self.devices[device_id(native)] = placeholder_hub(native)


def build_fragment(path: Path, parsed: Parsed, home: Home) -> HomeFragment:
    """The fragment of the document `parsed`, read from `path`, in `home`."""
    log: list[LogEntry] = []
    if not isinstance(parsed, DeviceHealth | DeviceStatus):
        described = devices_in(parsed)
        builder = _Builder(home, home.known({device.deviceId: device for device in reversed(described)}))
        for device in described:
            own = Knowledge()
            own.add_device(device)
            builder.add(device, own)
    else:
        native = _subject(path, parsed, home)
        description = home.descriptions.get(native) if native else None
        builder = _Builder(home, home.known(description.same_file if description else {}))
        if description is None:
            log.append(_unattached(path, parsed, native))
        else:
            builder.add(description.device, _knowledge_of(parsed))
    return HomeFragment(
        source=str(path),
        platform=PLATFORM,
        devices=list(builder.devices.values()),
        capabilities=builder.capabilities,
        integrations=list(builder.integrations.values()),
        log=log,
    )


def _subject(path: Path, parsed: DeviceHealth | DeviceStatus, home: Home) -> str | None:
    """The SmartThings id of the device a health or status document is about."""
    if isinstance(parsed, DeviceHealth):
        return parsed.deviceId
    return parsed.deviceId or attach(path.resolve(), home.root, home.descriptions)


def _knowledge_of(parsed: DeviceHealth | DeviceStatus) -> Knowledge:
    knowledge = Knowledge()
    if isinstance(parsed, DeviceHealth):
        knowledge.add_health(parsed)
    else:
        knowledge.add_status(parsed.components)
        if parsed.healthState is not None:
            knowledge.add_health(parsed.healthState)
    return knowledge


def _unattached(path: Path, parsed: DeviceHealth | DeviceStatus, native: str | None) -> LogEntry:
    """The remark a health or status about no described device leaves: what to do about it."""
    if native is None:
        message = ("a device status names no device, and its file name holds the id of no device described "
                   "in this folder: it adds nothing (save it as <deviceId>.json beside the device list)")
    else:
        what = "health" if isinstance(parsed, DeviceHealth) else "status"
        message = (f"the {what} of device {native} adds nothing: no device list or device in this folder "
                   "describes that device (save GET /v1/devices beside it)")
    return LogEntry(at=None, level="WARNING", logger=LOGGER, message=message, source=str(path))
