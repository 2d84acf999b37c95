#!/usr/bin/env python3
"""Generate `examples/ha-home`: a Home Assistant config folder with eleven days of history.

The home ("Maple Street", America/New_York) runs a garage / driveway-light / alarm chain
across Philips Hue, ZHA, Z-Wave JS, Shelly, Nice G.O., SimpliSafe, Reolink, ecobee and the
mobile app. Incidents are planted from one table (`INCIDENTS`), which also produces
`examples/ha-home.incidents.yaml`, so what is planted and what is expected never disagree.

History is produced by a small discrete-event model of Home Assistant, not by writing rows
by hand: automations listen to state changes, evaluate their conditions, fire
`automation_triggered` only when the conditions pass, call services (`call_service`
events), and devices answer after their own latency. Contexts follow HA's rules: a run's
context is a child of the triggering state's context; an entity keeps a service call's
context for 5 seconds (`CONTEXT_RECENT_TIME_SECONDS`), later reports get a fresh one.

Everything is deterministic: fixed seed, fixed dates. Run:

    python3 examples/generate_ha_home.py [--out examples/ha-home]
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import shutil
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML
from weaklink_homeassistant.recorder import ulid_from_int
from weaklink_homeassistant.testing.recorder_writer import (
    CURRENT_SCHEMA_VERSION,
    Context,
    RecorderWriter,
    new_context,
)

SEED = 4711
TZ = ZoneInfo("America/New_York")
YEAR, MONTH = 2026, 11
FIRST_DAY, LAST_DAY = 10, 20
HOME_LAT, HOME_LON, HOME_ELEVATION = 40.74186, -73.98931, 12  # fake: a secret to redact
ALICE_WORK = (40.75312, -73.97724)
BOB_WORK = (40.72905, -74.00113)
ALARM_CODE = "CANARY-ALARM-4711"
CONTEXT_RECENT_SECONDS = 5.0  # helpers/entity.py CONTEXT_RECENT_TIME_SECONDS

EXAMPLES = Path(__file__).resolve().parent
DEFAULT_OUT = EXAMPLES / "ha-home"
INCIDENTS_FILE_NAME = "ha-home.incidents.yaml"
DB_NAME = "home-assistant_v2.db"


def local(day: int, hour: int = 0, minute: int = 0, second: int = 0, ms: int = 0) -> datetime:
    """A local (America/New_York) time in November 2026."""
    return datetime(YEAR, MONTH, day, hour, minute, second, ms * 1000, tzinfo=TZ)


START = local(FIRST_DAY)
END = local(LAST_DAY, 23, 59, 59)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with offset, as HA's JSON writes datetimes."""
    return moment.astimezone(UTC).isoformat()


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


# ======================================================================================
# The incidents table: the one source of truth for what is planted and what is expected
# ======================================================================================


@dataclass(frozen=True)
class DeviceRef:
    """An element that is a device: resolved to its HA device id when written."""

    key: str


@dataclass(frozen=True)
class Unavailable:
    """Entities report `unavailable` from start to end (None: to the end of history)."""

    entities: tuple[str, ...]
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class IntegrationNotReady:
    """A config entry is reloaded, fails set-up ("not ready yet") and retries until end."""

    domain: str
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class EntryDisabled:
    """The user disables a config entry; its entities stop for good."""

    domain: str
    at: datetime


@dataclass(frozen=True)
class AutomationOff:
    """A user turns an automation off, and back on at `end`."""

    entity_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CoverIgnores:
    """The garage door accepts commands in this window but does not move."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class CoverSlow:
    """The garage door cloud reports `opening`/`open` this long after the command."""

    start: datetime
    end: datetime
    opening_after: float
    open_after: float


@dataclass(frozen=True)
class PhoneSilent:
    """Alice's phone app stops reporting (killed by battery saver): no tracker or battery updates."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Renamed:
    """The user renames an entity id in the registry (HA renames its recorder history too)."""

    old: str
    new: str
    at: datetime


Plant = Unavailable | IntegrationNotReady | EntryDisabled | AutomationOff | CoverIgnores | CoverSlow | PhoneSilent | Renamed


@dataclass(frozen=True)
class Incident:
    """One run of a chain, and what a tracer should conclude about it."""

    id: str
    chain: str
    start: datetime
    noticed: datetime
    verdict: str
    element: str | DeviceRef | None = None
    layer: str | None = None
    cause: str | None = None
    description: str = ""
    plant: tuple[Plant, ...] = ()


HUE_ENTITIES = (
    "light.driveway",
    "light.porch",
    "light.hallway",
    "light.living_room",
    "light.kitchen",
    "binary_sensor.hallway_motion",
    "sensor.hallway_motion_temperature",
    "sensor.hallway_motion_illuminance",
)

INCIDENTS: tuple[Incident, ...] = (
    # -- driveway arrival: person.alice -> garage -> driveway light -> alarm disarmed
    Incident(
        "2026-11-10-driveway", "driveway_arrival", local(10, 18, 5, 12, 340), local(10, 18, 15), "ok",
        description="Alice arrives after dark; the garage opens, the driveway light comes on and the alarm disarms.",
    ),
    Incident(
        "2026-11-11-driveway-radio", "driveway_arrival", local(11, 18, 40, 7, 120), local(11, 18, 50), "broken",
        "light.driveway", "radio", "radio_link_lost",
        "The driveway light dropped off the Hue bridge's Zigbee mesh at 14:00 while the bridge and every "
        "other Hue light stayed fine; the automation called light.turn_on on it and nothing happened.",
        (Unavailable(("light.driveway",), local(11, 14), local(12, 9)),),
    ),
    Incident(
        "2026-11-12-driveway-hub", "driveway_arrival", local(12, 19, 10, 31, 905), local(12, 19, 20), "broken",
        DeviceRef("hue_bridge"), "hub", "hub_offline",
        "The Hue bridge was down 17:30-21:00: every Hue light and sensor was unavailable at once.",
        (Unavailable(HUE_ENTITIES, local(12, 17, 30), local(12, 21)),),
    ),
    Incident(
        "2026-11-13-driveway-daylight", "driveway_arrival", local(13, 15, 40, 2, 77), local(13, 15, 50), "broken",
        "automation.garage_opened_evening", "logic", "condition_false",
        "Alice came home before sunset: the garage opened, but the driveway automation's condition "
        "(sun below the horizon) was false, so it did not run.",
    ),
    Incident(
        "2026-11-14-driveway-disabled", "driveway_arrival", local(14, 18, 20, 44, 512), local(14, 18, 30), "broken",
        "automation.garage_opened_evening", "logic", "automation_disabled",
        "Alice turned the driveway automation off at 08:00 and only turned it back on the next morning.",
        (AutomationOff("automation.garage_opened_evening", local(14, 8), local(15, 10)),),
    ),
    Incident(
        "2026-11-15-driveway-simplisafe", "driveway_arrival", local(15, 18, 30, 15, 250), local(15, 18, 40), "broken",
        "simplisafe", "integration", "integration_unavailable",
        "The SimpliSafe integration was failing to set up 16:00-22:00 (cloud errors): the script ran, "
        "the alarm stayed unavailable.",
        (IntegrationNotReady(
            "simplisafe", local(15, 16), local(15, 22),
            "Error while fetching data: 503, message='Service Unavailable', "
            "url='https://api.simplisafe.com/v1/subscriptions/2207718/'",
        ),),
    ),
    Incident(
        "2026-11-16-driveway-garage-stuck", "driveway_arrival", local(16, 18, 15, 9, 640), local(16, 18, 25), "broken",
        "cover.garage_door", "device", "did_not_act",
        "The garage door accepted cover.open_cover and stayed closed (and available).",
        (CoverIgnores(local(16, 18, 10), local(16, 18, 40)),),
    ),
    Incident(
        "2026-11-17-driveway-slow-garage", "driveway_arrival", local(17, 18, 50, 3, 18), local(17, 19, 0), "broken",
        "cover.garage_door", "timing", "too_late",
        "The garage door reported open 4 min 10 s after the command; the rest of the chain then ran.",
        (CoverSlow(local(17, 18, 45), local(17, 19, 0), 238.0, 250.0),),
    ),
    Incident(
        "2026-11-18-driveway-no-arrival", "driveway_arrival", local(18, 19, 0, 0, 0), local(18, 19, 10), "broken",
        "person.alice", "trigger", "trigger_not_observed",
        "Alice came home but her phone's companion app had stopped reporting at 15:12 (killed by the "
        "phone's battery saver): person.alice stayed not_home, so nothing started.",
        (PhoneSilent(local(18, 15, 12, 30), local(19, 8, 5)),),
    ),
    Incident(
        "2026-11-19-driveway", "driveway_arrival", local(19, 18, 10, 40, 801), local(19, 18, 20), "ok",
        description="Healthy again.",
    ),
    Incident(
        "2026-11-20-driveway", "driveway_arrival", local(20, 17, 55, 21, 430), local(20, 18, 5), "ok",
        description="Healthy.",
    ),
    # -- water leak: kitchen leak sensor -> main water shut-off -> notification
    Incident(
        "2026-11-12-water-leak", "water_leak", local(12, 10, 0, 4, 210), local(12, 10, 10), "ok",
        description="Leak test: the main shut-off closed within a second and Alice was notified.",
    ),
    Incident(
        "2026-11-16-water-leak-offline", "water_leak", local(16, 10, 0, 2, 455), local(16, 10, 10), "broken",
        "switch.water_main_shutoff", "network", "device_offline",
        "The Shelly driving the shut-off valve was off the Wi-Fi since 03:00 (the plug on the same "
        "network stayed fine): the valve never closed.",
        (Unavailable(("switch.water_main_shutoff",), local(16, 3), local(16, 11, 40)),),
    ),
    # -- doorbell: visitor -> snapshot -> notification
    Incident(
        "2026-11-11-doorbell", "doorbell", local(11, 16, 20, 13, 90), local(11, 16, 30), "ok",
        description="Visitor; snapshot taken and sent.",
    ),
    Incident(
        "2026-11-19-doorbell", "doorbell", local(19, 14, 0, 48, 600), local(19, 14, 10), "ok",
        description="Visitor; snapshot taken and sent.",
    ),
    # -- smoke: smoke sensor -> lights on -> HVAC off
    Incident(
        "2026-11-13-smoke", "smoke", local(13, 12, 0, 1, 500), local(13, 12, 10), "ok",
        description="Smoke test: hallway, living room and kitchen lights on, thermostat off.",
    ),
    Incident(
        "2026-11-19-smoke-ecobee-disabled", "smoke", local(19, 11, 0, 3, 330), local(19, 11, 10), "broken",
        "ecobee", "integration", "integration_disabled",
        "Smoke test after the ecobee integration was disabled by the user (2026-11-18 12:00): the "
        "lights came on, the thermostat no longer exists for HA.",
        (EntryDisabled("ecobee", local(18, 12)),),
    ),
)

# -- goodnight: front door locked by hand at ~22:30 -> living room + hallway off, alarm night
_GOODNIGHT_TIMES = {
    10: (22, 31, 4), 11: (22, 28, 40), 12: (22, 34, 12), 13: (22, 30, 55), 14: (22, 41, 9),
    15: (22, 29, 31), 16: (22, 30, 18), 17: (22, 33, 46), 18: (22, 27, 5), 19: (22, 32, 37),
    20: (22, 30, 2),
}
RENAME = Renamed("light.living_room_lamp", "light.living_room", local(15, 15))
for _day, (_h, _m, _s) in sorted(_GOODNIGHT_TIMES.items()):
    _start = local(_day, _h, _m, _s, 250)
    _broken = _start > RENAME.at
    INCIDENTS += (
        Incident(
            f"2026-11-{_day}-goodnight", "goodnight", _start,
            (_start + timedelta(minutes=10)).replace(second=0, microsecond=0),
            "broken" if _broken else "ok",
            "automation.goodnight" if _broken else None,
            "logic" if _broken else None,
            "target_entity_renamed" if _broken else None,
            (
                "Goodnight still targets light.living_room_lamp, renamed to light.living_room on "
                "2026-11-15 15:00: the hallway went off, the living room stayed on."
                if _broken
                else "Front door locked: living room and hallway off, alarm armed for the night."
            ),
            (RENAME,) if _day == 15 else (),
        ),
    )

NOISE: tuple[Plant, ...] = (
    # Unrelated trouble that must not fool a tracer.
    Unavailable(("binary_sensor.basement_motion",), START, None),
    Unavailable(("switch.garage_fridge_plug", "sensor.garage_fridge_plug_power"), local(11, 12), local(11, 23)),
    Unavailable(("light.kitchen",), local(16, 17), local(16, 20)),
)


def all_plants() -> list[Plant]:
    return [plant for incident in INCIDENTS for plant in incident.plant] + list(NOISE)


def incidents_of(chain: str) -> list[Incident]:
    return sorted((i for i in INCIDENTS if i.chain == chain), key=lambda i: i.start)


# ======================================================================================
# Identifiers
# ======================================================================================


