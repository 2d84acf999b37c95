"""Simulated Shelly relays: Gen1 (REST) and Gen2+ (JSON-RPC over HTTP and a WebSocket).

Gen1 answers `/shelly`, `/status`, `/settings` and `/relay/<i>?turn=on|off|toggle`, with
HTTP basic auth when a password is set, and is advertised as `_http._tcp` under its
hostname (`shelly1pm-AABBCC`). Gen2, Gen3 and Gen4 answer `/shelly`, `GET /rpc/<Method>`,
`POST /rpc` (a JSON-RPC frame) and the `/rpc` WebSocket, which also pushes `NotifyStatus`
when a switch changes; a password turns on digest auth (SHA-256, user `admin`, realm = the
device id) for all but `/shelly` and `Shelly.GetDeviceInfo`. They are advertised as
`_shelly._tcp` and `_http._tcp` with the TXT keys `gen`, `app` and `ver`.

Brand faults: `overpower` (target: a relay index, default 0) trips that relay off and keeps
it off while the fault lasts (switching on is accepted and has no effect, as when the load
trips it again at once); `key_revoked` changes the device's password, so every request that
needs authentication gets 401 (a device without a password gets one the client never knew).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from aiohttp import WSCloseCode, WSMsgType, hdrs, web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind
from .http import HttpHost
from .mdns import Advertiser, service_info

HTTP_SERVICE = "_http._tcp.local."
SHELLY_SERVICE = "_shelly._tcp.local."
GEN2_USER = "admin"  # Gen2+ digest auth has one user, always `admin`
OPEN_METHODS = frozenset({"Shelly.GetDeviceInfo"})  # answered without authentication
NONCE_LIFETIME = 3600  # seconds a timestamp nonce stays valid (clients may pre-compute one)
LOAD_WATTS = 42.0  # what the simulated load draws while its relay is on
VOLTAGE = 230.4
OVERPOWER_WATTS = 3712.0  # what a Gen1 meter reports as the power that tripped it


@dataclass(frozen=True)
class ShellyModel:
    """What a model id implies: its hostname prefix, Gen2+ app name, outputs, metering."""

    generation: int
    prefix: str
    app: str
    outputs: int
    metering: bool


MODELS: dict[str, ShellyModel] = {
    "SHSW-1": ShellyModel(1, "shelly1", "", 1, False),
    "SHSW-PM": ShellyModel(1, "shelly1pm", "", 1, True),
    "SHSW-25": ShellyModel(1, "shellyswitch25", "", 2, True),
    "SHPLG-S": ShellyModel(1, "shellyplug-s", "", 1, True),
    "SNSW-001X16EU": ShellyModel(2, "shellyplus1", "Plus1", 1, False),
    "SNSW-001P16EU": ShellyModel(2, "shellyplus1pm", "Plus1PM", 1, True),
    "SNSW-102P16EU": ShellyModel(2, "shellyplus2pm", "Plus2PM", 2, True),
    "SNPL-00112EU": ShellyModel(2, "shellyplusplugs", "PlusPlugS", 1, True),
    "SPSW-003XE16EU": ShellyModel(2, "shellypro3", "Pro3", 3, False),
    "S3SW-001X16EU": ShellyModel(3, "shelly1g3", "S1G3", 1, False),
    "S3SW-001P16EU": ShellyModel(3, "shelly1pmg3", "S1PMG3", 1, True),
    "S4SW-001P16EU": ShellyModel(4, "shelly1pmg4", "S1PMG4", 1, True),
}
DEFAULT_MODEL = {1: "SHSW-PM", 2: "SNSW-001P16EU", 3: "S3SW-001P16EU", 4: "S4SW-001P16EU"}
DEFAULT_FIRMWARE = {1: "1.14.0", 2: "1.1.0", 3: "1.4.4", 4: "1.6.2"}
BUILD_STAMP = "20231219-133934"  # firmware ids read `<build stamp>/<version>-<commit>`


class ShellySpec(BaseModel):
    """One Shelly relay in the simulated home's YAML description."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["shelly"] = "shelly"
    name: str = Field(description="The device's name, as set in its app.")
    address: str = Field(description="Its 127.0.0.x address.")
    port: int = Field(default=80, ge=1, le=65535)
    generation: Literal[1, 2, 3, 4] | None = Field(default=None, description="Implied by a known model, else 2.")
    model: str | None = Field(default=None, description="SHSW-1 (Gen1), SNSW-001X16EU (Plus), S3SW-001X16EU (Gen3)…")
    mac: str | None = Field(default=None, pattern=r"^[0-9A-Fa-f]{12}$", description="Derived from the name if absent.")
    device_id: str | None = Field(default=None, description="shelly1pm-AABBCC, shellyplus1pm-aabbccddeeff")
    app: str | None = Field(default=None, description="Gen2+ application name (Plus1PM), implied by a known model.")
    firmware: str | None = Field(default=None, description="Firmware version: 1.14.0 (Gen1), 1.1.0 (Gen2+)…")
    relays: int | None = Field(default=None, ge=1, le=4, description="Number of outputs, implied by a known model.")
    metering: bool | None = Field(default=None, description="Whether the relays measure power (implied by the model).")
    password: str | None = Field(default=None, description="Turns authentication on (Gen1 basic, Gen2+ digest).")
    username: str = Field(default="admin", description="Gen1 login name (Gen2+ is always admin).")

    @model_validator(mode="after")
    def _fill_from_model(self) -> ShellySpec:
        known = MODELS.get(self.model or "")
        if known and self.generation not in (None, known.generation):
            raise ValueError(f"model {self.model} is a Gen{known.generation} device, not Gen{self.generation}")
        self.generation = self.generation or (known.generation if known else 2)
        self.model = self.model or DEFAULT_MODEL[self.generation]
        known = MODELS.get(self.model)
        self.mac = (self.mac or _mac_for(self.name)).upper()
        prefix = known.prefix if known else "shelly" + "".join(c for c in self.model.lower() if c.isalnum())
        if self.device_id is None:
            self.device_id = f"{prefix}-{self.mac[-6:]}" if self.generation == 1 else f"{prefix}-{self.mac.lower()}"
        if self.generation > 1:
            self.app = self.app or (known.app if known else self.model)
        self.firmware = self.firmware or DEFAULT_FIRMWARE[self.generation]
        self.relays = self.relays or (known.outputs if known else 1)
        self.metering = known.metering if self.metering is None and known else bool(self.metering)
        return self


