"""A simulated TP-Link Tapo plug (P110, with its energy meter) or power strip (P300, with its
outlets), speaking the SMART protocol over KLAP, as current firmware does.

**KLAP (version 2).** HTTP on port 80, three paths:

1. `POST /app/handshake1`, body: the client's random 16-byte *local seed*. The device answers
   200 with its own random 16-byte *remote seed* followed by its proof,
   `sha256(local_seed + remote_seed + auth_hash)`, and sets the cookie
   `TP_SESSIONID=<id>;TIMEOUT=86400`. `auth_hash = sha256(sha1(username) + sha1(password))`,
   from the TP-Link account the device was set up with: the proof shows the client that the
   device knows the account, before the client sends anything derived from it.
2. `POST /app/handshake2` with that cookie, body: the client's proof,
   `sha256(remote_seed + local_seed + auth_hash)`. 200 when it matches, 403 otherwise.
3. `POST /app/request?seq=<n>` with the cookie, body: a 32-byte signature, then the request
   encrypted with AES-128-CBC (PKCS#7 padding). From the seeds and the auth hash:
   key `sha256("lsk" + local + remote + hash)[:16]`, IV `sha256("iv" + …)[:12]` followed by
   the 4-byte big-endian signed `seq`, signature key `sha256("ldk" + …)[:28]`; a body is
   signed `sha256(sig_key + seq + ciphertext)`. The answer is encrypted and signed the same
   way, with the same `seq`. A request without a confirmed session gets 403, whereupon a client
   shakes hands again.

What the decrypted requests ask is in `weaklink.sim.tapo_smart`.

**Discovery.** UDP port 20002 (TP-Link's discovery protocol, "TDP"): a 16-byte header
(version 2, message type 0, op code 1, payload size, flags, a serial, a CRC-32), then a
payload (python-kasa sends `{"params": {"rsa_key": …}}`; the bare header is accepted too).
The device answers from 20002 with a header and `{"error_code": 0, "result": {…}}`: its model,
type, MAC, address, `owner` (an MD5 of the account's user name) and `mgt_encrypt_schm`
(`encrypt_type` KLAP, `http_port`, `lv` 2). Tapo devices announce nothing over mDNS.

Faults, besides the generic ones (`host_down`, `moved`, `slow`, `drop`, `garble` (every HTTP
body and discovery answer cut in half), `reset` (HTTP only; discovery still answers)):

* `key_revoked`: the device now belongs to another account (reset and set up again, or the
  account's password changed): its handshake1 proof is made with an auth hash the client
  cannot know, and every session it had is forgotten. A client that checks the proof stops
  there; python-kasa calls it an authentication error.
* `relay_stuck[:<outlet>]`: `set_device_info {"device_on": …}` answers `error_code` 0 and the
  relay (a strip's outlet `1`..`n`; without target, every one) stays as it is.
"""

from __future__ import annotations

import asyncio
import binascii
import hashlib
import hmac
import json
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from aiohttp import web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pydantic import Field, model_validator
from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind
from .host import Datagrams
from .http import HttpHost
from .kasa import Relay, outlet_of
from .mdns import Advertiser
from .tapo_smart import (
    METER_COMPONENTS,
    PLUG_COMPONENTS,
    STRIP_COMPONENTS,
    SmartMethods,
    b64,
)
from .tplink import TpLinkSpec

HTTP_PORT = 80
DISCOVERY_PORT = 20002
SESSION_COOKIE = "TP_SESSIONID"
SESSION_SECONDS = 86400
MAX_SESSIONS = 32  # the firmware keeps a few; the oldest goes first
TDP_HEADER = struct.Struct(">BBHHBBII")  # version, type, op code, size, flags, padding, serial, CRC
TDP_CRC_SEED = 0x5A6B7C8D
SEQ = struct.Struct(">i")


@dataclass(frozen=True)
class TapoModel:
    """What a model implies: its short model name, hardware and firmware, type, outlets, meter."""

    short: str
    hw_ver: str
    fw_ver: str
    outlets: int  # 0: a plug with one relay
    energy: bool
    volts: float


