"""A simulated SmartThings account: the SmartThings cloud's REST API (`/v1`) on a loopback address.

It answers what the real API answers, in its shapes (the adapter's fixtures,
`adapters/smartthings/fixtures/`, are the model):

* `GET /v1/devices`: `{"items": [...], "_links": {...}}`, `max` devices a page (200 by
  default and at most), `page` from 0, the next page's absolute URL in `_links.next.href`
  (and the previous one's in `_links.previous.href`); `includeHealth=true` adds each device's
  `healthState`, `includeStatus=true` each capability's `status`; `deviceId` and
  `capability` filter (repeated, or comma-separated);
* `GET /v1/devices/{id}`, `…/health` (`{"deviceId", "state", "lastUpdatedDate"}`), `…/status`
  (`{"components": {"main": {"<capability>": {"<attribute>": {"value", "unit", "timestamp"}}}}}`),
  and the status of one component, or of one capability of it;
* `POST /v1/devices/{id}/commands` with `{"commands": [{"component", "capability", "command",
  "arguments"}]}` (10 at most): `{"results": [{"id", "status"}]}`, each `ACCEPTED`, or
  `FAILED` when the cloud cannot reach the device (it is offline); a command the device does
  not have, or wrong arguments, is a 422 `ConstraintViolationError` and nothing is done;
* errors as the API words them: `{"requestId", "error": {"code", "message", "details"}}`.

Every request needs `Authorization: Bearer <token>` (a personal access token). Without it,
or with any other token, the API's gateway answers 401 with its HTML page ("401
Authorization Required", openresty), as it does for a token that expired (personal access
tokens made since 30 December 2024 last 24 hours). More than `rate_limit` requests within
`rate_window` seconds are answered 429 (`TooManyRequestError`, "retry in N millis"), with
`Retry-After` (seconds) and `X-RateLimit-Limit` / `X-RateLimit-Remaining`.

The account has a hub (a SmartThings v3 hub: its `hubData` holds a Z-Wave DSK and a TLS
certificate, which a dump must redact) unless `hub: null`, and devices of the kinds of
`smartthings_profiles`, described as `smartthings_account` does: Zigbee, Z-Wave, LAN and
Matter devices hang off the hub, a VIPER (cloud-to-cloud) garage door does not. Ids, MACs and
addresses derive from the names.
A SmartThings account announces nothing on the home network: `services()` is empty.

Faults, besides the generic ones (`slow`, `drop`: silent, `garble`: every answer cut in half,
`reset`, `host_down`):

* `device_offline[:<label or id>]`: that device (none: every device but the hub) OFFLINE in
  its health, since the fault came on; commands to it are answered `FAILED`;
* `hub_offline`: the hub OFFLINE, and with it every device behind it (the VIPER ones stay);
* `command_ignored[:<label or id>]`: commands are `ACCEPTED` and the device does not act;
* `key_revoked`: the token expired or was deleted: 401 to everything;
* `server_error[:<status>]`: the cloud answers every request with that 5xx (503 by
  default), as its gateway words it;
* `rate_limited[:<seconds>]`: every request is answered 429 with `Retry-After` (30 s).
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from zeroconf.asyncio import AsyncServiceInfo

from .faults import FaultKind
from .http import HttpHost
from .mdns import Advertiser
from .smartthings_account import Account, SimDevice, now_text, stable_uuid
from .smartthings_profiles import COMMANDS, PROFILES, RADIO_TYPES, Profile

API = "/v1"
DEFAULT_PORT = 8090  # plain HTTP on loopback: the real API is HTTPS on 443
MAX_PAGE = 200  # devices a page at most (and by default)
MAX_COMMANDS = 10  # commands to a device per request (the API's guardrail)
GATEWAY_PHRASES = {401: "Authorization Required", 500: "Internal Server Error", 502: "Bad Gateway",
                   503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
DEFAULT_DEVICES: list[dict[str, Any]] = [
    {"name": "Porch light", "kind": "light"},
    {"name": "Back door lock", "kind": "lock"},
    {"name": "Garage door", "kind": "garage_door"},
    {"name": "Hallway motion", "kind": "motion"},
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SmartThingsDeviceSpec(BaseModel):
    """One device of the simulated account."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="Its label in the SmartThings app.")
    kind: Literal["light", "switch", "lock", "garage_door", "motion", "contact"]
    type: Literal["ZIGBEE", "ZWAVE", "LAN", "MATTER", "VIPER"] | None = Field(
        default=None, description="How it joins SmartThings (default: its kind's).")
    device_id: str = Field(default="", description="Its deviceId (derived from the name when empty).")
    state: str | None = Field(default=None, description="Its main attribute at start (on/off, locked/unlocked, "
                                                        "open/closed, active/inactive).")

    @property
    def profile(self) -> Profile:
        """What its kind implies."""
        return PROFILES[self.kind]

    @property
    def integration_type(self) -> str:
        """Its `type` in the API's answers."""
        return self.type or self.profile.type

    @model_validator(mode="after")
    def _check(self) -> SmartThingsDeviceSpec:
        if self.state is not None and self.state not in self.profile.states:
            raise ValueError(f"a {self.kind} is {' or '.join(self.profile.states)}, not {self.state!r}")
        if self.integration_type == "VIPER" and self.kind != "garage_door":
            raise ValueError("only the garage door is simulated as a cloud-to-cloud (VIPER) device")
        return self