def _mac_for(name: str) -> str:
    """A stable MAC in an Allterco range, different for every device name."""
    return "C8C9A3" + hashlib.sha256(name.encode()).hexdigest()[:6].upper()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class DigestAuth:
    """Gen2+ digest authentication (RFC 7616, SHA-256) for one realm and password.

    Nonces are Unix timestamps, as the firmware issues them; one stays valid for
    `NONCE_LIFETIME` seconds, so a client may reuse it (or pre-compute one, as aioshelly does)."""

    realm: str
    password: str

    @property
    def ha1(self) -> str:
        """SHA256(admin:realm:password), what `Shelly.SetAuth` stores."""
        return _sha256(f"{GEN2_USER}:{self.realm}:{self.password}")

    @staticmethod
    def nonce() -> int:
        """A fresh nonce."""
        return int(time.time())

    def header_challenge(self) -> str:
        """The `WWW-Authenticate` value of an HTTP 401."""
        return f'Digest qop="auth", realm="{self.realm}", nonce="{self.nonce()}", algorithm=SHA-256'

    def frame_challenge(self) -> str:
        """The `message` of a JSON-RPC 401 error: the challenge, itself JSON."""
        return json.dumps({"auth_type": "digest", "nonce": self.nonce(), "nc": 1, "realm": self.realm,
                           "algorithm": "SHA-256"})

    def check_header(self, method: str, raw_path: str, header: str | None) -> bool:
        """Whether an `Authorization: Digest …` header signs this request."""
        scheme, _, rest = (header or "").partition(" ")
        if scheme.lower() != "digest":
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        if fields.get("uri") != raw_path or fields.get("algorithm", "SHA-256").upper() != "SHA-256":
            return False
        return self._check(fields, _sha256(f"{method}:{raw_path}"))

    def check_frame(self, auth: object) -> bool:
        """Whether the `auth` object of a JSON-RPC frame is valid (HA2 of a dummy method and uri)."""
        if not isinstance(auth, dict):
            return False
        return self._check({key: str(value) for key, value in auth.items()}, _sha256("dummy_method:dummy_uri"))

    def _check(self, fields: dict[str, str], ha2: str) -> bool:
        if fields.get("username") != GEN2_USER or fields.get("realm") != self.realm:
            return False
        if not self._fresh(fields.get("nonce", "")):
            return False
        nc = fields.get("nc", "1")
        expected = _sha256(f"{self.ha1}:{fields['nonce']}:{nc}:{fields.get('cnonce', '')}:auth:{ha2}")
        return hmac.compare_digest(expected, fields.get("response", ""))

    @staticmethod
    def _fresh(nonce: str) -> bool:
        try:
            issued = int(nonce)
        except ValueError:
            return False
        return time.time() - NONCE_LIFETIME <= issued <= time.time() + 60


