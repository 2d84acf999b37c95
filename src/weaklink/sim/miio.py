"""A simulated Xiaomi miIO device (a plug, a Yeelight bulb…): the binary miIO protocol over UDP.

The wire format, as python-miio and the devices speak it:

* Every packet starts with a 32-byte header: magic 0x2131, the packet's total length,
  4 "unknown" bytes, the device id, a stamp (seconds since the device booted), and a
  16-byte checksum field.
* **Hello.** A client sends `21 31 00 20` followed by 28 bytes of 0xff; the device answers
  with a bare header (length 32, unknown 0, its device id and stamp). A provisioned device
  puts 16 bytes of 0xff in the checksum field; an unprovisioned one (or old firmware) puts
  its token there, which is how `miiocli discover` shows tokens (`reveal_token`).
* **Commands.** The payload is JSON-RPC (`{"id": 1, "method": "get_prop", "params": [...]}`),
  AES-128-CBC encrypted with key = md5(token), iv = md5(key + token), PKCS#7 padded; the
  checksum field is md5(header[:16] + token + ciphertext). The device answers in kind,
  echoing the request's id: `{"id": 1, "result": [...]}` or `{"id": 1, "error": {...}}`.

Methods: `miIO.info`, `get_prop` (values in the order asked, `null` for a property the
device does not have — `""` on Yeelights), `set_power` (`["on"]`/`["off"]`, Yeelights also
take `["on", "smooth", 500]`) and a `set_<property>` for every other property. Anything
else is `{"code": -32601, "message": "Method not found."}`; a bad argument is
`{"code": -5001, "message": "invalid arg"}`, both as devices send them.

The device is advertised as `<model with dashes>_miio<device id>._miio._udp.local.` on
port 54321, with TXT `epoch=1` and `mac=<12 hex digits>`, as Yeelights and plugs publish it.
python-miio sends its handshake to port 54321 whatever the port it is told, so a
simulated device that python-miio should reach must keep the real port (it needs no
privilege; each device has its own loopback address).

Faults, besides the generic ones handled by `SimHost` (`host_down`: the UDP socket is
closed and the kernel answers with ICMP port-unreachable, which python-miio's unconnected
socket never sees: it times out; `moved`; `not_advertised`):

* `slow:<seconds>` delays every answer, hellos included; `drop` answers nothing at all.
* `wrong_token` — the device was re-paired and has a new token. Hellos are still answered
  (they are not encrypted). Requests signed with the old token fail the device's checksum
  check; what a device does then varies by firmware, and both are common in bug reports:
  by default it answers with a packet sealed with its new token, which python-miio reports
  as "Got checksum error which indicates use of an invalid token" (Home Assistant's
  `wrong_token`); `wrong_token:silent` makes it ignore the request (the client times out
  with "No response from the device" although the hello works).
* `garble[:mode]` — malformed answers. `json` (the default): a well-formed, correctly sealed
  packet whose decrypted JSON is cut short, as buggy firmware does (python-miio:
  `PayloadDecodeException`); `magic`: the magic is wrong (python-miio's parser raises
  construct's `ConstError`, hellos are discarded); `checksum`: the md5 field is corrupted
  (indistinguishable from a wrong token, as on a real network); `length`: the datagram is
  cut inside the header, so its length field lies (construct's `StreamError`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import struct
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind
from .host import Datagrams, SimHost
from .mdns import Advertiser, service_info

MIIO_PORT = 54321
SERVICE_TYPE = "_miio._udp.local."
MAGIC = 0x2131
HEADER = struct.Struct(">HHIII")  # magic, length, unknown, device id, stamp; then 16 bytes of checksum
HEADER_SIZE = 32
HELLO = bytes.fromhex("21310020") + b"\xff" * 28

METHOD_NOT_FOUND = {"code": -32601, "message": "Method not found."}
INVALID_ARG = {"code": -5001, "message": "invalid arg"}
REQUEST_INVALID = {"code": -32600, "message": "Req object invalid."}

GARBLE_MODES = ("json", "magic", "checksum", "length")
WRONG_TOKEN_MODES = ("answer", "silent")

# What a device of each family answers to get_prop before anyone changed it.
_FAMILY_PROPERTIES: dict[str, dict[str, Any]] = {
    "yeelink.light.": {"power": "off", "bright": "100", "ct": "4000", "rgb": "16777215", "hue": "0", "sat": "0",
                       "color_mode": "2", "flowing": "0", "delayoff": "0", "name": ""},
    "chuangmi.plug.": {"power": "on", "temperature": 32},
}


# ------------------------------------------------------------------ the device description


def _digest(name: str, purpose: str) -> str:
    return hashlib.md5(f"weaklink-sim:{purpose}:{name}".encode()).hexdigest()  # noqa: S324 - an id, not security


class MiioSpec(BaseModel):
    """A miIO device in the simulated home's YAML. Device id, token and MAC default to
    values derived from `name`, so a home of many devices needs none of them spelled out."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["miio"] = "miio"
    name: str
    address: str
    port: int = Field(default=MIIO_PORT, ge=1, le=65535)
    model: str = Field(default="chuangmi.plug.m1", pattern=r"^[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9_-]+$")
    device_id: int = Field(ge=1, lt=2**32, description="The `did`, sent in every packet header.")
    token: str = Field(pattern=r"^[0-9a-fA-F]{32}$", description="The 16-byte token, as 32 hex digits.")
    mac: str = Field(pattern=r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")
    fw_ver: str = "1.2.4_16"
    hw_ver: str = "MW300"
    ssid: str = "weaklink"
    rssi: int = Field(default=-52, le=0)
    reveal_token: bool = Field(default=False, description="Unprovisioned: the hello reply carries the token.")
    properties: dict[str, Any] = Field(default_factory=dict, description="get_prop values; default by model.")

    @model_validator(mode="before")
    @classmethod
    def _derive_identity(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            derived = _digest(data["name"], "did")
            data = {
                "device_id": int(derived[:8], 16) % (2**32 - 1) + 1,
                "token": _digest(data["name"], "token"),
                "mac": ":".join(derived[i:i + 2] for i in range(8, 20, 2)).upper(),
                **data,
            }
        return data

    @field_validator("mac")
    @classmethod
    def _upper_mac(cls, mac: str) -> str:
        return mac.upper()

    @field_validator("token")
    @classmethod
    def _lower_token(cls, token: str) -> str:
        return token.lower()

    @model_validator(mode="after")
    def _default_properties(self) -> MiioSpec:
        if not self.properties:
            family = next((props for prefix, props in _FAMILY_PROPERTIES.items() if self.model.startswith(prefix)),
                          {"power": "off"})
            self.properties = dict(family)
        return self

    @property
    def instance(self) -> str:
        """The mDNS instance name the device publishes: `chuangmi-plug-m1_miio12345678`."""
        return f"{self.model.replace('.', '-')}_miio{self.device_id}"


# ------------------------------------------------------------------ the wire format


def _cipher(token: bytes) -> Cipher[modes.CBC]:
    key = hashlib.md5(token).digest()  # noqa: S324 - the protocol's own key derivation
    iv = hashlib.md5(key + token).digest()  # noqa: S324
    return Cipher(algorithms.AES(key), modes.CBC(iv))


def encrypt(plain: bytes, token: bytes) -> bytes:
    """AES-128-CBC with the token-derived key and iv, PKCS#7 padded."""
    padder = padding.PKCS7(128).padder()
    encryptor = _cipher(token).encryptor()
    return encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()


def decrypt(data: bytes, token: bytes) -> bytes:
    """The inverse of `encrypt`; ValueError when the bytes were not sealed with this token."""
    decryptor = _cipher(token).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


@dataclass(frozen=True)
class Packet:
    """One parsed miIO datagram."""

    length: int
    unknown: int
    device_id: int
    stamp: int
    checksum: bytes
    data: bytes

    @property
    def is_hello(self) -> bool:
        """A client's hello: a bare header of 0xff."""
        return self.length == HEADER_SIZE and not self.data

    def sealed_with(self, token: bytes) -> bool:
        """Whether the checksum matches this token (the request was made with it)."""
        header = HEADER.pack(MAGIC, self.length, self.unknown, self.device_id, self.stamp)
        return hashlib.md5(header + token + self.data).digest() == self.checksum  # noqa: S324


def parse_packet(datagram: bytes) -> Packet | None:
    """The packet in `datagram`, or None when it is not a miIO packet (devices ignore those)."""
    if len(datagram) < HEADER_SIZE:
        return None
    magic, length, unknown, device_id, stamp = HEADER.unpack_from(datagram)
    if magic != MAGIC or length != len(datagram):
        return None
    return Packet(length, unknown, device_id, stamp, datagram[16:32], datagram[32:])


def seal(device_id: int, stamp: int, token: bytes, payload: bytes) -> bytes:
    """A command or answer packet: header, md5 checksum, encrypted payload."""
    data = encrypt(payload, token)
    header = HEADER.pack(MAGIC, HEADER_SIZE + len(data), 0, device_id, stamp)
    return header + hashlib.md5(header + token + data).digest() + data  # noqa: S324


def hello_reply(device_id: int, stamp: int, checksum_field: bytes) -> bytes:
    """The device's answer to a hello: its id and stamp, 0xff (or its token) in the checksum field."""
    return HEADER.pack(MAGIC, HEADER_SIZE, 0, device_id, stamp) + checksum_field


def garble(packet: bytes, mode: str) -> bytes:
    """Break a packet the way `garble:<mode>` says (`json` is applied to the payload instead)."""
    if mode == "magic":
        return b"\x31\x21" + packet[2:]
    if mode == "checksum":
        return packet[:16] + bytes(byte ^ 0x5A for byte in packet[16:32]) + packet[32:]
    if mode == "length":
        return packet[:20]
    return packet


# ------------------------------------------------------------------ the device


class MiioDevice(SimHost):
    """A miIO device answering on UDP `address:port`. State API: `power`, `set_power`,
    `properties`, `set_property`; `calls` lists the commands it acted on."""

    brand: ClassVar[str] = "miio"
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset({FaultKind.WRONG_TOKEN})

    def __init__(self, spec: MiioSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec.name, spec.address, advertiser)
        self.spec = spec
        self.port = spec.port
        self.properties: dict[str, Any] = dict(spec.properties)
        self.calls: list[tuple[str, Any]] = []
        self._booted = time.monotonic()
        self._transport: asyncio.DatagramTransport | None = None
        self._pending: set[asyncio.Task[None]] = set()

    # -------------------------------------------------------------- state API

    @property
    def power(self) -> bool:
        """Whether the device is on."""
        return self.properties.get("power") == "on"

    def set_power(self, on: bool) -> None:
        """Switch it on or off, as its button would."""
        self.set_property("power", "on" if on else "off")

    def set_property(self, name: str, value: Any) -> None:
        """Change what `get_prop` answers for `name` (a sensor reading, a brightness)."""
        changed = self.properties.get(name) != value
        self.properties[name] = value
        if changed:
            self._changed()

    @property
    def device_id(self) -> int:
        """The did in every packet header."""
        return self.spec.device_id

    @property
    def token(self) -> str:
        """The token the device holds now: a different one while `wrong_token` is active."""
        if self.faults.active(FaultKind.WRONG_TOKEN) is not None:
            return _digest(self.spec.token, "re-paired")
        return self.spec.token

    @property
    def stamp(self) -> int:
        """Seconds since the device booted, as it writes in every header."""
        return int(time.monotonic() - self._booted)

    # -------------------------------------------------------------- SimHost

    async def inject(self, fault: Fault) -> None:
        """Turn a fault on, refusing modes this device does not know."""
        modes_by_kind = {FaultKind.GARBLE: GARBLE_MODES, FaultKind.WRONG_TOKEN: WRONG_TOKEN_MODES}
        known = modes_by_kind.get(fault.kind)
        if known is not None and fault.target is not None and fault.target not in known:
            raise ValueError(f"{fault.kind}:{fault.target}: the mode must be one of {', '.join(known)}")
        await super().inject(fault)

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: Datagrams(self._received), local_addr=(self.address, self.port))

    async def _unserve(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def services(self) -> list[AsyncServiceInfo]:
        """`<model>_miio<did>._miio._udp.local.` with the MAC in its TXT record."""
        properties = {"epoch": "1", "mac": self.spec.mac.replace(":", "").lower()}
        return [service_info(SERVICE_TYPE, self.spec.instance, self.address, self.port, properties)]

    # -------------------------------------------------------------- the protocol

    def _received(self, datagram: bytes, addr: tuple[str, int]) -> None:
        # Answer from a task: `slow` and `drop` hold the answer without holding the socket.
        task = asyncio.get_running_loop().create_task(self._answer(datagram, addr))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _answer(self, datagram: bytes, addr: tuple[str, int]) -> None:
        await self.faults.before_answer()
        reply = self.reply(datagram)
        if reply is None:
            return
        mode = self._garble_mode()
        if mode is not None:
            reply = garble(reply, mode)
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(reply, addr)

    def reply(self, datagram: bytes) -> bytes | None:
        """What the device sends back for one datagram (None: it stays silent)."""
        packet = parse_packet(datagram)
        if packet is None:
            return None
        if packet.is_hello:
            checksum = bytes.fromhex(self.token) if self.spec.reveal_token else b"\xff" * 16
            return hello_reply(self.device_id, self.stamp, checksum)
        token = bytes.fromhex(self.token)
        if not packet.sealed_with(token):
            return self._foreign_token_reply(token)
        try:
            request = json.loads(decrypt(packet.data, token).rstrip(b"\x00"))
        except ValueError:
            return None
        if not isinstance(request, dict):
            return None
        return self._seal(self.execute(request), token)

    def _foreign_token_reply(self, token: bytes) -> bytes | None:
        wrong_token = self.faults.active(FaultKind.WRONG_TOKEN)
        if wrong_token is not None and wrong_token.target == "silent":
            return None
        # The device cannot read the request, so it cannot echo its id; the client cannot read
        # this either: it only sees a checksum made with another token.
        return self._seal({"error": REQUEST_INVALID}, token)

    def _seal(self, answer: dict[str, Any], token: bytes) -> bytes:
        payload = json.dumps(answer, separators=(",", ":")).encode()
        if self._garble_mode() == "json":
            payload = payload[: max(1, len(payload) * 2 // 3)]
        return seal(self.device_id, self.stamp, token, payload)

    def _garble_mode(self) -> str | None:
        fault = self.faults.active(FaultKind.GARBLE)
        if fault is None:
            return None
        return fault.target or "json"

    def execute(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run one JSON-RPC request; the answer echoes its id."""
        method = request.get("method")
        params = request.get("params", [])
        outcome = self._call(method, params) if isinstance(method, str) else {"error": REQUEST_INVALID}
        if "result" in outcome:
            self.calls.append((str(method), params))
        return {"id": request.get("id"), **outcome}

    def _call(self, method: str, params: Any) -> dict[str, Any]:
        if method == "miIO.info":
            return {"result": self.info()}
        if method == "get_prop":
            return self._get_prop(params)
        if method == "set_power":
            return self._set_power(params)
        setter = re.fullmatch(r"set_(\w+)", method)
        if setter and setter.group(1) in self.properties and isinstance(params, list) and params:
            self.set_property(setter.group(1), str(params[0]) if self._yeelight else params[0])
            return {"result": ["ok"]}
        return {"error": METHOD_NOT_FOUND}

    @property
    def _yeelight(self) -> bool:
        # Yeelight firmware answers every property as a string, and "" for one it does not have.
        return self.spec.model.startswith("yeelink.")

    def _get_prop(self, params: Any) -> dict[str, Any]:
        if not isinstance(params, list) or not all(isinstance(name, str) for name in params):
            return {"error": INVALID_ARG}
        missing = "" if self._yeelight else None
        return {"result": [self.properties.get(name, missing) for name in params]}

    def _set_power(self, params: Any) -> dict[str, Any]:
        if not isinstance(params, list) or not params or params[0] not in ("on", "off"):
            return {"error": INVALID_ARG}
        self.set_power(params[0] == "on")
        return {"result": ["ok"]}

    def info(self) -> dict[str, Any]:
        """The `miIO.info` answer, shaped as a chuangmi plug's (python-miio's DeviceInfo)."""
        return {
            "life": self.stamp,
            "cfg_time": 0,
            "token": self.token,
            "mac": self.spec.mac,
            "fw_ver": self.spec.fw_ver,
            "hw_ver": self.spec.hw_ver,
            "model": self.spec.model,
            "ap": {"ssid": self.spec.ssid, "bssid": "FF:FF:FF:FF:FF:FF", "rssi": self.spec.rssi},
            "netif": {"localIp": self.address, "mask": "255.0.0.0", "gw": "127.0.0.1"},
            "mmfree": 30312,
            "ot": "otu",
            "ott_stat": [0, 0, 0, 0],
            "otu_stat": [320, 267, 3, 0, 3, 742],
        }
