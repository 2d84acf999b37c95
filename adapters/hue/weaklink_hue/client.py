"""HTTPS to one Hue bridge: the identity check first, then CLIP v2 and v1 requests with the key.

No request carries the application key before `verify` has checked who the host is
(`identity.check_identity`) and pinned its certificate (`tls`). Every failure is turned into
one of the adapter's errors (`errors`), the bridge's own error text read before its HTTP
status decides, and every wait is bounded by the caller's `timeout`.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp

from weaklink.live.secrets import Secret

from .config import BridgeConfig
from .errors import (
    BridgeFault,
    BridgeUnreachable,
    CertificateChanged,
    HueError,
    KeyRefused,
    NoClipV2,
)
from .identity import check_identity, normalize_bridge_id
from .tls import common_name, fetch_certificate, pinned_context

Api = Literal["v1", "v2"]
DEFAULT_PORT = 443
KEY_HEADER = "hue-application-key"
EVENTS_PATH = "/eventstream/clip/v2"
REPAIR = "pair weaklink again: press the bridge's link button and create a new key"


@dataclass
class V2Answer:
    """A CLIP v2 answer: its `data`, and the bridge's `errors` (warnings when the status is 207)."""

    status: int
    data: list[Any]
    errors: list[str] = field(default_factory=list)


def _failure(error: BaseException, where: str, timeout: float, doing: str = "") -> HueError:
    """The adapter's error for what went wrong talking to `where` (while `doing`, when given)."""
    if isinstance(error, TimeoutError):
        return BridgeUnreachable(f"{doing}no answer from {where} within {timeout:.2g} s: the bridge is hung or "
                                 "overloaded, or the network loses its packets", timed_out=True)
    if isinstance(error, aiohttp.ClientConnectorCertificateError | ssl.SSLCertVerificationError):
        return CertificateChanged(f"{doing}the host at {where} presents another certificate than the bridge did: "
                                  "it is not the same bridge (moved, replaced or reset); no credentials sent")
    if isinstance(error, aiohttp.ClientPayloadError):
        return BridgeFault(f"{doing}the answer from {where} was cut off ({type(error).__name__})", malformed=True)
    cause = error.os_error if isinstance(error, aiohttp.ClientConnectorError) else error
    if isinstance(cause, ConnectionRefusedError):
        return BridgeUnreachable(f"{doing}nothing accepts connections at {where} (connection refused): the bridge "
                                 "is off, or has moved to another address (`weaklink discover` finds it)")
    return BridgeUnreachable(f"{doing}the connection to {where} failed ({type(cause).__name__}: {cause})")