class RpcError(Exception):
    """A JSON-RPC error as the firmware reports it: a code and a message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The error object of a frame (or the body of an HTTP error)."""
        return {"code": self.code, "message": self.message}

    def http_status(self) -> int:
        """The HTTP status a GET/POST RPC error comes with."""
        if self.code in (401, 404):
            return self.code
        return 400 if self.code in (-103, -105) else 500


@dataclass
class Relay:
    """One output: on or off, what switched it last, and the energy its load has drawn."""

    on: bool = False
    source: str = "init"
    energy_wh: float = 0.0  # drawn until `since`
    since: float = field(default_factory=time.monotonic)

    def set(self, on: bool, source: str) -> None:
        """Switch it, booking the energy drawn so far."""
        now = time.monotonic()
        self.energy_wh, self.since = self.energy(now), now
        self.on, self.source = on, source

    def energy(self, now: float | None = None) -> float:
        """Watt-hours drawn since the device started."""
        running = (now or time.monotonic()) - self.since if self.on else 0.0
        return self.energy_wh + LOAD_WATTS * running / 3600


def relay_index(fault: Fault) -> int | None:
    """The relay an `overpower` fault targets (`1`, `switch:1`; relay 0 without target), None if unreadable."""
    if fault.target is None:
        return 0
    match = re.search(r"(\d+)$", fault.target)
    return int(match.group(1)) if match else None


@dataclass(eq=False)
class Peer:
    """One `/rpc` WebSocket client: where notifications go (`dst`) and whether it authenticated."""

    ws: web.WebSocketResponse
    task: asyncio.Task[Any] | None
    dst: str | None = None
    authenticated: bool = False


RpcMethod = Callable[[dict[str, Any], str], dict[str, Any]]


