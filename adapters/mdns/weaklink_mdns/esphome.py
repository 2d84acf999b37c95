"""ESPHome nodes: `_esphomelib._tcp`, announced by every node running the native API.

The instance name is the node's name; the TXT record (ESPHome's mdns component) always
carries `version` (ESPHome's), `mac` (12 hex digits, no separators), `board` and a config
hash, and, when known, `friendly_name`, `platform` (ESP32, ESP8266, RP2, …), `network`
(wifi, ethernet, thread), and `project_name`/`project_version` for a vendor's firmware built
on ESPHome (`esphome.bluetooth-proxy`). `api_encryption` and `package_import_url` are not read.
"""

from __future__ import annotations

from weaklink.live.contract import Discovered

from .record import Record, described, hex_digits, untrusted

SERVICE_TYPES = ("_esphomelib._tcp.local.",)
BRAND = "ESPHome"


def identify(record: Record) -> Discovered:
    """The node an `_esphomelib` record announces; `problem` set when its MAC is missing or malformed."""
    raw = record.get("mac")
    mac = hex_digits(raw, 12)
    problem = None
    if not raw:
        problem = untrusted("its mDNS record has no mac, which every ESPHome node announces")
    elif mac is None:
        problem = untrusted(f"its mDNS record says mac {raw!r}, which is not a MAC address")
    return record.found(brand=BRAND, name=record.get("friendly_name") or record.instance, model=_model(record),
                        identifiers={"mac": mac or raw}, problem=problem)


def _model(record: Record) -> str | None:
    hardware = " ".join(part for part in (record.get("platform"), record.get("board")) if part)
    version = record.get("version")
    facts = [hardware, record.get("network"), f"ESPHome {version}" if version else ""]
    project = " ".join(part for part in (record.get("project_name"), record.get("project_version")) if part)
    if project:
        return described(project, facts)
    return described(hardware or None, facts[1:])
