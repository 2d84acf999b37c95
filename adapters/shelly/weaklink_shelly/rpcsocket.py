"""The Gen2+ `/rpc` WebSocket: JSON-RPC frames out, answers and `NotifyStatus` in.

The device pushes `NotifyStatus` (only what changed) and `NotifyFullStatus` to a peer once
that peer has sent it a frame with a `src` (and, on a device with a password, once a frame
passed authentication). Authentication rides in the frames: a frame without `auth` gets a
401 error whose message is the digest challenge (JSON: realm, nonce, algorithm SHA-256);
the answer is SHA-256 of `HA1:nonce:nc:cnonce:auth:HA2` with HA1 = `admin:realm:password`
and HA2 = `dummy_method:dummy_uri`, as Shelly's documentation describes. A nonce stays
valid for a while, so the same `auth` signs the following frames; a 401 to a signed frame
is answered once with the fresh challenge, and a second 401 means the password is wrong.

Every `keepalive` seconds without a frame, the client asks `Shelly.GetStatus` again: it
finds a device that went silent (`drop`), a password changed under a running session (the
device simply stops notifying), and any change a lost notification missed.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import secrets
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import aiohttp

from .errors import RequestFailed
from .http import GEN2_LOGIN, excerpt, transport_failure, unauthorized
from .relays import RelayState
from .switches import read_switches

DEFAULT_KEEPALIVE = 5.0  # seconds without a frame before the status is asked again
NOTIFICATIONS = frozenset({"NotifyStatus", "NotifyFullStatus"})


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def frame_auth(challenge: dict[str, Any], password: str) -> dict[str, Any]:
    """The `auth` object answering a frame challenge (SHA-256 digest, user admin)."""
    ha1 = _sha256(f"{GEN2_LOGIN}:{challenge['realm']}:{password}")
    cnonce = secrets.randbelow(10**9)
    response = _sha256(f"{ha1}:{challenge['nonce']}:{challenge.get('nc', 1)}:{cnonce}:auth:"
                       f"{_sha256('dummy_method:dummy_uri')}")
    return {"realm": challenge["realm"], "username": GEN2_LOGIN, "nonce": challenge["nonce"], "cnonce": cnonce,
            "response": response, "algorithm": "SHA-256"}


class RpcSocket:
    """One device's `/rpc` WebSocket, opened afresh by each `updates()`."""

    def __init__(self, client: aiohttp.ClientSession, url: str, where: str, password: str | None,
                 keepalive: float = DEFAULT_KEEPALIVE) -> None:
        self.client = client
        self.url = url
        self.where = where
        self.password = password
        self.keepalive = keepalive

    async def updates(self, timeout: float) -> AsyncGenerator[tuple[list[RelayState], datetime | None], None]:
        """The full status, then every notified change (and a fresh status after each quiet `keepalive`)."""
        try:
            async with asyncio.timeout(timeout):
                ws = await self.client.ws_connect(self.url, timeout=aiohttp.ClientWSTimeout(ws_close=timeout))
        except aiohttp.WSServerHandshakeError as error:
            if error.status == 401:
                raise unauthorized(self.where, "the /rpc WebSocket", self.password is not None) from None
            raise RequestFailed("device", "refused", f"{self.where} refused the /rpc WebSocket ({error.status})") \
                from None
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as error:
            raise transport_failure(error, self.where, "the /rpc WebSocket", timeout) from None
        peer = _Peer(ws, self.where, self.password)
        try:
            while True:
                status, notes = await peer.call("Shelly.GetStatus", timeout)
                for note in notes:
                    yield read_switches(note.get("params"), self.where, note["method"], full=False), _stamp(note)
                yield read_switches(status, self.where, "Shelly.GetStatus", full=True), None
                while (note := await peer.receive(self.keepalive, timeout)) is not None:
                    if note.get("method") in NOTIFICATIONS:
                        full = note["method"] == "NotifyFullStatus"
                        yield read_switches(note.get("params"), self.where, note["method"], full=full), _stamp(note)
        finally:
            await ws.close()