class ShellyDevice(HttpHost):
    """A Shelly relay (Gen1 or Gen2+) on its own loopback address."""

    brand: ClassVar[str] = "shelly"
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset({FaultKind.OVERPOWER, FaultKind.KEY_REVOKED})

    def __init__(self, spec: ShellySpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec.name, spec.address, spec.port, advertiser)
        self.spec = spec
        self.generation: int = spec.generation or 2
        self.device_id: str = spec.device_id or ""
        self.mac: str = spec.mac or ""
        self.relays = [Relay() for _ in range(spec.relays or 1)]
        self._started = time.monotonic()
        self._revoked_password = secrets.token_hex(12)  # what the password became: nobody knows it
        self._peers: set[Peer] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._methods: dict[str, RpcMethod] = {
            "Shelly.GetDeviceInfo": lambda params, source: self.device_info(),
            "Shelly.GetStatus": lambda params, source: self.rpc_status(),
            "Shelly.GetConfig": lambda params, source: self.rpc_config(),
            "Shelly.ListMethods": lambda params, source: {"methods": sorted(self._methods)},
            "Sys.GetStatus": lambda params, source: self._sys_status(),
            "Switch.GetStatus": lambda params, source: self.switch_status(self._switch_id(params)),
            "Switch.GetConfig": lambda params, source: self._switch_config(self._switch_id(params)),
            "Switch.Set": self._rpc_switch_set,
            "Switch.Toggle": self._rpc_switch_toggle,
        }
        self.faults.on_change(self._fault_changed)

    # ------------------------------------------------------------------ state API

    def relay_on(self, index: int = 0) -> bool:
        """Whether relay `index` is on now."""
        return self.relays[index].on

    def overpowered(self, index: int = 0) -> bool:
        """Whether relay `index` is tripped by an `overpower` fault (a fault without target means relay 0)."""
        return any(fault.kind is FaultKind.OVERPOWER and relay_index(fault) == index for fault in self.faults)

    def set_relay(self, index: int, on: bool, source: str | None = None) -> bool:
        """Switch relay `index` as its wall switch would (or as `source` says); returns whether it was on."""
        return self._switch(index, on, source or ("input" if self.generation == 1 else "switch"))

    @property
    def firmware_id(self) -> str:
        """The firmware id `/shelly` reports (`fw` on Gen1, `fw_id` on Gen2+), which aioshelly calls
        the firmware version."""
        return self._gen1_fw() if self.generation == 1 else self._gen2_fw()

    def password(self) -> str | None:
        """The password the device checks now (changed by `key_revoked`), None when it has none."""
        if self.faults.active(FaultKind.KEY_REVOKED) is not None:
            return self._revoked_password
        return self.spec.password

    def _uptime(self) -> int:
        return int(time.monotonic() - self._started)

    def _switch(self, index: int, on: bool, source: str) -> bool:
        relay = self.relays[index]
        was_on = relay.on
        if on and self.overpowered(index):
            on = False  # the load trips the relay again at once
        changed = (relay.on, relay.source) != (on, source)
        relay.set(on, source)
        if changed:
            self._notify_switch(index)
            self._changed()
        return was_on

    def _fault_changed(self, fault: Fault, turned_on: bool) -> None:
        if fault.kind is FaultKind.OVERPOWER:
            index = relay_index(fault)
            if index is not None and index < len(self.relays):
                if turned_on:
                    self.relays[index].set(False, self.relays[index].source)
                self._notify_switch(index, cleared=not turned_on)
        elif fault.kind is FaultKind.KEY_REVOKED:
            for peer in self._peers:
                peer.authenticated = False  # their credentials no longer hold

    # ------------------------------------------------------------------ HttpHost / SimHost

    def routes(self, app: web.Application) -> None:
        """Gen1's REST paths, or Gen2+'s RPC channels; `/shelly` on both."""
        app.router.add_get("/shelly", self._shelly)
        if self.generation == 1:
            app.router.add_get("/status", self._gen1_status)
            app.router.add_get("/settings", self._gen1_settings)
            app.router.add_get(r"/relay/{index:\d+}", self._gen1_relay)
            return
        app.router.add_get("/rpc", self._websocket)
        app.router.add_post("/rpc", self._rpc_post)
        app.router.add_route("*", "/rpc/{method}", self._rpc_http)

    def services(self) -> list[AsyncServiceInfo]:
        """Gen1: `_http._tcp` under its hostname. Gen2+: `_shelly._tcp` and `_http._tcp` with gen/app/ver."""
        server = f"{self.device_id}.local."
        if self.generation == 1:
            txt = {"id": self.device_id, "fw_id": self._gen1_fw(), "arch": "esp8266"}
            return [service_info(HTTP_SERVICE, self.device_id, self.address, self.port, txt, server)]
        txt = {"gen": str(self.generation), "app": self.spec.app or "", "ver": self.spec.firmware or ""}
        return [service_info(kind, self.device_id, self.address, self.port, txt, server)
                for kind in (SHELLY_SERVICE, HTTP_SERVICE)]

    async def _unserve(self) -> None:
        # Open WebSockets would hold the server's shutdown for a minute: close them first.
        for peer in list(self._peers):
            try:
                await asyncio.wait_for(peer.ws.close(code=WSCloseCode.GOING_AWAY), 0.5)
            except (asyncio.TimeoutError, ConnectionError):
                pass
            if peer.task is not None:
                peer.task.cancel()
        self._peers.clear()
        for task in list(self._tasks):
            task.cancel()
        await super()._unserve()

    # ------------------------------------------------------------------ both generations

    async def _shelly(self, request: web.Request) -> web.Response:
        """`/shelly`: identity, never behind authentication."""
        return web.json_response(self._gen1_identity() if self.generation == 1 else self.device_info())

    def device_info(self) -> dict[str, Any]:
        """Gen2+ `/shelly` and `Shelly.GetDeviceInfo`."""
        auth = self.password() is not None
        return {
            "name": self.name, "id": self.device_id, "mac": self.mac, "slot": 0, "model": self.spec.model,
            "gen": self.generation, "fw_id": self._gen2_fw(), "ver": self.spec.firmware, "app": self.spec.app,
            "auth_en": auth, "auth_domain": self.device_id if auth else None,
        }

    def _meter(self, index: int) -> tuple[float, float]:
        """(power W, current A) of relay `index` now."""
        power = LOAD_WATTS if self.relays[index].on else 0.0
        return power, round(power / VOLTAGE, 3)

    # ------------------------------------------------------------------ Gen1

    def _gen1_fw(self) -> str:
        return f"{BUILD_STAMP}/v{self.spec.firmware}-gcb84623"

    def _gen1_identity(self) -> dict[str, Any]:
        meters = len(self.relays) if self.spec.metering else 0
        return {"type": self.spec.model, "mac": self.mac, "auth": self.password() is not None,
                "fw": self._gen1_fw(), "discoverable": True, "name": self.name,
                "num_outputs": len(self.relays), "num_meters": meters}

    def _gen1_denied(self, request: web.Request) -> web.Response | None:
        """A 401 unless the request carries the login and password the device has now."""
        password = self.password()
        if password is None:
            return None
        if _basic_credentials(request.headers.get(hdrs.AUTHORIZATION, "")) == (self.spec.username, password):
            return None
        return web.Response(status=401, text="401 Unauthorized",
                            headers={hdrs.WWW_AUTHENTICATE: f'Basic realm="{self.device_id}"'})

    def gen1_relay_status(self, index: int) -> dict[str, Any]:
        """One element of Gen1 `relays` (and the answer of `/relay/<i>`)."""
        relay = self.relays[index]
        return {"ison": relay.on, "has_timer": False, "timer_started": 0, "timer_duration": 0,
                "timer_remaining": 0, "overpower": self.overpowered(index), "source": relay.source}

    def _gen1_meter(self, index: int) -> dict[str, Any]:
        power, _ = self._meter(index)
        return {"power": power, "overpower": OVERPOWER_WATTS if self.overpowered(index) else 0.0,
                "is_valid": True, "timestamp": int(time.time()), "counters": [0.0, 0.0, 0.0],
                "total": int(self.relays[index].energy() * 60)}  # watt-minutes

    async def _gen1_status(self, request: web.Request) -> web.Response:
        if (denied := self._gen1_denied(request)) is not None:
            return denied
        now = time.localtime()
        status: dict[str, Any] = {
            "wifi_sta": {"connected": True, "ssid": "weaklink-sim", "ip": self.address, "rssi": -58},
            "cloud": {"enabled": False, "connected": False}, "mqtt": {"connected": False},
            "time": time.strftime("%H:%M", now), "unixtime": int(time.time()), "serial": 1,
            "has_update": False, "mac": self.mac, "cfg_changed_cnt": 0, "actions_stats": {"skipped": 0},
            "relays": [self.gen1_relay_status(index) for index in range(len(self.relays))],
        }
        if self.spec.metering:
            status["meters"] = [self._gen1_meter(index) for index in range(len(self.relays))]
        status.update({
            "temperature": 41.2, "overtemperature": False, "tmp": {"tC": 41.2, "tF": 106.2, "is_valid": True},
            "update": {"status": "idle", "has_update": False, "new_version": self._gen1_fw(),
                       "old_version": self._gen1_fw()},
            "ram_total": 52056, "ram_free": 40428, "fs_size": 233681, "fs_free": 166915,
            "uptime": self._uptime(),
        })
        return web.json_response(status)

    async def _gen1_settings(self, request: web.Request) -> web.Response:
        if (denied := self._gen1_denied(request)) is not None:
            return denied
        identity = self._gen1_identity()
        relays = [{"name": None, "appliance_type": "General", "ison": relay.on, "has_timer": False,
                   "default_state": "off", "auto_on": 0.0, "auto_off": 0.0, "schedule": False,
                   "schedule_rules": [], "max_power": 3500} for relay in self.relays]
        return web.json_response({
            "device": {"type": self.spec.model, "mac": self.mac, "hostname": self.device_id,
                       "num_outputs": identity["num_outputs"], "num_meters": identity["num_meters"]},
            "wifi_sta": {"enabled": True, "ssid": "weaklink-sim", "ipv4_method": "dhcp", "ip": None},
            "login": {"enabled": self.password() is not None, "unprotected": False, "username": self.spec.username},
            "name": self.name, "fw": self._gen1_fw(), "discoverable": True,
            "build_info": {"build_id": self._gen1_fw(), "build_version": "1.0"},
            "cloud": {"enabled": False, "connected": False}, "timezone": "Europe/Rome",
            "max_power": 3500, "relays": relays,
        })

    async def _gen1_relay(self, request: web.Request) -> web.Response:
        if (denied := self._gen1_denied(request)) is not None:
            return denied
        index = int(request.match_info["index"])
        if index >= len(self.relays):
            return web.Response(status=404, text="Not Found")
        turn = request.query.get("turn")
        if turn is not None:
            if turn not in ("on", "off", "toggle"):
                return web.Response(status=400, text="Bad turn!")
            self._switch(index, not self.relays[index].on if turn == "toggle" else turn == "on", "http")
        return web.json_response(self.gen1_relay_status(index))

    # ------------------------------------------------------------------ Gen2+: RPC methods

    def _gen2_fw(self) -> str:
        return f"{BUILD_STAMP}/{self.spec.firmware}-g34b5d4f"

    def _switch_id(self, params: dict[str, Any]) -> int:
        if "id" not in params:
            raise RpcError(-103, "Missing required argument 'id'!")
        index = params["id"]
        if not isinstance(index, int) or isinstance(index, bool):
            raise RpcError(-103, f"Argument 'id', expected number, got {json.dumps(index)}!")
        if not 0 <= index < len(self.relays):
            raise RpcError(-105, f"Argument 'id', value {index} not found!")
        return index

    def switch_status(self, index: int) -> dict[str, Any]:
        """`Switch.GetStatus`, and `switch:<i>` of `Shelly.GetStatus`; `errors` only when there is one."""
        relay = self.relays[index]
        status: dict[str, Any] = {"id": index, "source": relay.source, "output": relay.on}
        if self.spec.metering:
            power, current = self._meter(index)
            status.update({"apower": power, "voltage": VOLTAGE, "current": current,
                           "aenergy": {"total": round(relay.energy(), 3), "by_minute": [0.0, 0.0, 0.0],
                                       "minute_ts": int(time.time())}})
        status["temperature"] = {"tC": 41.2, "tF": 106.2}
        if self.overpowered(index):
            status["errors"] = ["overpower"]
        return status

    def _switch_config(self, index: int) -> dict[str, Any]:
        return {"id": index, "name": None, "in_mode": "follow", "initial_state": "match_input",
                "auto_on": False, "auto_on_delay": 60.0, "auto_off": False, "auto_off_delay": 60.0,
                "power_limit": 3500, "voltage_limit": 280, "current_limit": 16.0}

    def _sys_status(self) -> dict[str, Any]:
        return {"mac": self.mac, "restart_required": False, "time": time.strftime("%H:%M"),
                "unixtime": int(time.time()), "uptime": self._uptime(), "ram_size": 260728,
                "ram_free": 122072, "fs_size": 458752, "fs_free": 135168, "cfg_rev": 12, "kvs_rev": 0,
                "schedule_rev": 0, "webhook_rev": 0, "available_updates": {}, "reset_reason": 3}

    def rpc_status(self) -> dict[str, Any]:
        """`Shelly.GetStatus`: every component's status, keyed `<type>:<id>`."""
        status: dict[str, Any] = {"ble": {}, "cloud": {"connected": False}, "mqtt": {"connected": False}}
        for index in range(len(self.relays)):
            status[f"input:{index}"] = {"id": index, "state": False}
        for index in range(len(self.relays)):
            status[f"switch:{index}"] = self.switch_status(index)
        status["sys"] = self._sys_status()
        status["wifi"] = {"sta_ip": self.address, "status": "got ip", "ssid": "weaklink-sim", "rssi": -58}
        status["ws"] = {"connected": False}
        return status

    def rpc_config(self) -> dict[str, Any]:
        """`Shelly.GetConfig`: the components' configuration."""
        config: dict[str, Any] = {"ble": {"enable": True}, "cloud": {"enable": False},
                                  "mqtt": {"enable": False}}
        for index in range(len(self.relays)):
            config[f"input:{index}"] = {"id": index, "name": None, "type": "switch", "invert": False}
            config[f"switch:{index}"] = self._switch_config(index)
        config["sys"] = {"device": {"name": self.name, "mac": self.mac, "fw_id": self._gen2_fw(),
                                    "discoverable": True, "eco_mode": False},
                         "location": {"tz": "Europe/Rome"}, "cfg_rev": 12}
        config["wifi"] = {"sta": {"ssid": "weaklink-sim", "enable": True, "ipv4mode": "dhcp"}}
        config["ws"] = {"enable": False, "server": None}
        return config

    def _rpc_switch_set(self, params: dict[str, Any], source: str) -> dict[str, Any]:
        index = self._switch_id(params)
        if not isinstance(params.get("on"), bool):
            raise RpcError(-103, "Missing required argument 'on'!" if "on" not in params
                           else f"Argument 'on', expected boolean, got {json.dumps(params['on'])}!")
        return {"was_on": self._switch(index, params["on"], source)}

    def _rpc_switch_toggle(self, params: dict[str, Any], source: str) -> dict[str, Any]:
        index = self._switch_id(params)
        return {"was_on": self._switch(index, not self.relays[index].on, source)}

    def call(self, method: str, params: dict[str, Any], source: str) -> dict[str, Any]:
        """Run one RPC method (authentication already checked); RpcError when it fails."""
        handler = self._methods.get(method)
        if handler is None:
            raise RpcError(404, f"No handler for {method}")
        return handler(params, source)

    def _digest(self) -> DigestAuth | None:
        password = self.password()
        return None if password is None else DigestAuth(self.device_id, password)

    # ------------------------------------------------------------------ Gen2+: HTTP channels

    def _authorized(self, method: str, request: web.Request | None, frame_auth: object = None) -> bool:
        """Whether a call of `method` may run: open method, no password, or valid digest (frame or header)."""
        digest = self._digest()
        if method in OPEN_METHODS or digest is None or digest.check_frame(frame_auth):
            return True
        return request is not None and digest.check_header(
            request.method, request.raw_path, request.headers.get(hdrs.AUTHORIZATION))

    def _unauthorized(self, body: dict[str, Any] | None = None) -> web.Response:
        """HTTP 401 with the digest challenge (a JSON-RPC error frame as body, for `POST /rpc`)."""
        digest = self._digest()
        assert digest is not None  # nothing is refused on a device without a password
        headers = {hdrs.WWW_AUTHENTICATE: digest.header_challenge()}
        if body is None:
            return web.Response(status=401, headers=headers)
        return web.json_response(body, status=401, headers=headers)

    async def _rpc_http(self, request: web.Request) -> web.Response:
        """`GET|POST /rpc/<Method>`: params in the query (values read as JSON) or a JSON body."""
        method = request.match_info["method"]
        if not self._authorized(method, request):
            return self._unauthorized()
        try:
            params = await _http_params(request)
            return web.json_response(self.call(method, params, "HTTP_in"))
        except RpcError as error:
            return web.json_response(error.body(), status=error.http_status())

    async def _rpc_post(self, request: web.Request) -> web.Response:
        """`POST /rpc`: one JSON-RPC frame in, one out (auth in the frame or in a digest header)."""
        try:
            frame = json.loads(await request.text())
        except ValueError:
            frame = None
        answer, authorized = self._answer_frame(frame, "HTTP_in", request)
        return web.json_response(answer) if authorized else self._unauthorized(answer)

    def _answer_frame(self, frame: object, source: str,
                      request: web.Request | None = None) -> tuple[dict[str, Any], bool]:
        """The answer frame to a request frame, and whether it passed authentication."""
        if not isinstance(frame, dict) or not isinstance(frame.get("method"), str):
            invalid = {"code": -32600, "message": "Invalid request"}
            return {"id": None, "src": self.device_id, "error": invalid}, True
        answer: dict[str, Any] = {"id": frame.get("id"), "src": self.device_id}
        if isinstance(frame.get("src"), str):
            answer["dst"] = frame["src"]
        method = frame["method"]
        if not self._authorized(method, request, frame.get("auth")):
            digest = self._digest()
            assert digest is not None
            answer["error"] = {"code": 401, "message": digest.frame_challenge()}
            return answer, False
        params = frame.get("params") or {}
        try:
            if not isinstance(params, dict):
                raise RpcError(-103, "Invalid params!")
            answer["result"] = self.call(method, params, source)
        except RpcError as error:
            answer["error"] = error.body()
        return answer, True

    # ------------------------------------------------------------------ Gen2+: WebSocket

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        """`/rpc` WebSocket: JSON-RPC frames both ways, and `NotifyStatus` to identified peers."""
        ws = web.WebSocketResponse()
        if not ws.can_prepare(request).ok:
            return web.json_response({"code": 404, "message": "No handler for rpc"}, status=404)
        await ws.prepare(request)
        peer = Peer(ws, asyncio.current_task())
        self._peers.add(peer)
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._ws_frame(peer, message.data)
        finally:
            self._peers.discard(peer)
        return ws

    async def _ws_frame(self, peer: Peer, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            return  # the firmware drops what it cannot parse
        await self.faults.before_answer()
        answer, authorized = self._answer_frame(frame, "WS_in")
        if isinstance(frame, dict) and isinstance(frame.get("src"), str):
            peer.dst = frame["src"]
        if authorized and isinstance(frame, dict) and frame.get("method") not in OPEN_METHODS:
            peer.authenticated = True
        await self._ws_send(peer, answer)

    async def _ws_send(self, peer: Peer, frame: dict[str, Any]) -> None:
        text = json.dumps(frame)
        if self.faults.active(FaultKind.GARBLE) is not None:
            text = text[: max(1, len(text) // 2)]
        try:
            await peer.ws.send_str(text)
        except ConnectionError:
            self._peers.discard(peer)

    def _notify_switch(self, index: int, cleared: bool = False) -> None:
        """Push `NotifyStatus` for `switch:<index>` to every identified (and, with a password, authenticated) peer."""
        if self.generation == 1 or not self._peers:
            return
        status = self.switch_status(index)
        if cleared:
            status["errors"] = []  # lets a client that merges notifications drop the old error
        frame_params = {"ts": round(time.time(), 2), f"switch:{index}": status}
        try:
            task = asyncio.get_running_loop().create_task(self._broadcast(frame_params))
        except RuntimeError:
            return  # no loop (faults set up before the home runs): nobody is listening yet
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _broadcast(self, params: dict[str, Any]) -> None:
        secured = self.password() is not None
        for peer in list(self._peers):
            if peer.dst is not None and (peer.authenticated or not secured):
                await self._ws_send(peer, {"src": self.device_id, "dst": peer.dst, "method": "NotifyStatus",
                                           "params": params})


async def _http_params(request: web.Request) -> dict[str, Any]:
    """RPC params of an HTTP call: a JSON object body, or query values read as JSON where they parse."""
    if request.method == "POST" and request.can_read_body:
        try:
            body = json.loads(await request.text() or "{}")
        except ValueError:
            raise RpcError(-103, "Invalid JSON body!") from None
        if not isinstance(body, dict):
            raise RpcError(-103, "Invalid params!")
        return body
    params: dict[str, Any] = {}
    for key, value in request.query.items():
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """(login, password) of an `Authorization: Basic …` header, None when it is not one."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (login, password) if colon else None
