"""Talking KLAP to one Tapo device over HTTP: the handshake, then signed and encrypted requests,
every exchange bounded by a timeout and every failure classified.

**The device proves itself first.** Handshake1 sends a random seed, nothing else; the device
must answer with a proof only the holder of the TP-Link account's hash can make (`klap`). The
proof is checked *before* handshake2, the first message that depends on the credentials, is
sent: a device that does not prove it (an impostor, another account's device at the address,
a device whose account password changed) gets nothing derived from them, and the failure is
an `integration` finding (`rejected`, problem `credentials`). The credentials themselves never
leave this process, and nothing here logs or words a message with them or their hash.

What a failure means, by layer (each a `RequestFailed`):

- `network`: nothing answers (refused, unreachable), no answer in time, the connection reset
  or cut before the answer was complete;
- `integration`: the device's handshake1 proof does not match the account (`rejected`);
- `device`: it answers, but not as KLAP does (a handshake1 answer that is not 48 bytes, an
  HTTP error, a malformed HTTP answer, an answer whose signature does not match or that does
  not decrypt, or JSON that does not parse: `malformed`), or it refused handshake2 or a
  request (`refused`).

A session lasts as long as its cookie says (`TIMEOUT`, a day), renewed 20 minutes early as
python-kasa renews it; a request the device answers 403 (it forgot the session) shakes hands
again, once.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from .errors import RequestFailed
from .klap import (
    PROOF_BYTES,
    SEED_BYTES,
    KlapCipher,
    Undecryptable,
    client_proof,
    device_proof,
    proof_matches,
)

SESSION_COOKIE = "TP_SESSIONID"
DEFAULT_LIFETIME = 86400.0  # seconds, when the device names none
RENEW_EARLY = 20 * 60.0  # seconds before its end a session is renewed
MAX_ANSWER = 256 * 1024  # bytes: a strip's child list is a few KiB
EXCERPT = 80  # characters of a malformed answer kept as evidence


@dataclass(frozen=True)
class Answer:
    """A decrypted JSON object and how long it took (handshake included)."""

    body: dict[str, Any]
    latency_ms: float


@dataclass
class _Session:
    cipher: KlapCipher
    cookie: str | None
    expires: float


def excerpt(data: bytes | str) -> str:
    """The start of a malformed answer, quoted as evidence."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return repr(text[:EXCERPT] + ("…" if len(text) > EXCERPT else ""))


