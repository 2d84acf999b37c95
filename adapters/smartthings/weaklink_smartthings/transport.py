"""Talking to the SmartThings REST API: each request bounded by a deadline, each failure classified,
the token sent only to a host that proved it is the API, and the cloud's 429 respected without
blocking the event loop.

Identity before credentials: the first request of a session carries no token. The API answers
a request without one with 401 (its gateway's "401 Authorization Required" page); over HTTPS
the certificate has also been checked for the API's name. A host that answers otherwise
(a 200, garbage, a certificate for another name) is not the API and never gets the token.

What a failure means (`RequestFailed.reason`, and the layer it makes a finding at):

| what happened | reason | layer |
|---|---|---|
| nothing answers (refused, no route, no such name), the connection reset or closed | `unreachable` | network |
| no answer within the time given | `timeout` | integration (the cloud) |
| an answer that is not the API's (not HTTP, not TLS, not JSON, a redirect elsewhere) | `garbled` | integration |
| 401 or 403 to the token: expired (24 hours, for tokens made since 30 December 2024), deleted, or without the devices scope | `credentials` | integration |
| 5xx: the cloud's own failure | `cloud_error` | integration |
| 429, and the wait it asks for does not fit in the time left | `rate_limited` | integration |
| 404, or another 4xx (a command the device does not take: 422 `ConstraintViolationError`) | `not_found`, `refused` | device |

A 429 sets `gate`: every later request of the session waits (with `asyncio.sleep`) until the
time the cloud named (`Retry-After`, or the "retry in N millis" of its answer), or fails at
once when that is beyond its deadline, rather than asking again and again.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from yarl import URL

from weaklink.live.secrets import Secret

from .endpoint import Endpoint
from .errors import IdentityMismatch, Reason, RequestFailed

MAX_BODY = 32 * 1024 * 1024  # bytes: 200 devices with their status are a few MB at most
EXCERPT = 80  # characters of a malformed answer quoted as evidence
DEFAULT_RETRY = 5.0  # seconds to wait after a 429 that says nothing of when to come back
ATTEMPTS = 3  # tries of one request while 429s ask for waits that fit in its time
JSON = "application/json"
_MILLIS = re.compile(r"retry in (\d+) millis")
TOKEN_ADVICE = ("the token has expired (personal access tokens made since 30 December 2024 last 24 hours), was "
                "deleted, or lacks the devices scope (r:devices:*, x:devices:*): make a new one at "
                "https://account.smartthings.com/tokens")


class Deadline:
    """The time left for one operation (several requests, the waits a 429 asks for)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (0 when past)."""
        return max(0.0, self._end - time.monotonic())


class RateGate:
    """When the cloud said to come back (a 429's Retry-After)."""

    def __init__(self) -> None:
        self._not_before = 0.0

    def hold(self, seconds: float) -> None:
        """Let no request through for `seconds`."""
        self._not_before = max(self._not_before, time.monotonic() + seconds)

    def wait(self) -> float:
        """Seconds until requests may go again (0: now)."""
        return max(0.0, self._not_before - time.monotonic())


@dataclass(frozen=True)
class Answer:
    """A JSON answer of the API and how long it took."""

    status: int
    body: Any
    latency_ms: float


@dataclass(frozen=True)
class _Raw:
    status: int
    reason: str
    headers: Mapping[str, str]
    text: str
    latency_ms: float


def excerpt(text: str) -> str:
    """The start of an answer, quoted as evidence."""
    return repr(text[:EXCERPT] + ("…" if len(text) > EXCERPT else ""))


def retry_after(headers: Mapping[str, str], text: str) -> float | None:
    """The seconds a 429 asks to wait: `Retry-After` (seconds or a date), else the body's "retry in N millis"."""
    value = (headers.get("Retry-After") or "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    found = _MILLIS.search(text)
    return int(found.group(1)) / 1000 if found else None


def error_of(text: str) -> tuple[str | None, str]:
    """The code and the words of an error answer (`{"requestId", "error": {"code", "message", "details"}}`)."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, excerpt(text.strip()) if text.strip() else "no explanation"
    code = error.get("code") if isinstance(error.get("code"), str) else None
    words = [str(error.get("message") or code or "an error")]
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("message"):
            target = f"{detail['target']}: " if detail.get("target") else ""
            words.append(f"{target}{detail['message']}")
    return code, "; ".join(words)


def _elapsed(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


class CloudClient:
    """Requests to one SmartThings API endpoint with one token."""

    def __init__(self, endpoint: Endpoint, token: Secret) -> None:
        self.endpoint = endpoint
        self._token = token
        self.gate = RateGate()
        self.identified = False  # whether the host proved it is the API (the token may be sent)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            # no cookies kept, no proxy or .netrc read from the environment (a file read on the loop)
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)
        return self._session

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ identity

    async def identify(self, deadline: Deadline) -> float:
        """Check, without the token, that the host is the API: it refuses a request without one.

        Returns the latency; IdentityMismatch when it is not the API, RequestFailed when it does
        not answer usably."""
        url = self.endpoint.url("devices")
        raw = await self._send("GET", url, deadline, {"Accept": JSON}, None, None)
        if raw.status in (401, 403):
            self.identified = True
            return raw.latency_ms
        if raw.status == 429 or raw.status >= 500:
            self._fail(raw, f"GET {url.path}")
        raise IdentityMismatch(
            f"{self.endpoint.where} answered a request without a token with {raw.status} {raw.reason}, where the "
            "SmartThings API refuses it (401): it is not the SmartThings API, and the token was not sent to it")

    # ------------------------------------------------------------------ requests

    async def get(self, target: str | URL, deadline: Deadline, params: Mapping[str, str] | None = None) -> Answer:
        """GET `target` (a path under the base, or a URL on its origin)."""
        return await self.request("GET", target, deadline, params=params)

    async def post(self, target: str | URL, deadline: Deadline, body: Any) -> Answer:
        """POST `body` as JSON to `target`."""
        return await self.request("POST", target, deadline, body=body)

    async def request(self, method: str, target: str | URL, deadline: Deadline, *,
                      params: Mapping[str, str] | None = None, body: Any = None) -> Answer:
        """One authenticated request, its 429s waited out while the time allows; RequestFailed otherwise."""
        if not self.identified:
            raise IdentityMismatch(f"{self.endpoint.where} has not shown it is the SmartThings API: the token was "
                                   "not sent")
        url = target if isinstance(target, URL) else self.endpoint.url(target)
        if not self.endpoint.same_origin(url):
            raise RequestFailed("garbled", f"{url.host} is not {self.endpoint.base.host}: the token goes nowhere else")
        what = f"{method} {url.path}"
        headers = {"Accept": JSON, "Authorization": f"Bearer {self._token.reveal()}"}
        for _ in range(ATTEMPTS):
            await self._wait_gate(what, deadline)
            raw = await self._send(method, url, deadline, headers, params, body)
            if raw.status != 429:
                return self._answer(raw, what)
            seconds = retry_after(raw.headers, raw.text)
            self.gate.hold(DEFAULT_RETRY if seconds is None else seconds)
            if self.gate.wait() > deadline.left():
                break
        self._fail(raw, what)
        raise AssertionError("unreachable")  # _fail always raises

    async def _wait_gate(self, what: str, deadline: Deadline) -> None:
        wait = self.gate.wait()
        if wait <= 0:
            return
        if wait > deadline.left():
            raise RequestFailed("rate_limited", f"the SmartThings cloud asked this token to wait {wait:.0f} s more "
                                f"before {what} (429 Too Many Requests): too many requests with this token (another "
                                "app using it?)", retry_after=wait)  # nothing was asked: no status
        await asyncio.sleep(wait)  # the loop goes on meanwhile: only this request waits

    async def _send(self, method: str, url: URL, deadline: Deadline, headers: Mapping[str, str],
                    params: Mapping[str, str] | None, body: Any) -> _Raw:
        what = f"{method} {url.path}"
        where = self.endpoint.where
        started = time.monotonic()
        if deadline.left() <= 0:
            raise RequestFailed("timeout", f"no time was left to ask {where} {what}", latency_ms=0.0)
        try:
            async with asyncio.timeout(deadline.left()):
                async with self._http().request(method, url, headers=headers, params=params, json=body,
                                                allow_redirects=False) as response:
                    text = (await _read(response)).decode("utf-8", errors="replace")
                    return _Raw(response.status, response.reason or "", dict(response.headers), text,
                                _elapsed(started))
        except TimeoutError:
            raise RequestFailed("timeout", f"{where} did not answer {what} within {deadline.seconds:g} s: the "
                                "SmartThings cloud is not answering (responsible: Samsung SmartThings, unless this "
                                "machine's internet connection is down)", latency_ms=_elapsed(started)) from None
        except aiohttp.ClientConnectorCertificateError:
            raise IdentityMismatch(f"{where} presents a certificate that is not valid for {url.host}: it is not the "
                                   "SmartThings API (or something intercepts the connection), and the token was "
                                   "not sent") from None
        except (aiohttp.ClientSSLError, ssl.SSLError) as error:
            raise RequestFailed("garbled", f"{where} does not speak TLS as the SmartThings API does "
                                f"({_reason(error)}): the token was not sent", latency_ms=_elapsed(started)) from None
        except aiohttp.ClientConnectorError as error:
            raise RequestFailed("unreachable", f"nothing answers at {where} ({_reason(error)}): this machine cannot "
                                "reach the SmartThings cloud (its internet connection, DNS, or the cloud)",
                                latency_ms=_elapsed(started)) from None
        except aiohttp.ServerDisconnectedError:
            raise RequestFailed("unreachable", f"{where} closed the connection without answering {what}",
                                latency_ms=_elapsed(started)) from None
        except aiohttp.ClientOSError as error:
            raise RequestFailed("unreachable", f"{where} reset the connection before answering {what} "
                                f"({_reason(error)})", latency_ms=_elapsed(started)) from None
        except (aiohttp.ClientResponseError, aiohttp.ClientPayloadError) as error:
            raise RequestFailed("garbled", f"{where} answered {what} with something that is not HTTP as the "
                                f"SmartThings API speaks it ({_reason(error)})", latency_ms=_elapsed(started)) from None
        except (aiohttp.ClientError, OSError) as error:
            raise RequestFailed("unreachable", f"{where} could not be asked {what} ({_reason(error)})",
                                latency_ms=_elapsed(started)) from None

    def _answer(self, raw: _Raw, what: str) -> Answer:
        if not 200 <= raw.status < 300:
            self._fail(raw, what)
        try:
            body = json.loads(raw.text) if raw.text.strip() else {}
        except (ValueError, RecursionError):
            raise RequestFailed("garbled", f"{self.endpoint.where} answered {what} with something that is not the "
                                f"API's JSON: {excerpt(raw.text)}", status=raw.status,
                                latency_ms=raw.latency_ms) from None
        return Answer(raw.status, body, raw.latency_ms)

    def _fail(self, raw: _Raw, what: str) -> None:
        """Raise the RequestFailed an error answer makes."""
        status, where = raw.status, self.endpoint.where
        said = f"{status} {raw.reason}".strip()
        if status in (401, 403):
            raise RequestFailed("credentials", f"the SmartThings cloud refuses the personal access token ({said} to "
                                f"{what}): {TOKEN_ADVICE}", status=status, latency_ms=raw.latency_ms)
        if status == 429:
            seconds = retry_after(raw.headers, raw.text)
            raise RequestFailed("rate_limited", f"the SmartThings cloud answered {what} with 429 Too Many Requests "
                                f"(retry after {seconds if seconds is not None else DEFAULT_RETRY:g} s): too many "
                                "requests with this token (another app using it?)", status=429,
                                retry_after=seconds, latency_ms=raw.latency_ms)
        if status >= 500:
            raise RequestFailed("cloud_error", f"the SmartThings cloud answered {what} with {said}: its service is "
                                "failing, not this home (responsible: Samsung SmartThings)", status=status,
                                latency_ms=raw.latency_ms)
        if 300 <= status < 400:
            raise RequestFailed("garbled", f"{where} answered {what} with a redirect ({said}), which the SmartThings "
                                "API never sends: not followed, the token goes nowhere else", status=status,
                                latency_ms=raw.latency_ms)
        code, words = error_of(raw.text)
        if 400 <= status < 500:
            reason: Reason = "not_found" if status == 404 else "refused"
            raise RequestFailed(reason, f"the SmartThings cloud refused {what} ({said}{f', {code}' if code else ''}): "
                                f"{words}", status=status, code=code, latency_ms=raw.latency_ms)
        raise RequestFailed("garbled", f"{where} answered {what} with {said}, not an answer of the API",
                            status=status, latency_ms=raw.latency_ms)


async def _read(response: aiohttp.ClientResponse) -> bytes:
    """The body, refusing one larger than any answer of the API."""
    if response.content_length is not None and response.content_length > MAX_BODY:
        raise aiohttp.ClientPayloadError(f"an answer of {response.content_length} bytes")
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            raise aiohttp.ClientPayloadError(f"an answer of more than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(error: BaseException) -> str:
    """What a low-level error says, in a few words (never the request: it holds the token)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        inner = error.os_error
        return inner.strerror or type(inner).__name__ if isinstance(inner, OSError) else type(error).__name__
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, aiohttp.ClientResponseError):
        return " ".join(str(error.message).split())[:160] or type(error).__name__
    text = " ".join(str(error.args[0]).split()) if error.args and isinstance(error.args[0], str) else ""
    return f"{type(error).__name__}: {text}"[:160] if text else type(error).__name__