class Ids:
    """Deterministic ids in HA's shapes."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(seed)

    def hex(self, digits: int = 32) -> str:
        return f"{self._rng.getrandbits(digits * 4):0{digits}x}"

    def ulid(self, at: datetime) -> str:
        return ulid_from_int((int(at.timestamp() * 1000) << 80) | self._rng.getrandbits(80))

    def micro(self, at: datetime) -> datetime:
        return at + timedelta(microseconds=self._rng.randrange(1_000_000))

    def mac(self, prefix: str) -> str:
        tail = ":".join(f"{self._rng.randrange(256):02x}" for _ in range(6 - len(prefix.split(":"))))
        return f"{prefix}:{tail}"

    def ieee(self, prefix: str) -> str:
        tail = ":".join(f"{self._rng.randrange(256):02x}" for _ in range(8 - len(prefix.split(":"))))
        return f"{prefix}:{tail}"

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ======================================================================================
# The home: config entries, devices, entities
# ======================================================================================


@dataclass
class Entry:
    key: str
    domain: str
    title: str
    created: datetime
    source: str = "user"
    data: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    unique_id: str | None = None
    version: int = 1
    minor_version: int = 1
    discovery_keys: dict[str, Any] = field(default_factory=dict)
    disabled_by: str | None = None
    modified: datetime | None = None
    entry_id: str = ""


@dataclass
class Dev:
    key: str
    entry: str
    name: str
    manufacturer: str | None
    model: str | None
    created: datetime
    model_id: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    connections: tuple[tuple[str, str], ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    via: str | None = None
    area: str | None = None
    entry_type: str | None = None
    name_by_user: str | None = None
    serial_number: str | None = None
    configuration_url: str | None = None
    disabled_by: str | None = None
    modified: datetime | None = None
    id: str = ""


@dataclass
class Ent:
    entity_id: str
    platform: str
    unique_id: str
    friendly_name: str
    created: datetime
    entry: str | None = None
    device: str | None = None
    original_name: str | None = None
    has_entity_name: bool = True
    name: str | None = None
    translation_key: str | None = None
    original_device_class: str | None = None
    capabilities: dict[str, Any] | None = None
    supported_features: int = 0
    unit: str | None = None
    entity_category: str | None = None
    icon: str | None = None
    area: str | None = None
    expose: bool = False
    cap_attrs: dict[str, Any] = field(default_factory=dict)  # capability attributes
    disabled_by: str | None = None
    modified: datetime | None = None
    id: str = ""

    @property
    def domain(self) -> str:
        return self.entity_id.split(".", 1)[0]

    def static_tail(self) -> dict[str, Any]:
        """Attributes HA writes whatever the state (unit, device class, name, features)."""
        tail: dict[str, Any] = {}
        if self.unit is not None:
            tail["unit_of_measurement"] = self.unit
        if self.original_device_class is not None:
            tail["device_class"] = self.original_device_class
        if self.icon is not None:
            tail["icon"] = self.icon
        tail["friendly_name"] = self.friendly_name
        if self.supported_features or self.domain in _FEATURED_DOMAINS:
            tail["supported_features"] = self.supported_features
        return tail


_FEATURED_DOMAINS = {"light", "cover", "alarm_control_panel", "climate", "lock", "camera", "weather"}


@dataclass
class Area:
    id: str
    name: str
    created: datetime
    icon: str | None = None


@dataclass
class Home:
    entries: dict[str, Entry]
    devices: dict[str, Dev]
    entities: dict[str, Ent]
    deleted_entities: list[dict[str, Any]]
    areas: list[Area]
    users: dict[str, str]

    def entity(self, entity_id: str) -> Ent:
        return self.entities[entity_id]


def build_home(ids: Ids) -> Home:
    """Every config entry, device, entity and area of the home, with their registry ids."""
    t = lambda y, mo, d, h=12, mi=0: ids.micro(datetime(y, mo, d, h, mi, tzinfo=UTC))  # noqa: E731
    users = {"alice": ids.hex(), "bob": ids.hex()}
    hue_bridge_id = "001788fffe4a1b2c"
    zha_ieee = ids.ieee("f4:b3:b1:ff:fe")
    zwave_home = "3967296127"
    simplisafe_system = "2207718"

    entries_list = [
        Entry("sun", "sun", "Sun", t(2023, 11, 2, 19, 4), source="import"),
        Entry("met", "met", "Home", t(2023, 11, 2, 19, 11), source="onboarding", data={"track_home": True}),
        Entry(
            "hue", "hue", "Hue Bridge", t(2023, 11, 3, 1, 22), source="zeroconf",
            data={"host": "192.168.1.20", "api_key": "CANARY-TOKEN-HUE-abc123", "api_version": 2},
            unique_id=hue_bridge_id,
            discovery_keys={"zeroconf": [{"domain": "zeroconf", "key": ["_hue._tcp.local.", "Hue Bridge - 4A1B2C._hue._tcp.local."], "version": 1}]},
        ),
        Entry(
            "zha", "zha", "Home Assistant SkyConnect", t(2023, 11, 4, 16, 40), source="usb",
            data={"device": {"baudrate": 115200, "flow_control": "software",
                             "path": "/dev/serial/by-id/usb-Nabu_Casa_SkyConnect_v1.0_9e2adbd75b8beb119fe564a0f320645d-if00-port0"},
                  "radio_type": "ezsp"},
            unique_id="epid=c6:1d:7e:42:0b:93:5f:28", version=4,
        ),
        Entry(
            "zwave_js", "zwave_js", "Z-Wave JS", t(2024, 2, 10, 21, 5),
            data={"integration_created_addon": True, "url": "ws://core-zwave-js:3000",
                  "usb_path": "/dev/serial/by-id/usb-Zooz_800_Z-Wave_Stick_533D004242-if00",
                  "use_addon": True,
                  "s0_legacy_key": "CANARY-ZWAVE-S0-6E1F0A22",
                  "s2_access_control_key": "CANARY-ZWAVE-S2AC-93B7C410",
                  "s2_authenticated_key": "CANARY-ZWAVE-S2AUTH-0D5E8F31",
                  "s2_unauthenticated_key": "CANARY-ZWAVE-S2UN-7A24C9E8"},
            unique_id=zwave_home,
        ),
        Entry(
            "shelly_valve", "shelly", "Water main shutoff", t(2024, 5, 18, 14, 2), source="zeroconf",
            data={"host": "192.168.1.41", "sleep_period": 0, "model": "SNSW-001X16EU", "gen": 2,
                  "username": "admin", "password": "CANARY-SHELLY-PASS-valve77"},
            unique_id="a8032abe54c8",
        ),
        Entry(
            "shelly_plug", "shelly", "Garage fridge plug", t(2024, 6, 1, 15, 30), source="zeroconf",
            data={"host": "192.168.1.42", "sleep_period": 0, "model": "SNPL-00116US", "gen": 2},
            unique_id="e8db84d6f1a0",
        ),
        Entry(
            "nice_go", "nice_go", "alice@example.com", t(2024, 9, 7, 17, 45),
            data={"email": "alice@example.com", "password": "CANARY-NICEGO-PASS-6cf1",
                  "refresh_token": "CANARY-TOKEN-NICEGO-f00d42",
                  "refresh_token_creation_time": 1762214400.0},
            unique_id="alice@example.com",
        ),
        Entry(
            "simplisafe", "simplisafe", "SimpliSafe", t(2024, 3, 22, 23, 10),
            data={"username": "alice@example.com", "token": "CANARY-TOKEN-SIMPLISAFE-51d2e9"},
            options={"code": ALARM_CODE},
            unique_id="1049321",
        ),
        Entry(
            "mobile_alice", "mobile_app", "Alice's Pixel 8", t(2024, 1, 14, 2, 33), source="registration",
            data={"app_data": {"push_token": "CANARY-PUSH-ALICE-eK3v9", "push_url": "https://mobile-apps.home-assistant.io/api/sendPushNotification"},
                  "app_id": "io.homeassistant.companion.android", "app_name": "Home Assistant",
                  "app_version": "2026.10.3-full (3261)", "device_id": "c1f7a2e9b04d5e6f",
                  "device_name": "Alice's Pixel 8", "manufacturer": "Google", "model": "Pixel 8",
                  "no_legacy_encryption": True, "os_name": "Android", "os_version": "16",
                  "secret": "CANARY-SECRET-MOBILE-ALICE-7d41", "supports_encryption": True,
                  "user_id": users["alice"], "webhook_id": "CANARY-WEBHOOK-ALICE-2b44701a"},
        ),
        Entry(
            "mobile_bob", "mobile_app", "Bob's iPhone", t(2024, 1, 20, 3, 12), source="registration",
            data={"app_data": {"push_token": "CANARY-PUSH-BOB-Qm8s1", "push_url": "https://mobile-apps.home-assistant.io/api/sendPushNotification"},
                  "app_id": "io.robbie.HomeAssistant", "app_name": "Home Assistant",
                  "app_version": "2026.10.1 (2026.1402)", "device_id": "8E1D2C3B-4A59-4F6E-8D7C-6B5A49382716",
                  "device_name": "Bob's iPhone", "manufacturer": "Apple", "model": "iPhone16,1",
                  "no_legacy_encryption": True, "os_name": "iOS", "os_version": "26.1",
                  "secret": "CANARY-SECRET-MOBILE-BOB-93a0", "supports_encryption": True,
                  "user_id": users["bob"], "webhook_id": "CANARY-WEBHOOK-BOB-5c8d11e3"},
        ),
        Entry(
            "reolink", "reolink", "Front Doorbell", t(2025, 4, 5, 18, 0), source="dhcp",
            data={"host": "192.168.1.57", "port": 443, "use_https": True, "username": "admin",
                  "password": "CANARY-REOLINK-PASS-d00r", "protocol": "rtsp"},
            options={"protocol": "rtsp"}, unique_id="ec:71:db:3a:9f:04",
        ),
        Entry(
            "ecobee", "ecobee", "ecobee", t(2023, 12, 1, 20, 15),
            data={"api_key": "CANARY-TOKEN-ECOBEE-4f8a", "refresh_token": "CANARY-REFRESH-ECOBEE-91bc"},
        ),
    ]
    entries = {e.key: e for e in entries_list}
    for entry in entries_list:
        entry.entry_id = ids.ulid(entry.created)
        entry.modified = entry.modified or entry.created + timedelta(microseconds=11)
    # The user disabled ecobee on 2026-11-18 12:00 local.
    disable_at = next(p for p in all_plants() if isinstance(p, EntryDisabled)).at
    entries["ecobee"].disabled_by = "user"
    entries["ecobee"].modified = ids.micro(disable_at.astimezone(UTC))

    areas = [
        Area("driveway", "Driveway", t(2023, 11, 3, 1, 30), "mdi:car"),
        Area("porch", "Porch", t(2023, 11, 3, 1, 30)),
        Area("hallway", "Hallway", t(2023, 11, 2, 19, 11)),
        Area("living_room", "Living Room", t(2023, 11, 2, 19, 11)),
        Area("kitchen", "Kitchen", t(2023, 11, 2, 19, 11)),
        Area("garage", "Garage", t(2023, 11, 3, 1, 31), "mdi:garage"),
        Area("basement", "Basement", t(2023, 11, 4, 16, 50)),
        Area("front_door", "Front door", t(2024, 2, 10, 21, 20), "mdi:door"),
        Area("back_door", "Back door", t(2024, 2, 10, 21, 21), "mdi:door"),
    ]

    hue_created = entries["hue"].created

    def hue_light(key: str, name: str, model: str, model_id: str, area: str, created: datetime) -> Dev:
        return Dev(key, "hue", name, "Signify Netherlands B.V.", model, created, model_id=model_id,
                   sw_version="1.122.8", connections=(("zigbee", ids.ieee("00:17:88:01")),),
                   identifiers=(("hue", ids.uuid()),), via="hue_bridge", area=area)

    zha_created = entries["zha"].created

    def zha_dev(key: str, name: str, manufacturer: str, model: str, area: str, created: datetime, prefix: str) -> Dev:
        ieee = ids.ieee(prefix)
        return Dev(key, "zha", name, manufacturer, model, created, connections=(("zigbee", ieee),),
                   identifiers=(("zha", ieee),), via="zha_coordinator", area=area, name_by_user=None)

    zw_created = entries["zwave_js"].created
    devices_list = [
        Dev("sun", "sun", "Sun", None, None, entries["sun"].created, entry_type="service",
            identifiers=(("sun", entries["sun"].entry_id),)),
        Dev("met", "met", "Forecast", "Met.no", "Forecast", entries["met"].created, entry_type="service",
            identifiers=(("met", entries["met"].entry_id),), configuration_url="https://www.met.no/en"),
        Dev("hue_bridge", "hue", "Hue Bridge", "Signify Netherlands B.V.", "Hue Bridge", hue_created,
            model_id="BSB002", sw_version="1.72.1972088010",
            connections=(("mac", "00:17:88:4a:1b:2c"),), identifiers=(("hue", ids.uuid()),),
            area="living_room"),
        hue_light("hue_driveway", "Driveway", "Hue Lily outdoor spot light", "1741430P7", "driveway", hue_created + timedelta(seconds=4)),
        hue_light("hue_porch", "Porch", "Hue Econic outdoor wall lantern", "1743830P7", "porch", ids.micro(datetime(2026, 10, 2, 21, 14, tzinfo=UTC))),
        hue_light("hue_hallway", "Hallway", "Hue white A19", "LWA001", "hallway", hue_created + timedelta(seconds=5)),
        hue_light("hue_living_room", "Living room lamp", "Hue white ambiance A19", "LTA001", "living_room", hue_created + timedelta(seconds=6)),
        hue_light("hue_kitchen", "Kitchen", "Hue white A19", "LWA001", "kitchen", hue_created + timedelta(seconds=7)),
        hue_light("hue_motion", "Hallway motion", "Hue motion sensor", "SML001", "hallway", hue_created + timedelta(seconds=8)),
        Dev("zha_coordinator", "zha", "Nabu Casa SkyConnect v1.0", "Nabu Casa", "SkyConnect v1.0", zha_created,
            connections=(("zigbee", zha_ieee),), identifiers=(("zha", zha_ieee),), via="zha_coordinator"),
        zha_dev("zha_leak", "Kitchen leak sensor", "LUMI", "lumi.sensor_wleak.aq1", "kitchen", zha_created + timedelta(minutes=9), "00:15:8d:00"),
        zha_dev("zha_smoke", "Hallway smoke", "HEIMAN", "SmokeSensor-EM", "hallway", zha_created + timedelta(minutes=14), "00:0d:6f:00"),
        zha_dev("zha_front_door", "Front door contact", "LUMI", "lumi.sensor_magnet.aq2", "front_door", zha_created + timedelta(minutes=20), "00:15:8d:00"),
        zha_dev("zha_basement_motion", "Basement motion", "IKEA of Sweden", "TRADFRI motion sensor", "basement", zha_created + timedelta(minutes=26), "8c:f6:81:ff"),
        Dev("zwave_controller", "zwave_js", "800 Series Long Range USB Controller", "Zooz", "ZST39 LR", zw_created,
            sw_version="1.50", identifiers=(("zwave_js", f"{zwave_home}-1"), ("zwave_js", f"{zwave_home}-1-634:4:1552"))),
        Dev("zwave_front_lock", "zwave_js", "Front door lock", "Yale", "YRD256", zw_created + timedelta(minutes=12),
            sw_version="1.4", identifiers=(("zwave_js", f"{zwave_home}-5"), ("zwave_js", f"{zwave_home}-5-297:32769:1536")),
            via="zwave_controller", area="front_door"),
        Dev("zwave_back_lock", "zwave_js", "Back door lock", "Allegion", "BE469ZP", zw_created + timedelta(minutes=31),
            sw_version="0.11", identifiers=(("zwave_js", f"{zwave_home}-7"), ("zwave_js", f"{zwave_home}-7-59:1:1")),
            via="zwave_controller", area="back_door"),
        Dev("shelly_valve", "shelly_valve", "Water main shutoff", "Shelly", "Shelly Plus 1", entries["shelly_valve"].created,
            model_id="SNSW-001X16EU", sw_version="1.4.4", hw_version="gen2 (SNSW-001X16EU)",
            connections=(("mac", "a8:03:2a:be:54:c8"),), configuration_url="http://192.168.1.41", area="basement"),
        Dev("shelly_plug", "shelly_plug", "Garage fridge plug", "Shelly", "Shelly Plus Plug S", entries["shelly_plug"].created,
            model_id="SNPL-00116US", sw_version="1.4.4", hw_version="gen2 (SNPL-00116US)",
            connections=(("mac", "e8:db:84:d6:f1:a0"),), configuration_url="http://192.168.1.42", area="garage"),
        Dev("nice_go", "nice_go", "Garage door", "Nice", "Nice G.O. garage door", entries["nice_go"].created,
            sw_version="1.2.3", identifiers=(("nice_go", "2ff5d4e3-0a1b-4e92-8c6d-51f0e7b2a934"),), area="garage"),
        Dev("simplisafe_base", "simplisafe", "Maple Street", "SimpliSafe", "SimpliSafe 3", entries["simplisafe"].created,
            sw_version="4.2.2", identifiers=(("simplisafe", simplisafe_system),), area="hallway"),
        Dev("simplisafe_entry", "simplisafe", "Entry sensor garage", "SimpliSafe", "Entry Sensor",
            entries["simplisafe"].created + timedelta(seconds=2),
            identifiers=(("simplisafe", "1f3a92b"),), via="simplisafe_base", area="garage"),
        Dev("alice_pixel", "mobile_alice", "Alice's Pixel 8", "Google", "Pixel 8", entries["mobile_alice"].created,
            sw_version="16", identifiers=(("mobile_app", "c1f7a2e9b04d5e6f"),)),
        Dev("bob_iphone", "mobile_bob", "Bob's iPhone", "Apple", "iPhone16,1", entries["mobile_bob"].created,
            sw_version="26.1", identifiers=(("mobile_app", "8E1D2C3B-4A59-4F6E-8D7C-6B5A49382716"),)),
        Dev("reolink_doorbell", "reolink", "Front Doorbell", "Reolink", "Reolink Video Doorbell WiFi", entries["reolink"].created,
            model_id="DB_566128M5MP_W", sw_version="v3.0.0.4662_2503122283", hw_version="DB_566128M5MP_W",
            serial_number="192168157A9F04", connections=(("mac", "ec:71:db:3a:9f:04"),),
            identifiers=(("reolink", "9527000QTXQ9CTDV"),), configuration_url="https://192.168.1.57:443", area="front_door"),
        Dev("ecobee", "ecobee", "Hallway", "ecobee", "ecobee4 Smart Thermostat", entries["ecobee"].created,
            identifiers=(("ecobee", "521784337210"),), area="hallway"),
    ]
    devices = {d.key: d for d in devices_list}
    for dev in devices_list:
        dev.id = ids.hex()
        dev.modified = dev.modified or dev.created + timedelta(microseconds=173)
    devices["ecobee"].disabled_by = "config_entry"
    devices["ecobee"].modified = entries["ecobee"].modified + timedelta(microseconds=950)

    def light(entity_id: str, dev: str, name: str, area: str | None = None) -> Ent:
        return Ent(entity_id, "hue", ids.uuid(), name, devices[dev].created, entry="hue", device=dev,
                   capabilities={"supported_color_modes": ["brightness"]}, supported_features=40,
                   cap_attrs={"supported_color_modes": ["brightness"]}, expose=True, area=area)

    ents: list[Ent] = [
        Ent("sun.sun", "sun", entries["sun"].entry_id, "Sun", entries["sun"].created, entry="sun", device="sun",
            has_entity_name=False, original_name="Sun"),
        Ent("weather.forecast_home", "met", entries["met"].entry_id, "Forecast Home", entries["met"].created,
            entry="met", device="met", has_entity_name=True, original_name=None, supported_features=3, expose=True,
            name=None),
        light("light.driveway", "hue_driveway", "Driveway"),
        light("light.porch", "hue_porch", "Porch"),
        light("light.hallway", "hue_hallway", "Hallway"),
        light("light.living_room", "hue_living_room", "Living room lamp"),
        light("light.kitchen", "hue_kitchen", "Kitchen"),
        Ent("binary_sensor.hallway_motion", "hue", ids.uuid(), "Hallway motion", devices["hue_motion"].created,
            entry="hue", device="hue_motion", original_name="Motion", name="Hallway motion",
            original_device_class="motion", translation_key="motion"),
        Ent("sensor.hallway_motion_temperature", "hue", ids.uuid(), "Hallway motion Temperature",
            devices["hue_motion"].created, entry="hue", device="hue_motion", original_name="Temperature",
            original_device_class="temperature", unit="°F", capabilities={"state_class": "measurement"},
            cap_attrs={"state_class": "measurement"}, expose=True),
        Ent("sensor.hallway_motion_illuminance", "hue", ids.uuid(), "Hallway motion Illuminance",
            devices["hue_motion"].created, entry="hue", device="hue_motion", original_name="Illuminance",
            original_device_class="illuminance", unit="lx", capabilities={"state_class": "measurement"},
            cap_attrs={"state_class": "measurement"}),
        Ent("binary_sensor.kitchen_leak", "zha", f"{devices['zha_leak'].identifiers[0][1]}-1-1280", "Kitchen leak sensor",
            devices["zha_leak"].created, entry="zha", device="zha_leak", original_name=None,
            original_device_class="moisture"),
        Ent("binary_sensor.hallway_smoke", "zha", f"{devices['zha_smoke'].identifiers[0][1]}-1-1280", "Hallway smoke",
            devices["zha_smoke"].created, entry="zha", device="zha_smoke", original_name=None,
            original_device_class="smoke"),
        Ent("binary_sensor.front_door_contact", "zha", f"{devices['zha_front_door'].identifiers[0][1]}-1-6",
            "Front door contact", devices["zha_front_door"].created, entry="zha", device="zha_front_door",
            original_name=None, original_device_class="door", translation_key="opening"),
        Ent("binary_sensor.basement_motion", "zha", f"{devices['zha_basement_motion'].identifiers[0][1]}-1-6",
            "Basement motion", devices["zha_basement_motion"].created, entry="zha", device="zha_basement_motion",
            original_name=None, original_device_class="motion"),
        Ent("lock.front_door", "zwave_js", f"{zwave_home}.5-98-0-currentMode", "Front door lock",
            devices["zwave_front_lock"].created, entry="zwave_js", device="zwave_front_lock", original_name=None),
        Ent("lock.back_door", "zwave_js", f"{zwave_home}.7-98-0-currentMode", "Back door lock",
            devices["zwave_back_lock"].created, entry="zwave_js", device="zwave_back_lock", original_name=None),
        Ent("switch.water_main_shutoff", "shelly", "a8032abe54c8-switch:0", "Water main shutoff",
            devices["shelly_valve"].created, entry="shelly_valve", device="shelly_valve", original_name=None,
            expose=True),
        Ent("switch.garage_fridge_plug", "shelly", "e8db84d6f1a0-switch:0", "Garage fridge plug",
            devices["shelly_plug"].created, entry="shelly_plug", device="shelly_plug", original_name=None,
            expose=True),
        Ent("sensor.garage_fridge_plug_power", "shelly", "e8db84d6f1a0-switch:0-power", "Garage fridge plug Power",
            devices["shelly_plug"].created, entry="shelly_plug", device="shelly_plug", original_name="Power",
            original_device_class="power", unit="W", capabilities={"state_class": "measurement"},
            cap_attrs={"state_class": "measurement"}),
        Ent("cover.garage_door", "nice_go", "2ff5d4e3-0a1b-4e92-8c6d-51f0e7b2a934", "Garage door",
            devices["nice_go"].created, entry="nice_go", device="nice_go", original_name=None,
            original_device_class="garage", supported_features=3),
        Ent("alarm_control_panel.home_alarm", "simplisafe", simplisafe_system, "Home alarm",
            devices["simplisafe_base"].created, entry="simplisafe", device="simplisafe_base", original_name=None,
            name="Home alarm", supported_features=3),
        Ent("binary_sensor.entry_sensor_garage", "simplisafe", "1f3a92b", "Entry sensor garage",
            devices["simplisafe_entry"].created, entry="simplisafe", device="simplisafe_entry", original_name=None,
            original_device_class="door"),
        Ent("device_tracker.alice_pixel", "mobile_app", "c1f7a2e9b04d5e6f", "Alice's Pixel 8",
            devices["alice_pixel"].created, entry="mobile_alice", device="alice_pixel", original_name=None,
            has_entity_name=False),
        Ent("sensor.alice_pixel_battery_level", "mobile_app", "c1f7a2e9b04d5e6f_battery_level",
            "Alice's Pixel 8 Battery level", devices["alice_pixel"].created, entry="mobile_alice",
            device="alice_pixel", original_name="Battery level", original_device_class="battery", unit="%",
            capabilities={"state_class": "measurement"}, cap_attrs={"state_class": "measurement"},
            entity_category="diagnostic"),
        Ent("device_tracker.bob_iphone", "mobile_app", "8E1D2C3B-4A59-4F6E-8D7C-6B5A49382716", "Bob's iPhone",
            devices["bob_iphone"].created, entry="mobile_bob", device="bob_iphone", original_name=None,
            has_entity_name=False),
        Ent("binary_sensor.front_doorbell_visitor", "reolink", "9527000QTXQ9CTDV_visitor", "Front Doorbell Visitor",
            devices["reolink_doorbell"].created, entry="reolink", device="reolink_doorbell", original_name="Visitor",
            translation_key="visitor"),
        Ent("camera.front_doorbell_fluent", "reolink", "9527000QTXQ9CTDV_sub", "Front Doorbell Fluent",
            devices["reolink_doorbell"].created, entry="reolink", device="reolink_doorbell", original_name="Fluent",
            translation_key="sub", supported_features=2),
        Ent("climate.hallway", "ecobee", "521784337210", "Hallway", devices["ecobee"].created, entry="ecobee",
            device="ecobee", original_name=None, supported_features=411, expose=True,
            capabilities={"hvac_modes": ["heat_cool", "heat", "cool", "off"], "min_temp": 45, "max_temp": 92,
                          "fan_modes": ["on", "auto"], "preset_modes": ["away", "home", "sleep"]},
            cap_attrs={"hvac_modes": ["heat_cool", "heat", "cool", "off"], "min_temp": 45, "max_temp": 92,
                       "fan_modes": ["on", "auto"], "preset_modes": ["away", "home", "sleep"]}),
        Ent("sensor.hallway_temperature", "ecobee", "521784337210_thermostat_temperature", "Hallway Temperature",
            devices["ecobee"].created, entry="ecobee", device="ecobee", original_name="Temperature",
            original_device_class="temperature", unit="°F", capabilities={"state_class": "measurement"},
            cap_attrs={"state_class": "measurement"}, expose=True),
        Ent("sensor.hallway_humidity", "ecobee", "521784337210_thermostat_humidity", "Hallway Humidity",
            devices["ecobee"].created, entry="ecobee", device="ecobee", original_name="Humidity",
            original_device_class="humidity", unit="%", capabilities={"state_class": "measurement"},
            cap_attrs={"state_class": "measurement"}, expose=True),
        Ent("person.alice", "person", "alice", "Alice", t(2023, 11, 2, 19, 10), has_entity_name=False,
            original_name=None),
        Ent("person.bob", "person", "bob", "Bob", t(2023, 11, 2, 19, 40), has_entity_name=False, original_name=None),
        Ent("script.welcome_home", "script", "welcome_home", "Welcome home", t(2024, 9, 7, 18, 2),
            has_entity_name=False, original_name="Welcome home"),
    ]
    for spec in AUTOMATIONS:
        ents.append(Ent(spec.entity_id, "automation", spec.uid, spec.alias, ids.micro(spec.created),
                        has_entity_name=False, original_name=spec.alias))
    entities = {e.entity_id: e for e in ents}
    for ent in ents:
        ent.id = ids.hex()
        ent.modified = ent.modified or ent.created + timedelta(microseconds=389)
    # The rename: the registry entry keeps its id and unique_id, only the entity id moved.
    entities["light.living_room"].modified = ids.micro(RENAME.at.astimezone(UTC))
    for ent in entities.values():
        if ent.entry == "ecobee":
            ent.disabled_by = "config_entry"
            ent.modified = entries["ecobee"].modified + timedelta(microseconds=1200)

    deleted = [{
        "aliases": [], "area_id": None, "categories": {}, "config_entry_id": entries["hue"].entry_id,
        "config_subentry_id": None, "created_at": iso(hue_created + timedelta(seconds=9)),
        "device_class": None, "disabled_by": None, "disabled_by_undefined": False,
        "entity_id": "light.porch_old", "hidden_by": None, "hidden_by_undefined": False, "icon": None,
        "id": ids.hex(), "labels": [], "modified_at": iso(ids.micro(datetime(2026, 10, 2, 21, 9, tzinfo=UTC))),
        "name": None, "options": {"conversation": {"should_expose": True}}, "options_undefined": False,
        "orphaned_timestamp": None, "platform": "hue", "unique_id": ids.uuid(),
    }]
    return Home(entries, devices, entities, deleted, areas, users)


# ======================================================================================
# Automations and the script, as written in automations.yaml / scripts.yaml
# ======================================================================================


@dataclass(frozen=True)
class AutomationSpec:
    entity_id: str
    uid: str
    alias: str
    created: datetime
    yaml: str


AUTOMATIONS: tuple[AutomationSpec, ...] = (
    AutomationSpec(
        "automation.porch_light_at_sunset", "1690000000042", "Porch light at sunset",
        datetime(2023, 7, 22, 4, 26, 40, tzinfo=UTC),
        """\
