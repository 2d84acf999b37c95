"""One device's miIO conversation: the hello and identity check, then python-miio's encrypted
JSON-RPC, run in the session's own worker thread (python-miio blocks), one command at a time.

The token is sent (inside a sealed packet) only after a hello whose device id matches the one
the home file names. Every command is bounded: python-miio's socket waits at most the time
left, and it is told never to retry nor to do its own 5-second handshake. Whatever comes back
that is not an answer becomes a `MiioFailure` naming its layer, never a stray exception:

| what python-miio raises                       | layer       | reason        |
|-----------------------------------------------|-------------|---------------|
| DeviceException from construct's ChecksumError | integration | `token`       |
| DeviceException from a socket timeout          | see below   |               |
| PayloadDecodeException (sealed, not JSON)      | device      | `undecodable` |
| DeviceError (the device's own error answer)    | device      | `error`       |
| construct's ConstError, StreamError, …         | device      | `malformed`   |
| DeviceException from another OSError           | network     | `unreachable` |

A command that gets no answer is told apart by saying hello again: a device that answers the
hello but not a command sealed with our token ignores what it cannot decrypt (`ignored`,
integration); one that no longer answers the hello went away (network); and when the time left
was less than a few hello round trips, the device is merely `slow` (network).
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from json import JSONDecodeError
from typing import Any, TypeVar

import construct
from miio.exceptions import DeviceError, DeviceException, PayloadDecodeException
from miio.miioprotocol import MiIOProtocol

from weaklink.live.secrets import Secret
from weaklink.report import Layer

from .errors import IdentityMismatch, MiioFailure
from .hello import MIIO_PORT, HelloReply, say_hello, where

SLOW_FACTOR = 3  # a command may take this many hello round trips before a silent device counts as slow
GRACE = 0.1  # seconds beyond python-miio's own socket timeout before the loop stops waiting for the thread
_HEX_RUN = re.compile(r"[0-9a-fA-F]{8,}")  # a token, or part of one, inside an excerpt of an answer
WORKER_PREFIX = "weaklink-miio"

T = TypeVar("T")


class _NoAnswer(Exception):
    """python-miio's socket timed out waiting for the answer to a command."""


class _Protocol(MiIOProtocol):
    """python-miio's protocol, told the outcome of weaklink's hello instead of saying its own."""

    def adopt(self, hello: HelloReply) -> None:
        """Take the device id and stamp a handshake would have read."""
        self._device_id = hello.device_id.to_bytes(4, "big")
        self._device_ts = datetime.fromtimestamp(hello.stamp, UTC).replace(tzinfo=None)
        self._discovered = True

    def exchange(self, method: str, params: Any, timeout: float) -> Any:
        """One command, one answer, waiting at most `timeout` seconds, never retried."""
        self._timeout = timeout  # type: ignore[assignment]  # python-miio says int; a socket takes a float
        return self.send(method, params, retry_count=0)

    def send_handshake(self, *, retry_count: int = 0) -> Any:
        """Never python-miio's own (5 s a try): the client says hello before every first command."""
        raise DeviceException("no handshake: weaklink says hello itself")


class _OwnFailures(logging.Filter):
    """Keeps python-miio from logging, as errors, the failures of our calls: each becomes a finding."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING or not (record.threadName or "").startswith(WORKER_PREFIX)


_MIIO_LOGGER = logging.getLogger("miio.miioprotocol")
if not any(isinstance(existing, _OwnFailures) for existing in _MIIO_LOGGER.filters):
    _MIIO_LOGGER.addFilter(_OwnFailures())


class Deadline:
    """A time budget shared by the steps of one operation."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left, never negative."""
        return max(self.end - time.monotonic(), 0.0)