class SmartThingsSpec(BaseModel):
    """A SmartThings account in the simulated home's YAML."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["smartthings"] = "smartthings"
    name: str
    address: str
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    token: str = Field(default="", description="The personal access token it accepts (derived when empty).")
    hub: str | None = Field(default="SmartThings hub", description="The hub's label; null: an account without one.")
    devices: list[SmartThingsDeviceSpec] = Field(
        default_factory=lambda: [SmartThingsDeviceSpec(**d) for d in DEFAULT_DEVICES])
    page_size: int = Field(default=MAX_PAGE, ge=1, le=MAX_PAGE, description="Devices a page of GET /v1/devices.")
    rate_limit: int = Field(default=250, ge=0, description="Requests a token may make within rate_window (0: any).")
    rate_window: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _derive(self) -> SmartThingsSpec:
        self.token = self.token or stable_uuid(self.name, "token")
        labels = [device.name for device in self.devices]
        if repeated := sorted({label for label in labels if labels.count(label) > 1}):
            raise ValueError(f"two devices are named {repeated[0]!r}")
        for device in self.devices:
            device.device_id = device.device_id or stable_uuid(self.name, "device", device.name)
            if self.hub is None and device.integration_type in RADIO_TYPES:
                raise ValueError(f"{device.name} is a {device.integration_type} device: it needs the hub")
        return self

    @property
    def hub_id(self) -> str | None:
        """The hub's deviceId (the `hubId` its devices name)."""
        return stable_uuid(self.name, "hub") if self.hub is not None else None


@dataclass
class Command:
    """A command the account received, and what became of it."""

    device_id: str
    component: str
    capability: str
    command: str
    arguments: list[Any]
    status: str  # ACCEPTED, FAILED