- id: '1690000000042'
  alias: Porch light at sunset
  description: ''
  triggers:
  - trigger: sun
    event: sunset
    offset: 0
  conditions: []
  actions:
  - action: light.turn_on
    metadata: {}
    data: {}
    target:
      entity_id: light.porch_old
  mode: single
""",
    ),
    AutomationSpec(
        "automation.water_leak_shutoff", "water_leak_shutoff", "Water leak: close the main valve",
        datetime(2024, 5, 18, 14, 30, tzinfo=UTC),
        """\
# Hand-written when the valve went in (May 2024). "on" on the Shelly = valve CLOSED.
- id: water_leak_shutoff
  alias: 'Water leak: close the main valve'
  trigger:
    platform: state
    entity_id: binary_sensor.kitchen_leak
    to: 'on'
  action:
  - service: switch.turn_on
    entity_id: switch.water_main_shutoff
  - service: notify.mobile_app_alice_pixel
    data:
      message: Water leak! The main valve was closed.
""",
    ),
    AutomationSpec(
        "automation.smoke_emergency", "smoke_emergency", "Smoke: lights on, HVAC off",
        datetime(2024, 6, 2, 0, 12, tzinfo=UTC),
        """\
- id: smoke_emergency
  alias: 'Smoke: lights on, HVAC off'
  trigger:
  - platform: state
    entity_id: binary_sensor.hallway_smoke
    to: 'on'
  action:
  - service: light.turn_on
    target:
      entity_id:
      - light.hallway
      - light.living_room
      - light.kitchen
    data:
      brightness_pct: 100
  - service: climate.turn_off
    target:
      entity_id: climate.hallway
  mode: single
