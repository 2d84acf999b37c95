"""A simulated TP-Link Kasa device on the legacy IOT protocol: a plug (with or without an energy
meter) or a power strip with its outlets, on TCP and UDP port 9999.

The wire format, as python-kasa and the devices speak it:

* **XOR "autokey" cipher.** Each byte is XORed with a key that starts at 171 and becomes the
  last *encrypted* byte: `c[i] = p[i] ^ c[i-1]`, `c[-1] = 171`. There is no secret in it.
* **TCP 9999**: every message, both ways, is a 4-byte big-endian length, then that many
  encrypted bytes of JSON. A connection may carry several requests; the device answers each
  in turn.
* **UDP 9999**: the same JSON, encrypted, without the length. Discovery sends
  `{"system": {"get_sysinfo": null}}` (python-kasa broadcasts it; weaklink asks one address);
  the device answers from the same address, in kind.

A request maps modules to methods to arguments, `{"system": {"get_sysinfo": {}}}`, several
at once if the client likes; the answer has the same shape, each method's answer carrying
`err_code` (0: done). A module the device does not have is answered
`{"err_code": -1, "err_msg": "module not support"}`, a method it does not have
`{"err_code": -2, "err_msg": "member not support"}` (the refusals python-kasa's dumps record),
a bad argument `{"err_code": -3, "err_msg": "invalid argument"}`. A request that is no JSON
object gets `{"err_code": -1, "err_msg": "json format error"}`.

Modules: `system` (`get_sysinfo`, `set_relay_state {"state": 0|1}`) and, on metering models,
`emeter` (`get_realtime`). A strip's outlets are addressed with a context beside the module,
`{"context": {"child_ids": ["<child id>"]}, "system": {"set_relay_state": {"state": 1}}}`; a
child id is the strip's `deviceId` followed by the outlet's two-digit slot (`…00` to `…05`),
and the slot alone is understood too. Without a context, `set_relay_state` switches every
outlet, and `emeter.get_realtime` answers for slot 0 (with `slot_id` 0), as an HS300 does:
python-kasa sums the outlets' own meters, asked one by one with a context.

The answers have the shape of the reference dumps (`get_sysinfo`'s fields and their order,
`emeter`'s milli-units); ids, MACs and coordinates derive from the device's name. Legacy Kasa
devices announce nothing over mDNS: `services()` is empty.

Faults, besides the generic ones (`host_down` closes both sockets; `moved`; `not_advertised`
changes nothing, there is nothing to withdraw):

* `slow:<seconds>` delays every answer (TCP and UDP); `drop` accepts and never answers;
* `garble`: every answer is framed and encrypted correctly, but its JSON is cut in half, as
  from a crashing firmware;
* `reset`: every TCP connection is reset (RST) as it arrives; the UDP responder still answers,
  so discovery finds a device that then refuses every command connection;
* `relay_stuck[:<outlet>]`: the relay (a strip's outlet `1`..`n`; without target, every
  relay) no longer follows commands: `set_relay_state` answers `err_code` 0 and the relay
  stays as it is, as with welded contacts or a failed relay driver.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field
from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind
from .host import Datagrams, SimHost
from .mdns import Advertiser
from .tplink import TpLinkSpec

KASA_PORT = 9999
INITIAL_KEY = 171
LENGTH = struct.Struct(">I")
MAX_REQUEST = 64 * 1024  # bytes: longer frames are not a Kasa client's

MODULE_NOT_SUPPORTED = {"err_code": -1, "err_msg": "module not support"}
MEMBER_NOT_SUPPORTED = {"err_code": -2, "err_msg": "member not support"}
INVALID_ARGUMENT = {"err_code": -3, "err_msg": "invalid argument"}
JSON_FORMAT_ERROR = {"err_code": -1, "err_msg": "json format error"}


@dataclass(frozen=True)
class KasaModel:
    """What a model implies: hardware and firmware versions, name, outlets, meter, mains voltage."""

    hw_ver: str
    sw_ver: str
    dev_name: str
    outlets: int  # 0: a plug with one relay
    emeter: bool
    volts: float


# The models and firmware of the reference dumps (python-kasa's fixtures).
MODELS: dict[str, KasaModel] = {
    "HS110(EU)": KasaModel("4.0", "1.0.4 Build 191111 Rel.143500", "Smart Wi-Fi Plug With Energy Monitoring",
                           0, True, 230.0),
    "KP125(US)": KasaModel("1.0", "1.0.6 Build 210928 Rel.185924", "Smart Wi-Fi Plug Mini", 0, True, 120.0),
    "HS103(US)": KasaModel("2.1", "1.1.2 Build 191113 Rel.095623", "Smart Wi-Fi Plug Lite", 0, False, 120.0),
    "HS300(US)": KasaModel("1.0", "1.0.21 Build 210524 Rel.161309", "Smart Wi-Fi Power Strip", 6, True, 120.0),
    "KP400(US)": KasaModel("1.0", "1.0.10 Build 190716 Rel.095026", "Smart Wi-Fi Outdoor Plug", 2, False, 120.0),
}


class KasaSpec(TpLinkSpec):
    """A Kasa plug or strip in the simulated home's YAML. Ids, MAC and outlet names default to
    values derived from `name` (its alias in the Kasa app)."""

    BRAND = "kasa"
    MAC_PREFIX = ("50", "C7", "BF")
    MODELS = MODELS

    kind: Literal["kasa"] = "kasa"
    port: int = Field(default=KASA_PORT, ge=1, le=65535, description="TCP and UDP.")
    model: str = Field(default="HS110(EU)", description=f"One of {', '.join(MODELS)}.")

    @property
    def hardware(self) -> KasaModel:
        """What the model implies."""
        return MODELS[self.model]


# ------------------------------------------------------------------ the wire format


def encrypt(plain: bytes) -> bytes:
    """The XOR autokey cipher: each byte XOR the previous encrypted byte (171 first)."""
    key, out = INITIAL_KEY, bytearray()
    for byte in plain:
        key ^= byte
        out.append(key)
    return bytes(out)


def decrypt(cipher: bytes) -> bytes:
    """The inverse of `encrypt`."""
    key, out = INITIAL_KEY, bytearray()
    for byte in cipher:
        out.append(key ^ byte)
        key = byte
    return bytes(out)


def frame(plain: bytes) -> bytes:
    """A TCP message: the length, then the encrypted bytes."""
    return LENGTH.pack(len(plain)) + encrypt(plain)


# ------------------------------------------------------------------ the device's state


@dataclass
class Relay:
    """One relay (a plug's, or a strip outlet's): on or off, since when, the energy its load drew."""

    alias: str
    watts: float  # what its load draws while it is on
    on: bool = False
    since: float = field(default_factory=time.monotonic)
    energy_wh: float = 0.0  # drawn until `since`

    def set(self, on: bool) -> None:
        """Switch it, booking the energy drawn so far."""
        now = time.monotonic()
        self.energy_wh, self.since, self.on = self.energy(now), now, on

    def energy(self, now: float | None = None) -> float:
        """Watt-hours drawn since the device started."""
        running = (now or time.monotonic()) - self.since if self.on else 0.0
        return self.energy_wh + self.watts * running / 3600

    @property
    def power(self) -> float:
        """Watts drawn now."""
        return self.watts if self.on else 0.0

    def on_time(self) -> int:
        """Seconds it has been on (0 while off), as `on_time` reports it."""
        return int(time.monotonic() - self.since) if self.on else 0


def outlet_of(fault: Fault) -> int | None:
    """The outlet (1-based) a `relay_stuck` fault names; None for every relay (or an unreadable target)."""
    target = (fault.target or "").strip()
    return int(target) if target.isdigit() else None


class KasaDevice(SimHost):
    """A Kasa plug or strip on `address:port` (TCP and UDP). State API: `relay_on`, `set_relay`;
    `request_log` holds every request as it arrived (decrypted), `calls` the commands it acted on."""

    brand: ClassVar[str] = "kasa"
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset({FaultKind.RELAY_STUCK})
    transport_faults: ClassVar[frozenset[FaultKind]] = frozenset({FaultKind.RESET})

    def __init__(self, spec: KasaSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec.name, spec.address, advertiser)
        self.spec = spec
        self.port = spec.port
        self.model = spec.hardware
        aliases = spec.outlets or [spec.name]
        self.relays = [Relay(alias, spec.load_watts, on=spec.on) for alias in aliases]
        self.request_log: list[str] = []
        self.calls: list[tuple[str, Any]] = []
        self._server: asyncio.Server | None = None
        self._datagrams: asyncio.DatagramTransport | None = None
        self._connections: dict[asyncio.StreamWriter, asyncio.Task[Any]] = {}  # open TCP connections' handlers
        self._held: set[asyncio.Future[None]] = set()  # answers held back by `slow` or `drop`
        self._udp_answers: set[asyncio.Task[None]] = set()

    @property
    def is_strip(self) -> bool:
        """Whether it has outlets (children) rather than one relay."""
        return self.model.outlets > 0

    def child_id(self, outlet: int) -> str:
        """Outlet `outlet`'s (1-based) child id: the strip's device id and its two-digit slot."""
        return f"{self.spec.device_id}{outlet - 1:02d}"

    # -------------------------------------------------------------- state API

    def relay_on(self, outlet: int | None = None) -> bool:
        """Whether the plug's relay (or a strip's outlet, 1-based) is on."""
        return self.relays[(outlet or 1) - 1].on

    def set_relay(self, on: bool, outlet: int | None = None) -> None:
        """Switch the relay (or outlet, 1-based; None: every one) as its button would."""
        changed = False
        for index in ([outlet - 1] if outlet else range(len(self.relays))):
            relay = self.relays[index]
            if relay.on != on:
                relay.set(on)
                changed = True
        if changed:
            self._changed()

    def stuck(self, outlet: int) -> bool:
        """Whether outlet `outlet` (1-based; 1 for a plug) ignores commands now."""
        return any(fault.kind is FaultKind.RELAY_STUCK and outlet_of(fault) in (None, outlet) for fault in self.faults)

    # -------------------------------------------------------------- SimHost

    def services(self) -> list[AsyncServiceInfo]:
        """None: legacy Kasa devices answer UDP discovery, they announce nothing over mDNS."""
        return []

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._connection, host=self.address, port=self.port,
                                                  reuse_address=True)
        self._datagrams, _ = await loop.create_datagram_endpoint(lambda: Datagrams(self._datagram),
                                                                 local_addr=(self.address, self.port))

    async def _unserve(self) -> None:
        # A device losing power stops listening, and cuts every connection and what it holds (a
        # `drop` holds requests forever).
        if self._server is not None:
            self._server.close()
        if self._datagrams is not None:
            self._datagrams.close()
            self._datagrams = None
        for held in list(self._held):
            held.cancel()
        for task in list(self._udp_answers):
            task.cancel()
        for writer in list(self._connections):
            writer.transport.abort()
        await asyncio.gather(*self._connections.values(), *self._udp_answers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _hold(self) -> bool:
        """Apply `slow` and `drop` before answering; False when the device went down meanwhile."""
        held = asyncio.ensure_future(self.faults.before_answer())
        self._held.add(held)
        try:
            await held
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not held.cancelled() or (task is not None and task.cancelling()):
                raise
            return False  # `_unserve` cancelled the hold, not our caller: the answer is never sent
        finally:
            self._held.discard(held)
        return True

    # -------------------------------------------------------------- TCP

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.faults.active(FaultKind.RESET) is not None:
            raw = writer.get_extra_info("socket")
            if raw is not None:  # linger 0: closing sends a RST, not a FIN
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections[writer] = task
        try:
            while True:
                (length,) = LENGTH.unpack(await reader.readexactly(LENGTH.size))
                if length > MAX_REQUEST:
                    return  # not a Kasa client: hang up
                request = decrypt(await reader.readexactly(length))
                if not await self._hold():
                    return
                writer.write(frame(self._answer(request)))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            return  # the client hung up (python-kasa keeps a connection; others close it after each answer)
        finally:
            self._connections.pop(writer, None)
            writer.close()

    # -------------------------------------------------------------- UDP

    def _datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        # Answer from a task: `slow` and `drop` hold the answer without holding the socket.
        task = asyncio.get_running_loop().create_task(self._answer_datagram(data, addr))
        self._udp_answers.add(task)
        task.add_done_callback(self._udp_answers.discard)

    async def _answer_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        if not await self._hold():
            return
        answer = self._answer(decrypt(data))
        if self._datagrams is not None and not self._datagrams.is_closing():
            self._datagrams.sendto(encrypt(answer), addr)

    # -------------------------------------------------------------- the protocol

    def _answer(self, request: bytes) -> bytes:
        """The JSON answer to one decrypted request (cut short while `garble` is on)."""
        text = request.decode("utf-8", errors="replace")
        self.request_log.append(text)
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        answer = self.execute(parsed) if isinstance(parsed, dict) else JSON_FORMAT_ERROR
        payload = json.dumps(answer, separators=(",", ":")).encode()
        if self.faults.active(FaultKind.GARBLE) is not None:
            payload = payload[: max(1, len(payload) // 2)]
        return payload

    def execute(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run every module's methods of one request; the answer has the request's shape."""
        context = request.get("context")
        children = context.get("child_ids") if isinstance(context, dict) else None
        outlets = self._outlets(children)
        answer: dict[str, Any] = {}
        for module, methods in request.items():
            if module == "context":
                continue
            handlers = self._modules().get(module)
            if handlers is None or not isinstance(methods, dict):
                answer[module] = dict(MODULE_NOT_SUPPORTED)
                continue
            answer[module] = {}
            for method, arguments in methods.items():
                handler = handlers.get(method)
                if handler is None:
                    answer[module][method] = dict(MEMBER_NOT_SUPPORTED)
                    continue
                result = dict(INVALID_ARGUMENT) if outlets is None else handler(arguments or {}, outlets)
                if result.get("err_code") == 0 and method.startswith("set_"):
                    self.calls.append((f"{module}.{method}", {"arguments": arguments, "child_ids": children}))
                answer[module][method] = result
        return answer

    def _modules(self) -> dict[str, dict[str, Callable[[Any, list[int] | None], dict[str, Any]]]]:
        modules: dict[str, dict[str, Callable[[Any, list[int] | None], dict[str, Any]]]] = {
            "system": {"get_sysinfo": lambda arguments, outlets: self.sysinfo(),
                       "set_relay_state": self._set_relay_state},
        }
        if self.model.emeter:
            modules["emeter"] = {"get_realtime": lambda arguments, outlets: self.realtime(outlets)}
        return modules

    def _outlets(self, child_ids: Any) -> list[int] | None:
        """The outlets (1-based) a context names; [] without context; None when it names none of ours."""
        if child_ids is None:
            return []
        if not self.is_strip or not isinstance(child_ids, list) or not child_ids:
            return None
        by_id = {self.child_id(outlet): outlet for outlet in range(1, len(self.relays) + 1)}
        by_id |= {f"{outlet - 1:02d}": outlet for outlet in range(1, len(self.relays) + 1)}  # the slot alone
        found = [by_id.get(str(child)) for child in child_ids]
        return None if None in found else [outlet for outlet in found if outlet is not None]

    def _set_relay_state(self, arguments: Any, outlets: list[int] | None) -> dict[str, Any]:
        state = arguments.get("state") if isinstance(arguments, dict) else None
        if state not in (0, 1) or isinstance(state, bool):
            return dict(INVALID_ARGUMENT)
        changed = False
        for outlet in outlets or range(1, len(self.relays) + 1):
            relay = self.relays[outlet - 1]
            if relay.on != bool(state) and not self.stuck(outlet):
                relay.set(bool(state))
                changed = True
        if changed:
            self._changed()
        return {"err_code": 0}

    # -------------------------------------------------------------- answers

    def _ids(self) -> dict[str, Any]:
        return {"deviceId": self.spec.device_id, "hwId": self.spec.digest(self.spec.model, "hw")[:32],
                "oemId": self.spec.digest(self.spec.model, "oem")[:32]}

    def _location(self) -> dict[str, int]:
        # where the app placed the device, in 1/10000 degrees: a secret every dump must redact
        digits = int(self.spec.digest(self.spec.name, "place")[:8], 16)
        return {"latitude_i": 300000 + digits % 200000, "longitude_i": -1200000 + digits % 400000}

    def sysinfo(self) -> dict[str, Any]:
        """`system.get_sysinfo`, shaped as the reference dumps' (a plug's, or a strip's with `children`)."""
        model, ids, place = self.model, self._ids(), self._location()
        common = {"err_code": 0, "feature": "TIM:ENE" if model.emeter else "TIM", "hwId": ids["hwId"],
                  "hw_ver": model.hw_ver, "latitude_i": place["latitude_i"], "led_off": 0,
                  "longitude_i": place["longitude_i"], "mac": self.spec.mac, "mic_type": "IOT.SMARTPLUGSWITCH",
                  "model": self.spec.model}
        if self.is_strip:
            children = [{"alias": relay.alias, "id": self.child_id(index), "next_action": {"type": -1},
                         "on_time": relay.on_time(), "state": int(relay.on)}
                        for index, relay in enumerate(self.relays, start=1)]
            return {"alias": self.spec.name, "child_num": len(children), "children": children,
                    "deviceId": ids["deviceId"], **common, "ntc_state": 0, "oemId": ids["oemId"],
                    "rssi": self.spec.rssi, "status": "configured", "sw_ver": model.sw_ver, "updating": 0}
        relay = self.relays[0]
        return {"active_mode": "none", "alias": self.spec.name, "dev_name": model.dev_name,
                "deviceId": ids["deviceId"], **common, "icon_hash": "", "next_action": {"type": -1},
                "ntc_state": 0, "obd_src": "tplink", "oemId": ids["oemId"], "on_time": relay.on_time(),
                "relay_state": int(relay.on), "rssi": self.spec.rssi, "status": "configured",
                "sw_ver": model.sw_ver, "updating": 0}

    def realtime(self, outlets: list[int] | None) -> dict[str, Any]:
        """`emeter.get_realtime` of the plug, or of one outlet (slot 0 without context)."""
        if outlets is not None and len(outlets) > 1:
            return dict(INVALID_ARGUMENT)
        relay = self.relays[(outlets[0] if outlets else 1) - 1]
        volts = self.model.volts
        reading = {"current_ma": round(relay.power / volts * 1000), "err_code": 0, "power_mw": round(relay.power * 1000),
                   "total_wh": round(relay.energy()), "voltage_mv": round(volts * 1000)}
        if self.is_strip:
            reading["slot_id"] = self.relays.index(relay)
        return reading
