"""Talking to one legacy Kasa device: a JSON request over TCP, or a datagram over UDP, every
exchange bounded by a timeout and every failure classified.

What a failure means, by layer (each a `RequestFailed`):

- `network`: nothing answers (refused, unreachable), no answer within the timeout, the
  connection reset or closed before the answer was complete;
- `device`: the device answered, but not with the protocol's JSON (a length no Kasa device
  sends, or bytes that do not decrypt to a JSON object: a firmware's cut-off answer, or some
  other protocol on the port).

Each TCP request opens its own connection and closes it after the answer: a session's
snapshot and probe run side by side, and a device that restarted meanwhile leaves no stale
connection behind. python-kasa keeps one connection open instead; both are what the
firmware serves.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from weaklink.live.datagram import FirstAnswer

from .errors import RequestFailed
from .wire import LENGTH, MAX_ANSWER, decrypt, encrypt, frame

EXCERPT = 80  # characters of a malformed answer kept as evidence


@dataclass(frozen=True)
class Answer:
    """A decrypted JSON object and how long it took."""

    body: dict[str, Any]
    latency_ms: float


def excerpt(text: str) -> str:
    """The start of a malformed answer, quoted as evidence."""
    return repr(text[:EXCERPT] + ("…" if len(text) > EXCERPT else ""))


def _elapsed(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def parse(where: str, what: str, payload: bytes, latency_ms: float) -> Answer:
    """The JSON object in a decrypted answer; RequestFailed (device, malformed) when there is none."""
    text = payload.decode("utf-8", errors="replace")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise RequestFailed("device", "malformed", f"{where} answered {what} with something that is not the Kasa "
                            f"protocol's JSON: {excerpt(text)}", latency_ms)
    return Answer(body, latency_ms)


class KasaTransport:
    """Requests to the device at `address:port` (TCP for commands, UDP for discovery)."""

    def __init__(self, address: str, port: int) -> None:
        self.address = address
        self.port = port
        self.where = f"{address}:{port}"

    async def query(self, request: dict[str, Any], timeout: float) -> Answer:
        """Send one request over TCP; its decrypted JSON answer, or RequestFailed naming the layer."""
        what = _describe(request)
        started = time.monotonic()
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(self.address, self.port)
                writer.write(frame(json.dumps(request, separators=(",", ":")).encode()))
                await writer.drain()
                header = await reader.readexactly(LENGTH.size)
                (length,) = LENGTH.unpack(header)
                if length > MAX_ANSWER:
                    raise RequestFailed("device", "malformed", f"{self.where} answered {what} with a length of "
                                        f"{length} bytes (header {header.hex()}): not the Kasa protocol",
                                        _elapsed(started))
                payload = decrypt(await reader.readexactly(length))
        except RequestFailed:
            raise
        except TimeoutError:
            raise RequestFailed("network", "timeout", f"{self.where} did not answer {what} within {timeout:g} s",
                                _elapsed(started)) from None
        except asyncio.IncompleteReadError as error:
            how = "closed the connection without answering" if not error.partial and error.expected == LENGTH.size \
                else "cut the connection before its answer was complete"
            raise RequestFailed("network", "reset", f"{self.where} {how} {what}", _elapsed(started)) from None
        except ConnectionResetError:
            raise RequestFailed("network", "reset", f"{self.where} reset the connection before answering {what}: "
                                "its service is crashing or restarting", _elapsed(started)) from None
        except OSError as error:
            raise RequestFailed("network", "unreachable", f"nothing answers at {self.where} ({_reason(error)}): the "
                                "device is off, off the network, or has moved to another address",
                                _elapsed(started)) from None
        finally:
            if writer is not None:
                writer.close()
        return parse(self.where, what, payload, _elapsed(started))

    async def datagram(self, request: dict[str, Any], timeout: float) -> Answer:
        """Send one request over UDP, to this address only, and read the first answer from it."""
        what = _describe(request)
        started = time.monotonic()
        try:
            transport, endpoint = await asyncio.get_running_loop().create_datagram_endpoint(
                FirstAnswer, remote_addr=(self.address, self.port))
        except OSError as error:
            raise RequestFailed("network", "unreachable", f"cannot reach {self.where} ({_reason(error)})") from None
        try:
            transport.sendto(encrypt(json.dumps(request, separators=(",", ":")).encode()))
            async with asyncio.timeout(timeout):
                payload = decrypt(await endpoint.answer)
        except TimeoutError:
            raise RequestFailed("network", "timeout", f"{self.where} did not answer {what} over UDP within "
                                f"{timeout:g} s", _elapsed(started)) from None
        except OSError as error:
            raise RequestFailed("network", "unreachable", f"nothing answers at {self.where} over UDP "
                                f"({_reason(error)})", _elapsed(started)) from None
        finally:
            transport.close()
        return parse(self.where, what, payload, _elapsed(started))


def _describe(request: dict[str, Any]) -> str:
    """`system.get_sysinfo`, `emeter.get_realtime + …` for a person."""
    names = [f"{module}.{method}" for module, methods in request.items() if module != "context"
             and isinstance(methods, dict) for method in methods]
    return " + ".join(names) or "its request"


def _reason(error: OSError) -> str:
    return os.strerror(error.errno) if error.errno else (error.strerror or type(error).__name__)