""",
    ),
    AutomationSpec(
        "automation.garage_opened_evening", "garage_opened_evening", "Garage opened: driveway lights and disarm",
        datetime(2024, 9, 7, 18, 5, tzinfo=UTC),
        """\
- id: garage_opened_evening
  alias: 'Garage opened: driveway lights and disarm'
  trigger:
    platform: state
    entity_id: cover.garage_door
    to: open
  condition:
    condition: state
    entity_id: sun.sun
    state: below_horizon
  action:
  - service: light.turn_on
    entity_id: light.driveway
  - service: script.welcome_home
  mode: single
""",
    ),
    AutomationSpec(
        "automation.arrive_home", "1700000000001", "Arrive home: open garage",
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        """\
- id: '1700000000001'
  alias: 'Arrive home: open garage'
  description: Open the garage when Alice gets home.
  triggers:
  - trigger: state
    entity_id:
    - person.alice
    from: not_home
    to: home
  conditions: []
  actions:
  - action: cover.open_cover
    metadata: {}
    data: {}
    target:
      entity_id: cover.garage_door
  mode: single
""",
    ),
    AutomationSpec(
        "automation.goodnight", "1701234567890", "Goodnight",
        datetime(2023, 11, 29, 5, 9, 27, tzinfo=UTC),
        """\
- id: '1701234567890'
  alias: Goodnight
  description: Front door locked late in the evening -> lights off, alarm in night mode.
  triggers:
  - trigger: state
    entity_id:
    - lock.front_door
    to: locked
  conditions:
  - condition: time
    after: '21:30:00'
  actions:
  - action: light.turn_off
    metadata: {}
    data: {}
    target:
      entity_id:
      - light.living_room_lamp
      - light.hallway
  - action: alarm_control_panel.alarm_arm_night
    metadata: {}
    data: {}
    target:
      entity_id: alarm_control_panel.home_alarm
  mode: single
""",
    ),
    AutomationSpec(
        "automation.doorbell_snapshot", "1715550000123", "Doorbell: snapshot and notify",
        datetime(2025, 4, 5, 18, 20, tzinfo=UTC),
        """\
- id: '1715550000123'
  alias: 'Doorbell: snapshot and notify'
  description: ''
  triggers:
  - trigger: state
    entity_id:
    - binary_sensor.front_doorbell_visitor
    to: 'on'
  conditions: []
  actions:
  - action: camera.snapshot
    metadata: {}
    data:
      filename: /config/www/doorbell.jpg
    target:
      entity_id: camera.front_doorbell_fluent
  - action: notify.mobile_app_alice_pixel
    metadata: {}
    data:
      message: Someone is at the front door
      data:
        image: /local/doorbell.jpg
  mode: single
""",
    ),
)

SCRIPTS_YAML = """\
welcome_home:
  alias: Welcome home
  sequence:
  - service: alarm_control_panel.alarm_disarm
    target:
      entity_id: alarm_control_panel.home_alarm
    data:
      code: !secret alarm_code
  - service: notify.mobile_app_alice_pixel
    data:
      message: Welcome home
  mode: single
"""

CONFIGURATION_YAML = """\
# Loads default set of integrations. Do not remove.
default_config:

automation: !include automations.yaml
script: !include scripts.yaml

recorder:
  purge_keep_days: 14

logger:
  default: warning
"""

SECRETS_YAML = f"""\
# Use this file to store secrets like usernames and passwords.
# Learn more at https://www.home-assistant.io/docs/configuration/secrets/
alarm_code: "{ALARM_CODE}"
nas_backup_password: "CANARY-SECRET-NAS-8842"
"""


def automations_yaml() -> str:
    return "".join(spec.yaml for spec in AUTOMATIONS)


def automation_configs() -> dict[str, dict[str, Any]]:
    """Each automation's raw config (what HA keeps for traces), by entity id."""
    yaml = YAML(typ="safe", pure=True)
    configs: dict[str, dict[str, Any]] = {}
    for spec in AUTOMATIONS:
        [config] = yaml.load(spec.yaml)
        configs[spec.entity_id] = config
    return configs


# ======================================================================================
# .storage writers
# ======================================================================================


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pretty(value: Any, indent: int, fragment_lists: frozenset[str], key: str | None = None) -> str:
    pad = " " * indent
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, indent + 2, fragment_lists, k)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if key in fragment_lists:
            return "[\n" + ",\n".join(inner + _compact(v) for v in value) + "\n" + pad + "]"
        return "[\n" + ",\n".join(inner + _pretty(v, indent + 2, fragment_lists) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def write_store(root: Path, key: str, version: int, minor: int, data: dict[str, Any],
                fragments: Iterable[str] = ()) -> None:
    """A `.storage` file as HA's Store writes it: indented, registry items as compact lines."""
    document = {"version": version, "minor_version": minor, "key": key, "data": data}
    text = _pretty(document, 0, frozenset(fragments))
    path = root / ".storage" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def storage_core_config(home: Home) -> dict[str, Any]:
    return {
        "latitude": HOME_LAT, "longitude": HOME_LON, "elevation": HOME_ELEVATION,
        "unit_system_v2": "us_customary", "location_name": "Maple Street",
        "time_zone": "America/New_York", "external_url": None, "internal_url": None,
        "currency": "USD", "country": "US", "language": "en", "radius": 100,
    }


def storage_config_entries(home: Home) -> dict[str, Any]:
    entries = []
    for e in home.entries.values():
        entries.append({
            "created_at": iso(e.created), "data": e.data, "disabled_by": e.disabled_by,
            "discovery_keys": e.discovery_keys, "domain": e.domain, "entry_id": e.entry_id,
            "minor_version": e.minor_version, "modified_at": iso(e.modified or e.created),
            "options": e.options, "pref_disable_new_entities": False, "pref_disable_polling": False,
            "source": e.source, "subentries": [], "title": e.title, "unique_id": e.unique_id,
            "version": e.version,
        })
    return {"entries": entries}


def storage_device_registry(home: Home) -> dict[str, Any]:
    devices = []
    for d in home.devices.values():
        entry_id = home.entries[d.entry].entry_id
        devices.append({
            "area_id": d.area, "config_entries": [entry_id], "config_entries_subentries": {entry_id: [None]},
            "configuration_url": d.configuration_url, "connections": [list(c) for c in d.connections],
            "created_at": iso(d.created), "disabled_by": d.disabled_by, "entry_type": d.entry_type,
            "hw_version": d.hw_version, "id": d.id, "identifiers": [list(i) for i in d.identifiers],
            "labels": [], "manufacturer": d.manufacturer, "model": d.model, "model_id": d.model_id,
            "modified_at": iso(d.modified or d.created), "name_by_user": d.name_by_user, "name": d.name,
            "primary_config_entry": entry_id, "serial_number": d.serial_number, "sw_version": d.sw_version,
            "via_device_id": home.devices[d.via].id if d.via else None,
        })
    return {"devices": devices, "deleted_devices": []}


def storage_entity_registry(home: Home) -> dict[str, Any]:
    entities = []
    for e in home.entities.values():
        options: dict[str, Any] = {"conversation": {"should_expose": e.expose}}
        if e.domain == "sensor" and e.original_device_class in ("temperature", "humidity"):
            options["sensor"] = {"suggested_display_precision": 1}
        entities.append({
            "aliases": [], "area_id": e.area, "categories": {}, "capabilities": e.capabilities,
            "config_entry_id": home.entries[e.entry].entry_id if e.entry else None,
            "config_subentry_id": None, "created_at": iso(e.created), "device_class": None,
            "device_id": home.devices[e.device].id if e.device else None, "disabled_by": e.disabled_by,
            "entity_category": e.entity_category, "entity_id": e.entity_id, "hidden_by": None,
            "icon": None, "id": e.id, "has_entity_name": e.has_entity_name, "labels": [],
            "modified_at": iso(e.modified or e.created), "name": e.name, "options": options,
            "original_device_class": e.original_device_class, "original_icon": None,
            "original_name": e.original_name, "platform": e.platform, "suggested_object_id": None,
            "supported_features": e.supported_features, "translation_key": e.translation_key,
            "unique_id": e.unique_id, "previous_unique_id": None, "unit_of_measurement": e.unit,
        })
    return {"entities": entities, "deleted_entities": home.deleted_entities}


def storage_area_registry(home: Home) -> dict[str, Any]:
    return {"areas": [
        {"aliases": [], "floor_id": None, "humidity_entity_id": None, "icon": a.icon, "id": a.id,
         "labels": [], "name": a.name, "picture": None,
         "temperature_entity_id": "sensor.hallway_temperature" if a.id == "hallway" else None,
         "created_at": iso(a.created), "modified_at": iso(a.created + timedelta(microseconds=7))}
        for a in home.areas
    ]}


def storage_person(home: Home) -> dict[str, Any]:
    return {"items": [
        {"id": "alice", "name": "Alice", "user_id": home.users["alice"],
         "device_trackers": ["device_tracker.alice_pixel"]},
        {"id": "bob", "name": "Bob", "user_id": home.users["bob"],
         "device_trackers": ["device_tracker.bob_iphone"], "picture": None},
    ]}


# ======================================================================================
# Sun
# ======================================================================================


def _solar(moment: datetime) -> tuple[float, float, float]:
    """(declination rad, equation of time minutes, fractional year) - NOAA approximation."""
    utc = moment.astimezone(UTC)
    day_of_year = utc.timetuple().tm_yday
    gamma = 2 * math.pi / 365 * (day_of_year - 1 + (utc.hour - 12) / 24)
    eqtime = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                       - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    decl = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
            - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
            - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))
    return decl, eqtime, gamma


def sun_times(day: int) -> tuple[datetime, datetime]:
    """Approximate sunrise and sunset (local) at the home on a November day."""
    noon = local(day, 12)
    decl, eqtime, _ = _solar(noon)
    lat = math.radians(HOME_LAT)
    cos_ha = math.cos(math.radians(90.833)) / (math.cos(lat) * math.cos(decl)) - math.tan(lat) * math.tan(decl)
    ha = math.degrees(math.acos(cos_ha))
    midnight_utc = datetime(YEAR, MONTH, day, tzinfo=UTC)
    rise = midnight_utc + timedelta(minutes=720 - 4 * (HOME_LON + ha) - eqtime)
    setting = midnight_utc + timedelta(minutes=720 - 4 * (HOME_LON - ha) - eqtime)
    return rise.astimezone(TZ).replace(microsecond=0), setting.astimezone(TZ).replace(microsecond=0)


def sun_position(moment: datetime) -> tuple[float, float]:
    """(elevation, azimuth) in degrees."""
    decl, eqtime, _ = _solar(moment)
    utc = moment.astimezone(UTC)
    minutes = utc.hour * 60 + utc.minute + utc.second / 60
    true_solar = minutes + eqtime + 4 * HOME_LON
    ha = math.radians(true_solar / 4 - 180)
    lat = math.radians(HOME_LAT)
    cos_zenith = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(ha)
    zenith = math.acos(max(-1.0, min(1.0, cos_zenith)))
    elevation = 90 - math.degrees(zenith)
    cos_az = (math.sin(lat) * math.cos(zenith) - math.sin(decl)) / (math.cos(lat) * math.sin(zenith))
    azimuth = math.degrees(math.acos(max(-1.0, min(1.0, cos_az))))
    azimuth = (azimuth + 180) % 360 if ha > 0 else (540 - azimuth) % 360
    return round(elevation, 2), round(azimuth, 2)


SUN = {day: sun_times(day) for day in range(FIRST_DAY - 1, LAST_DAY + 2)}


def sun_is_up(moment: datetime) -> bool:
    rise, setting = SUN[moment.astimezone(TZ).day]
    return rise <= moment < setting


# ======================================================================================
# The simulation: a small model of Home Assistant's state machine, services and automations
# ======================================================================================

# Attributes the recorder does not store (recorder ALL_DOMAIN_EXCLUDE_ATTRS, and each
# integration's recorder platform / _unrecorded_attributes).
ALL_DOMAIN_EXCLUDE = {"attribution", "restored", "supported_features"}
UNRECORDED = {
    "automation": {"id", "last_triggered", "mode", "current", "max"},
    "script": {"last_triggered", "mode", "current", "max"},
    "sun": {"azimuth", "elevation", "rising", "next_dawn", "next_dusk", "next_midnight", "next_noon",
            "next_rising", "next_setting"},
    "camera": {"access_token", "entity_picture"},
    "light": {"supported_color_modes", "effect_list", "min_color_temp_kelvin", "max_color_temp_kelvin",
              "min_mireds", "max_mireds"},
    "climate": {"hvac_modes", "fan_modes", "preset_modes", "swing_modes", "min_temp", "max_temp",
                "min_humidity", "max_humidity", "target_temp_step"},
}


def recorded(entity_id: str, attrs: dict[str, Any]) -> dict[str, Any]:
    skip = ALL_DOMAIN_EXCLUDE | UNRECORDED.get(entity_id.split(".", 1)[0], set())
    return {k: v for k, v in attrs.items() if k not in skip}