class KlapTransport:
    """KLAP requests to one device at `address:port`, for the account whose hash is `account`."""

    def __init__(self, client: aiohttp.ClientSession, address: str, port: int, account: bytes) -> None:
        self.client = client
        self.where = f"{address}:{port}"
        self._url = f"http://{address}:{port}/app/"
        self._account = account
        self._session: _Session | None = None
        self._lock = asyncio.Lock()
        self.handshakes = 0  # completed ones, for tests and evidence

    def forget(self) -> None:
        """Drop the session: the next request shakes hands again."""
        self._session = None

    async def handshake(self, timeout: float) -> float:
        """A new session (handshake1, the device's proof checked, then handshake2); its latency in ms."""
        started = time.monotonic()
        async with self._lock:
            await self._handshake(timeout)
        return _elapsed(started)

    async def _ready(self, timeout: float) -> _Session:
        async with self._lock:
            session = self._session
            if session is None or time.monotonic() >= session.expires:
                session = await self._handshake(timeout)
            return session

    async def _handshake(self, timeout: float) -> _Session:
        self._session = None
        local = secrets.token_bytes(SEED_BYTES)
        status, body, headers = await self._post("handshake1", local, None, timeout)
        if status != 200:
            raise RequestFailed("device", "malformed", f"{self.where} answered KLAP's handshake1 with HTTP {status}: "
                                "it does not speak KLAP (another service on the port, or a firmware on another "
                                "protocol)")
        if len(body) != SEED_BYTES + PROOF_BYTES:
            raise RequestFailed("device", "malformed", f"{self.where} answered handshake1 with {len(body)} bytes "
                                f"({excerpt(body)}); a KLAP device answers {SEED_BYTES + PROOF_BYTES}: its seed and "
                                "its proof")
        remote, proof = body[:SEED_BYTES], body[SEED_BYTES:]
        if not proof_matches(proof, device_proof(local, remote, self._account)):
            raise RequestFailed("integration", "rejected", (
                f"{self.where} does not prove it knows the TP-Link account the home file gives (its handshake1 "
                "proof does not match): the account's password was changed, the device was reset or set up with "
                "another account, or another device has its address. Nothing derived from the credentials was "
                "sent to it"))
        cookie, lifetime = _session_cookie(headers)
        status, _, _ = await self._post("handshake2", client_proof(local, remote, self._account), cookie, timeout)
        if status != 200:
            raise RequestFailed("device", "refused", f"{self.where} proved it knows the account, then refused the "
                                f"session in handshake2 (HTTP {status})")
        self._session = _Session(KlapCipher.derive(local, remote, self._account), cookie,
                                 time.monotonic() + max(lifetime - RENEW_EARLY, lifetime / 2))
        self.handshakes += 1
        return self._session

    async def request(self, payload: Mapping[str, Any], timeout: float, what: str) -> Answer:
        """Send one SMART request; its decrypted JSON answer, or RequestFailed naming the layer."""
        started = time.monotonic()
        plain = json.dumps(payload, separators=(",", ":")).encode()
        for attempt in (1, 2):
            session = await self._ready(timeout)
            body, seq = session.cipher.encrypt(plain)
            status, raw, _ = await self._post("request", body, session.cookie, timeout, seq=seq)
            if status == 403 and attempt == 1:  # the device forgot the session (restarted, or its account changed)
                if self._session is session:
                    self._session = None
                continue
            break
        if status != 200:
            raise RequestFailed("device", "refused", f"{self.where} refused {what} (HTTP {status})", _elapsed(started))
        try:
            text = session.cipher.decrypt(seq, raw).decode("utf-8", errors="replace")
        except Undecryptable as error:
            raise RequestFailed("device", "malformed", f"{self.where} answered {what} with something that is not "
                                f"KLAP's signed, encrypted answer: {error}", _elapsed(started)) from None
        try:
            answer = json.loads(text)
        except (ValueError, RecursionError):
            answer = None
        if not isinstance(answer, dict):
            raise RequestFailed("device", "malformed", f"{self.where} answered {what} with something that is not the "
                                f"SMART protocol's JSON: {excerpt(text)}", _elapsed(started))
        return Answer(answer, _elapsed(started))

    async def _post(self, path: str, data: bytes, cookie: str | None, timeout: float,
                    seq: int | None = None) -> tuple[int, bytes, Mapping[str, str]]:
        """One POST to `/app/<path>`: its status, body and headers, or RequestFailed."""
        what = path if seq is None else f"request {seq}"
        headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {}
        params = {"seq": str(seq)} if seq is not None else None
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout):
                async with self.client.post(self._url + path, data=data, params=params, headers=headers,
                                            allow_redirects=False) as response:
                    return response.status, await self._read(response, what), response.headers
        except RequestFailed:
            raise
        except TimeoutError:
            raise RequestFailed("network", "timeout", f"{self.where} did not answer KLAP's {what} within "
                                f"{timeout:g} s", _elapsed(started)) from None
        except aiohttp.ClientConnectorError as error:
            raise RequestFailed("network", "unreachable", f"nothing answers at {self.where} "
                                f"({_reason(error.os_error)}): the device is off, off the network, or has moved "
                                "to another address", _elapsed(started)) from None
        except (aiohttp.ClientResponseError, aiohttp.ClientPayloadError) as error:
            raise RequestFailed("device", "malformed", f"{self.where} answered KLAP's {what} with a malformed HTTP "
                                f"response ({type(error).__name__}): not the KLAP protocol",
                                _elapsed(started)) from None
        except (aiohttp.ClientError, OSError) as error:
            how = "reset the connection" if getattr(error, "errno", None) == errno.ECONNRESET else "cut the connection"
            raise RequestFailed("network", "reset", f"{self.where} {how} before answering KLAP's {what} "
                                f"({type(error).__name__}): its service is crashing or restarting",
                                _elapsed(started)) from None

    async def _read(self, response: aiohttp.ClientResponse, what: str) -> bytes:
        """The body, refused beyond `MAX_ANSWER` (a KLAP device never sends that much)."""
        body = bytearray()
        async for chunk in response.content.iter_chunked(16 * 1024):
            body += chunk
            if len(body) > MAX_ANSWER:
                raise RequestFailed("device", "malformed", f"{self.where} answered KLAP's {what} with more than "
                                    f"{MAX_ANSWER // 1024} KiB: not a KLAP device's answer")
        return bytes(body)


def _session_cookie(headers: Mapping[str, str]) -> tuple[str | None, float]:
    """The session id and its lifetime from handshake1's `Set-Cookie: TP_SESSIONID=…;TIMEOUT=86400`
    (the device puts both in one header, and does not want TIMEOUT sent back)."""
    cookie, lifetime = None, DEFAULT_LIFETIME
    values = headers.getall("Set-Cookie", []) if hasattr(headers, "getall") else [headers.get("Set-Cookie", "")]
    for header in values:
        for part in str(header).split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE and value:
                cookie = value
            elif name.upper() == "TIMEOUT" and value.isdigit() and int(value) > 0:
                lifetime = float(value)
    return cookie, lifetime


def _elapsed(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _reason(error: OSError) -> str:
    return os.strerror(error.errno) if error.errno else (error.strerror or type(error).__name__)