# The models and firmware of python-kasa's fixtures (and ours, in adapters/kasa/fixtures).
MODELS: dict[str, TapoModel] = {
    "P110(EU)": TapoModel("P110", "1.0", "1.2.3 Build 230425 Rel.142542", 0, True, 230.0),
    "P300(EU)": TapoModel("P300", "1.0", "1.0.15 Build 231130 Rel.122554", 3, False, 230.0),
}


class TapoSpec(TpLinkSpec):
    """A Tapo plug or strip in the simulated home's YAML. Ids, MAC, the account and the outlets'
    names default to values derived from `name` (its nickname in the Tapo app)."""

    BRAND = "tapo"
    MAC_PREFIX = ("3C", "84", "6A")
    MODELS = MODELS

    kind: Literal["tapo"] = "tapo"
    port: int = Field(default=HTTP_PORT, ge=1, le=65535, description="KLAP over HTTP.")
    discovery_port: int = Field(default=DISCOVERY_PORT, ge=1, le=65535, description="UDP discovery (TDP).")
    model: str = Field(default="P110(EU)", description=f"One of {', '.join(MODELS)}.")
    username: str = Field(default="", description="The TP-Link account's e-mail address (derived, throwaway).")
    password: str = Field(default="", description="The account's password (derived, throwaway).")
    ssid: str = Field(default="", description="The Wi-Fi network it is on (derived).")
    region: str = Field(default="Europe/Berlin", description="Its time zone, as set in the app.")
    time_diff: int = Field(default=60, description="Minutes from UTC, as the device reports it.")

    @model_validator(mode="after")
    def _derive_account(self) -> TapoSpec:
        self.username = self.username or f"sim-{self.digest(self.name, 'account')[:8].lower()}@example.com"
        self.password = self.password or self.digest(self.name, "password")[:16].lower()
        self.ssid = self.ssid or f"weaklink-sim-{self.digest(self.name, 'ssid')[:4].lower()}"
        return self

    @property
    def hardware(self) -> TapoModel:
        """What the model implies."""
        return MODELS[self.model]


# ------------------------------------------------------------------ KLAP, the device's side


def auth_hash(username: str, password: str) -> bytes:
    """KLAP v2's account hash: sha256(sha1(username) + sha1(password))."""
    return hashlib.sha256(hashlib.sha1(username.encode()).digest() + hashlib.sha1(password.encode()).digest()).digest()


@dataclass
class KlapSession:
    """One handshake's seeds and the keys they derive; usable once the client's proof matched."""

    local_seed: bytes
    remote_seed: bytes
    auth: bytes
    confirmed: bool = False
    created: float = field(default_factory=time.monotonic)

    def _derive(self, label: bytes) -> bytes:
        return hashlib.sha256(label + self.local_seed + self.remote_seed + self.auth).digest()

    @property
    def device_proof(self) -> bytes:
        """What handshake1 answers after the remote seed."""
        return hashlib.sha256(self.local_seed + self.remote_seed + self.auth).digest()

    @property
    def client_proof(self) -> bytes:
        """What handshake2 must carry."""
        return hashlib.sha256(self.remote_seed + self.local_seed + self.auth).digest()

    def _cipher(self, seq: int) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._derive(b"lsk")[:16]), modes.CBC(self._derive(b"iv")[:12] + SEQ.pack(seq)))

    def _signature(self, seq: int, ciphertext: bytes) -> bytes:
        return hashlib.sha256(self._derive(b"ldk")[:28] + SEQ.pack(seq) + ciphertext).digest()

    def open(self, seq: int, body: bytes) -> bytes | None:
        """The plaintext of a signed, encrypted body; None when the signature or padding is wrong."""
        signature, ciphertext = body[:32], body[32:]
        if len(body) < 48 or len(ciphertext) % 16:
            return None
        if not hmac.compare_digest(signature, self._signature(seq, ciphertext)):
            return None
        decryptor = self._cipher(seq).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()
        except ValueError:
            return None

    def seal(self, seq: int, plain: bytes) -> bytes:
        """`plain` encrypted and signed for request `seq`."""
        padder = padding.PKCS7(128).padder()
        encryptor = self._cipher(seq).encryptor()
        ciphertext = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
        return self._signature(seq, ciphertext) + ciphertext