def _body(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise BridgeFault(f"{what}: the bridge answered with malformed JSON ({len(raw)} bytes, cut short or "
                          "not JSON)", malformed=True) from None


def _v1_errors(body: Any) -> list[dict[str, Any]]:
    """The `{"error": {...}}` items of a v1 answer."""
    if not isinstance(body, list):
        return []
    return [item["error"] for item in body if isinstance(item, dict) and isinstance(item.get("error"), dict)]


class BridgeClient:
    """One bridge's HTTPS API, as `address:port`, trusted once `verify` has checked its identity."""

    def __init__(self, address: str, port: int | None, expected_id: str | None, key: Secret | None) -> None:
        self.address = address
        self.port = port or DEFAULT_PORT
        self.expected_id = expected_id
        self.key = key
        self.bridge_id: str | None = None  # once verified
        self.config: BridgeConfig | None = None
        self._http: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()
        host = f"[{address}]" if ":" in address else address
        self.where = f"{host}:{self.port}"
        self.base_url = f"https://{self.where}"

    @property
    def verified(self) -> bool:
        """Whether the host's identity has been checked and its certificate pinned."""
        return self.bridge_id is not None

    # ------------------------------------------------------------ identity

    async def verify(self, timeout: float) -> BridgeConfig:
        """Check who the host is (certificate and `/api/config`), without sending any credential."""
        async with self._lock:
            if self.verified and self.config is not None:
                return self.config
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            try:
                async with asyncio.timeout(timeout):
                    der = await fetch_certificate(self.address, self.port)
            except (OSError, TimeoutError) as error:
                raise _failure(error, self.where, timeout) from None
            name = common_name(der)
            if self._http is not None:
                await self._http.close()
            self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=pinned_context(der)))
            config = await self.public_config(max(0.01, deadline - loop.time()))
            self.bridge_id = check_identity(self.expected_id, name, config.bridgeid, self.where)
            self.config = config
            return config

    async def public_config(self, timeout: float) -> BridgeConfig:
        """`GET /api/config` without a key: the bridge id, model, versions and MAC."""
        status, body = await self._exchange("GET", "/api/config", timeout, headers={})
        if status != 200:
            raise BridgeFault(f"GET /api/config: the bridge answered HTTP {status}")
        try:
            parsed = BridgeConfig.model_validate(_body(body, "GET /api/config"))
        except ValueError:
            raise BridgeFault("GET /api/config: the answer is not a bridge configuration", malformed=True) from None
        if self.verified and normalize_bridge_id(parsed.bridgeid) != self.bridge_id:
            raise CertificateChanged(f"the host at {self.where} now says it is bridge {parsed.bridgeid!r}, "
                                     f"not {self.bridge_id}")
        return parsed

    # ------------------------------------------------------------ requests with the key

    async def v2(self, method: str, path: str, timeout: float, body: Any = None) -> V2Answer:
        """A CLIP v2 request below `/clip/v2/resource` (`path` "" for every resource)."""
        headers = await self._key_header(timeout)
        url = "/clip/v2/resource" + (f"/{path}" if path else "")
        status, raw = await self._exchange(method, url, timeout, headers=headers, body=body)
        if status == 404 and not path:  # a v1-only bridge has no /clip/v2 at all
            raise NoClipV2(f"the bridge at {self.where} has no CLIP v2 (HTTP 404 for /clip/v2/resource)")
        try:
            envelope = json.loads(raw)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("data", []), list):
            if status >= 400:
                raise BridgeFault(f"{method} {url}: the bridge answered HTTP {status}")
            raise BridgeFault(f"{method} {url}: the bridge answered with malformed JSON or not a CLIP v2 "
                              f"envelope ({len(raw)} bytes)", malformed=True)
        errors = [str(item.get("description", item)) if isinstance(item, dict) else str(item)
                  for item in envelope.get("errors") or []]
        said = f": {'; '.join(errors)}" if errors else ""
        if status == 403:
            raise KeyRefused(f"the bridge refuses the application key (HTTP 403{said}): it was revoked "
                             f"(deleted in the Hue app) or belongs to another bridge; {REPAIR}")
        if status >= 400:
            raise BridgeFault(f"{method} {url}: the bridge answered HTTP {status}{said}")
        return V2Answer(status, envelope.get("data") or [], errors)

    async def v1(self, method: str, path: str, timeout: float, body: Any = None) -> Any:
        """A v1 request below `/api/<key>` (`path` "" for the whole bridge); v1 errors raised."""
        await self._key_header(timeout)
        assert self.key is not None
        shown = f"/api/<key>/{path}".rstrip("/")
        status, raw = await self._exchange(method, f"/api/{self.key.reveal()}/{path}".rstrip("/"), timeout,
                                           headers={}, body=body, shown=shown)
        answer = _body(raw, f"{method} {shown}")
        errors = _v1_errors(answer)
        if any(error.get("type") == 1 for error in errors):
            raise KeyRefused(f"the bridge refuses the application key (v1 error 1, unauthorized user): it was "
                             f"revoked (deleted in the Hue app) or belongs to another bridge; {REPAIR}")
        if status != 200 or (errors and len(errors) == len(answer)):
            said = "; ".join(str(error.get("description")) for error in errors) or f"HTTP {status}"
            raise BridgeFault(f"{method} {shown}: {said}")
        return answer

    @asynccontextmanager
    async def events(self, timeout: float) -> AsyncIterator[aiohttp.ClientResponse]:
        """The open v2 event stream (the response whose body is the server-sent events)."""
        headers = await self._key_header(timeout) | {"Accept": "text/event-stream"}
        assert self._http is not None
        stream_timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=None)
        try:
            async with asyncio.timeout(timeout):
                response = await self._http.get(self.base_url + EVENTS_PATH, headers=headers, timeout=stream_timeout)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise _failure(error, self.where, timeout) from None
        try:
            if response.status == 403:
                raise KeyRefused(f"the bridge refuses the application key on its event stream (HTTP 403); {REPAIR}")
            if response.status != 200:
                raise BridgeFault(f"the event stream answered HTTP {response.status}")
            yield response
        finally:
            response.release()

    async def close(self) -> None:
        """Close the connections."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    # ------------------------------------------------------------ plumbing

    async def _key_header(self, timeout: float) -> dict[str, str]:
        """The key header, once the host is verified (never before)."""
        if self.key is None:
            raise KeyRefused("no application key is configured for this bridge (credentials.app_key); " + REPAIR)
        await self.verify(timeout)
        return {KEY_HEADER: self.key.reveal()}

    async def _exchange(self, method: str, url: str, timeout: float, *, headers: dict[str, str],
                        body: Any = None, shown: str | None = None) -> tuple[int, bytes]:
        """Send one request to the verified host; its status and body, or the adapter's error."""
        if self._http is None:
            raise BridgeUnreachable(f"the bridge at {self.where} has not been reached yet")
        try:
            async with asyncio.timeout(timeout):
                async with self._http.request(method, self.base_url + url, headers=headers, json=body) as response:
                    return response.status, await response.read()
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise _failure(error, self.where, timeout, f"{method} {shown or url}: ") from None