class SmartThingsCloud(HttpHost):
    """The SmartThings cloud for one account, on `address:port` (HTTP). State API: `device`,
    `value`, `report`, `health_of`; `commands` holds every command received, `request_log` every
    request (its headers included: this is the cloud's side)."""

    brand: ClassVar[str] = "smartthings"
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset({
        FaultKind.DEVICE_OFFLINE, FaultKind.HUB_OFFLINE, FaultKind.COMMAND_IGNORED, FaultKind.KEY_REVOKED,
        FaultKind.SERVER_ERROR, FaultKind.RATE_LIMITED})

    def __init__(self, spec: SmartThingsSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec.name, spec.address, spec.port, advertiser)
        self.spec = spec
        account = Account(spec.name, spec.hub_id)
        self.devices: dict[str, SimDevice] = {}
        if spec.hub is not None:
            hub = account.hub(spec.hub, sorted({d.integration_type for d in spec.devices} & RADIO_TYPES))
            self.devices[hub.id] = hub
        for device in spec.devices:
            self.devices[device.device_id] = account.device(device.device_id, device.name, device.kind,
                                                            device.integration_type, device.state)
        self.commands: list[Command] = []
        self._requests: deque[float] = deque()  # when the token's recent requests came (monotonic)
        self.faults.on_change(lambda fault, on: self._update_health())

    @property
    def api_url(self) -> str:
        """The API's base URL now (`http://127.0.0.x:port/v1`)."""
        return self.base_url + API

    # ------------------------------------------------------------------ state API

    def device(self, name: str) -> SimDevice:
        """A device by its label or id (KeyError when there is none)."""
        if name in self.devices:
            return self.devices[name]
        for device in self.devices.values():
            if device.label == name:
                return device
        raise KeyError(name)

    def value(self, name: str, capability: str, attribute: str) -> Any:
        """What a device last reported for one attribute."""
        return self.device(name).attributes[(capability, attribute)].value

    def report(self, name: str, capability: str, attribute: str, value: Any) -> bool:
        """A device reports a new value (someone opened the door, motion was seen); False, and
        nothing changes, when it is OFFLINE: the cloud does not hear from it."""
        device = self.device(name)
        if device.health == "OFFLINE":
            return False
        device.set(capability, attribute, value)
        self._changed()
        return True

    def health_of(self, name: str) -> str:
        """ONLINE or OFFLINE, as the device's health says now."""
        return self.device(name).health

    def _named(self, kind: FaultKind, device: SimDevice) -> bool:
        """Whether a fault of `kind` names this device (by label or id; no target: every device)."""
        return any(f.kind is kind and f.target in (None, device.id, device.label) for f in self.faults)

    def _update_health(self) -> None:
        hub_down = self.faults.active(FaultKind.HUB_OFFLINE) is not None
        changed = False
        for device in self.devices.values():
            if device.is_hub:
                offline = hub_down
            else:
                offline = self._named(FaultKind.DEVICE_OFFLINE, device) or (hub_down and device.behind_hub)
            state = "OFFLINE" if offline else "ONLINE"
            if device.health != state:
                device.health, device.health_since = state, now_text()
                changed = True
        if changed:
            self._changed()

    # ------------------------------------------------------------------ SimHost

    def services(self) -> list[AsyncServiceInfo]:
        """None: the cloud is not on the home network, and SmartThings hubs announce nothing useful."""
        return []

    def routes(self, app: web.Application) -> None:
        """The `/v1` device routes, each behind the gateway (faults, token, rate limit)."""
        for method, path, handler in (
            ("GET", "/devices", self._list),
            ("GET", "/devices/{device_id}", self._get),
            ("GET", "/devices/{device_id}/health", self._health),
            ("GET", "/devices/{device_id}/status", self._status),
            ("GET", "/devices/{device_id}/components/{component}/status", self._component_status),
            ("GET", "/devices/{device_id}/components/{component}/capabilities/{capability}/status",
             self._capability_status),
            ("POST", "/devices/{device_id}/commands", self._commands),
        ):
            app.router.add_route(method, API + path, self._gateway(handler))

    # ------------------------------------------------------------------ the gateway

    def _gateway(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            failing = self.faults.active(FaultKind.SERVER_ERROR)
            if failing is not None:
                status = int(failing.target) if failing.target and failing.target.isdigit() else 503
                return gateway_page(status if 500 <= status <= 599 else 503)
            if not self._authorized(request):
                return gateway_page(401)
            limited = self.faults.active(FaultKind.RATE_LIMITED)
            if limited is not None:
                seconds = float(limited.target) if limited.target and _number(limited.target) else 30.0
                return self._too_many(seconds, attempt=self.spec.rate_limit + 1)
            wait = self._count()
            if wait is not None:
                return self._too_many(wait, attempt=len(self._requests) + 1)
            response = await handler(request)
            if self.spec.rate_limit:
                response.headers["X-RateLimit-Limit"] = str(self.spec.rate_limit)
                response.headers["X-RateLimit-Remaining"] = str(max(0, self.spec.rate_limit - len(self._requests)))
            return response
        return guarded

    def _authorized(self, request: web.Request) -> bool:
        if self.faults.active(FaultKind.KEY_REVOKED) is not None:
            return False  # the token expired or was deleted: whatever is sent is refused
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.spec.token.encode())

    def _count(self) -> float | None:
        """Count one request of the token; the seconds it must wait when it made too many."""
        if not self.spec.rate_limit:
            return None
        now = time.monotonic()
        while self._requests and self._requests[0] <= now - self.spec.rate_window:
            self._requests.popleft()
        if len(self._requests) >= self.spec.rate_limit:
            return self._requests[0] + self.spec.rate_window - now
        self._requests.append(now)
        return None

    def _too_many(self, seconds: float, attempt: int) -> web.Response:
        millis = max(1, round(seconds * 1000))
        body = error_body("TooManyRequestError", "Too Many Requests", [
            {"code": "TooManyRequestError", "message": f"attempt {attempt} limit {self.spec.rate_limit} - retry in "
                                                       f"{millis} millis", "details": []}])
        headers = {"Retry-After": str(max(1, math.ceil(seconds))), "X-RateLimit-Limit": str(self.spec.rate_limit),
                   "X-RateLimit-Remaining": "0"}
        return web.json_response(body, status=429, headers=headers)

    # ------------------------------------------------------------------ devices

    def _find(self, request: web.Request) -> SimDevice:
        device = self.devices.get(request.match_info["device_id"])
        if device is None:
            raise web.HTTPNotFound(text=json.dumps(error_body(
                "NotFoundError", "The device was not found.", [])), content_type="application/json")
        return device

    def _described(self, device: SimDevice, health: bool, status: bool) -> dict[str, Any]:
        described = json.loads(json.dumps(device.description))  # a copy the request may change
        if status:
            readings = device.status()
            for capability in described["components"][0]["capabilities"]:
                capability["status"] = readings.get(capability["id"], {})
        if health:
            described["healthState"] = {"state": device.health, "lastUpdatedDate": device.health_since}
        return described

    async def _list(self, request: web.Request) -> web.Response:
        query = request.query
        wanted_ids = _listed(query.getall("deviceId", []))
        wanted_capabilities = _listed(query.getall("capability", []))
        chosen = [device for device in self.devices.values()
                  if (not wanted_ids or device.id in wanted_ids)
                  and (not wanted_capabilities or set(wanted_capabilities) & set(device.capabilities))]
        size = _whole(query.get("max"), self.spec.page_size, 1, MAX_PAGE)
        page = _whole(query.get("page"), 0, 0, 10**6)
        if size is None or page is None:
            return web.json_response(error_body("ConstraintViolationError", "The request is malformed.", [
                {"code": "NotValidValue", "target": "max" if size is None else "page",
                 "message": "must be a whole number (max: 1 to 200)", "details": []}]), status=422)
        health, status = _flag(query.get("includeHealth")), _flag(query.get("includeStatus"))
        items = [self._described(d, health, status) for d in chosen[page * size:(page + 1) * size]]
        links: dict[str, Any] = {}
        if (page + 1) * size < len(chosen):
            links["next"] = {"href": str(request.url.update_query(page=str(page + 1), max=str(size)))}
        if page > 0:
            links["previous"] = {"href": str(request.url.update_query(page=str(page - 1), max=str(size)))}
        return web.json_response({"items": items, "_links": links})

    async def _get(self, request: web.Request) -> web.Response:
        return web.json_response(self._described(self._find(request), health=False, status=False))

    async def _health(self, request: web.Request) -> web.Response:
        device = self._find(request)
        return web.json_response({"deviceId": device.id, "state": device.health,
                                  "lastUpdatedDate": device.health_since})

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"components": {"main": self._find(request).status()}})

    async def _component_status(self, request: web.Request) -> web.Response:
        device = self._find(request)
        if request.match_info["component"] != "main":
            raise web.HTTPNotFound(text=json.dumps(error_body("NotFoundError", "The component was not found.", [])),
                                   content_type="application/json")
        return web.json_response(device.status())

    async def _capability_status(self, request: web.Request) -> web.Response:
        device = self._find(request)
        found = device.status().get(request.match_info["capability"])
        if request.match_info["component"] != "main" or found is None:
            raise web.HTTPNotFound(text=json.dumps(error_body("NotFoundError", "The capability was not found.", [])),
                                   content_type="application/json")
        return web.json_response(found)

    # ------------------------------------------------------------------ commands

    async def _commands(self, request: web.Request) -> web.Response:
        device = self._find(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        commands = body.get("commands") if isinstance(body, dict) else None
        if not isinstance(commands, list) or not 1 <= len(commands) <= MAX_COMMANDS:
            return _violation("commands", f"must be a list of 1 to {MAX_COMMANDS} commands")
        planned: list[tuple[Command, list[tuple[str, str, Any]]]] = []
        for index, command in enumerate(commands):
            checked = self._check(device, command, f"commands[{index}]")
            if isinstance(checked, web.Response):
                return checked  # one command the device cannot take: none is carried out
            planned.append(checked)
        results = [{"id": str(uuid.uuid4()), "status": self._carry_out(device, *plan)} for plan in planned]
        return web.json_response({"results": results})

    def _check(self, device: SimDevice, command: Any, where: str
               ) -> tuple[Command, list[tuple[str, str, Any]]] | web.Response:
        """One command of a request, and the changes it makes; the 422 answer when it is not valid."""
        if not isinstance(command, dict):
            return _violation(where, "must be an object")
        component = command.get("component", "main")
        capability, name = command.get("capability"), command.get("command")
        arguments = command.get("arguments", [])
        if component != "main":
            return _violation(f"{where}.component", f"{component!r} is not a component of this device")
        if capability not in device.capabilities:
            return _violation(f"{where}.capability", f"{capability!r} is not a capability of this device")
        run = COMMANDS.get((capability, name)) if isinstance(name, str) else None
        if run is None or not isinstance(name, str):
            return _violation(f"{where}.command", f"{name!r} is not a command of {capability}")
        if not isinstance(arguments, list):
            return _violation(f"{where}.arguments", "must be a list")
        changes = run(arguments)
        if isinstance(changes, str):
            return _violation(f"{where}.arguments", changes)
        status = "FAILED" if device.health == "OFFLINE" else "ACCEPTED"
        return Command(device.id, component, capability, name, arguments, status), changes

    def _carry_out(self, device: SimDevice, command: Command, changes: list[tuple[str, str, Any]]) -> str:
        """Record the command and, unless the device is out of reach or ignores it, make its changes."""
        self.commands.append(command)
        if command.status == "ACCEPTED" and not self._named(FaultKind.COMMAND_IGNORED, device):
            for capability, attribute, value in changes:
                device.set(capability, attribute, value)
            self._changed()
        return command.status

    def run(self, name: str, capability: str, command: str, arguments: list[Any] | None = None) -> str:
        """Carry out a command as a SmartThings routine in the cloud would (subject to the faults):
        ACCEPTED or FAILED; ValueError when the device cannot take it."""
        checked = self._check(self.device(name), {"capability": capability, "command": command,
                                                  "arguments": arguments or []}, "command")
        if isinstance(checked, web.Response):
            raise ValueError(f"{name} cannot {capability}.{command}")
        return self._carry_out(self.device(name), *checked)


# ------------------------------------------------------------------ answers


def error_body(code: str, message: str, details: list[dict[str, Any]]) -> dict[str, Any]:
    """An error as the API words it."""
    return {"requestId": str(secrets.randbelow(10**19)), "error": {"code": code, "message": message,
                                                                  "details": details}}


def gateway_page(status: int) -> web.Response:
    """The HTML page the API's gateway (openresty) answers with, before any service sees the request."""
    title = f"{status} {GATEWAY_PHRASES.get(status, 'Error')}"
    page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n")
    return web.Response(status=status, text=page, content_type="text/html")


def _violation(target: str, message: str) -> web.Response:
    return web.json_response(error_body("ConstraintViolationError", "The request is malformed.", [
        {"code": "NotValidValue", "target": target, "message": message, "details": []}]), status=422)


def _listed(values: list[str]) -> list[str]:
    """Query values given repeated or comma-separated."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _flag(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _whole(value: str | None, default: int, low: int, high: int) -> int | None:
    if value is None:
        return default
    return int(value) if value.isdigit() and low <= int(value) <= high else None


def _number(value: str | None) -> bool:
    try:
        return value is not None and float(value) >= 0
    except ValueError:
        return False
