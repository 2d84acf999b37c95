"""weaklink discovery adapter naming HomeKit, Matter, ESPHome, Google Cast and Sonos devices from
their mDNS records (brands weaklink has no full adapter for)."""

from .adapter import READERS, MdnsAdapter

__all__ = ["READERS", "MdnsAdapter"]
