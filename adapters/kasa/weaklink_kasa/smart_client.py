"""SMART requests to a Tapo device, over a KLAP transport.

A request is `{"method", "params", "request_time_milis", "terminal_uuid"}`; the answer
`{"error_code": 0, "result": {…}}`, or a non-zero `error_code` (a negative number: `-1002`
unknown method, `-1008` bad parameters…) without a result. As python-kasa does:

- several methods go in one `multipleRequest` (`{"requests": [{"method", "params"}, …]}`,
  answered `{"responses": [{"method", "result", "error_code"}, …]}`), at most `BATCH` at
  a time; a method the answer leaves out is asked on its own;
- a list that comes in pages (`start_index` and `sum` beside it) is asked again from where
  it ended until it is whole;
- a strip's outlet is asked through `control_child {"device_id", "requestData"}`, its answer
  under `responseData`.

`query` records a refused method as its error code, a bare number, which is how python-kasa's
dumps record it and what the offline reader expects; `call` raises on it instead.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import RequestFailed
from .klap_transport import KlapTransport, excerpt

BATCH = 5  # methods per multipleRequest (python-kasa's default; some firmware refuses more)
MAX_PAGES = 20  # a list longer than this many pages is not believed
ERROR_NAMES = {-1: "failed", -1001: "unspecified error", -1002: "unknown method", -1003: "JSON decode failed",
               -1008: "bad parameters", -1010: "invalid public key", -1501: "login error", -1901: "countdown error"}


@dataclass(frozen=True)
class Results:
    """Each method's result (a dict), or its error code (an int), and how long it all took."""

    by_method: dict[str, Any]
    latency_ms: float


def refusal(where: str, what: str, code: object, latency_ms: float | None = None) -> RequestFailed:
    """The device finding of a method the device refused with an error code."""
    name = ERROR_NAMES.get(code) if isinstance(code, int) else None
    return RequestFailed("device", "refused", f"{where} refused {what}: error_code {code}"
                         + (f" ({name})" if name else ""), latency_ms)


class SmartClient:
    """SMART methods on one device."""

    def __init__(self, transport: KlapTransport) -> None:
        self.transport = transport
        # what the app calls itself: a random id per session, as python-kasa makes one
        self.terminal_uuid = base64.b64encode(hashlib.md5(uuid.uuid4().bytes).digest()).decode()

    @property
    def where(self) -> str:
        """`127.0.0.5:80`."""
        return self.transport.where

    def _envelope(self, method: str, params: Any) -> dict[str, Any]:
        request: dict[str, Any] = {"method": method, "request_time_milis": round(time.time() * 1000),
                                   "terminal_uuid": self.terminal_uuid}
        if params is not None:
            request["params"] = params
        return request

    async def _send(self, method: str, params: Any, timeout: float) -> tuple[dict[str, Any], float]:
        """One request's whole answer (`error_code` and `result`), checked for its shape."""
        answer = await self.transport.request(self._envelope(method, params), timeout, method)
        code = answer.body.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            raise RequestFailed("device", "malformed", f"{self.where} answered {method} without an error_code: "
                                f"{excerpt(str(answer.body))}", answer.latency_ms)
        return answer.body, answer.latency_ms

    async def call(self, method: str, params: Any = None, *, timeout: float) -> tuple[Any, float]:
        """One method's result; RequestFailed (device, refused) when the device refuses it."""
        body, latency = await self._send(method, params, timeout)
        if body["error_code"] != 0:
            raise refusal(self.where, method, body["error_code"], latency)
        return body.get("result"), latency

    async def query(self, methods: Mapping[str, Any], *, timeout: float) -> Results:
        """Every method's result, or its error code; lists that come in pages, whole."""
        started = time.monotonic()
        names = list(methods)
        found: dict[str, Any] = {}
        for start in range(0, len(names), BATCH):
            batch = names[start:start + BATCH]
            requests = [{"method": name, **({"params": methods[name]} if methods[name] is not None else {})}
                        for name in batch]
            result, _ = await self.call("multipleRequest", {"requests": requests}, timeout=timeout)
            for response in _responses(result, self.where):
                method = response.get("method")
                if method in batch and method not in found:
                    code = response.get("error_code", 0)
                    found[method] = response.get("result") if code == 0 else code
        for name in names:
            if name not in found:  # left out of the answer (a firmware stops a batch at an error): ask alone
                body, _ = await self._send(name, methods[name], timeout)
                found[name] = body.get("result") if body["error_code"] == 0 else body["error_code"]
        for name, result in found.items():
            if isinstance(result, dict):
                await self._whole_list(name, result, timeout)
        return Results(found, round((time.monotonic() - started) * 1000, 1))

    async def _whole_list(self, method: str, result: dict[str, Any], timeout: float) -> None:
        """Fetch the rest of a paged list into `result`."""
        total = result.get("sum")
        key = next((k for k, v in result.items() if isinstance(v, list)), None)
        if "start_index" not in result or not isinstance(total, int) or key is None:
            return
        for _ in range(MAX_PAGES):
            entries = result[key]
            if len(entries) >= total:
                return
            page, _ = await self.call(method, {"start_index": len(entries)}, timeout=timeout)
            more = page.get(key) if isinstance(page, dict) else None
            if not isinstance(more, list) or not more:
                return  # the device says there is more, and gives none: keep what came
            entries.extend(more)

    async def child(self, child_id: str, method: str, params: Any = None, *, timeout: float) -> tuple[Any, float]:
        """One method on a strip's outlet (`control_child`); RequestFailed when it is refused."""
        inner: dict[str, Any] = {"method": method}
        if params is not None:
            inner["params"] = params
        result, latency = await self.call("control_child", {"device_id": child_id, "requestData": inner},
                                          timeout=timeout)
        data = result.get("responseData") if isinstance(result, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("error_code"), int):
            raise RequestFailed("device", "malformed", f"{self.where} answered control_child {method} without its "
                                f"outlet's answer: {excerpt(str(result))}", latency)
        if data["error_code"] != 0:
            raise refusal(self.where, f"{method} for outlet {child_id}", data["error_code"], latency)
        return data.get("result"), latency


def _responses(result: Any, where: str) -> list[dict[str, Any]]:
    responses = result.get("responses") if isinstance(result, dict) else None
    if not isinstance(responses, list) or not all(isinstance(r, dict) for r in responses):
        raise RequestFailed("device", "malformed", f"{where} answered multipleRequest without its responses: "
                            f"{excerpt(str(result))}")
    return responses