def ctx_dict(ctx: Context) -> dict[str, Any]:
    return {"id": ctx.id, "parent_id": ctx.parent_id, "user_id": ctx.user_id}


@dataclass
class State:
    state: str
    attrs: dict[str, Any]
    last_changed: datetime
    last_updated: datetime
    context: Context

    def as_dict(self, entity_id: str) -> dict[str, Any]:
        return {
            "entity_id": entity_id, "state": self.state, "attributes": self.attrs,
            "last_changed": iso(self.last_changed), "last_reported": iso(self.last_updated),
            "last_updated": iso(self.last_updated), "context": ctx_dict(self.context),
        }


@dataclass
class LogLine:
    at: datetime
    level: str
    thread: str
    logger: str
    message: str

    def render(self) -> str:
        stamp = self.at.astimezone(TZ)
        return (f"{stamp:%Y-%m-%d %H:%M:%S}.{stamp.microsecond // 1000:03d} {self.level} "
                f"({self.thread}) [{self.logger}] {self.message}")


Listener = Callable[[str, State | None, State], None]
Process = Generator[float, None, None]


class Sim:
    """Time-ordered events, a state machine, service calls and a recorder."""

    def __init__(self, home: Home, writer: RecorderWriter) -> None:
        self.home = home
        self.writer = writer
        self.rng = random.Random(f"{SEED}-life")
        self.ctx_rng = random.Random(f"{SEED}-contexts")
        self.run_rng = random.Random(f"{SEED}-runs")
        self.now = START
        self._queue: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = 0
        self.states: dict[str, State] = {}
        self.dynamic: dict[str, dict[str, Any]] = {}  # last attributes while available
        self.provided: set[str] = set()  # entities a loaded integration currently provides
        self.listeners: dict[str, list[Listener]] = {}
        self._recent: dict[str, tuple[Context, datetime]] = {}
        self.log: list[LogLine] = []
        self.renamed = False
        self.plants = all_plants()
        self.saved_states: dict[str, dict[str, str | None]] = {}  # integration -> states before unload

    # ---------------------------------------------------------------- scheduling
    def at(self, when: datetime, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._queue, (when, self._seq, fn, args))
        self._seq += 1

    def spawn(self, process: Process, when: datetime) -> None:
        self.at(when, self._step, process)

    def _step(self, process: Process) -> None:
        try:
            delay = next(process)
        except StopIteration:
            return
        self.at(self.now + seconds(delay), self._step, process)

    def run(self) -> None:
        while self._queue:
            when, _, fn, args = heapq.heappop(self._queue)
            if when > END:
                break
            self.now = when
            fn(*args)

    def jitter(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def fresh(self, user: str | None = None, parent: Context | None = None) -> Context:
        return new_context(self.now, parent=parent, rng=self.ctx_rng,
                           user_id=self.home.users[user] if user else None)

    # ---------------------------------------------------------------- faults
    def active(self, kind: type, **match: Any) -> Any:
        for plant in self.plants:
            if not isinstance(plant, kind):
                continue
            if any(getattr(plant, k) != v for k, v in match.items()):
                continue
            start = getattr(plant, "start", None)
            end = getattr(plant, "end", None)
            if start is not None and not (start <= self.now and (end is None or self.now < end)):
                continue
            return plant
        return None

    # ---------------------------------------------------------------- states
    def state(self, entity_id: str) -> str | None:
        current = self.states.get(entity_id)
        return current.state if current else None

    def available(self, entity_id: str) -> bool:
        return entity_id in self.provided and self.state(entity_id) not in (None, "unavailable")

    def attrs_for(self, entity_id: str, state: str, dynamic: dict[str, Any] | None, restored: bool = False) -> dict[str, Any]:
        ent = self.home.entity(entity_id)
        attrs: dict[str, Any] = {}
        if restored:
            attrs["restored"] = True
        attrs.update(ent.cap_attrs)
        if state != "unavailable" and dynamic:
            attrs.update(dynamic)
        attrs.update(ent.static_tail())
        return attrs

    def set(self, entity_id: str, state: str, dynamic: dict[str, Any] | None = None, *,
            ctx: Context | None = None, restored: bool = False, force_new: bool = False) -> None:
        """Write a state as `Entity.async_write_ha_state` would, and notify listeners."""
        if state != "unavailable":
            if dynamic is None:
                dynamic = self.dynamic.get(entity_id, {})
            self.dynamic[entity_id] = dict(dynamic)
        attrs = self.attrs_for(entity_id, state, dynamic, restored)
        old = self.states.get(entity_id)
        if old is not None and not force_new and old.state == state and old.attrs == attrs:
            return
        if ctx is None:
            recent = self._recent.get(entity_id)
            if recent is not None and (self.now - recent[1]).total_seconds() <= CONTEXT_RECENT_SECONDS:
                ctx = recent[0]
            else:
                ctx = self.fresh()
        changed = self.now if old is None or force_new or old.state != state else old.last_changed
        new = State(state, attrs, changed, self.now, ctx)
        self.states[entity_id] = new
        self.writer.state(entity_id, state, self.now, attributes=recorded(entity_id, attrs),
                          context=ctx, last_changed=changed)
        for listener in self.listeners.get(entity_id, ()):
            self.at(self.now + seconds(0.0011), listener, entity_id, old, new)

    def listen(self, entity_id: str, listener: Listener) -> None:
        self.listeners.setdefault(entity_id, []).append(listener)

    def fire(self, event_type: str, data: dict[str, Any], ctx: Context) -> None:
        self.writer.event(event_type, self.now, data, context=ctx)

    def warn(self, logger: str, message: str, level: str = "WARNING", thread: str = "MainThread") -> None:
        self.log.append(LogLine(self.now, level, thread, logger, message))

    def make_unavailable(self, entity_id: str) -> None:
        self.set(entity_id, "unavailable")

    # ---------------------------------------------------------------- services
    def resolve(self, entity_id: str) -> str | None:
        """The entity a service call's id reaches now (the registry rename moves ids)."""
        if entity_id == RENAME.old:
            return None if self.renamed else RENAME.new
        if entity_id == RENAME.new and not self.renamed:
            return None
        return entity_id if entity_id in self.home.entities else None

    def call_service(self, domain: str, service: str, data: dict[str, Any], ctx: Context) -> float:
        """Fire `call_service`, run the service; returns how long the call blocks (seconds)."""
        self.fire("call_service", {"domain": domain, "service": service, "service_data": data}, ctx)
        if domain == "notify":
            return self.jitter(0.18, 0.45)
        if domain == "automation" and service == "reload":
            self.at(self.now + seconds(0.35), self.fire, "automation_reloaded", {}, ctx)
            return 0.4
        targets = data.get("entity_id", [])
        targets = [targets] if isinstance(targets, str) else list(targets)
        reached: list[str] = []
        missing: list[str] = []
        for target in targets:
            entity_id = self.resolve(target)
            if entity_id is None or not self.available(entity_id):
                missing.append(target)
            else:
                reached.append(entity_id)
        if missing:
            # helpers/service.py: unavailable or unknown targets are skipped with this warning.
            self.warn("homeassistant.helpers.service",
                      f"Referenced entities {', '.join(sorted(missing))} are missing or not currently available")
        block = 0.004
        for entity_id in reached:
            self._recent[entity_id] = (ctx, self.now)
            block = max(block, DEVICES[entity_id.split(".", 1)[0]](self, entity_id, service, data, ctx))
        return block


# ----------------------------------------------------------------- device behaviour


def _later(sim: Sim, delay: float, fn: Callable[..., None], *args: Any) -> None:
    sim.at(sim.now + seconds(delay), fn, *args)


def _if_available(sim: Sim, entity_id: str, state: str, dynamic: dict[str, Any] | None = None) -> None:
    if sim.available(entity_id):
        sim.set(entity_id, state, dynamic)


def light_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    on = service == "turn_on" or (service == "toggle" and sim.state(entity_id) == "off")
    if on:
        pct = data.get("brightness_pct")
        brightness = round(pct * 255 / 100) if pct is not None else data.get("brightness", 255)
        dynamic = {"color_mode": "brightness", "brightness": brightness, "mode": "normal", "dynamics": "none"}
        _later(sim, sim.jitter(0.7, 1.7), _if_available, sim, entity_id, "on", dynamic)
    else:
        dynamic = {"color_mode": None, "brightness": None, "mode": "normal", "dynamics": "none"}
        _later(sim, sim.jitter(0.7, 1.7), _if_available, sim, entity_id, "off", dynamic)
    return sim.jitter(0.15, 0.35)


def cover_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    if sim.active(CoverIgnores):
        return sim.jitter(0.5, 0.9)  # the cloud accepts the command; the door never moves
    opening = service == "open_cover"
    moving, final = ("opening", "open") if opening else ("closing", "closed")
    if sim.state(entity_id) == final:
        return sim.jitter(0.5, 0.9)
    slow = sim.active(CoverSlow) if opening else None
    if slow is not None:
        start, finish = slow.opening_after, slow.open_after
    else:
        start = sim.jitter(20, 40)
        finish = start + sim.jitter(11, 14)
    _later(sim, start, _if_available, sim, entity_id, moving)
    _later(sim, finish, _if_available, sim, entity_id, final)
    return sim.jitter(0.5, 0.9)


_ALARM_STATES = {
    "alarm_disarm": "disarmed", "alarm_arm_night": "armed_night", "alarm_arm_away": "armed_away",
    "alarm_arm_home": "armed_home",
}


def alarm_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    # SimpliSafe's entity awaits the cloud call, then writes its state (still within the context window).
    delay = sim.jitter(1.8, 3.4)
    _later(sim, delay, _if_available, sim, entity_id, _ALARM_STATES[service])
    return delay + 0.01


def switch_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    delay = sim.jitter(0.15, 0.55)
    _later(sim, delay, _if_available, sim, entity_id, "on" if service == "turn_on" else "off")
    return delay + 0.01


def lock_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    _later(sim, sim.jitter(1.4, 3.2), _if_available, sim, entity_id, "locked" if service == "lock" else "unlocked")
    return sim.jitter(0.2, 0.4)


def climate_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    mode = "off" if service == "turn_off" else data.get("hvac_mode", "heat")
    delay = sim.jitter(1.6, 2.8)
    dynamic = dict(sim.dynamic.get(entity_id, {}))
    dynamic["hvac_action"] = "off" if mode == "off" else "idle"
    dynamic["temperature"] = None if mode == "off" else THERMOSTAT.setpoint(sim.now)
    _later(sim, delay, _if_available, sim, entity_id, mode, dynamic)
    return delay + 0.01


def camera_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    return sim.jitter(0.9, 1.6)


def automation_service(sim: Sim, entity_id: str, service: str, data: dict[str, Any], ctx: Context) -> float:
    runtime = RUNTIMES[entity_id]
    _later(sim, 0.003, runtime.write_state, "on" if service == "turn_on" else "off", ctx)
    return 0.005


DEVICES: dict[str, Callable[[Sim, str, str, dict[str, Any], Context], float]] = {
    "light": light_service,
    "cover": cover_service,
    "alarm_control_panel": alarm_service,
    "switch": switch_service,
    "lock": lock_service,
    "climate": climate_service,
    "camera": camera_service,
    "automation": automation_service,
}


# ----------------------------------------------------------------- traces


class Trace:
    """One automation run, in the shape `trace.saved_traces` stores (extended + short dict)."""

    def __init__(self, sim: Sim, spec: AutomationSpec, config: dict[str, Any], ctx: Context, description: str) -> None:
        self.sim = sim
        self.spec = spec
        self.config = config
        self.ctx = ctx
        self.description = description
        self.run_id = f"{sim.run_rng.getrandbits(128):032x}"
        self.start = sim.now
        self.steps: dict[str, list[dict[str, Any]]] = {}
        self.last_step: str | None = None

    def add(self, path: str, at: datetime, changed: dict[str, Any] | None = None,
            result: dict[str, Any] | None = None) -> None:
        step: dict[str, Any] = {"path": path, "timestamp": iso(at)}
        if changed:
            step["changed_variables"] = changed
        if result is not None:
            step["result"] = result
        self.steps.setdefault(path, []).append(step)
        self.last_step = path

    def finish(self, execution: str) -> dict[str, Any]:
        short = {
            "last_step": self.last_step, "run_id": self.run_id, "state": "stopped",
            "script_execution": execution,
            "timestamp": {"start": iso(self.start), "finish": iso(self.sim.now)},
            "domain": "automation", "item_id": self.spec.uid, "trigger": self.description,
        }
        extended = {**short, "trace": self.steps, "config": self.config, "blueprint_inputs": None,
                    "context": ctx_dict(self.ctx)}
        return {"extended_dict": extended, "short_dict": short}


SAVED_TRACES: dict[str, deque[dict[str, Any]]] = {}
TRACED = ("automation.garage_opened_evening", "automation.goodnight")


# ----------------------------------------------------------------- automations


@dataclass
class Action:
    """A service call an automation makes: its data and its target, worked out at run time."""

    domain: str
    service: str
    data: Callable[[Sim], dict[str, Any]]
    target: Callable[[Sim], list[str] | None]


class AutomationRuntime:
    """An automation entity: trigger, conditions, actions; HA's order of writes."""

    def __init__(self, sim: Sim, spec: AutomationSpec, config: dict[str, Any],
                 conditions: list[Callable[[Trace | None, int], bool]], actions: list[Action | str],
                 description: str) -> None:
        self.sim = sim
        self.spec = spec
        self.config = config
        self.conditions = conditions
        self.actions = actions
        self.description = description
        self.last_triggered: datetime | None = None
        self.running = 0

    def dynamic(self) -> dict[str, Any]:
        return {"id": self.spec.uid, "last_triggered": iso(self.last_triggered) if self.last_triggered else None,
                "mode": "single", "current": self.running}

    def write_state(self, state: str, ctx: Context | None = None) -> None:
        self.sim.set(self.spec.entity_id, state, self.dynamic(), ctx=ctx)

    def on_state(self, entity_id: str, old: State | None, new: State, from_state: str | None, to_state: str) -> None:
        if old is None or new.state != to_state or old.state == new.state:
            return
        if from_state is not None and old.state != from_state:
            return
        trigger = {
            "id": "0", "idx": "0", "alias": None, "platform": "state", "entity_id": entity_id,
            "from_state": old.as_dict(entity_id), "to_state": new.as_dict(entity_id), "for": None,
            "attribute": None, "description": f"state of {entity_id}",
        }
        self.sim.spawn(self.run(trigger, new.context), self.sim.now)

    def on_sun(self, event: str) -> None:
        trigger = {"id": "0", "idx": "0", "alias": None, "platform": "sun", "event": event,
                   "offset": "0:00:00", "description": event}
        self.sim.spawn(self.run(trigger, None), self.sim.now)

    def run(self, trigger: dict[str, Any], parent: Context | None) -> Process:
        sim = self.sim
        if sim.state(self.spec.entity_id) != "on":
            return  # a disabled automation has its triggers detached: nothing at all happens
        if self.running:
            sim.warn("homeassistant.components.automation." + self.spec.entity_id.split(".", 1)[1],
                     f"{self.spec.alias}: Already running")
            return
        c1 = sim.fresh(parent=parent) if parent else sim.fresh()
        trace = Trace(sim, self.spec, self.config, c1, self.description) if self.spec.entity_id in TRACED else None
        this = sim.states[self.spec.entity_id].as_dict(self.spec.entity_id)
        yield 0.00014
        if trace:
            trace.add("trigger/0", sim.now, {"this": this, "trigger": trigger})
        for index, condition in enumerate(self.conditions):
            yield 0.00009
            if not condition(trace, index):
                if trace:
                    self._save(trace.finish("failed_conditions"))
                return
        yield 0.0002
        self.last_triggered = sim.now
        self.running = 1
        self.write_state("on", c1)
        sim.fire("automation_triggered",
                 {"name": self.spec.alias, "entity_id": self.spec.entity_id, "source": trigger["description"]}, c1)
        for index, action in enumerate(self.actions):
            yield 0.00035
            changed = {"context": ctx_dict(c1)} if index == 0 else None
            if action == "script.welcome_home":
                sim.call_service("script", "welcome_home", {}, c1)
                if trace:
                    trace.add(f"action/{index}", sim.now, changed, {
                        "params": {"domain": "script", "service": "welcome_home", "service_data": {}, "target": {}},
                        "running_script": True})
                yield from WELCOME_HOME.run(c1)
                continue
            assert isinstance(action, Action)
            data = action.data(sim)
            target_ids = action.target(sim)
            service_data = dict(data)
            target: dict[str, Any] = {}
            if target_ids is not None:
                service_data["entity_id"] = target_ids
                target = {"entity_id": target_ids}
            block = sim.call_service(action.domain, action.service, service_data, c1)
            if trace:
                trace.add(f"action/{index}", sim.now, changed, {
                    "params": {"domain": action.domain, "service": action.service,
                               "service_data": service_data, "target": target},
                    "running_script": False})
            yield block
        yield 0.0004
        self.running = 0
        self.write_state("on", c1)
        if trace:
            self._save(trace.finish("finished"))

    def _save(self, run: dict[str, Any]) -> None:
        key = f"automation.{self.spec.uid}"
        SAVED_TRACES.setdefault(key, deque(maxlen=5)).append(run)


class ScriptRuntime:
    """script.welcome_home: disarm with the secret code, then notify."""

    entity_id = "script.welcome_home"

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self.last_triggered: datetime | None = None
        self.running = 0

    def dynamic(self) -> dict[str, Any]:
        return {"last_triggered": iso(self.last_triggered) if self.last_triggered else None,
                "mode": "single", "current": self.running}

    def run(self, ctx: Context) -> Process:
        sim = self.sim
        yield 0.0008
        self.last_triggered = sim.now
        self.running = 1
        sim.fire("script_started", {"name": "Welcome home", "entity_id": self.entity_id}, ctx)
        sim.set(self.entity_id, "on", self.dynamic(), ctx=ctx)
        yield 0.0006
        block = sim.call_service("alarm_control_panel", "alarm_disarm",
                                 {"code": ALARM_CODE, "entity_id": ["alarm_control_panel.home_alarm"]}, ctx)
        yield block
        yield 0.0004
        block = sim.call_service("notify", "mobile_app_alice_pixel", {"message": "Welcome home"}, ctx)
        yield block
        self.running = 0
        sim.set(self.entity_id, "off", self.dynamic(), ctx=ctx)


RUNTIMES: dict[str, AutomationRuntime] = {}
WELCOME_HOME: ScriptRuntime


def state_condition(sim: Sim, entity_id: str, wanted: str) -> Callable[[Trace | None, int], bool]:
    def check(trace: Trace | None, index: int) -> bool:
        value = sim.state(entity_id)
        result = value == wanted
        if trace:
            trace.add(f"condition/{index}", sim.now, result={"result": result})
            trace.add(f"condition/{index}/entity_id/0", sim.now + seconds(0.00003),
                      result={"result": result, "state": value, "wanted_state": wanted})
        return result
    return check


def time_after_condition(sim: Sim, after: time) -> Callable[[Trace | None, int], bool]:
    def check(trace: Trace | None, index: int) -> bool:
        now_time = sim.now.astimezone(TZ).time()
        before = time(23, 59, 59, 999999)
        result = after <= now_time < before
        if trace:
            trace.add(f"condition/{index}", sim.now, result={
                "after": after.isoformat(), "now_time": now_time.isoformat(), "before": before.isoformat(),
                "result": result})
        return result
    return check


def living_room_id(sim: Sim) -> str:
    """What the user's config said for the living room lamp at the time (edited after the rename)."""
    return RENAME.new if sim.renamed else RENAME.old


def install_automations(sim: Sim) -> None:
    global WELCOME_HOME
    configs = automation_configs()
    specs = {spec.entity_id: spec for spec in AUTOMATIONS}
    nothing: Callable[[Sim], dict[str, Any]] = lambda s: {}  # noqa: E731

    def make(entity_id: str, conditions: list[Callable[[Trace | None, int], bool]],
             actions: list[Action | str], description: str) -> AutomationRuntime:
        runtime = AutomationRuntime(sim, specs[entity_id], configs[entity_id], conditions, actions, description)
        RUNTIMES[entity_id] = runtime
        return runtime

    arrive = make("automation.arrive_home", [], [
        Action("cover", "open_cover", nothing, lambda s: ["cover.garage_door"])], "state of person.alice")
    sim.listen("person.alice", lambda e, o, n: arrive.on_state(e, o, n, "not_home", "home"))

    garage = make("automation.garage_opened_evening", [state_condition(sim, "sun.sun", "below_horizon")], [
        Action("light", "turn_on", nothing, lambda s: ["light.driveway"]), "script.welcome_home"],
        "state of cover.garage_door")
    sim.listen("cover.garage_door", lambda e, o, n: garage.on_state(e, o, n, None, "open"))

    goodnight = make("automation.goodnight", [time_after_condition(sim, time(21, 30))], [
        Action("light", "turn_off", nothing, lambda s: ["light.living_room_lamp", "light.hallway"]),
        Action("alarm_control_panel", "alarm_arm_night", nothing, lambda s: ["alarm_control_panel.home_alarm"]),
    ], "state of lock.front_door")
    sim.listen("lock.front_door", lambda e, o, n: goodnight.on_state(e, o, n, None, "locked"))

    leak = make("automation.water_leak_shutoff", [], [
        Action("switch", "turn_on", nothing, lambda s: ["switch.water_main_shutoff"]),
        Action("notify", "mobile_app_alice_pixel",
               lambda s: {"message": "Water leak! The main valve was closed."}, lambda s: None),
    ], "state of binary_sensor.kitchen_leak")
    sim.listen("binary_sensor.kitchen_leak", lambda e, o, n: leak.on_state(e, o, n, None, "on"))

    doorbell = make("automation.doorbell_snapshot", [], [
        Action("camera", "snapshot", lambda s: {"filename": "/config/www/doorbell.jpg"},
               lambda s: ["camera.front_doorbell_fluent"]),
        Action("notify", "mobile_app_alice_pixel",
               lambda s: {"message": "Someone is at the front door", "data": {"image": "/local/doorbell.jpg"}},
               lambda s: None),
    ], "state of binary_sensor.front_doorbell_visitor")
    sim.listen("binary_sensor.front_doorbell_visitor", lambda e, o, n: doorbell.on_state(e, o, n, None, "on"))

    smoke = make("automation.smoke_emergency", [], [
        Action("light", "turn_on", lambda s: {"brightness_pct": 100},
               lambda s: ["light.hallway", living_room_id(s), "light.kitchen"]),
        Action("climate", "turn_off", nothing, lambda s: ["climate.hallway"]),
    ], "state of binary_sensor.hallway_smoke")
    sim.listen("binary_sensor.hallway_smoke", lambda e, o, n: smoke.on_state(e, o, n, None, "on"))

    porch = make("automation.porch_light_at_sunset", [], [
        Action("light", "turn_on", nothing, lambda s: ["light.porch_old"])], "sunset")
    for day in range(FIRST_DAY, LAST_DAY + 1):
        sim.at(SUN[day][1] + seconds(0.0021), porch.on_sun, "sunset")

    WELCOME_HOME = ScriptRuntime(sim)


# ----------------------------------------------------------------- people and devices


def user_call(sim: Sim, user: str, domain: str, service: str, data: dict[str, Any]) -> None:
    """A person acting from the app or a wall tablet: a call with their user id."""
    sim.call_service(domain, service, data, sim.fresh(user))


def guarded(sim: Sim, when: datetime, check: Callable[[], bool], fn: Callable[[], None]) -> None:
    def go() -> None:
        if check():
            fn()
    sim.at(when, go)


def physical(sim: Sim, entity_id: str, state: str, dynamic: dict[str, Any] | None = None) -> None:
    """A change reported by the device itself (a sensor, a remote, a hand on the door)."""
    if sim.available(entity_id):
        sim.set(entity_id, state, dynamic, ctx=sim.fresh())


def pulse(sim: Sim, when: datetime, entity_id: str, hold: float, on: str = "on", off: str = "off") -> None:
    sim.at(when, physical, sim, entity_id, on)
    sim.at(when + seconds(hold), physical, sim, entity_id, off)


class Phone:
    """A mobile-app device tracker and its person (the person copies the tracker)."""

    def __init__(self, sim: Sim, who: str, tracker: str, person: str, work: tuple[float, float], battery: str | None) -> None:
        self.sim = sim
        self.who = who
        self.tracker = tracker
        self.person = person
        self.work = work
        self.battery_sensor = battery
        self.battery = 71.0
        self.home = True
        sim.listen(tracker, self._follow)

    def _follow(self, entity_id: str, old: State | None, new: State) -> None:
        dyn = new.attrs
        self.sim.set(self.person, new.state, {
            "editable": True, "id": self.who, "device_trackers": [self.tracker],
            "latitude": dyn.get("latitude"), "longitude": dyn.get("longitude"),
            "gps_accuracy": dyn.get("gps_accuracy"), "source": self.tracker,
            "user_id": self.sim.home.users[self.who],
        }, ctx=self.sim.fresh())

    def silent(self) -> bool:
        return self.who == "alice" and self.sim.active(PhoneSilent) is not None

    def report(self, home: bool | None = None) -> None:
        if home is not None:
            self.home = home
        if self.silent():
            return
        rng = self.sim.rng
        lat, lon = (HOME_LAT, HOME_LON) if self.home else self.work
        self.sim.set(self.tracker, "home" if self.home else "not_home", {
            "source_type": "gps", "battery_level": int(self.battery),
            "latitude": round(lat + rng.uniform(-0.00012, 0.00012), 7),
            "longitude": round(lon + rng.uniform(-0.00012, 0.00012), 7),
            "gps_accuracy": rng.choice((5, 8, 11, 13, 16, 20)),
            "altitude": round(rng.uniform(9, 31), 1), "course": rng.choice((0, 0, 87, 181, 266)),
            "speed": 0, "vertical_accuracy": rng.choice((2, 3, 4)),
        }, ctx=self.sim.fresh())

    def battery_tick(self) -> Process:
        sim = self.sim
        while True:
            hour = sim.now.astimezone(TZ).hour
            charging = hour >= 23 or hour < 6
            self.battery = min(100.0, self.battery + 6.5) if charging else max(4.0, self.battery - sim.jitter(0.6, 1.9))
            if self.battery_sensor and not self.silent():
                level = int(self.battery)
                icon = f"mdi:battery-{min(90, max(10, level // 10 * 10))}" if level < 100 else "mdi:battery"
                if charging:
                    icon = "mdi:battery-charging"
                sim.set(self.battery_sensor, str(level), {"icon": icon})
            yield 900 + sim.jitter(-40, 40)

    def wander(self, until: datetime) -> Process:
        """Location updates while away."""
        sim = self.sim
        while sim.now < until and not self.home:
            self.report()
            yield sim.jitter(1200, 2400)


def periodic(sim: Sim, every: float, fn: Callable[[], None], spread: float = 0.0) -> Process:
    while True:
        fn()
        yield every + (sim.jitter(-spread, spread) if spread else 0.0)


class Thermostat:
    """The hallway: a temperature drifting around an ecobee schedule."""

    def __init__(self) -> None:
        self.temp = 68.4
        self.humidity = 41

    def setpoint(self, when: datetime) -> float:
        hour = when.astimezone(TZ).hour
        return 66.0 if hour >= 22 or hour < 6 else 69.0

    def tick(self, sim: Sim) -> None:
        target = self.setpoint(sim.now)
        climate = sim.state("climate.hallway")
        heating = climate == "heat" and self.temp < target - 0.4
        self.temp += (0.35 if heating else -0.18) + sim.jitter(-0.12, 0.12)
        self.temp = round(min(max(self.temp, 61.0), 74.0), 1)
        if sim.rng.random() < 0.15:
            self.humidity = max(33, min(49, self.humidity + sim.rng.choice((-1, 1))))
        if sim.available("sensor.hallway_temperature"):
            sim.set("sensor.hallway_temperature", f"{self.temp:.1f}", {})
        if sim.available("sensor.hallway_humidity"):
            sim.set("sensor.hallway_humidity", str(self.humidity), {})
        if sim.available("climate.hallway"):
            mode = sim.state("climate.hallway")
            sim.set("climate.hallway", mode, thermostat_attrs(self, mode, sim.now, heating))


THERMOSTAT = Thermostat()


def thermostat_attrs(th: Thermostat, mode: str, when: datetime, heating: bool) -> dict[str, Any]:
    sleeping = th.setpoint(when) < 68
    return {
        "current_temperature": th.temp, "temperature": None if mode == "off" else th.setpoint(when),
        "target_temp_high": None, "target_temp_low": None, "current_humidity": th.humidity,
        "fan_mode": "auto", "hvac_action": "off" if mode == "off" else ("heating" if heating else "idle"),
        "preset_mode": "sleep" if sleeping else "home", "climate_mode": "Sleep" if sleeping else "Home",
        "equipment_running": "heatPump" if heating and mode != "off" else "", "fan_min_on_time": 0,
        "available_sensors": ["Hallway"], "active_sensors": ["Hallway"],
    }


# ----------------------------------------------------------------- the days


def initial_states(sim: Sim, phones: dict[str, Phone]) -> None:
    """HA starts at midnight on the 10th: every entity writes its first state."""
    sim.provided = set(sim.home.entities)
    sim.at(START + seconds(0.012), lambda: sim.fire("homeassistant_start", {}, sim.fresh()))
    off_light = {"color_mode": None, "brightness": None, "mode": "normal", "dynamics": "none"}
    rise, setting = SUN[FIRST_DAY]
    elevation, azimuth = sun_position(START)
    first: dict[str, tuple[str, dict[str, Any]]] = {
        "sun.sun": ("below_horizon", {"next_dawn": iso(rise - timedelta(minutes=29)), "next_dusk": iso(setting + timedelta(minutes=29)),
                                      "next_midnight": iso(local(FIRST_DAY, 23, 53)), "next_noon": iso(local(FIRST_DAY, 11, 44)),
                                      "next_rising": iso(rise), "next_setting": iso(setting),
                                      "elevation": elevation, "azimuth": azimuth, "rising": False}),
        "weather.forecast_home": ("clear-night", weather_attrs(sim, 44.2)),
        "binary_sensor.hallway_motion": ("off", {}),
        "sensor.hallway_motion_temperature": ("67.8", {}),
        "sensor.hallway_motion_illuminance": ("0", {"light_level": 0}),
        "binary_sensor.kitchen_leak": ("off", {}),
        "binary_sensor.hallway_smoke": ("off", {}),
        "binary_sensor.front_door_contact": ("off", {}),
        "binary_sensor.basement_motion": ("off", {}),
        "lock.front_door": ("locked", {}),
        "lock.back_door": ("locked", {}),
        "switch.water_main_shutoff": ("off", {}),
        "switch.garage_fridge_plug": ("on", {}),
        "sensor.garage_fridge_plug_power": ("0.0", {}),
        "cover.garage_door": ("closed", {}),
        "alarm_control_panel.home_alarm": ("armed_night", {
            "code_format": "number", "changed_by": None, "code_arm_required": False,
            "alarm_duration": 240, "battery_backup_power_level": 5293, "entry_delay_away": 30,
            "entry_delay_home": 30, "exit_delay_away": 60, "exit_delay_home": 0, "gsm_strength": -73,
            "light": True, "rf_jamming": False, "wall_power_level": 5933, "wifi_strength": -49}),
        "binary_sensor.entry_sensor_garage": ("off", {}),
        "binary_sensor.front_doorbell_visitor": ("off", {}),
        "camera.front_doorbell_fluent": ("idle", camera_attrs(sim)),
        "climate.hallway": ("heat", thermostat_attrs(THERMOSTAT, "heat", START, False)),
        "sensor.hallway_temperature": (f"{THERMOSTAT.temp:.1f}", {}),
        "sensor.hallway_humidity": (str(THERMOSTAT.humidity), {}),
        "script.welcome_home": ("off", {"last_triggered": None, "mode": "single", "current": 0}),
    }
    for light_id in ("light.driveway", "light.porch", "light.hallway", "light.living_room", "light.kitchen"):
        first[light_id] = ("off", off_light)
    down_from_start = {
        entity_id for plant in sim.plants if isinstance(plant, Unavailable) and plant.start <= START
        for entity_id in plant.entities
    }
    when = START + seconds(0.35)
    for entity_id in sim.home.entities:
        when += seconds(sim.jitter(0.0008, 0.006))
        if entity_id.startswith("automation."):
            sim.at(when, RUNTIMES[entity_id].write_state, "on")
        elif entity_id.startswith(("device_tracker.", "person.", "sensor.alice_pixel")):
            continue
        else:
            state, dynamic = first[entity_id]
            if entity_id in down_from_start:
                sim.dynamic[entity_id] = dynamic
                sim.at(when, sim.set, entity_id, "unavailable")
            else:
                sim.at(when, sim.set, entity_id, state, dynamic)
    for phone in phones.values():
        when += seconds(0.004)
        sim.at(when, phone.report, True)
    sim.at(START + seconds(0.9), sim.set, "sensor.alice_pixel_battery_level", "71", {"icon": "mdi:battery-70"})
    sim.at(START + seconds(4.1), lambda: sim.fire("homeassistant_started", {}, sim.fresh()))
    # Alice's phone app reports again (its first report is wherever she is).
    for plant in sim.plants:
        if isinstance(plant, PhoneSilent):
            sim.at(plant.end + seconds(3.2), phones["alice"].report)


def weather_attrs(sim: Sim, temperature: float) -> dict[str, Any]:
    return {
        "temperature": round(temperature, 1), "dew_point": round(temperature - sim.jitter(6, 12), 1),
        "temperature_unit": "°F", "humidity": int(sim.jitter(48, 82)), "cloud_coverage": round(sim.jitter(0, 100), 1),
        "uv_index": 0.0, "pressure": round(sim.jitter(29.7, 30.3), 2), "pressure_unit": "inHg",
        "wind_bearing": round(sim.jitter(0, 359), 1), "wind_speed": round(sim.jitter(2, 14), 1),
        "wind_speed_unit": "mph", "visibility_unit": "mi", "precipitation_unit": "in",
        "attribution": "Weather forecast from met.no, delivered by the Norwegian Meteorological Institute.",
    }


def camera_attrs(sim: Sim) -> dict[str, Any]:
    token = f"{sim.rng.getrandbits(256):064x}"
    return {"access_token": token, "entity_picture": f"/api/camera_proxy/camera.front_doorbell_fluent?token={token}",
            "frontend_stream_type": "hls"}


def background(sim: Sim) -> None:
    """Weather, sensors, the sun, the camera token and the thermostat, all the time."""
    outdoor = {"t": 44.0}

    def weather() -> None:
        hour = sim.now.astimezone(TZ).hour
        outdoor["t"] += (0.6 if 8 <= hour < 15 else -0.45) + sim.jitter(-0.4, 0.4)
        outdoor["t"] = min(max(outdoor["t"], 31.0), 58.0)
        up = sun_is_up(sim.now)
        condition = sim.rng.choice(("sunny", "partlycloudy", "cloudy") if up else ("clear-night", "partlycloudy", "cloudy"))
        if sim.rng.random() < 0.08:
            condition = "rainy"
        sim.set("weather.forecast_home", condition, weather_attrs(sim, outdoor["t"]))

    indoor = {"t": 67.8}

    def hue_sensors() -> None:
        indoor["t"] = round(min(max(indoor["t"] + sim.jitter(-0.25, 0.25), 64.5), 71.5), 1)
        if sim.available("sensor.hallway_motion_temperature"):
            sim.set("sensor.hallway_motion_temperature", f"{indoor['t']:.1f}", {})
        if sim.available("sensor.hallway_motion_illuminance"):
            elevation, _ = sun_position(sim.now)
            lux = 0 if elevation < -2 else int(max(0.0, elevation) * 9 + sim.jitter(1, 12))
            if sim.state("light.hallway") == "on":
                lux += 41
            level = 0 if lux == 0 else int(10000 * math.log10(lux) + 1)
            sim.set("sensor.hallway_motion_illuminance", str(lux), {"light_level": level})

    fridge = {"on": False, "left": 0}

    def fridge_power() -> None:
        if fridge["left"] <= 0:
            fridge["on"] = not fridge["on"]
            fridge["left"] = sim.rng.randint(2, 5)
        fridge["left"] -= 1
        if sim.available("sensor.garage_fridge_plug_power"):
            value = round(sim.jitter(78, 94), 1) if fridge["on"] else 0.0
            sim.set("sensor.garage_fridge_plug_power", f"{value:.1f}", {})

    def camera() -> None:
        if sim.available("camera.front_doorbell_fluent"):
            sim.set("camera.front_doorbell_fluent", "idle", camera_attrs(sim))

    def sun_update() -> None:
        elevation, azimuth = sun_position(sim.now)
        day = sim.now.astimezone(TZ).day
        rise, setting = SUN[day]
        next_rise = rise if sim.now < rise else SUN[day + 1][0]
        next_set = setting if sim.now < setting else SUN[day + 1][1]
        state = "above_horizon" if rise <= sim.now < setting else "below_horizon"
        sim.set("sun.sun", state, {
            "next_dawn": iso(next_rise - timedelta(minutes=29)), "next_dusk": iso(next_set + timedelta(minutes=29)),
            "next_midnight": iso(local(day, 23, 53) if sim.now < local(day, 23, 53) else local(day, 23, 53) + timedelta(days=1)),
            "next_noon": iso(local(day, 11, 44) if sim.now < local(day, 11, 44) else local(day, 11, 44) + timedelta(days=1)),
            "next_rising": iso(next_rise), "next_setting": iso(next_set), "elevation": elevation,
            "azimuth": azimuth, "rising": sim.now.astimezone(TZ).hour < 12,
        })

    def sun_process() -> Process:
        while True:
            sun_update()
            yield 600 if sun_is_up(sim.now) else 1800

    sim.spawn(periodic(sim, 1800, weather, 40), START + seconds(611.4))
    sim.spawn(periodic(sim, 600, hue_sensors, 25), START + seconds(187.2))
    sim.spawn(periodic(sim, 600, lambda: THERMOSTAT.tick(sim), 20), START + seconds(302.9))
    sim.spawn(periodic(sim, 600, fridge_power, 15), START + seconds(95.3))
    sim.spawn(periodic(sim, 300, camera), START + seconds(299.7))
    sim.spawn(sun_process(), START + seconds(1800.5))
    for day in range(FIRST_DAY, LAST_DAY + 1):
        rise, setting = SUN[day]
        sim.at(rise, sun_update)
        sim.at(setting, sun_update)


def plant_faults(sim: Sim) -> None:
    """Schedule every planted incident and every piece of noise."""
    for plant in sim.plants:
        if isinstance(plant, Unavailable):
            for entity_id in plant.entities:
                if plant.start > START:
                    sim.at(plant.start + seconds(sim.jitter(0.1, 4.0)), sim.make_unavailable, entity_id)
                if plant.end is not None:
                    sim.at(plant.end + seconds(sim.jitter(0.1, 6.0)), _come_back, sim, entity_id)
        elif isinstance(plant, IntegrationNotReady):
            sim.at(plant.start + seconds(2.31), _integration_down, sim, plant)
            sim.at(plant.end + seconds(17.6), _integration_up, sim, plant)
        elif isinstance(plant, EntryDisabled):
            sim.at(plant.at, _entry_disabled, sim, plant)
        elif isinstance(plant, AutomationOff):
            sim.at(plant.start + seconds(12.4), user_call, sim, "alice", "automation", "turn_off",
                   {"entity_id": plant.entity_id})
            sim.at(plant.end + seconds(3.7), user_call, sim, "alice", "automation", "turn_on",
                   {"entity_id": plant.entity_id})
        elif isinstance(plant, Renamed):
            sim.at(plant.at, _rename, sim, plant)


def _come_back(sim: Sim, entity_id: str) -> None:
    if sim.state(entity_id) != "unavailable":
        return
    domain = entity_id.split(".", 1)[0]
    if entity_id == "switch.garage_fridge_plug":
        state = "on"
    elif domain == "light":
        # The Hue bridge reports the lamp's real state again; it was off when it dropped out.
        state = "off"
        sim.dynamic[entity_id] = {"color_mode": None, "brightness": None, "mode": "normal", "dynamics": "none"}
    elif domain == "sensor":
        state = "0.0" if "power" in entity_id else f"{THERMOSTAT.temp - 0.6:.1f}" if "temperature" in entity_id else "0"
    else:
        state = "off"
    sim.set(entity_id, state)


def _integration_entities(sim: Sim, domain: str) -> list[str]:
    return [e.entity_id for e in sim.home.entities.values()
            if e.entry and sim.home.entries[e.entry].domain == domain]


def _integration_down(sim: Sim, plant: IntegrationNotReady) -> None:
    """Reload -> unload (entities written unavailable + restored) -> set-up raises not ready."""
    saved = {e: sim.state(e) for e in _integration_entities(sim, plant.domain)}
    sim.saved_states[plant.domain] = saved
    for entity_id in saved:
        sim.provided.discard(entity_id)
        sim.set(entity_id, "unavailable", restored=True, ctx=sim.fresh())
        sim.now += seconds(0.0007)
    title = next(e.title for e in sim.home.entries.values() if e.domain == plant.domain)
    sim.now += seconds(1.84)
    sim.warn("homeassistant.config_entries",
             f"Config entry '{title}' for {plant.domain} integration not ready yet: {plant.reason}; Retrying in background")


def _integration_up(sim: Sim, plant: IntegrationNotReady) -> None:
    saved = sim.saved_states.pop(plant.domain, {})
    for entity_id, state in saved.items():
        sim.provided.add(entity_id)
        sim.set(entity_id, state or "off", ctx=sim.fresh(), force_new=True)
        sim.now += seconds(0.0009)


def _entry_disabled(sim: Sim, plant: EntryDisabled) -> None:
    """config_entries.async_set_disabled_by: unload first (entities are still enabled, so
    `Entity.async_remove` writes `unavailable` + restored), then disable devices and entities."""
    entities = _integration_entities(sim, plant.domain)
    sim.now += seconds(0.412)
    for entity_id in entities:
        sim.provided.discard(entity_id)
        sim.set(entity_id, "unavailable", restored=True, ctx=sim.fresh())
        sim.now += seconds(0.0011)
    sim.now += seconds(0.02)
    for dev in sim.home.devices.values():
        if sim.home.entries[dev.entry].domain == plant.domain:
            sim.fire("device_registry_updated",
                     {"action": "update", "device_id": dev.id, "changes": {"disabled_by": None}}, sim.fresh())
            sim.now += seconds(0.0004)
    for entity_id in entities:
        sim.fire("entity_registry_updated",
                 {"action": "update", "entity_id": entity_id, "changes": {"disabled_by": None}}, sim.fresh())
        sim.now += seconds(0.0004)


def _rename(sim: Sim, plant: Renamed) -> None:
    """The user renames the entity id; the recorder renames its states_meta row, so earlier
    history is found under the new id; the removal of the old id leaves one "" row."""
    sim.fire("entity_registry_updated", {"action": "update", "entity_id": plant.new,
                                         "changes": {"entity_id": plant.old}, "old_entity_id": plant.old},
             sim.fresh())
    sim.renamed = True
    current = sim.states[plant.new]
    sim.now += seconds(0.0031)
    sim.writer.state(plant.old, None, sim.now, context=sim.fresh())
    sim.now += seconds(0.0024)
    sim.set(plant.new, current.state, ctx=sim.fresh(), force_new=True)
    # The user then fixed the smoke automation by hand and reloaded automations (not goodnight).
    sim.at(sim.now + timedelta(minutes=4, seconds=12), user_call, sim, "alice", "automation", "reload", {})


def evening_lights(sim: Sim, who: str) -> None:
    user_call(sim, who, "light", "turn_on",
              {"entity_id": ["light.hallway", living_room_id(sim), "light.kitchen", "light.porch"]})


def alice_day(sim: Sim, day: int, phones: dict[str, Phone], arrival: datetime) -> None:
    """Alice: leaves in the morning by the garage, comes home at the incident's time."""
    phone = phones["alice"]
    weekend = local(day).weekday() >= 5
    depart = local(day, 10, 15) if weekend else local(day, 7, 45)
    depart += seconds(sim.jitter(-300, 300))

    # Morning: disarm, living room light off if it was left on, out through the garage.
    guarded(sim, local(day, 6, 52) + seconds(sim.jitter(0, 240)),
            lambda: sim.state("alarm_control_panel.home_alarm") == "armed_night",
            lambda: user_call(sim, "alice", "alarm_control_panel", "alarm_disarm",
                              {"entity_id": "alarm_control_panel.home_alarm", "code": ALARM_CODE}))
    guarded(sim, local(day, 6, 58) + seconds(sim.jitter(0, 300)),
            lambda: sim.state("light.living_room") == "on",
            lambda: user_call(sim, "alice", "light", "turn_off", {"entity_id": living_room_id(sim)}))
    pulse(sim, local(day, 6, 41) + seconds(sim.jitter(0, 600)), "binary_sensor.hallway_motion", 31)
    pulse(sim, local(day, 7, 2) + seconds(sim.jitter(0, 400)), "binary_sensor.front_door_contact", 14)
    if any(isinstance(p, PhoneSilent) and p.start <= depart < p.end for p in sim.plants):
        # The app still is not running: the car's remote opens the garage (no user behind it).
        sim.at(depart, physical, sim, "cover.garage_door", "opening")
        sim.at(depart + seconds(12.4), physical, sim, "cover.garage_door", "open")
        sim.at(depart + seconds(95), physical, sim, "cover.garage_door", "closing")
        sim.at(depart + seconds(107.6), physical, sim, "cover.garage_door", "closed")
    else:
        sim.at(depart, user_call, sim, "alice", "cover", "open_cover", {"entity_id": "cover.garage_door"})
        guarded(sim, depart + seconds(150), lambda: sim.state("cover.garage_door") == "open",
                lambda: user_call(sim, "alice", "cover", "close_cover", {"entity_id": "cover.garage_door"}))
    leave = depart + seconds(240 + sim.jitter(0, 60))
    sim.at(leave, phone.report, False)
    sim.spawn(phone.wander(arrival - timedelta(minutes=3)), leave + seconds(sim.jitter(900, 1500)))

    # Evening: the phone reports home first, then person.alice follows.
    sim.at(arrival - seconds(0.0473), phone.report, True)
    sim.spawn(alice_evening(sim, arrival), arrival + seconds(20))


def alice_evening(sim: Sim, arrival: datetime) -> Process:
    came_through_garage = False
    waited = 0.0
    while waited < 420:
        if sim.state("cover.garage_door") == "open":
            came_through_garage = True
            break
        yield 5.0
        waited += 5.0
    if came_through_garage:
        yield sim.jitter(45, 70)
        physical(sim, "binary_sensor.entry_sensor_garage", "on")
        yield sim.jitter(3, 6)
        physical(sim, "binary_sensor.entry_sensor_garage", "off")
    else:
        yield sim.jitter(30, 60)
        physical(sim, "binary_sensor.front_door_contact", "on")
        yield sim.jitter(4, 9)
        physical(sim, "binary_sensor.front_door_contact", "off")
    yield sim.jitter(15, 40)
    physical(sim, "binary_sensor.hallway_motion", "on")
    yield 30.0
    physical(sim, "binary_sensor.hallway_motion", "off")
    yield sim.jitter(10, 40)
    if sim.state("alarm_control_panel.home_alarm") == "armed_away":
        user_call(sim, "alice", "alarm_control_panel", "alarm_disarm",
                  {"entity_id": "alarm_control_panel.home_alarm", "code": ALARM_CODE})
    yield sim.jitter(200, 320)
    if sim.state("cover.garage_door") == "open":
        user_call(sim, "alice", "cover", "close_cover", {"entity_id": "cover.garage_door"})
    yield sim.jitter(60, 120)
    evening_lights(sim, "alice")
    yield sim.jitter(60, 240)
    if sim.state("lock.front_door") == "locked":
        user_call(sim, "alice", "lock", "unlock", {"entity_id": "lock.front_door"})


def bob_day(sim: Sim, day: int, phones: dict[str, Phone]) -> None:
    phone = phones["bob"]
    weekend = local(day).weekday() >= 5
    leave = (local(day, 11) if weekend else local(day, 8, 30)) + seconds(sim.jitter(-240, 240))
    back = local(day, 20, 5) + seconds(sim.jitter(-600, 600))
    sim.at(leave - seconds(70), user_call, sim, "bob", "lock", "unlock", {"entity_id": "lock.back_door"})
    sim.at(leave, user_call, sim, "bob", "lock", "lock", {"entity_id": "lock.back_door"})
    guarded(sim, leave + seconds(95), lambda: sim.state("alarm_control_panel.home_alarm") == "disarmed"
            and phones["alice"].home is False,
            lambda: user_call(sim, "bob", "alarm_control_panel", "alarm_arm_away",
                              {"entity_id": "alarm_control_panel.home_alarm", "code": ALARM_CODE}))
    sim.at(leave + seconds(200), phone.report, False)
    sim.spawn(phone.wander(back - timedelta(minutes=5)), leave + seconds(1300))
    sim.at(back - seconds(40), phone.report, True)
    guarded(sim, back, lambda: sim.state("alarm_control_panel.home_alarm") == "armed_away",
            lambda: user_call(sim, "bob", "alarm_control_panel", "alarm_disarm",
                              {"entity_id": "alarm_control_panel.home_alarm", "code": ALARM_CODE}))
    sim.at(back + seconds(8), user_call, sim, "bob", "lock", "unlock", {"entity_id": "lock.back_door"})
    sim.at(back + seconds(75), user_call, sim, "bob", "lock", "lock", {"entity_id": "lock.back_door"})
    pulse(sim, back + seconds(50), "binary_sensor.hallway_motion", 30)


def night(sim: Sim, day: int, goodnight: datetime) -> None:
    """Evening wind-down: motion, kitchen and driveway off, porch off, Bob locks the front door."""
    for hour, minute in ((19, 31), (21, 12)):
        pulse(sim, local(day, hour, minute) + seconds(sim.jitter(0, 900)), "binary_sensor.hallway_motion", 30)
    guarded(sim, local(day, 21, 15) + seconds(sim.jitter(0, 300)), lambda: sim.state("light.kitchen") == "on",
            lambda: user_call(sim, "alice", "light", "turn_off", {"entity_id": "light.kitchen"}))
    guarded(sim, local(day, 21, 45) + seconds(sim.jitter(0, 300)), lambda: sim.state("light.driveway") == "on",
            lambda: user_call(sim, "alice", "light", "turn_off", {"entity_id": "light.driveway"}))
    guarded(sim, goodnight - seconds(300 + sim.jitter(0, 120)), lambda: sim.state("light.porch") == "on",
            lambda: user_call(sim, "bob", "light", "turn_off", {"entity_id": "light.porch"}))
    # Bob locks the front door from his phone: the trigger of automation.goodnight.
    sim.at(goodnight - seconds(2.1), user_call, sim, "bob", "lock", "lock", {"entity_id": "lock.front_door"})
    pulse(sim, goodnight + seconds(40), "binary_sensor.hallway_motion", 30)


def chains(sim: Sim) -> None:
    """Start each chain run of the incidents table."""
    for incident in incidents_of("water_leak"):
        sim.at(incident.start, physical, sim, "binary_sensor.kitchen_leak", "on")
        sim.at(incident.start + seconds(sim.jitter(95, 130)), physical, sim, "binary_sensor.kitchen_leak", "off")
        guarded(sim, incident.start + seconds(sim.jitter(380, 460)),
                lambda: sim.state("switch.water_main_shutoff") == "on",
                lambda: user_call(sim, "bob", "switch", "turn_off", {"entity_id": "switch.water_main_shutoff"}))
    for incident in incidents_of("doorbell"):
        pulse(sim, incident.start, "binary_sensor.front_doorbell_visitor", sim.jitter(8, 12))
    for incident in incidents_of("smoke"):
        pulse(sim, incident.start, "binary_sensor.hallway_smoke", sim.jitter(35, 45))
        after = incident.start + seconds(sim.jitter(280, 340))
        sim.at(after, lambda: user_call(sim, "bob", "light", "turn_off",
                                        {"entity_id": ["light.hallway", living_room_id(sim), "light.kitchen"]}))
        guarded(sim, after + seconds(40), lambda: sim.available("climate.hallway") and sim.state("climate.hallway") == "off",
                lambda: user_call(sim, "bob", "climate", "set_hvac_mode",
                                  {"entity_id": "climate.hallway", "hvac_mode": "heat"}))


def simulate(home: Home, db_path: Path) -> tuple[list[LogLine], dict[str, list[dict[str, Any]]]]:
    """Run the eleven days; returns the log lines and the saved traces."""
    RUNTIMES.clear()
    SAVED_TRACES.clear()
    global THERMOSTAT
    THERMOSTAT = Thermostat()
    with RecorderWriter(db_path) as writer:
        sim = Sim(home, writer)
        install_automations(sim)
        phones = {
            "alice": Phone(sim, "alice", "device_tracker.alice_pixel", "person.alice", ALICE_WORK,
                           "sensor.alice_pixel_battery_level"),
            "bob": Phone(sim, "bob", "device_tracker.bob_iphone", "person.bob", BOB_WORK, None),
        }
        initial_states(sim, phones)
        background(sim)
        plant_faults(sim)
        chains(sim)
        sim.spawn(phones["alice"].battery_tick(), START + seconds(420.6))
        arrivals = {i.start.day: i.start for i in incidents_of("driveway_arrival")}
        goodnights = {i.start.day: i.start for i in incidents_of("goodnight")}
        for day in range(FIRST_DAY, LAST_DAY + 1):
            alice_day(sim, day, phones, arrivals[day])
            bob_day(sim, day, phones)
            night(sim, day, goodnights[day])
        sim.run()
    traces = {key: list(runs) for key, runs in sorted(SAVED_TRACES.items())}
    return sorted(sim.log, key=lambda line: line.at), traces


# ======================================================================================
# Output
# ======================================================================================


def resolve_element(home: Home, element: str | DeviceRef | None) -> str | None:
    if isinstance(element, DeviceRef):
        return home.devices[element.key].id
    return element


def incidents_document(home: Home) -> list[dict[str, Any]]:
    rows = []
    for incident in sorted(INCIDENTS, key=lambda i: (i.start, i.id)):
        rows.append({
            "id": incident.id, "chain": incident.chain,
            "at": incident.noticed.astimezone(TZ).isoformat(timespec="seconds"),
            "verdict": incident.verdict, "element": resolve_element(home, incident.element),
            "layer": incident.layer, "cause": incident.cause, "description": incident.description,
        })
    return rows


def write_incidents(home: Home, path: Path) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep the table's key order
    yaml.width = 4096
    with path.open("w", encoding="utf-8") as stream:
        stream.write("# Written by examples/generate_ha_home.py from its INCIDENTS table; do not edit.\n")
        stream.write("# `at` is when a person would say they noticed (local time); element/layer/cause are\n")
        stream.write("# what a tracer should name for a broken run (null for a healthy one).\n")
        yaml.dump(incidents_document(home), stream)


def generate(out: Path, incidents_path: Path | None = None) -> None:
    """Write the whole config folder into `out` (replaced if present)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ids = Ids(f"{SEED}-ids")
    home = build_home(ids)

    (out / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    (out / "automations.yaml").write_text(automations_yaml(), encoding="utf-8")
    (out / "scripts.yaml").write_text(SCRIPTS_YAML, encoding="utf-8")
    (out / "secrets.yaml").write_text(SECRETS_YAML, encoding="utf-8")

    write_store(out, "core.config", 1, 4, storage_core_config(home))
    write_store(out, "core.config_entries", 1, 5, storage_config_entries(home), fragments=("entries",))
    write_store(out, "core.device_registry", 1, 12, storage_device_registry(home),
                fragments=("devices", "deleted_devices"))
    write_store(out, "core.entity_registry", 1, 19, storage_entity_registry(home),
                fragments=("entities", "deleted_entities"))
    write_store(out, "core.area_registry", 1, 9, storage_area_registry(home))
    write_store(out, "person", 2, 1, storage_person(home))

    log, traces = simulate(home, out / DB_NAME)
    write_store(out, "trace.saved_traces", 1, 1, traces)
    (out / "home-assistant.log").write_text("".join(line.render() + "\n" for line in log), encoding="utf-8")

    write_incidents(home, incidents_path or out.parent / INCIDENTS_FILE_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the config folder to write")
    parser.add_argument("--incidents", type=Path, default=None,
                        help=f"where to write the incidents list (default: next to --out, {INCIDENTS_FILE_NAME})")
    args = parser.parse_args(argv)
    generate(args.out, args.incidents)
    print(f"wrote {args.out} (recorder schema {CURRENT_SCHEMA_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
