"""One Shelly's HTTP channel: every request bounded by a timeout, every failure classified.

What a failure means, by layer (each a `RequestFailed`):

- `network`: nothing answers (refused, unreachable), no answer within the timeout, the
  connection cut before the answer was complete;
- `integration`: HTTP 401, the device refused our credentials (or asked for some and the
  home file gives none);
- `device`: the device answered, but with malformed JSON (a well-formed HTTP answer whose
  body does not parse, as a crashing firmware sends it) or a malformed HTTP answer, or it
  refused the request with an error of its own (HTTP 4xx/5xx, the firmware's message kept).

Credentials go only on requests marked `signed`, only once `sign_gen1`/`sign_gen2` set them
up, which the session does after the host proved its identity, and only while the device
says (in `/shelly`) that it has a password: a Gen1 device is sent the password in clear text
on every request, so a device without one is not sent it at all.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import DigestAuthMiddleware

from .errors import RequestFailed

GEN2_LOGIN = "admin"  # Gen2+ digest auth has one user
EXCERPT = 80  # characters of a malformed answer kept as evidence


@dataclass(frozen=True)
class Answer:
    """A parsed JSON answer and how long it took."""

    body: Any
    latency_ms: float


def excerpt(text: str) -> str:
    """The start of a malformed answer, quoted as evidence."""
    return repr(text[:EXCERPT] + ("…" if len(text) > EXCERPT else ""))


class ShellyHttp:
    """Requests to one device at `base_url` (`where` names it to a person: `127.0.0.5:80`)."""

    def __init__(self, client: aiohttp.ClientSession, base_url: str, where: str, has_password: bool) -> None:
        self.client = client
        self.base_url = base_url
        self.where = where
        self.has_password = has_password
        self.device_has_password = False  # what the device's last `/shelly` said
        self._signed: dict[str, Any] | None = None

    def sign_gen1(self, login: str, password: str) -> None:
        """Send HTTP basic credentials on signed requests (Gen1)."""
        self._signed = {"headers": {"Authorization": aiohttp.encode_basic_auth(login, password)}}

    def sign_gen2(self, password: str) -> None:
        """Answer digest challenges (SHA-256, user admin) on signed requests (Gen2+)."""
        self._signed = {"middlewares": (DigestAuthMiddleware(GEN2_LOGIN, password),)}

    async def get(self, path: str, timeout: float, *, signed: bool = False) -> Answer:
        """GET `path`, parsed as JSON."""
        return await self.request("GET", path, timeout, signed=signed)

    async def request(self, method: str, path: str, timeout: float, *, signed: bool = False,
                      body: Any = None) -> Answer:
        """One request; its JSON answer, or RequestFailed naming the layer that broke."""
        options: dict[str, Any] = dict(self._signed or {}) if signed and self.device_has_password else {}
        if body is not None:
            options["json"] = body
        started = time.monotonic()

        def elapsed() -> float:
            return round((time.monotonic() - started) * 1000, 1)

        try:
            async with self.client.request(method, self.base_url + path, timeout=aiohttp.ClientTimeout(total=timeout),
                                           **options) as response:
                raw = await response.read()
                status = response.status
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as error:
            raise transport_failure(error, self.where, path, timeout, elapsed()) from None
        text = raw.decode("utf-8", errors="replace")
        if status == 401:
            raise unauthorized(self.where, path, self.has_password, elapsed())
        if status >= 400:
            raise RequestFailed("device", "refused", f"{self.where} refused {path}: HTTP {status}"
                                f"{_firmware_message(text)}", elapsed())
        try:
            return Answer(json.loads(text), elapsed())
        except ValueError:
            raise RequestFailed("device", "malformed", f"{self.where} answered {path} with malformed JSON: "
                                f"{excerpt(text)}", elapsed()) from None


def unauthorized(where: str, what: str, has_password: bool, latency_ms: float | None = None) -> RequestFailed:
    """The integration finding of a refused request: the password is wrong or changed, or none was given."""
    if has_password:
        detail = (f"{where} refused the password for {what} (401): it was changed on the device or is wrong in the "
                  "home file")
    else:
        detail = f"{where} asks for a password for {what} (401) and the home file gives none"
    return RequestFailed("integration", "unauthorized", detail, latency_ms)


def transport_failure(error: BaseException, where: str, what: str, timeout: float,
                      latency_ms: float | None = None) -> RequestFailed:
    """What an exception raised while talking to the device (HTTP or WebSocket) means."""
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return RequestFailed("network", "timeout", f"{where} did not answer {what} within {timeout:g} s", latency_ms)
    if isinstance(error, aiohttp.ClientConnectorError):
        cause = error.os_error
        reason = os.strerror(cause.errno) if cause.errno else (cause.strerror or type(cause).__name__)
        return RequestFailed("network", "unreachable", f"nothing answers at {where} ({reason}): the device is off, "
                             "off the network, or has moved to another address", latency_ms)
    if isinstance(error, aiohttp.ClientResponseError):
        return RequestFailed("device", "malformed", f"{where} answered {what} with a malformed HTTP response "
                             f"({error.status}, {error.message})", latency_ms)
    return RequestFailed("network", "reset", f"{where} cut the connection before answering {what} "
                         f"({type(error).__name__})", latency_ms)


def _firmware_message(text: str) -> str:
    """`, <message>` of a Gen2 error body (`{"code": …, "message": …}`), or the start of any other body."""
    try:
        body = json.loads(text)
    except ValueError:
        return f", {excerpt(text)}" if text.strip() else ""
    if isinstance(body, dict) and "message" in body:
        return f", {body.get('code')}: {body['message']}"
    return ""
