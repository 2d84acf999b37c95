"""What one payload gives, before it becomes a home fragment."""

from __future__ import annotations

from dataclasses import dataclass, field

from weaklink.model import Capability, Device, LogEntry, RadioLink

from .naming import WARNING_LOGGER


@dataclass
class Mapped:
    """Devices, their capabilities, radio links, and remarks on what was tolerated."""

    devices: list[Device] = field(default_factory=list)
    capabilities: list[Capability] = field(default_factory=list)
    radio_links: list[RadioLink] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)

    def warn(self, message: str, source: str) -> None:
        """Note something the payload holds that was tolerated rather than read."""
        self.log.append(LogEntry(at=None, level="WARNING", logger=WARNING_LOGGER, message=message, source=source))