class MiioClient:
    """Talks to one miIO device at `address`, as device `expected_id` when the home file names it."""

    def __init__(self, address: str, token: Secret, *, port: int = MIIO_PORT, expected_id: int | None = None) -> None:
        self.address = address
        self.port = port
        self.expected_id = expected_id
        self.device_id = expected_id
        self.hello: HelloReply | None = None
        self._token = token
        self._protocol: _Protocol | None = None
        self._lock = asyncio.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{WORKER_PREFIX}-{address}")

    @property
    def where(self) -> str:
        """The device's address, as a person reads it."""
        return where(self.address, self.port)

    async def greet(self, timeout: float) -> HelloReply:
        """Say hello and check who answers; `IdentityMismatch` when it is not the expected device."""
        hello = await say_hello(self.address, timeout, self.port)
        if self.expected_id is not None and hello.device_id != self.expected_id:
            self.hello = None
            raise IdentityMismatch(
                f"another miIO device answers at {self.where}: device id {hello.device_id}, where the home file "
                f"names {self.expected_id}; nothing was sent to it (the device moved, or its address was "
                "given to another one)")
        self.device_id = hello.device_id
        await self._in_worker(self._adopt, hello)  # its stamp is what the next command's header carries
        self.hello = hello
        return hello

    async def call(self, method: str, params: Any, timeout: float) -> Any:
        """Send one command with the token and return the device's `result`, or raise a `MiioFailure`."""
        deadline = Deadline(timeout)
        async with self._lock:
            hello = self.hello if self.hello is not None else await self.greet(deadline.left())
            wait = deadline.left() * 2 / 3  # the rest is for a second hello, should this one go unanswered
            try:
                return await asyncio.wait_for(self._in_worker(self._exchange, method, params, wait), wait + GRACE)
            except (_NoAnswer, TimeoutError):
                self.hello = None  # say hello again before the next command, as python-miio would
                raise await self._silence(method, hello, wait, deadline) from None
            except Exception as exc:  # noqa: BLE001 - whatever python-miio raises becomes a finding
                raise self._failure(method, exc) from exc

    async def close(self) -> None:
        """Let the worker thread go (a command it still runs ends at its own socket timeout)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    # -------------------------------------------------------------- in the worker thread

    async def _in_worker(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, partial(call, *args))

    def _adopt(self, hello: HelloReply) -> None:
        if self._protocol is None:
            self._protocol = _Protocol(self.address, self._token.reveal())
            self._protocol.port = self.port
        self._protocol.adopt(hello)

    def _exchange(self, method: str, params: Any, wait: float) -> Any:
        assert self._protocol is not None  # greet() made it
        try:
            return self._protocol.exchange(method, params, max(wait, 0.01))
        except DeviceException as exc:
            if isinstance(exc.__cause__, socket.timeout):
                raise _NoAnswer from exc
            raise

    # -------------------------------------------------------------- what went wrong

    async def _silence(self, method: str, hello: HelloReply, wait: float, deadline: Deadline) -> MiioFailure:
        """Why a command went unanswered: slow, gone, or ignoring our token."""
        if wait * 1000 < SLOW_FACTOR * hello.latency_ms:
            return MiioFailure(Layer.NETWORK, "slow", (
                f"{self.where} is slow: it answered the miIO hello after {hello.latency_ms:.0f} ms, and {method} "
                f"had no answer in the {wait * 1000:.0f} ms it could still wait"))
        try:
            await self.greet(deadline.left())
        except IdentityMismatch as mismatch:
            return mismatch
        except MiioFailure as gone:
            return MiioFailure(gone.layer, gone.reason, f"{self.where} stopped answering during {method}: {gone.detail}")
        return MiioFailure(Layer.INTEGRATION, "ignored", (
            f"{self.where} answers the miIO hello but not {method} sealed with our token (no answer in "
            f"{wait * 1000:.0f} ms): its token has probably changed (the device was reset or re-added in the "
            "Mi Home app); read the new token and update the home file"))

    def _failure(self, method: str, exc: Exception) -> MiioFailure:
        """The finding a python-miio exception stands for."""
        cause = exc.__cause__
        if isinstance(exc, PayloadDecodeException):
            return MiioFailure(Layer.DEVICE, "undecodable", (
                f"{self.where} answered {method} with a sealed packet whose content is not JSON, as buggy "
                f"firmware does ({_decode_evidence(cause)})"))
        if isinstance(exc, DeviceError):
            return MiioFailure(Layer.DEVICE, "error",
                               f"{self.where} refused {method}: {exc.message} (error {exc.code})")
        if isinstance(exc, DeviceException) and isinstance(cause, construct.ChecksumError):
            return MiioFailure(Layer.INTEGRATION, "token", (
                f"{self.where} does not accept our token (checksum error): it sealed its answer to {method} with "
                "another one. The device was probably reset or re-added in the Mi Home app; read its new "
                "token and update the home file"))
        if isinstance(exc, DeviceException) and isinstance(cause, OSError):
            return MiioFailure(Layer.NETWORK, "unreachable", f"cannot send {method} to {self.where}: {cause}")
        # construct's ConstError and StreamError escape python-miio unwrapped; anything else it cannot read
        first_line = (str(exc).splitlines() or [""])[0]
        return MiioFailure(Layer.DEVICE, "malformed", (
            f"{self.where} answered {method} with a malformed miIO packet ({type(exc).__name__}: {first_line})"))


def _decode_evidence(cause: BaseException | None) -> str:
    """What python-miio could not parse, quoted short, with anything like a token cut out."""
    if not isinstance(cause, JSONDecodeError):
        return f"{type(cause).__name__}: {cause}" if cause is not None else "no detail"
    tail = _HEX_RUN.sub("…", cause.doc[-40:])
    return f"{cause.msg} at character {cause.pos} of {len(cause.doc)}; it ends {tail!r}"
