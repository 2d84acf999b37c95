"""Probing one legacy Kasa device, layer by layer; a sick device is a finding, never an exception.

| what the probe sees                                              | layer   | ok    | problem     | element |
|------------------------------------------------------------------|---------|-------|-------------|---------|
| nothing answers on TCP 9999 (refused, unreachable), or the       | network | False | unreachable | device  |
| connection is reset or cut before the answer is complete         |         |       |             |         |
| no answer within the probe's time                                | network | False | timeout     | device  |
| another device, or no Kasa device, answers get_sysinfo there     | network | False | identity    | device  |
| (the device moved and the address went to another host)         |         |       |             |         |
| the device expected answers get_sysinfo                          | network | True  |             | device  |
| an answer that is not the protocol's JSON (a length no device    | device  | False | garbled     | device  |
| sends, bytes that do not decrypt to JSON, a field of the wrong   |         |       |             |         |
| type): something answers, so network is True before it           |         |       |             |         |
| get_sysinfo refused with an `err_code`                           | device  | False |             | device  |
| what the device is: model, firmware, Wi-Fi signal                | device  | True  |             | device  |
| a relay that still reports the opposite of what this session     | device  | False |             | relay   |
| commanded (`act`): the relay does not follow commands            |         |       |             |         |
| each relay's state otherwise                                     | device  | True  |             | relay   |

There is no `integration` layer: the legacy protocol has no credentials to refuse.

A malformed answer is a `device` finding: the network carried the bytes and whatever answers
on the port put garbage in them (a crashing firmware's cut-off JSON, or another protocol);
the excerpt is the evidence. A connection cut mid-answer is `network`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from weaklink.live.secrets import mask
from weaklink.model import ProbeResult

from .errors import IdentityMismatch, RequestFailed
from .relays import Relay

if TYPE_CHECKING:
    from .session import Command, KasaSession, Reading

WEAK_SIGNAL_DBM = -80


def probe_result(element: str, layer: str, ok: bool, detail: str, latency_ms: float | None = None,
                 problem: str | None = None) -> ProbeResult:
    """One finding about `element`, its words masked."""
    return ProbeResult(element=element, layer=layer, ok=ok, detail=mask(detail), at=datetime.now(UTC),
                       latency_ms=latency_ms, problem=problem)


def finding(element: str, failure: RequestFailed) -> ProbeResult:
    """The finding a failed request makes."""
    return probe_result(element, failure.layer, False, failure.detail, failure.latency_ms, failure.problem)


async def probe_session(session: KasaSession, timeout: float) -> list[ProbeResult]:
    """The device's health: network, then the device and each relay."""
    try:
        return await _probe(session, timeout)
    except Exception as error:  # the contract: no sick host makes a probe raise; this is weaklink's own failure
        return [probe_result(session.element, "device", False, f"the Kasa adapter could not probe {session.where}: "
                             f"{type(error).__name__}: {error}")]


async def _probe(session: KasaSession, timeout: float) -> list[ProbeResult]:
    met, session.connect_failure = session.connect_failure, None
    try:
        if met is not None:
            raise met
        reading = await session.identify(timeout)
    except RequestFailed as failure:
        answered = [probe_result(session.element, "network", True, f"something answers on {session.where} (TCP)")]
        return [*(answered if failure.layer == "device" else []), finding(session.element, failure)]
    except IdentityMismatch as error:
        return [probe_result(session.element, "network", False, f"{error}. The device has probably moved to another "
                        "address, and another host answers at this one.", problem=error.problem)]
    element = reading.identity.element
    results = [probe_result(element, "network", True, f"{session.where} answers get_sysinfo as "
                       f"{reading.identity.describe()}", reading.latency_ms)]
    commanded = dict(session.commanded)  # before this reading forgets the ones carried out
    try:
        relays = session.relays(reading)
    except RequestFailed as failure:
        return [*results, finding(element, failure)]
    results.append(probe_result(element, "device", True, _health(reading), reading.latency_ms))
    results.extend(relay_result(relay, commanded.get(relay.capability_id), reading.latency_ms) for relay in relays)
    return results


def _health(reading: Reading) -> str:
    """What the device is, from its get_sysinfo."""
    parsed = reading.parsed
    parts = [reading.identity.model]
    if parsed.hw_ver:
        parts.append(f"hardware {parsed.hw_ver}")
    if parsed.sw_ver:
        parts.append(f"firmware {parsed.sw_ver}")
    if parsed.rssi is not None:
        parts.append(f"Wi-Fi signal {parsed.rssi} dBm" + (" (weak)" if parsed.rssi < WEAK_SIGNAL_DBM else ""))
    return f"{reading.identity.alias or reading.identity.model} answers: {', '.join(parts)}"


def relay_result(relay: Relay, command: Command | None, latency_ms: float) -> ProbeResult:
    """A relay's state, or that it does not follow what this session commanded."""
    if command is not None and relay.on is not None and relay.on != command.on:
        wanted = "on" if command.on else "off"
        return probe_result(relay.capability_id, "device", False, (
            f"{relay.name} was switched {wanted} at {command.at:%H:%M:%S} UTC (the device accepted the command) "
            f"and still reports {relay.state}: the relay does not follow commands (a stuck relay or a failed "
            "relay driver)"), latency_ms)
    return probe_result(relay.capability_id, "device", True, f"{relay.name} is {relay.state or 'in an unknown state'}",
                   latency_ms)