def _stamp(note: dict[str, Any]) -> datetime | None:
    """When a notification says the change happened (`params.ts`, Unix seconds)."""
    params = note.get("params")
    ts = params.get("ts") if isinstance(params, dict) else None
    return datetime.fromtimestamp(ts, UTC) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None


class _Peer:
    """The client's side of one open socket: numbered calls, signed once challenged."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, where: str, password: str | None) -> None:
        self.ws = ws
        self.where = where
        self.password = password
        self.src = f"weaklink-{secrets.token_hex(4)}"
        self.auth: dict[str, Any] | None = None
        self._ids = itertools.count(1)

    async def call(self, method: str, timeout: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """`method`'s result, and the notifications that arrived before it."""
        notes: list[dict[str, Any]] = []
        for attempt in range(2):
            frame_id = next(self._ids)
            frame: dict[str, Any] = {"id": frame_id, "src": self.src, "method": method}
            if self.auth is not None:
                frame["auth"] = self.auth
            try:
                await self.ws.send_str(json.dumps(frame))
            except (aiohttp.ClientError, OSError) as error:
                raise transport_failure(error, self.where, method, timeout) from None
            answer = await self._answer(frame_id, method, timeout, notes)
            error = answer.get("error")
            if error is None:
                result = answer.get("result")
                if not isinstance(result, dict):
                    raise RequestFailed("device", "malformed", f"{self.where} answered {method} without a result")
                return result, notes
            code = error.get("code") if isinstance(error, dict) else None
            if code == 401 and self.password is not None and attempt == 0:
                self.auth = frame_auth(self._challenge(error), self.password)
                continue
            if code == 401:
                raise unauthorized(self.where, method, self.password is not None)
            message = error.get("message") if isinstance(error, dict) else error
            raise RequestFailed("device", "refused", f"{self.where} refused {method}: {code}: {message}")
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def receive(self, wait: float, timeout: float) -> dict[str, Any] | None:
        """The next frame within `wait` seconds, None when none came."""
        try:
            return await self._frame(wait, timeout)
        except RequestFailed as failure:
            if failure.reason == "timeout":
                return None
            raise

    async def _answer(self, frame_id: int, method: str, timeout: float,
                      notes: list[dict[str, Any]]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self._frame(max(deadline - loop.time(), 0.001), timeout, method)
            if frame.get("id") == frame_id:
                return frame
            if frame.get("method") in NOTIFICATIONS:
                notes.append(frame)

    async def _frame(self, wait: float, timeout: float, what: str = "over the WebSocket") -> dict[str, Any]:
        try:
            message = await self.ws.receive(timeout=wait)
        except (asyncio.TimeoutError, TimeoutError):
            raise RequestFailed("network", "timeout", f"{self.where} did not answer {what} within {timeout:g} s") \
                from None
        if message.type is aiohttp.WSMsgType.BINARY:
            raise RequestFailed("device", "malformed", f"{self.where} sent a binary frame over the /rpc WebSocket")
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise RequestFailed("network", "reset", f"{self.where} closed the /rpc WebSocket ({message.type.name})")
        try:
            frame = json.loads(message.data)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            raise RequestFailed("device", "malformed", f"{self.where} sent a malformed frame over the /rpc WebSocket: "
                                f"{excerpt(message.data)}")
        return frame

    def _challenge(self, error: dict[str, Any]) -> dict[str, Any]:
        try:
            challenge = json.loads(error.get("message") or "")
        except (TypeError, ValueError):
            challenge = None
        if not isinstance(challenge, dict) or not {"realm", "nonce"} <= set(challenge):
            raise RequestFailed("device", "malformed", f"{self.where} sent an unreadable authentication challenge")
        if str(challenge.get("algorithm", "SHA-256")).upper() != "SHA-256":
            raise RequestFailed("integration", "unauthorized", f"{self.where} asks for digest algorithm "
                                f"{challenge['algorithm']}, not the SHA-256 Shelly devices use")
        return challenge