def tdp_packet(payload: bytes, serial: int = 0, op_code: int = 1, flags: int = 17) -> bytes:
    """A TDP datagram: the header (CRC-32 computed over the packet with the seed in its place), then `payload`."""
    packet = bytearray(TDP_HEADER.pack(2, 0, op_code, len(payload), flags, 0, serial, TDP_CRC_SEED) + payload)
    packet[12:16] = binascii.crc32(packet).to_bytes(4, "big")
    return bytes(packet)


# ------------------------------------------------------------------ the device


class TapoDevice(HttpHost):
    """A Tapo plug or strip on `address:port` (KLAP over HTTP) and `address:discovery_port` (UDP).

    State API: `relay_on`, `set_relay`; `calls` holds the commands it acted on (`set_…` methods);
    `smart_log` every decrypted request as it arrived; `discovery_requests` counts the
    discovery datagrams answered."""

    brand: ClassVar[str] = "tapo"
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset({FaultKind.KEY_REVOKED, FaultKind.RELAY_STUCK})

    def __init__(self, spec: TapoSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec.name, spec.address, spec.port, advertiser)
        self.spec = spec
        self.model = spec.hardware
        self.relays = [Relay(alias, spec.load_watts, on=spec.on) for alias in (spec.outlets or [spec.name])]
        self.calls: list[tuple[str, Any]] = []
        self.smart_log: list[str] = []
        self.discovery_requests = 0
        self.setup_code = "".join(str(int(c, 16) % 10) for c in spec.digest(spec.name, "homekit")[:8])
        self._sessions: dict[str, KlapSession] = {}
        self.methods = SmartMethods(self)
        self._datagrams: asyncio.DatagramTransport | None = None
        self._udp_answers: set[asyncio.Task[None]] = set()
        self.faults.on_change(self._fault_changed)

    # -------------------------------------------------------------- what it is

    @property
    def is_strip(self) -> bool:
        """Whether it has outlets (children) rather than one relay."""
        return self.model.outlets > 0

    @property
    def outlets(self) -> range:
        """Its outlets' numbers, 1-based (none for a plug)."""
        return range(1, self.model.outlets + 1)

    def child_id(self, outlet: int) -> str:
        """Outlet `outlet`'s (1-based) device id: the strip's, followed by its two-digit slot."""
        return f"{self.spec.device_id}{outlet - 1:02d}"

    def outlet_of_id(self, child_id: Any) -> int | None:
        """The outlet a child device id names, or None."""
        return next((n for n in self.outlets if self.child_id(n) == child_id), None)

    def components(self) -> list[tuple[str, int]]:
        """What `component_nego` lists."""
        if self.is_strip:
            return STRIP_COMPONENTS
        return PLUG_COMPONENTS + (METER_COMPONENTS if self.model.energy else [])

    @property
    def account(self) -> bytes:
        """The auth hash of the account the device belongs to now (another one under `key_revoked`)."""
        if self.faults.active(FaultKind.KEY_REVOKED) is not None:
            return auth_hash(self.spec.username, f"changed:{self.spec.digest(self.spec.name, 'revoked')}")
        return auth_hash(self.spec.username, self.spec.password)

    # -------------------------------------------------------------- state API

    def relay_on(self, outlet: int | None = None) -> bool:
        """Whether the plug's relay (or a strip's outlet, 1-based) is on."""
        return self.relays[(outlet or 1) - 1].on

    def set_relay(self, on: bool, outlet: int | None = None) -> None:
        """Switch the relay (or outlet, 1-based; None: every one) as its button would."""
        for number in ([outlet] if outlet else range(1, len(self.relays) + 1)):
            self.switch(on, number)

    def switch(self, on: bool, outlet: int, commanded: bool = False) -> None:
        """Switch relay `outlet` (1 for a plug); a commanded switch is ignored by a stuck relay."""
        relay = self.relays[outlet - 1]
        if relay.on == on or (commanded and self.stuck(outlet)):
            return
        relay.set(on)
        self._changed()

    def stuck(self, outlet: int) -> bool:
        """Whether outlet `outlet` (1-based; 1 for a plug) ignores commands now."""
        return any(fault.kind is FaultKind.RELAY_STUCK and outlet_of(fault) in (None, outlet) for fault in self.faults)

    def _fault_changed(self, fault: Fault, on: bool) -> None:
        if fault.kind is FaultKind.KEY_REVOKED:
            self._sessions.clear()  # set up again: every session of the old account is gone

    # -------------------------------------------------------------- answers

    def _place(self) -> dict[str, int]:
        # where the app placed the device, in 1/10000 degrees: a secret every dump must redact
        digits = int(self.spec.digest(self.spec.name, "place")[:8], 16)
        return {"latitude": 300000 + digits % 200000, "longitude": -1200000 + digits % 400000}

    def _ids(self, purpose: str) -> str:
        return self.spec.digest(self.spec.model, purpose)[:32]

    @property
    def mac_dashed(self) -> str:
        """Its MAC as the SMART protocol writes it (`3C-84-6A-12-34-56`)."""
        return self.spec.mac.replace(":", "-")

    def device_info(self) -> dict[str, Any]:
        """`get_device_info`, shaped as the fixtures' of the model."""
        spec, model = self.spec, self.model
        info: dict[str, Any] = {
            "avatar": "plug" if not self.is_strip else "", "device_id": spec.device_id, "fw_id": self._ids("fw"),
            "fw_ver": model.fw_ver, "has_set_location_info": True, "hw_id": self._ids("hw"), "hw_ver": model.hw_ver,
            "ip": self.address, "lang": "en_US", **self._place(), "mac": self.mac_dashed, "model": model.short,
            "nickname": b64(spec.name), "oem_id": self._ids("oem"), "region": spec.region, "rssi": spec.rssi,
            "signal_level": 3 if spec.rssi >= -50 else 2 if spec.rssi >= -70 else 1, "specs": "",
            "ssid": b64(spec.ssid), "time_diff": spec.time_diff, "type": "SMART.TAPOPLUG",
        }
        if not self.is_strip:
            relay = self.relays[0]
            info |= {"auto_off_remain_time": 0, "auto_off_status": "off", "charging_status": "normal",
                     "default_states": {"state": {}, "type": "last_states"}, "device_on": relay.on,
                     "on_time": relay.on_time(), "overcurrent_status": "normal", "overheat_status": "normal",
                     "power_protection_status": "normal"}
        return dict(sorted(info.items()))

    def outlet_info(self, outlet: int) -> dict[str, Any]:
        """One outlet's entry of `get_child_device_list` (and its own `get_device_info`)."""
        relay, spec = self.relays[outlet - 1], self.spec
        return {"auto_off_remain_time": 0, "auto_off_status": "off", "avatar": "plug", "bind_count": 1,
                "category": "plug.powerstrip.sub-plug", "default_states": {"type": "last_states"},
                "device_id": self.child_id(outlet), "device_on": relay.on, "fw_id": self._ids("child-fw"),
                "fw_ver": self.model.fw_ver, "has_set_location_info": True, "hw_id": self._ids("child-hw"),
                "hw_ver": self.model.hw_ver, **self._place(), "mac": self.spec.mac.replace(":", ""),
                "model": self.model.short, "nickname": b64(relay.alias), "oem_id": self._ids("oem"),
                "on_time": relay.on_time(), "original_device_id": spec.device_id, "overheat_status": "normal",
                "position": outlet, "region": spec.region, "slot_number": len(self.relays),
                "status_follow_edge": True, "type": "SMART.TAPOPLUG"}

    def discovery_result(self) -> dict[str, Any]:
        """What it answers a discovery datagram."""
        return {"error_code": 0, "result": {
            "device_id": hashlib.md5(self.spec.device_id.encode()).hexdigest().upper(),
            "device_model": self.spec.model, "device_type": "SMART.TAPOPLUG", "factory_default": False,
            "ip": self.address, "is_support_iot_cloud": True, "mac": self.mac_dashed,
            "mgt_encrypt_schm": {"encrypt_type": "KLAP", "http_port": self.port, "is_support_https": False, "lv": 2},
            "obd_src": "tplink", "owner": hashlib.md5(self.spec.username.encode()).hexdigest().upper(),
            "protocol_version": 1}}

    # -------------------------------------------------------------- HTTP: KLAP

    def routes(self, app: web.Application) -> None:
        """KLAP's three paths."""
        app.router.add_post("/app/handshake1", self._handshake1)
        app.router.add_post("/app/handshake2", self._handshake2)
        app.router.add_post("/app/request", self._request)

    def services(self) -> list[AsyncServiceInfo]:
        """None: Tapo plugs answer UDP discovery, they announce nothing over mDNS."""
        return []

    async def _handshake1(self, request: web.Request) -> web.StreamResponse:
        local_seed = await request.read()
        if len(local_seed) != 16:
            return web.Response(status=400)
        session = KlapSession(local_seed, secrets.token_bytes(16), self.account)
        while len(self._sessions) >= MAX_SESSIONS:
            del self._sessions[next(iter(self._sessions))]
        cookie = secrets.token_hex(16).upper()
        self._sessions[cookie] = session
        response = web.Response(body=session.remote_seed + session.device_proof,
                                content_type="application/octet-stream")
        response.headers["Set-Cookie"] = f"{SESSION_COOKIE}={cookie};TIMEOUT={SESSION_SECONDS}"
        return response

    def _session(self, request: web.Request) -> KlapSession | None:
        session = self._sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        if session is not None and time.monotonic() - session.created > SESSION_SECONDS:
            return None
        return session

    async def _handshake2(self, request: web.Request) -> web.StreamResponse:
        proof = await request.read()
        session = self._session(request)
        if session is None or not hmac.compare_digest(proof, session.client_proof):
            return web.Response(status=403)
        session.confirmed = True
        return web.Response(status=200)

    async def _request(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session is None or not session.confirmed:
            return web.Response(status=403)
        try:
            seq = int(request.query.get("seq", ""))
            SEQ.pack(seq)
        except (ValueError, struct.error):
            return web.Response(status=400)
        plain = session.open(seq, await request.read())
        if plain is None:
            return web.Response(status=400)
        text = plain.decode("utf-8", errors="replace")
        self.smart_log.append(text)
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        answer = json.dumps(self.methods.answer(parsed), separators=(",", ":")).encode()
        return web.Response(body=session.seal(seq, answer), content_type="application/octet-stream")

    # -------------------------------------------------------------- UDP: discovery

    async def _serve(self) -> None:
        await super()._serve()
        loop = asyncio.get_running_loop()
        self._datagrams, _ = await loop.create_datagram_endpoint(
            lambda: Datagrams(self._datagram), local_addr=(self.address, self.spec.discovery_port))

    async def _unserve(self) -> None:
        self._sessions.clear()  # a device that loses power forgets its sessions
        if self._datagrams is not None:
            self._datagrams.close()
            self._datagrams = None
        for task in list(self._udp_answers):
            task.cancel()
        await asyncio.gather(*self._udp_answers, return_exceptions=True)
        await super()._unserve()

    def _datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < TDP_HEADER.size:
            return
        version, _, op_code, _, _, _, serial, _ = TDP_HEADER.unpack(data[:TDP_HEADER.size])
        if version != 2 or op_code != 1:
            return  # not a TDP probe
        # answer from a task: `slow` and `drop` hold the answer without holding the socket
        task = asyncio.get_running_loop().create_task(self._answer_datagram(serial, addr))
        self._udp_answers.add(task)
        task.add_done_callback(self._udp_answers.discard)

    async def _answer_datagram(self, serial: int, addr: tuple[str, int]) -> None:
        await self.faults.before_answer()
        self.discovery_requests += 1
        payload = json.dumps(self.discovery_result(), separators=(",", ":")).encode()
        if self.faults.active(FaultKind.GARBLE) is not None:
            payload = payload[: max(1, len(payload) // 2)]
        if self._datagrams is not None and not self._datagrams.is_closing():
            self._datagrams.sendto(tdp_packet(payload, serial), addr)

