"""A simulated Home Assistant instance: the hub that hosts the automations and the cloud-only
devices (phone presence, garage door, alarm panel) that reach the LAN only through it.

It speaks HA's real local API on loopback:

- REST (`/api/`, `/api/config`, `/api/states[/<entity_id>]`, `POST /api/services/<domain>/<service>`),
  every call needing `Authorization: Bearer <long-lived token>` (`401: Unauthorized` otherwise);
- the WebSocket API at `/api/websocket`: `auth_required` → `auth` → `auth_ok`/`auth_invalid`,
  then numbered commands (`get_states`, `get_config`, `subscribe_events`, `unsubscribe_events`,
  `call_service`, `config/{entity,device,area}_registry/list`, `config_entries/get`,
  `trace/list`, `trace/get`, `ping`, `supported_features`) answered with `result` messages and
  HA's error codes (`unknown_command`, `invalid_format`, `not_found`, `id_reuse`, ...);
- mDNS `_home-assistant._tcp.local.` with the TXT keys HA's zeroconf component publishes.

It runs a small subset of automations for real: a state trigger (entity, `to`, optional
`from`) and a list of service calls. A run fires `automation_triggered` in a new context whose
`parent_id` is the triggering state's context, calls its services in that context (so the
targets' `state_changed` events link back), and records a trace `trace/get` returns.

Brand faults (`target` in brackets): `automation_disabled` [automation id or entity id;
none = all] turns the automation off, so its trigger no longer runs it; `integration_failed`
[integration domain; none = all] puts its config entry in `setup_retry` and every entity of
it `unavailable`; `key_revoked` rejects the long-lived token (REST 401, WebSocket
`auth_invalid`, open WebSocket sessions closed as HA does when a token is revoked).

In a virtual home, an entity may mirror a simulated vendor device (`mirrors`): a `Link`
(`weaklink.sim.links`) then plays the integration, so the entity shows the device's state and
health, its config entry follows the device's credentials, and a service call on it becomes a
command to the device (`Command`, which may fail: `ServiceError`, answered as HA answers a
`HomeAssistantError`). A state an integration writes within CONTEXT_RECENT_SECONDS of a call
carries that call's context. A `HomeAssistantSim` run alone has no links: its entities are its own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from aiohttp import WSCloseCode, WSMsgType, web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind
from .http import HttpHost
from .mdns import Advertiser, service_info

HA_VERSION = "2025.11.2"
SERVICE_TYPE = "_home-assistant._tcp.local."
MAX_STORED_TRACES = 5  # HA keeps the last 5 runs per automation unless `trace: stored_traces` says otherwise
AUTH_TIMEOUT = 10.0  # seconds HA waits for the `auth` message
UNAVAILABLE = "unavailable"

Json = dict[str, Any]
ENTITY_ID = r"^[a-z0-9_]+\.[a-z0-9_]+$"
CONTEXT_RECENT_SECONDS = 5.0  # an entity writes the context of a call this recent (HA's CONTEXT_RECENT_TIME_SECONDS)
EntryState = Literal["loaded", "setup_error", "migration_error", "setup_retry", "not_loaded",
                     "failed_unload", "setup_in_progress", "unload_in_progress"]

# ------------------------------------------------------------------ identifiers

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _crockford(value: int) -> str:
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_ulid() -> str:
    """A ULID as HA gives its contexts: 48 bits of milliseconds, 80 random bits, Crockford base32."""
    return _crockford((int(time.time() * 1000) << 80) | secrets.randbits(80))


def stable_ulid(seed: str) -> str:
    """A ULID-shaped id derived from `seed`, so config entry ids are the same every run."""
    return _crockford(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "big"))


def stable_hex(seed: str) -> str:
    """A 32-hex-digit id (HA's device, registry and user ids) derived from `seed`."""
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def long_lived_token(seed: str) -> str:
    """A long-lived access token shaped like HA's: an HS256 JWT naming its refresh token."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(b'{"alg":"HS256","typ":"JWT"}')
    claims = part(json.dumps({"iss": stable_hex(f"refresh:{seed}"), "iat": 1762300800, "exp": 2077660800},
                             separators=(",", ":")).encode())
    signature = part(hmac.new(seed.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest())
    return f"{header}.{claims}.{signature}"


def _now() -> datetime:
    return datetime.now(UTC)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "unnamed"


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


# ------------------------------------------------------------------ the spec (YAML)


class AreaSpec(BaseModel):
    """An area of the area registry."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str


class IntegrationSpec(BaseModel):
    """A config entry: one integration set up in HA (often a vendor's cloud)."""

    model_config = ConfigDict(extra="forbid")

    domain: str
    title: str
    state: EntryState = "loaded"
    source: str = "user"
    integration_type: str = Field(default="hub", description="The manifest's type, for `type_filter`.")
    entry_id: str | None = Field(default=None, description="Derived from the domain when not given.")

    @property
    def id(self) -> str:
        """The config entry id."""
        return self.entry_id or stable_ulid(f"entry:{self.domain}:{self.title}")


class DeviceSpec(BaseModel):
    """A device of the device registry."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    manufacturer: str | None = None
    model: str | None = None
    integration: str | None = Field(default=None, description="The domain of the config entry it belongs to.")
    config_entry: str | None = Field(default=None, description="That entry's title, when the domain has several.")
    area: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    model_id: str | None = None
    via_device: str | None = Field(default=None, description="The id of the device it is reached through (a hub).")
    configuration_url: str | None = None
    identifiers: list[tuple[str, str]] = Field(default_factory=list)
    connections: list[tuple[str, str]] = Field(default_factory=list)


class EntitySpec(BaseModel):
    """An entity: its state and attributes, and what provides it."""

    model_config = ConfigDict(extra="forbid")

    entity_id: str = Field(pattern=ENTITY_ID)
    state: str = "unknown"
    attributes: dict[str, Any] = Field(default_factory=dict)
    integration: str | None = Field(default=None, description="Config entry domain; none for HA's own (person, ...).")
    config_entry: str | None = Field(default=None, description="That entry's title, when the domain has several.")
    device: str | None = None
    area: str | None = None
    unique_id: str | None = None
    mirrors: str | None = Field(default=None, description="In a virtual home, the vendor device it mirrors: "
                                "`HOST/ELEMENT` or `HOST` (see `weaklink.sim.links`).")

    @property
    def domain(self) -> str:
        """The entity's domain (`light` for `light.driveway`)."""
        return self.entity_id.split(".", 1)[0]


class TriggerSpec(BaseModel):
    """A state trigger: `entity_id` changes `to` a state (and optionally `from` one)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    entity_id: str
    to: str | None = None
    from_: str | None = Field(default=None, alias="from")


class ActionSpec(BaseModel):
    """A service call: `service` as `domain.service`, on `target` entities, with `data`."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    target: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)


class AutomationSpec(BaseModel):
    """An automation the simulator runs: one state trigger, then its actions in order."""

    model_config = ConfigDict(extra="forbid")

    id: str
    alias: str
    entity_id: str | None = Field(default=None, description="`automation.<alias slug>` when not given.")
    trigger: TriggerSpec
    actions: list[ActionSpec]
    enabled: bool = True
    description: str = ""

    @property
    def entity(self) -> str:
        """The automation's entity id."""
        return self.entity_id or f"automation.{_slug(self.alias)}"

    def config(self) -> Json:
        """The automation as HA stores it (2024.10+ syntax), as trace details show it."""
        trigger: Json = {"trigger": "state", "entity_id": [self.trigger.entity_id]}
        if self.trigger.from_ is not None:
            trigger["from"] = self.trigger.from_
        if self.trigger.to is not None:
            trigger["to"] = self.trigger.to
        actions = [{"action": action.service, "metadata": {}, "data": action.data,
                    "target": {"entity_id": action.target}} for action in self.actions]
        return {"id": self.id, "alias": self.alias, "description": self.description, "triggers": [trigger],
                "conditions": [], "actions": actions, "mode": "single"}


def _driveway_home() -> tuple[list[AreaSpec], list[IntegrationSpec], list[DeviceSpec], list[EntitySpec],
                              list[AutomationSpec]]:
    """The default home: Alex's phone arriving opens the garage, lights the driveway, disarms the alarm."""
    areas = [AreaSpec(id="driveway", name="Driveway"), AreaSpec(id="garage", name="Garage"),
             AreaSpec(id="hallway", name="Hallway")]
    integrations = [IntegrationSpec(domain="mobile_app", title="Pixel 8", source="registration"),
                    IntegrationSpec(domain="hue", title="Hue Bridge", source="zeroconf"),
                    IntegrationSpec(domain="aladdin_connect", title="Aladdin Connect"),
                    IntegrationSpec(domain="simplisafe", title="SimpliSafe")]
    devices = [
        DeviceSpec(id=stable_hex("device:pixel_8"), name="Pixel 8", manufacturer="Google", model="Pixel 8",
                   integration="mobile_app", identifiers=[("mobile_app", "5f1c0d2e9a8b7c6d")]),
        DeviceSpec(id=stable_hex("device:driveway"), name="Driveway", manufacturer="Signify Netherlands B.V.",
                   model="Hue outdoor wall light", integration="hue", area="driveway",
                   identifiers=[("hue", "3f2e6a1c-9b8d-4e7f-a6c5-d4e3f2a1b0c9")]),
        DeviceSpec(id=stable_hex("device:garage_door"), name="Garage door", manufacturer="Genie",
                   model="Aladdin Connect", integration="aladdin_connect", area="garage",
                   identifiers=[("aladdin_connect", "414243-1")]),
        DeviceSpec(id=stable_hex("device:simplisafe"), name="SimpliSafe base station", manufacturer="SimpliSafe",
                   model="SS3", integration="simplisafe", area="hallway", identifiers=[("simplisafe", "123987")]),
    ]
    entities = [
        EntitySpec(entity_id="person.alex", state="not_home",
                   attributes={"editable": True, "id": "alex", "device_trackers": ["device_tracker.pixel_8"],
                               "friendly_name": "Alex"}),
        EntitySpec(entity_id="device_tracker.pixel_8", state="not_home", integration="mobile_app",
                   device=devices[0].id, attributes={"source_type": "gps", "gps_accuracy": 12,
                                                     "friendly_name": "Pixel 8"}),
        EntitySpec(entity_id="cover.garage_door", state="closed", integration="aladdin_connect", device=devices[2].id,
                   attributes={"device_class": "garage", "supported_features": 3, "friendly_name": "Garage door"}),
        EntitySpec(entity_id="light.driveway", state="off", integration="hue", device=devices[1].id,
                   attributes={"supported_color_modes": ["brightness"], "color_mode": None, "brightness": None,
                               "supported_features": 40, "friendly_name": "Driveway"}),
        EntitySpec(entity_id="alarm_control_panel.simplisafe", state="armed_away", integration="simplisafe",
                   device=devices[3].id, attributes={"code_format": "number", "changed_by": None,
                                                     "code_arm_required": False, "supported_features": 63,
                                                     "friendly_name": "SimpliSafe"}),
    ]
    automations = [AutomationSpec(
        id="1700000000001", alias="Arrive home",
        description="Open the garage, light the driveway and disarm the alarm when Alex gets home",
        trigger=TriggerSpec(entity_id="person.alex", to="home"),
        actions=[ActionSpec(service="cover.open_cover", target=["cover.garage_door"]),
                 ActionSpec(service="light.turn_on", target=["light.driveway"], data={"brightness_pct": 100}),
                 ActionSpec(service="alarm_control_panel.alarm_disarm", target=["alarm_control_panel.simplisafe"])],
    )]
    return areas, integrations, devices, entities, automations


_HOME = _driveway_home()


class HomeAssistantSpec(BaseModel):
    """A simulated Home Assistant instance as the virtual home's YAML describes it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["homeassistant"] = "homeassistant"
    name: str = "homeassistant"
    address: str
    port: int = Field(default=8123, ge=1, le=65535)
    version: str = HA_VERSION
    uuid: str = Field(default_factory=lambda: stable_hex("instance"), pattern=r"^[0-9a-f]{32}$")
    location_name: str = "Home"
    time_zone: str = "UTC"
    token: str = Field(default_factory=lambda: long_lived_token("weaklink-sim"),
                       description="The one long-lived access token the instance accepts.")
    user_id: str = Field(default_factory=lambda: stable_hex("user:owner"))
    areas: list[AreaSpec] = Field(default_factory=lambda: list(_HOME[0]))
    integrations: list[IntegrationSpec] = Field(default_factory=lambda: list(_HOME[1]))
    devices: list[DeviceSpec] = Field(default_factory=lambda: list(_HOME[2]))
    entities: list[EntitySpec] = Field(default_factory=lambda: list(_HOME[3]))
    automations: list[AutomationSpec] = Field(default_factory=lambda: list(_HOME[4]))
    mirrors: dict[str, str] = Field(default_factory=dict, description="Shorthand for entities' `mirrors`: "
                                    "entity id → `HOST/ELEMENT`; an entity not in `entities` is added.")

    @model_validator(mode="after")
    def _one_target_each(self) -> HomeAssistantSpec:
        declared = {entity.entity_id: entity.mirrors for entity in self.entities}
        for entity_id, target in self.mirrors.items():
            if not re.fullmatch(ENTITY_ID, entity_id):
                raise ValueError(f"{entity_id!r} is not an entity id (domain.object_id)")
            if declared.get(entity_id) not in (None, target):
                raise ValueError(f"{entity_id} mirrors {declared[entity_id]!r} in `entities` and {target!r} here")
        return self


# ------------------------------------------------------------------ states, events, contexts


@dataclass(frozen=True)
class Context:
    """Who or what caused a change; `parent_id` links an automation's work to its trigger."""

    id: str = field(default_factory=new_ulid)
    parent_id: str | None = None
    user_id: str | None = None

    def as_dict(self) -> Json:
        """As HA serializes it."""
        return {"id": self.id, "parent_id": self.parent_id, "user_id": self.user_id}


@dataclass(frozen=True)
class State:
    """One entity's state, as the state machine holds it."""

    entity_id: str
    state: str
    attributes: Json
    last_changed: datetime
    last_updated: datetime
    context: Context

    def as_dict(self) -> Json:
        """As `/api/states` and `state_changed` events carry it."""
        return {"entity_id": self.entity_id, "state": self.state, "attributes": dict(self.attributes),
                "last_changed": self.last_changed.isoformat(), "last_reported": self.last_updated.isoformat(),
                "last_updated": self.last_updated.isoformat(), "context": self.context.as_dict()}


@dataclass(frozen=True)
class Event:
    """One event on HA's bus."""

    event_type: str
    data: Json
    context: Context
    time_fired: datetime = field(default_factory=_now)

    def as_dict(self) -> Json:
        """As `subscribe_events` pushes it."""
        return {"event_type": self.event_type, "data": self.data, "origin": "LOCAL",
                "time_fired": self.time_fired.isoformat(), "context": self.context.as_dict()}


class ServiceNotFound(Exception):
    """The service is not registered (its domain has no entities, or HA has no such service)."""

    def __init__(self, domain: str, service: str) -> None:
        super().__init__(f"Action {domain}.{service} not found")
        self.domain, self.service = domain, service


class ServiceError(Exception):
    """A service call the integration could not carry out: HA's `HomeAssistantError` (WebSocket
    code `home_assistant_error`) or an exception the integration did not expect (`unknown_error`)."""

    def __init__(self, message: str, code: str = "home_assistant_error") -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Command:
    """A command an integration sends to its device: `send()` carries it out (raising ServiceError
    when the integration's call fails) after `delay` seconds (a slow device answers late)."""

    send: Callable[[], None]
    delay: float = 0.0


class Link(Protocol):
    """An integration's view of one vendor device an entity mirrors (built by `weaklink.sim.links`)."""

    domain: str  # the integration: hue, shelly, xiaomi_miio

    def watch(self, callback: Callable[[], None]) -> None:
        """Call `callback()` whenever what the integration sees of the device may have changed."""

    def entry_problem(self) -> tuple[EntryState, str | None] | None:
        """The state (and reason) the device puts the integration's config entry in, if not `loaded`."""

    def available(self) -> bool:
        """Whether the integration marks the entity available."""

    def reading(self) -> tuple[str, Json]:
        """The entity's state and the attributes it sets, as the integration last heard them."""

    def command(self, service: str, data: Json, current: State) -> Command:
        """The command a service call on the entity becomes."""


# ------------------------------------------------------------------ services

_TOGGLE = "<toggle>"
_ON_OFF = {"turn_on": "on", "turn_off": "off", "toggle": _TOGGLE}
_TOGGLED = {"on": "off", "off": "on", "open": "closed", "closed": "open", "opening": "closed", "closing": "open"}
# The state each service leaves its target in (the subset of HA's entity services the sim runs).
_SERVICES: dict[str, dict[str, str]] = {
    "light": _ON_OFF, "switch": _ON_OFF, "fan": _ON_OFF, "siren": _ON_OFF, "input_boolean": _ON_OFF,
    "automation": {**_ON_OFF, "trigger": "<trigger>"},
    "cover": {"open_cover": "open", "close_cover": "closed", "toggle": _TOGGLE},
    "lock": {"lock": "locked", "unlock": "unlocked", "open": "open"},
    "alarm_control_panel": {"alarm_disarm": "disarmed", "alarm_arm_home": "armed_home",
                            "alarm_arm_away": "armed_away", "alarm_arm_night": "armed_night",
                            "alarm_arm_vacation": "armed_vacation", "alarm_trigger": "triggered"},
    "homeassistant": _ON_OFF,  # dispatched to each target's own domain
    "device_tracker": {"see": "<see>"},
}
_TARGET_KEYS = ("entity_id", "device_id", "area_id")
# What an entity that is not available keeps of its attributes: capabilities, name, features.
_KEPT_UNAVAILABLE = frozenset({"friendly_name", "supported_features", "device_class", "icon", "supported_color_modes",
                               "min_color_temp_kelvin", "max_color_temp_kelvin", "effect_list"})


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value]


