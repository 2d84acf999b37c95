"""Where the Zigbee2MQTT adapter's fixtures live, and small helpers its tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from weaklink.model import HomeFragment
from weaklink_zigbee2mqtt import Zigbee2MqttAdapter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOME_DEVICES = FIXTURES / "bridge-devices.json"  # the whole bridge/devices payload of one home
NETWORK_MAP = FIXTURES / "networkmap.json"  # bridge/response/networkmap (raw, with routes) of the same home
# One file per device model: that device's entry of the payload, as Zigbee2MQTT publishes it.
ENTRY_FILES = sorted(p for p in FIXTURES.glob("*.json") if p not in (HOME_DEVICES, NETWORK_MAP))

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT.parent / "shared" / "reference"
HA_EXAMPLE = ROOT / "examples" / "ha-home"

COORDINATOR = "0x00124b0029a1b2c3"
HALLWAY_BULB = "0x000d6ffffe8a1b2c"
GARAGE_TEMPERATURE = "0x00158d0001f6a7b8"  # the sensor behind the weak link
OLD_PLUG = "0x00124b0022c3d4e5"  # disabled: 2.x leaves it out of the map's nodes
INTERVIEW_FAILED = "0x54ef441000a1b2c3"
AIR_PURIFIER = "0x5c0272fffe1d2e3f"  # its routing table did not answer the scan


def load(path: Path) -> HomeFragment:
    """The fragment the adapter reads from `path`."""
    return Zigbee2MqttAdapter().load(path)


def document(path: Path) -> Any:
    """The JSON document in `path`."""
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, value: Any) -> Path:
    """Write `value` as JSON to `path`."""
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def device_id(ieee: str) -> str:
    """The id the adapter gives the device with this address."""
    return f"zigbee2mqtt:{ieee}"
