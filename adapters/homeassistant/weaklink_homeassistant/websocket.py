"""A small client of Home Assistant's WebSocket API (`/api/websocket`), on aiohttp.

The protocol, as HA's `websocket_api` component speaks it:

1. on connecting, the server greets: `{"type": "auth_required", "ha_version": "2025.11.2"}`.
   This comes before any credential, and it is the only thing a HA instance says about itself
   without one (every REST call, `/api/` included, answers `401` without a token);
2. the client sends `{"type": "auth", "access_token": <long-lived token>}`; the server answers
   `auth_ok` (with `ha_version`), or `auth_invalid` (with a message) and closes;
3. then numbered commands `{"id": n, "type": …}`, ids strictly increasing, each answered by a
   `result` (`success`, then `result` or `error: {code, message}`), or a `pong` for `ping`;
   a subscription pushes `{"id": n, "type": "event", "event": {…}}` until unsubscribed.

One reader task routes every incoming message to the command or subscription waiting for it.
A message that is not JSON cannot be routed, so the connection is unusable: everything waiting
on it fails with `MalformedAnswer`, and it is closed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from weaklink.live.secrets import Secret

from .errors import AuthInvalid, CommandFailed, HomeAssistantError, IdentityMismatch, MalformedAnswer, NetworkError

Json = dict[str, Any]
MAX_MESSAGE = 64 * 1024 * 1024  # get_states of a large home is several megabytes
_EXCERPT = 60  # characters of a bad answer quoted as evidence


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else f"{text[:_EXCERPT]}…"


@contextmanager
def network_errors(url: str, what: str, timeout: float) -> Iterator[None]:
    """Turn what aiohttp and the OS raise while reaching `url` into a `NetworkError`."""
    try:
        yield
    except TimeoutError as exc:
        raise NetworkError(f"{url}: no answer to {what} within {timeout:g} s") from exc
    except aiohttp.ClientConnectorError as exc:
        reason = "refused the connection" if isinstance(exc.os_error, ConnectionRefusedError) else \
            f"cannot be reached ({exc.os_error.strerror or exc.os_error})"
        raise NetworkError(f"{url}: {reason}") from exc
    except aiohttp.WSServerHandshakeError as exc:
        if exc.status >= 500:  # a proxy in front of HA, with nothing answering behind it
            raise NetworkError(f"{url} answers HTTP {exc.status}: nothing behind it answers") from exc
        raise IdentityMismatch(f"{url} answers HTTP {exc.status}, not Home Assistant's WebSocket API") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise NetworkError(f"{url}: the connection failed during {what} ({type(exc).__name__})") from exc


class HAWebSocket:
    """One connection to HA's WebSocket API: greeted, then (once authenticated) commands."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, url: str, ha_version: str, latency_ms: float) -> None:
        self.url = url
        self.ha_version = ha_version
        self.latency_ms = latency_ms  # from opening the connection to the greeting
        self._socket = socket
        self._last_id = 0
        self._pending: dict[int, asyncio.Future[Json]] = {}
        self._subscriptions: dict[int, asyncio.Queue[Json | HomeAssistantError]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.failure: HomeAssistantError | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, url: str, timeout: float) -> HAWebSocket:
        """Connect and read the greeting, sending nothing.

        Raises NetworkError when nothing answers in time, IdentityMismatch when what answers
        is not Home Assistant's WebSocket API.
        """
        started = time.monotonic()
        with network_errors(url, "the WebSocket handshake", timeout):
            async with asyncio.timeout(timeout):
                socket = await http.ws_connect(url, autoping=True, max_msg_size=MAX_MESSAGE)
                try:
                    message = await socket.receive()
                except BaseException:
                    await socket.close()
                    raise
        latency = (time.monotonic() - started) * 1000
        try:
            ha_version = cls._greeting(url, message)
        except IdentityMismatch:
            await socket.close()
            raise
        return cls(socket, url, ha_version, latency)

    @staticmethod
    def _greeting(url: str, message: aiohttp.WSMessage) -> str:
        """HA's version from its greeting; IdentityMismatch when it is not HA's greeting."""
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise IdentityMismatch(f"{url} opened a WebSocket but sent no Home Assistant greeting")
        try:
            greeting = json.loads(message.data)
        except ValueError as exc:
            raise IdentityMismatch(f"{url} greeted with something that is not JSON: {_excerpt(message.data)!r}") from exc
        if not isinstance(greeting, dict) or greeting.get("type") != "auth_required" \
                or not isinstance(greeting.get("ha_version"), str):
            raise IdentityMismatch(f"{url} greeted with {_excerpt(message.data)!r}, not Home Assistant's auth_required")
        return greeting["ha_version"]

    async def authenticate(self, token: Secret) -> None:
        """Send the token (the caller has checked the host's identity) and start reading.

        Raises AuthInvalid when HA refuses it; NetworkError when the connection ends instead.
        """
        await self._socket.send_str(json.dumps({"type": "auth", "access_token": token.reveal()}))
        message = await self._socket.receive()
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise NetworkError(f"{self.url}: the connection closed during authentication")
        try:
            answer = json.loads(message.data)
        except ValueError as exc:
            raise MalformedAnswer(f"{self.url} answered the token with something that is not JSON: "
                                  f"{_excerpt(message.data)!r}") from exc
        kind = answer.get("type") if isinstance(answer, dict) else None
        if kind == "auth_invalid":
            raise AuthInvalid(f"Home Assistant refused the access token ({answer.get('message', 'auth_invalid')})")
        if kind != "auth_ok":
            raise MalformedAnswer(f"{self.url} answered the token with {_excerpt(message.data)!r}")
        self._reader = asyncio.get_running_loop().create_task(self._read())

    # ------------------------------------------------------------------ commands and events

    @property
    def closed(self) -> bool:
        """Whether the connection can no longer be used."""
        return self.failure is not None or self._socket.closed

    async def command(self, kind: str, timeout: float, **fields: Any) -> Any:
        """Send one command and return its result; CommandFailed when HA answers an error."""
        iden, answer = self._next(), asyncio.get_running_loop().create_future()
        self._pending[iden] = answer
        try:
            await self._send({"id": iden, "type": kind, **fields}, timeout)
            with network_errors(self.url, kind, timeout):
                async with asyncio.timeout(timeout):
                    message = await answer
        finally:
            self._pending.pop(iden, None)
        if message.get("type") == "pong":
            return None
        if message.get("success"):
            return message.get("result")
        error = message.get("error") if isinstance(message.get("error"), dict) else {}
        raise CommandFailed(kind, str(error.get("code", "unknown_error")), str(error.get("message", "")))

    async def subscribe(self, event_type: str, queue: asyncio.Queue[Json | HomeAssistantError], timeout: float) -> int:
        """Subscribe to one event type; its events (then the failure that ends them) go to `queue`."""
        iden, answer = self._next(), asyncio.get_running_loop().create_future()
        self._subscriptions[iden], self._pending[iden] = queue, answer
        try:
            await self._send({"id": iden, "type": "subscribe_events", "event_type": event_type}, timeout)
            with network_errors(self.url, "subscribe_events", timeout):
                async with asyncio.timeout(timeout):
                    message = await answer
            if not message.get("success"):
                error = message.get("error") if isinstance(message.get("error"), dict) else {}
                raise CommandFailed("subscribe_events", str(error.get("code")), str(error.get("message", "")))
        except BaseException:
            self._subscriptions.pop(iden, None)
            raise
        finally:
            self._pending.pop(iden, None)
        return iden

    async def unsubscribe(self, subscription: int, timeout: float) -> None:
        """End one subscription."""
        self._subscriptions.pop(subscription, None)
        if not self.closed:
            await self.command("unsubscribe_events", timeout, subscription=subscription)

    async def close(self) -> None:
        """Close the connection."""
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._socket.close()
        self._fail(NetworkError(f"{self.url}: the connection was closed"))

    def _next(self) -> int:
        if self.failure is not None:
            raise self.failure
        self._last_id += 1
        return self._last_id

    async def _send(self, message: Json, timeout: float) -> None:
        with network_errors(self.url, str(message.get("type")), timeout):
            async with asyncio.timeout(timeout):
                await self._socket.send_str(json.dumps(message))

    async def _read(self) -> None:
        failure: HomeAssistantError | None = None
        try:
            async for message in self._socket:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    failure = MalformedAnswer(f"{self.url} sent a message that is not JSON: {_excerpt(message.data)!r}")
                    await self._socket.close()
                    break
                for item in payload if isinstance(payload, list) else [payload]:
                    self._route(item)
        except (aiohttp.ClientError, OSError) as exc:
            failure = NetworkError(f"{self.url}: the connection failed ({type(exc).__name__})")
        finally:
            code = self._socket.close_code
            self._fail(failure or NetworkError(
                f"{self.url}: Home Assistant closed the connection" + (f" (code {code})" if code else "")))

    def _route(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("id"), int):
            return  # nothing to route it to; HA sends none of these
        iden = message["id"]
        if message.get("type") == "event":
            if (queue := self._subscriptions.get(iden)) is not None and isinstance(message.get("event"), dict):
                queue.put_nowait(message["event"])
        elif (answer := self._pending.get(iden)) is not None and not answer.done():
            answer.set_result(message)

    def _fail(self, failure: HomeAssistantError) -> None:
        """The connection is over: everything waiting on it learns why."""
        if self.failure is None:
            self.failure = failure
        for answer in self._pending.values():
            if not answer.done():
                answer.set_exception(self.failure)
        for queue in self._subscriptions.values():
            queue.put_nowait(self.failure)
        self._subscriptions.clear()
