"""Probing one Shelly, layer by layer; a sick device is a finding, never an exception.

| what the probe sees                                              | layer       | ok    | element |
|------------------------------------------------------------------|-------------|-------|---------|
| nothing answers (refused, unreachable), no answer in time, the   | network     | False | device  |
| connection cut                                                   |             |       |         |
| another device, or no Shelly, answers `/shelly` at the address   | network     | False | device  |
| (the device moved and the address went to another host)         |             |       |         |
| the device answers `/shelly` as the device expected              | network     | True  | device  |
| 401 to the status read: password wrong, changed, or not given    | integration | False | device  |
| the status read with our password (or with none needed)          | integration | True  | device  |
| malformed JSON or HTTP, or an error status, in a device's answer | device      | False | device  |
| a relay in overpower (Gen1 `relays[i].overpower`, Gen2+          | device      | False | relay   |
| `switch:<i>.errors`), or any other error the switch lists        |             |       |         |
| a relay without fault                                            | device      | True  | relay   |

A malformed answer is a `device` finding: the network carried a well-formed HTTP answer and
the device's firmware put garbage in it (a cut-off JSON body, as a crashing firmware sends
it); the excerpt is the evidence. A connection cut mid-answer is `network`.

Each step stops the probe when it fails (nothing behind a host that does not answer can be
known); every request is bounded by what is left of `timeout`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from weaklink.live.secrets import mask
from weaklink.model import ProbeResult

from .errors import IdentityMismatch, RequestFailed
from .relays import RelayState, capability_id

if TYPE_CHECKING:
    from .session import ShellySession

FAULTS = {
    "overpower": "its load draws more power than the relay allows, so the relay switched off; it stays off until "
                 "the load is reduced and the relay is switched on again",
    "overcurrent": "its load draws more current than the relay allows, so the relay switched off",
    "overtemp": "the device overheated and switched the relay off",
    "overvoltage": "the supply voltage is above what the device accepts",
    "undervoltage": "the supply voltage is below what the device needs",
}


def _result(element: str, layer: str, ok: bool, detail: str, latency_ms: float | None = None,
            problem: str | None = None) -> ProbeResult:
    return ProbeResult(element=element, layer=layer, ok=ok, detail=mask(detail), at=datetime.now(UTC),
                       latency_ms=latency_ms, problem=problem)


def finding(element: str, failure: RequestFailed) -> ProbeResult:
    """The finding a failed request makes."""
    return _result(element, failure.layer, False, failure.detail, failure.latency_ms, failure.problem)


async def probe_session(session: ShellySession, timeout: float) -> list[ProbeResult]:
    """The device's health: network, then integration, then each relay (device)."""
    try:
        return await _probe(session, timeout)
    except Exception as error:  # the contract: no sick host makes a probe raise; this is weaklink's own failure
        return [_result(session.element, "integration", False, f"the Shelly adapter could not probe "
                        f"{session.http.where}: {type(error).__name__}: {error}")]


async def _probe(session: ShellySession, timeout: float) -> list[ProbeResult]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    failure, session.connect_failure = session.connect_failure, None
    try:
        if failure is not None:
            raise failure
        identity = await session.identify(timeout)
    except RequestFailed as failure:
        return [finding(session.element, failure)]
    except IdentityMismatch as error:
        return [_result(session.element, "network", False, f"{error}. The device has probably moved to another "
                        "address, and another host answers at this one.", problem=error.problem)]
    element = session.element
    results = [_result(element, "network", True, f"{session.http.where} answers as {identity.describe()}",
                       session.identity_latency_ms)]
    try:
        relays, latency = await session.read_relays(max(deadline - loop.time(), 0.001))
    except RequestFailed as failure:
        return [*results, finding(element, failure)]
    results.append(_result(element, "integration", True, _accepted(session, identity.auth), latency))
    name = identity.name or identity.device_id
    results.extend(_relay_result(capability_id(identity.device_id, relay.index), name, relay, latency)
                   for relay in relays)
    return results


def _accepted(session: ShellySession, device_has_password: bool) -> str:
    if session.http.has_password and device_has_password:
        return f"{session.http.where} accepted the password"
    if session.http.has_password:
        return f"{session.http.where} answers without authentication (it has no password; the home file's is unused)"
    return f"{session.http.where} answers without authentication (it has no password)"


def _relay_result(element: str, device_name: str, relay: RelayState, latency_ms: float) -> ProbeResult:
    if not relay.errors:
        return _result(element, "device", True, f"relay {relay.index} of {device_name} is {relay.state}, "
                       "no fault reported", latency_ms)
    why = "; ".join(FAULTS.get(error, f"the device reports {error}") for error in relay.errors)
    return _result(element, "device", False, f"relay {relay.index} of {device_name} is {relay.state} and reports "
                   f"{', '.join(relay.errors)} ({relay.fault_evidence}): {why}", latency_ms)