def _light_attributes(attributes: Json, data: Json, on: bool) -> Json:
    """A light's brightness after turn_on/turn_off (`brightness_pct` is 0–100, `brightness` 0–255)."""
    if not on:
        return {**attributes, "brightness": None, "color_mode": None} if "brightness" in attributes else attributes
    brightness = attributes.get("brightness") or 255
    if "brightness_pct" in data:
        brightness = round(float(data["brightness_pct"]) * 255 / 100)
    elif "brightness" in data:
        brightness = int(data["brightness"])
    return {**attributes, "brightness": brightness, "color_mode": "brightness"}


# ------------------------------------------------------------------ the core: states, bus, automations


class HomeAssistantCore:
    """HA's state machine, event bus, services, automations and traces, without any network."""

    def __init__(self, spec: HomeAssistantSpec, links: Mapping[str, Link] | None = None) -> None:
        self.spec = spec
        self.started = _now()
        self._states: dict[str, State] = {}
        self._listeners: list[tuple[str, Callable[[Event], None]]] = []
        self._entities = {entity.entity_id: entity for entity in spec.entities}
        self._links: dict[str, Link] = dict(links or {})
        self._commanded: dict[str, tuple[Context, float]] = {}  # entity → the last call's context, when
        self._failed: dict[str, str] = {}  # integrations failed by a fault (not by the spec), and why
        self.entry_states: dict[str, EntryState] = {}  # by entry id
        self.entry_reasons: dict[str, str | None] = {}
        for entry in spec.integrations:
            self.entry_states[entry.id], self.entry_reasons[entry.id] = self._entry_now(entry)
        self._hidden: dict[str, State] = {}  # real states of entities whose integration is down
        self.traces: dict[str, list[Json]] = {}
        self._runs: set[asyncio.Task[None]] = set()
        self._queue: list[Event] = []  # events fired while another is being delivered
        self._automations = {automation.id: automation for automation in spec.automations}
        self._load_states()
        self.listen("state_changed", self._follow_trackers)
        self.listen("state_changed", self._run_triggered)
        for entity_id, link in self._links.items():
            link.watch(lambda entity_id=entity_id: self._link_changed(entity_id))

    # ---------------------------------------------------------- state machine

    def _load_states(self) -> None:
        context = Context()
        for entity in self.spec.entities:
            self._states[entity.entity_id] = State(entity.entity_id, entity.state, dict(entity.attributes),
                                                   self.started, self.started, context)
            if not self._entry_loaded(entity):
                if entity.entity_id not in self._links:
                    self._hidden[entity.entity_id] = self._states[entity.entity_id]
                self._states[entity.entity_id] = self._unavailable(self._states[entity.entity_id], context)
            elif entity.entity_id in self._links:  # what the integration reads from the device at setup
                state, attributes = self._linked_state(entity)
                self._states[entity.entity_id] = State(entity.entity_id, state, attributes, self.started,
                                                       self.started, context)
        for automation in self.spec.automations:
            attributes = {"id": automation.id, "last_triggered": None, "mode": "single", "current": 0,
                          "friendly_name": automation.alias}
            self._states[automation.entity] = State(automation.entity, "on" if automation.enabled else "off",
                                                    attributes, self.started, self.started, context)

    def all(self) -> list[State]:
        """Every state, as `get_states` lists them."""
        return list(self._states.values())

    def get(self, entity_id: str) -> State | None:
        """One entity's state, if it exists."""
        return self._states.get(entity_id)

    def set(self, entity_id: str, state: str, attributes: Json | None = None,
            context: Context | None = None) -> State | None:
        """Write a state and fire `state_changed`, as HA does only when something changed."""
        old = self._states.get(entity_id)
        attributes = dict(old.attributes if old and attributes is None else attributes or {})
        if old is not None and old.state == state and old.attributes == attributes:
            return None
        moment = _now()
        changed = moment if old is None or old.state != state else old.last_changed
        new = State(entity_id, state, attributes, changed, moment, context or Context())
        self._states[entity_id] = new
        self.fire("state_changed", {"entity_id": entity_id, "old_state": old.as_dict() if old else None,
                                    "new_state": new.as_dict()}, new.context)
        return new

    def report(self, entity_id: str, state: str, attributes: Json | None = None) -> State | None:
        """A device reports a new state through its integration (unless the integration is down)."""
        if entity_id in self._links:
            raise ValueError(f"{entity_id} mirrors a simulated device: change the device, its integration follows")
        if entity_id in self._hidden:
            old, moment = self._hidden[entity_id], _now()
            merged = dict(old.attributes if attributes is None else attributes)
            self._hidden[entity_id] = State(entity_id, state, merged, moment, moment, Context())
            return None
        return self.set(entity_id, state, attributes)

    @staticmethod
    def _unavailable(state: State, context: Context) -> State:
        """An entity its integration did not set up: HA restores it from the registry as unavailable."""
        attributes = {key: value for key, value in state.attributes.items()
                      if key in ("friendly_name", "supported_features", "device_class")}
        moment = _now()
        return State(state.entity_id, UNAVAILABLE, {**attributes, "restored": True}, moment, moment, context)

    # ---------------------------------------------------------- mirrored devices (links)

    def _linked_state(self, entity: EntitySpec) -> tuple[str, Json]:
        """What a mirrored entity shows now: its device's state as its integration last heard it, or
        `unavailable` with the attributes HA keeps for an entity that is not available."""
        link = self._links[entity.entity_id]
        if not link.available():
            return UNAVAILABLE, {key: value for key, value in entity.attributes.items() if key in _KEPT_UNAVAILABLE}
        state, attributes = link.reading()
        return state, {**entity.attributes, **attributes}

    def _link_changed(self, entity_id: str) -> None:
        """The mirrored device (or its host's faults) changed: the entry, then the entity, follow."""
        entry = self._entry_of(self._entities[entity_id])
        if entry is not None:
            self._sync_entry(entry)
        self._refresh(entity_id)

    def _refresh(self, entity_id: str, context: Context | None = None) -> State | None:
        """Write what an entity should show now, given its entry and (if mirrored) its device."""
        entity, current = self._entities[entity_id], self._states[entity_id]
        recent = self._commanded.get(entity_id)
        if recent is not None and time.monotonic() - recent[1] <= CONTEXT_RECENT_SECONDS:
            context = recent[0]
        if not self._entry_loaded(entity):
            if current.attributes.get("restored") and current.state == UNAVAILABLE:
                return None
            if entity_id not in self._links:
                self._hidden[entity_id] = current
            down = self._unavailable(current, context or Context())
            return self.set(entity_id, down.state, down.attributes, context)
        if entity_id in self._links:
            state, attributes = self._linked_state(entity)
            return self.set(entity_id, state, attributes, context)
        if entity_id in self._hidden:
            real = self._hidden.pop(entity_id)
            return self.set(entity_id, real.state, real.attributes, context)
        return None

    # ---------------------------------------------------------- event bus

    def listen(self, event_type: str, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call `listener` for each event of `event_type` (`*` for all); returns the unsubscribe."""
        entry = (event_type, listener)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry) if entry in self._listeners else None

    def fire(self, event_type: str, data: Json, context: Context) -> Event:
        """Fire an event to every listener. An event fired by a listener (a person following its
        tracker) is delivered once the current one has reached everyone, so clients see causes first."""
        event = Event(event_type, data, context)
        self._queue.append(event)
        if len(self._queue) > 1:
            return event
        try:
            while self._queue:
                for wanted, listener in list(self._listeners):
                    if wanted in ("*", self._queue[0].event_type):
                        listener(self._queue[0])
                self._queue.pop(0)
        except BaseException:
            self._queue.clear()  # a failing listener must not leave the bus stuck
            raise
        return event

    # ---------------------------------------------------------- services

    def has_service(self, domain: str, service: str) -> bool:
        """Whether HA would have this service registered (its domain is set up)."""
        if service not in _SERVICES.get(domain, {}):
            return False
        return domain == "homeassistant" or any(entity_id.startswith(f"{domain}.") for entity_id in self._states)

    def targets(self, data: Json, target: Json | None) -> list[str]:
        """The entity ids a call addresses, by entity, device or area (from `target` or the data)."""
        wanted = {key: _as_list((target or {}).get(key)) + _as_list(data.get(key)) for key in _TARGET_KEYS}
        found = list(dict.fromkeys(wanted["entity_id"]))
        for entity in self.spec.entities:
            area = entity.area or self._device_area(entity.device)
            if entity.device in wanted["device_id"] or (area is not None and area in wanted["area_id"]):
                found.append(entity.entity_id)
        return list(dict.fromkeys(found))

    def _device_area(self, device_id: str | None) -> str | None:
        return next((device.area for device in self.spec.devices if device.id == device_id), None)

    def call(self, domain: str, service: str, data: Json | None = None, target: Json | None = None,
             context: Context | None = None) -> list[State]:
        """Run a service on its targets; the states it changed at once. A command to a slow device
        finishes in the background (`call_waiting` waits for it, as HA's APIs and automations do)."""
        changed, pending, errors = self._call(domain, service, data, target, context)
        for later in pending:
            self._schedule(self._quietly(later))
        if errors:
            raise errors[0]
        return changed

    async def call_waiting(self, domain: str, service: str, data: Json | None = None, target: Json | None = None,
                           context: Context | None = None) -> list[State]:
        """Run a service and wait until every command it sent is done; the states it changed.
        ServiceError when an integration's command failed (after the other targets were served)."""
        changed, pending, errors = self._call(domain, service, data, target, context)
        for later in pending:
            try:
                if (state := await later) is not None:
                    changed.append(state)
            except ServiceError as err:
                errors.append(err)
        if errors:
            raise errors[0]
        return changed

    @staticmethod
    async def _quietly(later: Awaitable[State | None]) -> None:
        try:
            await later
        except ServiceError:
            pass  # HA logs it; nobody waits for this call's answer

    def _call(self, domain: str, service: str, data: Json | None, target: Json | None,
              context: Context | None) -> tuple[list[State], list[Awaitable[State | None]], list[ServiceError]]:
        """Run a service: the states changed at once, the commands still under way, the commands that failed."""
        if not self.has_service(domain, service):
            raise ServiceNotFound(domain, service)
        data = dict(data or {})
        context = context or Context()
        entity_ids = self.targets(data, target)
        service_data = {key: value for key, value in data.items() if key not in _TARGET_KEYS}
        # As HA fires it: the call's data with its target merged in, before entities are resolved.
        self.fire("call_service", {"domain": domain, "service": service,
                                   "service_data": {**data, **(target or {})}}, context)
        if domain == "device_tracker":
            return self._see(service_data, context), [], []
        changed: list[State] = []
        pending: list[Awaitable[State | None]] = []
        errors: list[ServiceError] = []
        for entity_id in entity_ids:  # HA serves every target, then raises the first failure
            try:
                outcome = self._apply(domain, service, entity_id, service_data, context)
            except ServiceError as err:
                errors.append(err)
                continue
            if isinstance(outcome, State):
                changed.append(outcome)
            elif outcome is not None:
                pending.append(outcome)
        return changed, pending, errors

    def _apply(self, domain: str, service: str, entity_id: str, data: Json,
               context: Context) -> State | Awaitable[State | None] | None:
        """One target of one service call: the new state, the command still under way (a mirrored
        device answering late), or None when it did not change (or cannot: unavailable, absent)."""
        entity_domain = entity_id.split(".", 1)[0]
        if domain == "homeassistant":
            if not self.has_service(entity_domain, service):
                return None
            domain = entity_domain
        current = self._states.get(entity_id)
        if entity_domain != domain or current is None or current.state == UNAVAILABLE:
            return None  # HA logs "referenced entities are missing or not currently available" and goes on
        if (link := self._links.get(entity_id)) is not None:
            return self._command(entity_id, link.command(service, data, current), context)
        outcome = _SERVICES[domain][service]
        if outcome == "<trigger>":
            self._schedule(self._run(self._automation_for(entity_id), None, context))
            return None
        new_state = _TOGGLED.get(current.state, current.state) if outcome == _TOGGLE else outcome
        attributes = current.attributes
        if domain == "light":
            attributes = _light_attributes(attributes, data, new_state == "on")
        return self.set(entity_id, new_state, attributes, context)

    def _command(self, entity_id: str, command: Command, context: Context) -> State | Awaitable[State | None] | None:
        """Send a mirrored entity's command; its device's answer, heard by the integration, writes the
        state, in the call's context when it comes within CONTEXT_RECENT_SECONDS (HA's entities do that)."""
        self._commanded[entity_id] = (context, time.monotonic())
        before = self._states[entity_id]
        if command.delay > 0:
            return self._command_later(entity_id, command, before)
        command.send()
        after = self._states[entity_id]
        return after if after is not before else None

    async def _command_later(self, entity_id: str, command: Command, before: State) -> State | None:
        await asyncio.sleep(command.delay)
        command.send()
        after = self._states[entity_id]
        return after if after is not before else None

    def _see(self, data: Json, context: Context) -> list[State]:
        """`device_tracker.see`: a tracker reports where it is (`dev_id`, `location_name`)."""
        entity_id = f"device_tracker.{data.get('dev_id', '')}"
        current = self._states.get(entity_id)
        if "location_name" not in data or current is None or current.state == UNAVAILABLE:
            return []
        new = self.set(entity_id, str(data["location_name"]), None, context)
        return [new] if new else []

    def _follow_trackers(self, event: Event) -> None:
        """A person is where their device tracker last said (unavailable trackers are ignored)."""
        new = event.data["new_state"]
        if new is None or new["state"] in (UNAVAILABLE, "unknown"):
            return
        people = [state for state in self._states.values() if state.entity_id.startswith("person.")]
        for person in people:
            if new["entity_id"] in person.attributes.get("device_trackers", []):
                # HA's person entity writes its state without a context: a new, unlinked one.
                self.set(person.entity_id, new["state"], {**person.attributes, "source": new["entity_id"]})

    # ---------------------------------------------------------- automations

    def _automation_for(self, entity_id: str) -> AutomationSpec:
        return next(automation for automation in self.spec.automations if automation.entity == entity_id)

    def _run_triggered(self, event: Event) -> None:
        """Start every enabled automation whose state trigger this change matches."""
        old, new = event.data["old_state"], event.data["new_state"]
        for automation in self.spec.automations:
            trigger = automation.trigger
            state = self._states.get(automation.entity)
            if state is None or state.state != "on" or trigger.entity_id != event.data["entity_id"] or new is None:
                continue
            if old is not None and old["state"] == new["state"]:
                continue  # an attribute-only change does not fire a `to:` state trigger
            if (trigger.to is not None and new["state"] != trigger.to) or \
                    (trigger.from_ is not None and (old is None or old["state"] != trigger.from_)):
                continue
            variables = {"id": "0", "idx": "0", "alias": None, "platform": "state", "entity_id": trigger.entity_id,
                         "from_state": old, "to_state": new, "for": None, "attribute": None,
                         "description": f"state of {trigger.entity_id}"}
            self._schedule(self._run(automation, variables, event.context))

    def _schedule(self, run: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(run)
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)

    async def settle(self) -> None:
        """Wait until every automation run started so far (and those they start) has finished."""
        while self._runs:
            await asyncio.gather(*list(self._runs), return_exceptions=True)

    async def cancel_runs(self) -> None:
        """Stop every automation still running."""
        for task in list(self._runs):
            task.cancel()
        await asyncio.gather(*list(self._runs), return_exceptions=True)

    async def _run(self, automation: AutomationSpec, trigger: Json | None, cause: Context) -> None:
        """One run as HA's automation entity does it: new context, `automation_triggered`, actions, trace."""
        context = Context(parent_id=cause.id)
        start = _now()
        this = self._states[automation.entity].as_dict()
        trigger_path = "trigger/0" if trigger else "trigger"
        steps: dict[str, list[Json]] = {trigger_path: [{
            "path": trigger_path, "timestamp": start.isoformat(),
            "changed_variables": {"this": this, "trigger": trigger or {"platform": None}}}]}
        event_data: Json = {"name": automation.alias, "entity_id": automation.entity}
        if trigger:
            event_data["source"] = trigger["description"]
        self.fire("automation_triggered", event_data, context)
        self._write_automation(automation, context, current=1, last_triggered=start.isoformat())
        error = await self._run_actions(automation, steps, context)
        self._write_automation(automation, context, current=0)
        self._store_trace(automation, steps, context, start, trigger, error)

    async def _run_actions(self, automation: AutomationSpec, steps: dict[str, list[Json]],
                           context: Context) -> str | None:
        for index, action in enumerate(automation.actions):
            path = f"action/{index}"
            domain, service = action.service.split(".", 1)
            step: Json = {"path": path, "timestamp": _now().isoformat(), "result": {"params": {
                "domain": domain, "service": service, "service_data": dict(action.data),
                "target": {"entity_id": list(action.target)}}, "running_script": False}}
            steps[path] = [step]
            try:
                await self.call_waiting(domain, service, action.data, {"entity_id": action.target}, context)
            except (ServiceNotFound, ServiceError) as err:
                step["error"] = str(err)
                return str(err)
            await asyncio.sleep(0)  # HA awaits each service call: other work interleaves here
        return None

    def _write_automation(self, automation: AutomationSpec, context: Context, **attributes: Any) -> None:
        state = self._states[automation.entity]
        self.set(automation.entity, state.state, {**state.attributes, **attributes}, context)

    def _store_trace(self, automation: AutomationSpec, steps: dict[str, list[Json]], context: Context,
                     start: datetime, trigger: Json | None, error: str | None) -> None:
        short: Json = {"last_step": list(steps)[-1], "run_id": secrets.token_hex(16), "state": "stopped",
                       "script_execution": "error" if error else "finished",
                       "timestamp": {"start": start.isoformat(), "finish": _now().isoformat()},
                       "domain": "automation", "item_id": automation.id,
                       "trigger": trigger["description"] if trigger else None}
        if error:
            short["error"] = error
        extended = {**short, "trace": steps, "config": automation.config(), "blueprint_inputs": None,
                    "context": context.as_dict()}
        runs = self.traces.setdefault(automation.id, [])
        runs.append({"short": short, "extended": extended})
        del runs[:-MAX_STORED_TRACES]

    def set_automation_enabled(self, automation_id: str, enabled: bool) -> None:
        """Turn an automation on or off, as `automation.turn_on`/`turn_off` does."""
        entity_id = self._automations[automation_id].entity
        self.set(entity_id, "on" if enabled else "off", self._states[entity_id].attributes)

    # ---------------------------------------------------------- integrations

    def fail_integration(self, domain: str, reason: str = "Cannot connect") -> None:
        """The integration's setup fails (retrying): its entries leave `loaded`, their entities go unavailable."""
        self._failed[domain] = reason
        for entry in self.spec.integrations:
            if entry.domain == domain:
                self._sync_entry(entry)

    def restore_integration(self, domain: str) -> None:
        """The integration loads again: its entities show their real states."""
        if self._failed.pop(domain, None) is None:
            return
        for entry in self.spec.integrations:
            if entry.domain == domain:
                self._sync_entry(entry)

    def _entry_for(self, domain: str | None, title: str | None = None) -> IntegrationSpec | None:
        """The config entry of `domain`: the one titled (or with the id) `title`, else its first."""
        candidates = [entry for entry in self.spec.integrations if entry.domain == domain]
        if title is not None:
            return next((entry for entry in candidates if title in (entry.title, entry.id)), None)
        return candidates[0] if candidates else None

    def _entry_of(self, item: EntitySpec | DeviceSpec) -> IntegrationSpec | None:
        return self._entry_for(item.integration, item.config_entry)

    def _entry_loaded(self, entity: EntitySpec) -> bool:
        entry = self._entry_of(entity)
        return entry is None or self.entry_states[entry.id] == "loaded"

    def _entry_now(self, entry: IntegrationSpec) -> tuple[EntryState, str | None]:
        """The state an entry is in now: as set up in the spec, failed by a fault, or put out of
        `loaded` by one of the devices it mirrors (a revoked key: `setup_error`, reauthentication)."""
        if entry.state != "loaded":
            return entry.state, None
        if entry.domain in self._failed:
            return "setup_retry", self._failed[entry.domain]
        for entity_id, link in self._links.items():
            mine = self._entry_of(self._entities[entity_id])
            if mine is not None and mine.id == entry.id and (problem := link.entry_problem()) is not None:
                return problem
        return "loaded", None

    def _sync_entry(self, entry: IntegrationSpec) -> None:
        """Bring an entry's state, and all its entities, in line with what it should be now."""
        now = self._entry_now(entry)
        if (self.entry_states[entry.id], self.entry_reasons[entry.id]) == now:
            return
        going_down = self.entry_states[entry.id] == "loaded"
        self.entry_states[entry.id], self.entry_reasons[entry.id] = now
        context = Context() if going_down else None  # one unload takes its entities down together
        for entity in self.spec.entities:
            mine = self._entry_of(entity)
            if mine is not None and mine.id == entry.id:
                self._refresh(entity.entity_id, context)

    # ---------------------------------------------------------- registries, as the WebSocket lists them

    def config_entries(self, domain: str | None = None, types: list[str] | None = None) -> list[Json]:
        """`config_entries/get`: each entry's API view."""
        stamp = self.started.timestamp()
        return [{"created_at": stamp, "entry_id": entry.id, "domain": entry.domain, "modified_at": stamp,
                 "title": entry.title, "source": entry.source, "state": self.entry_states[entry.id],
                 "supports_options": False, "supports_remove_device": False, "supports_unload": True,
                 "supports_reconfigure": False, "supported_subentry_types": {}, "pref_disable_new_entities": False,
                 "pref_disable_polling": False, "disabled_by": None, "reason": self.entry_reasons[entry.id],
                 "error_reason_translation_key": None, "error_reason_translation_placeholders": None,
                 "num_subentries": 0}
                for entry in self.spec.integrations
                if domain in (None, entry.domain) and (not types or entry.integration_type in types)]

    def _entry_id(self, item: EntitySpec | DeviceSpec) -> str | None:
        return entry.id if (entry := self._entry_of(item)) is not None else None

    def entity_registry(self) -> list[Json]:
        """`config/entity_registry/list`."""
        stamp = self.started.timestamp()
        entries = [(entity.entity_id, entity.integration or entity.domain, entity.device, entity.area,
                    entity.unique_id or entity.entity_id.split(".", 1)[1], self._entry_id(entity))
                   for entity in self.spec.entities]
        entries += [(automation.entity, "automation", None, None, automation.id, None)
                    for automation in self.spec.automations]
        return [{"area_id": area, "categories": {}, "config_entry_id": entry_id,
                 "config_subentry_id": None, "created_at": stamp, "device_id": device, "disabled_by": None,
                 "entity_category": None, "entity_id": entity_id, "has_entity_name": device is not None,
                 "hidden_by": None, "icon": None, "id": stable_hex(f"entity:{entity_id}"), "labels": [],
                 "modified_at": stamp, "name": None, "options": {}, "original_name": None, "platform": platform,
                 "translation_key": None, "unique_id": unique_id}
                for entity_id, platform, device, area, unique_id, entry_id in entries]

    def device_registry(self) -> list[Json]:
        """`config/device_registry/list`."""
        stamp = self.started.timestamp()
        return [{"area_id": device.area, "configuration_url": device.configuration_url,
                 "config_entries": [entry] if (entry := self._entry_id(device)) else [],
                 "config_entries_subentries": {entry: [None]} if entry else {},
                 "connections": [list(pair) for pair in device.connections], "created_at": stamp,
                 "disabled_by": None, "entry_type": None, "hw_version": device.hw_version, "id": device.id,
                 "identifiers": [list(pair) for pair in device.identifiers], "labels": [],
                 "manufacturer": device.manufacturer, "model": device.model, "model_id": device.model_id,
                 "modified_at": stamp, "name_by_user": None, "name": device.name, "primary_config_entry": entry,
                 "serial_number": None, "sw_version": device.sw_version, "via_device_id": device.via_device}
                for device in self.spec.devices]

    def area_registry(self) -> list[Json]:
        """`config/area_registry/list`."""
        stamp = self.started.timestamp()
        return [{"aliases": [], "area_id": area.id, "floor_id": None, "humidity_entity_id": None, "icon": None,
                 "labels": [], "name": area.name, "picture": None, "temperature_entity_id": None,
                 "created_at": stamp, "modified_at": stamp} for area in self.spec.areas]

    def config(self) -> Json:
        """`/api/config` and `get_config`: the core configuration."""
        components = sorted({"api", "automation", "http", "person", "websocket_api", "zeroconf", "trace", "config",
                             *(entry.domain for entry in self.spec.integrations if
                               self.entry_states[entry.id] == "loaded"),
                             *(state.entity_id.split(".", 1)[0] for state in self._states.values())})
        return {"allowlist_external_dirs": ["/config/www", "/media"], "allowlist_external_urls": [],
                "components": components, "config_dir": "/config", "config_source": "storage", "country": None,
                "currency": "EUR", "debug": False, "elevation": 0, "external_url": None,
                "internal_url": None, "language": "en", "latitude": 0.0,
                "location_name": self.spec.location_name, "longitude": 0.0, "radius": 100, "recovery_mode": False,
                "safe_mode": False, "state": "RUNNING", "time_zone": self.spec.time_zone,
                "unit_system": {"length": "km", "accumulated_precipitation": "mm", "area": "m²", "mass": "g",
                                "pressure": "Pa", "temperature": "°C", "volume": "L", "wind_speed": "m/s"},
                "version": self.spec.version, "whitelist_external_dirs": ["/config/www", "/media"]}


# ------------------------------------------------------------------ the WebSocket API

_MISSING = object()
# Each command's schema: key → (accepted type, or the allowed values; required; default).
Schema = dict[str, tuple[type | tuple[str, ...], bool, Any]]
_TRACE_DOMAINS = ("automation", "script")


def _validate(message: Json, schema: Schema) -> tuple[Json, str | None]:
    """The message with defaults filled in, or the voluptuous-style error HA would answer."""
    result = {"id": message["id"], "type": message["type"]}
    for key, value in message.items():
        if key not in ("id", "type") and key not in schema:
            return result, f"extra keys not allowed @ data['{key}']. Got {value!r}"
    for key, (kind, required, default) in schema.items():
        if key not in message:
            if required:
                return result, f"required key not provided @ data['{key}']. Got None"
            if default is not _MISSING:
                result[key] = default
            continue
        value = message[key]
        if isinstance(kind, tuple) and value not in kind:
            return result, f"value must be one of {sorted(kind)!r} for dictionary value @ data['{key}']. Got {value!r}"
        if isinstance(kind, type) and not isinstance(value, kind):
            return result, f"expected {kind.__name__} for dictionary value @ data['{key}']. Got {value!r}"
        result[key] = value
    return result, None


def _auth_problem(auth: Any) -> str | None:
    """What is wrong with an `auth` message, worded as HA's schema rejects it (None if well formed)."""
    if not isinstance(auth, dict):
        return f"expected a dictionary. Got {auth!r}"
    if "type" not in auth:
        return "required key not provided @ data['type']. Got None"
    if auth["type"] != "auth":
        return f"not a valid value @ data['type']. Got {auth['type']!r}"
    for key, value in auth.items():
        if key not in ("type", "access_token", "api_password"):
            return f"extra keys not allowed @ data['{key}']. Got {value!r}"
        if key != "type" and not isinstance(value, str):
            return f"expected str for dictionary value @ data['{key}']. Got {value!r}"
    return None


def _result(iden: int, result: Any = None) -> Json:
    return {"id": iden, "type": "result", "success": True, "result": result}


def _error(iden: Any, code: str, message: str, **translation: Any) -> Json:
    return {"id": iden, "type": "result", "success": False, "error": {"code": code, "message": message, **translation}}


class WebSocketSession:
    """One authenticated WebSocket connection: numbered commands in, results and events out.

    Outgoing messages go through one queue, as in HA, so events pushed from the bus and
    command results keep their order; `drop` swallows them and `garble` cuts each one short.
    """

    def __init__(self, sim: HomeAssistantSim, socket: web.WebSocketResponse) -> None:
        self.sim = sim
        self.socket = socket
        self.outbox: asyncio.Queue[str] = asyncio.Queue()
        self.subscriptions: dict[int, Callable[[], None]] = {}
        self.last_id = 0
        self.commands: dict[str, tuple[Schema, Callable[[Json], None]]] = {
            "ping": ({}, lambda msg: self.send({"id": msg["id"], "type": "pong"})),
            "get_states": ({}, lambda msg: self.send(_result(msg["id"], [s.as_dict() for s in sim.core.all()]))),
            "get_config": ({}, lambda msg: self.send(_result(msg["id"], sim.core.config()))),
            "supported_features": ({"features": (dict, True, _MISSING)}, lambda msg: self.send(_result(msg["id"]))),
            "subscribe_events": ({"event_type": (str, False, "*")}, self._subscribe),
            "unsubscribe_events": ({"subscription": (int, True, _MISSING)}, self._unsubscribe),
            "call_service": ({"domain": (str, True, _MISSING), "service": (str, True, _MISSING),
                              "service_data": (dict, False, _MISSING), "target": (dict, False, _MISSING),
                              "return_response": (bool, False, False)}, self._call_service),
            "config/entity_registry/list": ({}, lambda msg: self.send(_result(msg["id"], sim.core.entity_registry()))),
            "config/device_registry/list": ({}, lambda msg: self.send(_result(msg["id"], sim.core.device_registry()))),
            "config/area_registry/list": ({}, lambda msg: self.send(_result(msg["id"], sim.core.area_registry()))),
            "config_entries/get": ({"type_filter": (object, False, _MISSING), "domain": (str, False, _MISSING)},
                                   lambda msg: self.send(_result(msg["id"], sim.core.config_entries(
                                       msg.get("domain"), _as_list(msg.get("type_filter")))))),
            "automation/config": ({"entity_id": (str, True, _MISSING)}, self._automation_config),
            "trace/list": ({"domain": (_TRACE_DOMAINS, True, _MISSING), "item_id": (str, False, _MISSING)},
                           self._trace_list),
            "trace/get": ({"domain": (_TRACE_DOMAINS, True, _MISSING), "item_id": (str, True, _MISSING),
                           "run_id": (str, True, _MISSING)}, self._trace_get),
        }

    def _automation_config(self, msg: Json) -> None:
        # HA's automation/config (admin only): the automation's stored configuration
        found = next((a for a in self.sim.spec.automations if a.entity == msg["entity_id"]), None)
        if found is None:
            self.send(_error(msg["id"], "not_found", "Entity not found"))
        else:
            self.send(_result(msg["id"], {"config": found.config()}))

    def send(self, message: Json) -> None:
        """Queue one message for the client."""
        self.outbox.put_nowait(_dumps(message))

    async def pump(self) -> None:
        """Write queued messages to the socket until the session ends."""
        while True:
            text = await self.outbox.get()
            if self.sim.faults.active(FaultKind.DROP) is not None:
                continue
            if self.sim.faults.active(FaultKind.GARBLE) is not None:
                text = text[: max(1, len(text) // 2)]
            await self.socket.send_str(text)

    def close(self) -> None:
        """End every subscription of this session."""
        for unsubscribe in self.subscriptions.values():
            unsubscribe()
        self.subscriptions.clear()

    def handle(self, message: Any) -> None:
        """One command, checked as HA's connection checks it: format, increasing id, known type, schema."""
        if not isinstance(message, dict) or not isinstance(message.get("id"), int) or message["id"] < 0 \
                or not isinstance(message.get("type"), str):
            iden = message.get("id") if isinstance(message, dict) else 0
            self.send(_error(iden, "invalid_format", "Message incorrectly formatted."))
            return
        if message["id"] <= self.last_id:
            self.send(_error(message["id"], "id_reuse", "Identifier values have to increase."))
            return
        if message["type"] not in self.commands:
            self.send(_error(message["id"], "unknown_command", "Unknown command."))
            return
        schema, handler = self.commands[message["type"]]
        valid, problem = _validate(message, schema)
        if problem is not None:
            self.send(_error(message["id"], "invalid_format", problem))
        else:
            handler(valid)
        self.last_id = message["id"]

    def _subscribe(self, msg: Json) -> None:
        iden = msg["id"]
        self.subscriptions[iden] = self.sim.core.listen(
            msg["event_type"], lambda event: self.send({"id": iden, "type": "event", "event": event.as_dict()}))
        self.send(_result(iden))

    def _unsubscribe(self, msg: Json) -> None:
        if (unsubscribe := self.subscriptions.pop(msg["subscription"], None)) is None:
            self.send(_error(msg["id"], "not_found", "Subscription not found."))
            return
        unsubscribe()
        self.send(_result(msg["id"]))

    def _call_service(self, msg: Json) -> None:
        context = Context(user_id=self.sim.spec.user_id)
        domain, service = msg["domain"], msg["service"]
        if msg["return_response"]:
            self.send(_error(msg["id"], "service_validation_error", "Validation error: An action which does not "
                             "return responses can't be called with return_response=True",
                             translation_domain="homeassistant", translation_key="service_does_not_support_response",
                             translation_placeholders={"return_response": "return_response=True"}))
            return
        try:
            _, pending, errors = self.sim.core._call(domain, service, msg.get("service_data"), msg.get("target"),
                                                     context)
        except ServiceNotFound:
            self.send(_error(msg["id"], "not_found", f"Service {domain}.{service} not found.",
                             translation_domain="homeassistant", translation_key="service_not_found",
                             translation_placeholders={"domain": domain, "service": service}))
            return
        if not pending:  # answered at once, after the state changes it caused, as HA answers
            self._answer_call(msg["id"], context, errors)
            return
        # HA finishes the call even if the client leaves; the host's stop cancels it with the runs.
        self.sim.core._schedule(self._finish_call(msg["id"], context, pending, errors))

    async def _finish_call(self, iden: int, context: Context, pending: list[Awaitable[State | None]],
                           errors: list[ServiceError]) -> None:
        """Answer a call once the commands it sent to slow devices are done."""
        for later in pending:
            try:
                await later
            except ServiceError as err:
                errors.append(err)
        self._answer_call(iden, context, errors)

    def _answer_call(self, iden: int, context: Context, errors: list[ServiceError]) -> None:
        if errors:
            self.send(_error(iden, errors[0].code, errors[0].message))
        else:
            self.send(_result(iden, {"context": context.as_dict()}))

    def _trace_list(self, msg: Json) -> None:
        runs = [run for item_id, runs in self.sim.core.traces.items()
                if msg["domain"] == "automation" and msg.get("item_id", item_id) == item_id for run in runs]
        self.send(_result(msg["id"], [run["short"] for run in runs]))

    def _trace_get(self, msg: Json) -> None:
        runs = self.sim.core.traces.get(msg["item_id"], []) if msg["domain"] == "automation" else []
        found = next((run["extended"] for run in runs if run["short"]["run_id"] == msg["run_id"]), None)
        if found is None:
            self.send(_error(msg["id"], "not_found", "The trace could not be found"))
        else:
            self.send(_result(msg["id"], found))


# ------------------------------------------------------------------ the host


class HomeAssistantSim(HttpHost):
    """A Home Assistant instance on a loopback address: REST, WebSocket API and mDNS, faultable."""

    brand = "homeassistant"
    brand_faults = frozenset({FaultKind.KEY_REVOKED, FaultKind.AUTOMATION_DISABLED, FaultKind.INTEGRATION_FAILED})

    def __init__(self, spec: HomeAssistantSpec, advertiser: Advertiser | None = None,
                 links: Mapping[str, Link] | None = None) -> None:
        super().__init__(spec.name, spec.address, spec.port, advertiser)
        self.spec = spec
        self.core = HomeAssistantCore(spec, links)
        self._sessions: set[web.WebSocketResponse] = set()
        self._authenticated: set[web.WebSocketResponse] = set()
        self._closing: set[asyncio.Task[Any]] = set()
        self.faults.on_change(self._on_fault)

    # ---------------------------------------------------------- state API (tests, the tracer)

    def state(self, entity_id: str) -> State | None:
        """An entity's current state."""
        return self.core.get(entity_id)

    def report(self, entity_id: str, state: str, attributes: Json | None = None) -> None:
        """A device reports a change through its integration (the phone arrives, the door opens)."""
        self.core.report(entity_id, state, attributes)

    async def call_service(self, domain: str, service: str, data: Json | None = None,
                           target: Json | None = None) -> list[State]:
        """Call a service as the owner would; the states it changed (ServiceError if a device's
        integration failed to carry it out)."""
        return await self.core.call_waiting(domain, service, data, target, Context(user_id=self.spec.user_id))

    async def settle(self) -> None:
        """Wait for every automation run in flight to finish."""
        await self.core.settle()

    def traces(self, automation_id: str) -> list[Json]:
        """The stored traces of one automation, oldest first, as `trace/get` returns them."""
        return [run["extended"] for run in self.core.traces.get(automation_id, [])]

    def entry_state(self, domain: str, title: str | None = None) -> EntryState:
        """The state of an integration's config entry (the one titled `title`, when it has several)."""
        entry = self.core._entry_for(domain, title)
        if entry is None:
            raise KeyError(f"no {domain} config entry" + (f" titled {title!r}" if title else ""))
        return self.core.entry_states[entry.id]

    def entry_reason(self, domain: str, title: str | None = None) -> str | None:
        """Why that entry is not loaded, as `config_entries/get` says it."""
        entry = self.core._entry_for(domain, title)
        if entry is None:
            raise KeyError(f"no {domain} config entry" + (f" titled {title!r}" if title else ""))
        return self.core.entry_reasons[entry.id]

    @property
    def token_valid(self) -> bool:
        """Whether the long-lived token is accepted now."""
        return self.faults.active(FaultKind.KEY_REVOKED) is None

    # ---------------------------------------------------------- lifecycle and faults

    async def stop(self) -> None:
        """Close the host and stop every automation run in flight."""
        await super().stop()
        await self.core.cancel_runs()
        await asyncio.gather(*list(self._closing), return_exceptions=True)

    def _on_fault(self, fault: Fault, on: bool) -> None:
        if fault.kind is FaultKind.AUTOMATION_DISABLED:
            self._sync_automations(fault.target)
        elif fault.kind is FaultKind.INTEGRATION_FAILED:
            self._sync_integrations(fault.target)
        elif fault.kind is FaultKind.KEY_REVOKED and on:
            # HA closes every WebSocket authenticated with a token when the token is revoked.
            for socket in list(self._authenticated):
                task = asyncio.get_running_loop().create_task(socket.close(code=WSCloseCode.POLICY_VIOLATION))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    def _sync_automations(self, target: str | None) -> None:
        """Each automation in the fault's reach is off while any `automation_disabled` covers it."""
        kind = FaultKind.AUTOMATION_DISABLED
        for automation in self.spec.automations:
            if target in (None, automation.id, automation.entity):
                disabled = self.faults.active(kind, automation.id) or self.faults.active(kind, automation.entity)
                self.core.set_automation_enabled(automation.id, disabled is None and automation.enabled)

    def _sync_integrations(self, target: str | None) -> None:
        """Each integration in the fault's reach is failed while any `integration_failed` covers it."""
        for entry in self.spec.integrations:
            if target in (None, entry.domain):
                if self.faults.active(FaultKind.INTEGRATION_FAILED, entry.domain) is not None:
                    self.core.fail_integration(entry.domain)
                else:
                    self.core.restore_integration(entry.domain)

    def services(self) -> list[AsyncServiceInfo]:
        """`_home-assistant._tcp`, with the TXT keys HA's zeroconf component publishes."""
        # HA replaces dots (reserved in DNS-SD labels) and truncates the name to a 63-byte label.
        name = self.spec.location_name.replace(".", " ").encode()[:62].decode(errors="ignore") or "Home"
        url = self.base_url
        properties = {"location_name": name, "uuid": self.spec.uuid, "version": self.spec.version,
                      "external_url": "", "internal_url": url, "base_url": url,
                      "requires_api_password": "True"}  # HA passes True; zeroconf writes it as "True"
        return [service_info(SERVICE_TYPE, name, self.address, self.port, properties,
                             server=f"{self.spec.uuid}.local.")]

    # ---------------------------------------------------------- REST

    def routes(self, app: web.Application) -> None:
        """HA's REST API and its WebSocket endpoint."""
        app.router.add_get("/api/", self._api_status)
        app.router.add_get("/api/config", self._api_config)
        app.router.add_get("/api/states", self._api_states)
        app.router.add_get("/api/states/{entity_id}", self._api_state)
        app.router.add_post("/api/services/{domain}/{service}", self._api_service)
        app.router.add_get("/api/websocket", self._websocket)
        app.on_shutdown.append(self._close_sockets)

    def _authorized(self, request: web.Request) -> bool:
        return self.token_valid and request.headers.get("Authorization") == f"Bearer {self.spec.token}"

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        return web.Response(body=_dumps(data).encode(), status=status, content_type="application/json")

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.Response(status=401, text="401: Unauthorized")  # aiohttp's HTTPUnauthorized, as HA raises it

    async def _api_status(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        return self._json({"message": "API running."})

    async def _api_config(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        return self._json(self.core.config())

    async def _api_states(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        return self._json([state.as_dict() for state in self.core.all()])

    async def _api_state(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        if (state := self.core.get(request.match_info["entity_id"])) is None:
            return self._json({"message": "Entity not found."}, 404)
        return self._json(state.as_dict())

    async def _api_service(self, request: web.Request) -> web.Response:
        """Call a service; answer the states changed in the call's own context (not by automations)."""
        if not self._authorized(request):
            return self._unauthorized()
        body = await request.text()
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return self._json({"message": "Data should be valid JSON."}, 400)
        if data is not None and not isinstance(data, dict):
            return web.Response(status=400, text="400: Bad Request")
        try:
            changed = await self.core.call_waiting(request.match_info["domain"], request.match_info["service"],
                                                   data, None, Context(user_id=self.spec.user_id))
        except ServiceNotFound:
            return web.Response(status=400, text="400: Bad Request")
        except ServiceError:  # HA lets it reach aiohttp, which answers its generic 500
            return web.Response(status=500, text="500 Internal Server Error\n\nServer got itself in trouble")
        return self._json([state.as_dict() for state in changed])

    # ---------------------------------------------------------- WebSocket

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        """The WebSocket API: the auth phase, then commands until either side closes."""
        socket = web.WebSocketResponse(heartbeat=55)
        await socket.prepare(request)
        self._sessions.add(socket)
        try:
            if await self._authenticate(socket):
                await self._serve_commands(socket)
        finally:
            self._sessions.discard(socket)
            self._authenticated.discard(socket)
            if not socket.closed:
                await socket.close()
        return socket

    async def _authenticate(self, socket: web.WebSocketResponse) -> bool:
        await socket.send_str(_dumps({"type": "auth_required", "ha_version": self.spec.version}))
        try:
            message = await socket.receive(timeout=AUTH_TIMEOUT)
        except asyncio.TimeoutError:
            return False
        if message.type is not WSMsgType.TEXT:
            return False
        try:
            auth = json.loads(message.data)
        except ValueError:
            return False
        if (problem := _auth_problem(auth)) is not None:
            await socket.send_str(_dumps({"type": "auth_invalid",
                                          "message": f"Auth message incorrectly formatted: {problem}"}))
            return False
        if not self.token_valid or auth.get("access_token") != self.spec.token:
            await socket.send_str(_dumps({"type": "auth_invalid", "message": "Invalid access token or password"}))
            return False
        await socket.send_str(_dumps({"type": "auth_ok", "ha_version": self.spec.version}))
        self._authenticated.add(socket)
        return True

    async def _serve_commands(self, socket: web.WebSocketResponse) -> None:
        session = WebSocketSession(self, socket)
        pump = asyncio.get_running_loop().create_task(session.pump())
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    break
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    break  # HA disconnects a client that sends something other than JSON
                if (slow := self.faults.active(FaultKind.SLOW)) is not None:
                    await asyncio.sleep(slow.seconds or 0)
                for command in payload if isinstance(payload, list) else [payload]:
                    session.handle(command)
        finally:
            session.close()
            while not session.outbox.empty() and not socket.closed and not pump.done():
                await asyncio.sleep(0)  # let the last answers out before closing
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)

    async def _close_sockets(self, app: web.Application) -> None:
        """On shutdown, close every open WebSocket (HA going away) so the server stops at once."""
        for socket in list(self._sessions):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"Home Assistant is stopping")
