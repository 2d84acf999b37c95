"""A Shelly's whole-device dump on disk: what `/shelly`, `/status` and `/settings` (Gen1) or
`Shelly.GetDeviceInfo`, `Shelly.GetStatus` and `Shelly.GetConfig` (Gen2+) answered, in one
JSON object `{"shelly": …, "status": …, "settings" | "config": …}`.

That is the layout aioshelly keeps its fixtures in, one file per model and firmware, and the
one `weaklink dump` writes: a support desk reads a customer's Shelly from it as it would from
the device itself (the same device ids, the same relays). Only the identity, the relays and
the device's name and address are read; nothing from the settings' Wi-Fi, cloud or login
sections enters the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaklink.errors import ExportError
from weaklink.exports import read_json, sniff_json
from weaklink.model import HomeFragment

from .errors import RequestFailed
from .fragment import shelly_fragment
from .gen1 import read_relays
from .gen1_readings import gen1_readings
from .gen2_readings import gen2_readings
from .identity import NotAShelly, read_identity
from .relays import RelayState
from .switches import read_switches


def is_dump(document: Any) -> bool:
    """True for a whole-device dump: a `/shelly` identity (a MAC and a Gen1 type or a Gen2 `gen`) beside a status."""
    if not isinstance(document, dict):
        return False
    shelly, status = document.get("shelly"), document.get("status")
    return (isinstance(shelly, dict) and isinstance(status, dict) and "mac" in shelly
            and ("type" in shelly or "gen" in shelly))


def detect_dump(path: Path) -> bool:
    """Whether `path` is a Shelly whole-device dump, whatever it is called."""
    return is_dump(sniff_json(path))


def load_dump(path: Path) -> HomeFragment:
    """The device a dump describes; `ExportError` naming the file and the part that cannot be read."""
    document = read_json(path)
    if not is_dump(document):
        raise ExportError("not a Shelly device dump: it needs `shelly` (with `mac`) and `status` objects",
                          source=path)
    try:
        identity = read_identity(document["shelly"])
    except NotAShelly as error:
        raise ExportError(f"not a Shelly's identity: {error}", source=path, field="shelly") from None
    status: dict[str, Any] = document["status"]
    relays: list[RelayState] = []
    try:
        if identity.generation > 1:
            relays = read_switches(status, str(path), "status", full=True)
        elif "relays" in status and not _roller_mode(document):  # a Gen1 sensor (H&T, door/window) has none
            relays = read_relays(status, str(path), "status")
    except RequestFailed as failure:
        raise ExportError(failure.detail, source=path, field="status") from None
    readings = (gen2_readings(status, document.get("config")) if identity.generation > 1
                else gen1_readings(status, document.get("settings")))
    return shelly_fragment(identity, relays, source=str(path), host=_address(status),
                           name=_name(document) or identity.name, readings=readings)


def _roller_mode(document: dict[str, Any]) -> bool:
    # A Shelly 2/2.5 set up for a roller shutter still lists its two relays: they drive the
    # motor, and the roller (a cover) is what they are.
    settings = document.get("settings")
    return isinstance(settings, dict) and settings.get("mode") == "roller" and "rollers" in document["status"]


def _name(document: dict[str, Any]) -> str | None:
    # Gen1 keeps the name the user gave in /settings, Gen2+ in the config's sys.device
    settings = document.get("settings")
    if isinstance(settings, dict) and isinstance(settings.get("name"), str) and settings["name"]:
        return str(settings["name"])
    config = document.get("config")
    device = config.get("sys", {}).get("device", {}) if isinstance(config, dict) else {}
    name = device.get("name") if isinstance(device, dict) else None
    return name if isinstance(name, str) and name else None


def _address(status: dict[str, Any]) -> str | None:
    # Gen1: wifi_sta.ip; Gen2+: wifi.sta_ip, or eth.ip for a Pro on a cable
    for section, key in (("wifi_sta", "ip"), ("wifi", "sta_ip"), ("eth", "ip")):
        part = status.get(section)
        address = part.get(key) if isinstance(part, dict) else None
        if isinstance(address, str) and address:
            return address
    return None
