"""Probing one Tapo device (KLAP), layer by layer; a sick device is a finding, never an exception.

Every probe shakes hands anew, so that it tells whether the device still proves it knows the
account, not whether an old session still works.

| what the probe sees                                              | layer       | ok    | problem     | element |
|------------------------------------------------------------------|-------------|-------|-------------|---------|
| nothing answers on the HTTP port (refused, reset, cut)           | network     | False | unreachable | device  |
| no answer within the probe's time                                | network     | False | timeout     | device  |
| something answers (reported first when a later layer fails)     | network     | True  |             | device  |
| its handshake1 proof does not match the account: the password    | integration | False | credentials | device  |
| changed, the device was set up again, or another account's       |             |       |             |         |
| device has the address (nothing derived from the credentials is  |             |       |             |         |
| sent to it)                                                      |             |       |             |         |
| it proved it knows the account, and accepted ours                | integration | True  |             | device  |
| another device of the same account answers get_device_info       | network     | False | identity    | device  |
| an answer that is not KLAP's or SMART's (a handshake1 answer of  | device      | False | garbled     | device  |
| the wrong size, an HTTP error, a signature that does not match,  |             |       |             |         |
| JSON that does not parse, a field of the wrong type)             |             |       |             |         |
| get_device_info refused with an error code                       | device      | False |             | device  |
| what the device is: model, firmware, Wi-Fi signal                | device      | True  |             | device  |
| a relay that still reports the opposite of what this session     | device      | False |             | relay   |
| commanded (`act`): the relay does not follow commands            |             |       |             |         |
| each relay's state otherwise                                     | device      | True  |             | relay   |
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from weaklink.model import ProbeResult

from .errors import IdentityMismatch, RequestFailed
from .probe import WEAK_SIGNAL_DBM, finding, probe_result, relay_result

if TYPE_CHECKING:
    from .tapo_document import TapoReading
    from .tapo_session import TapoSession


async def probe_session(session: TapoSession, timeout: float) -> list[ProbeResult]:
    """The device's health: network, the account, then the device and each relay."""
    try:
        return await _probe(session, timeout)
    except Exception as error:  # the contract: no sick host makes a probe raise; this is weaklink's own failure
        return [probe_result(session.element, "device", False, f"the Kasa adapter could not probe {session.where}: "
                             f"{type(error).__name__}")]


def _answered(session: TapoSession) -> ProbeResult:
    return probe_result(session.element, "network", True, f"something answers KLAP's handshake on {session.where}")


def _failed(session: TapoSession, failure: RequestFailed, accepted: list[ProbeResult]) -> list[ProbeResult]:
    """A failure, after what it shows did work (something answered; the account was accepted)."""
    before = [_answered(session)] if failure.layer != "network" else []
    return [*before, *accepted, finding(session.element, failure)]


async def _probe(session: TapoSession, timeout: float) -> list[ProbeResult]:
    met, session.connect_failure = session.connect_failure, None
    if met is not None:
        return _failed(session, met, [])
    accepted: list[ProbeResult] = []
    try:
        # one deadline for the whole probe: a slow device must not hold it for one timeout per exchange
        async with asyncio.timeout(timeout):
            handshake_ms = await session.transport.handshake(timeout)
            accepted.append(probe_result(session.element, "integration", True, (
                f"{session.where} proved it knows the TP-Link account, and accepted the session (KLAP handshake)"),
                handshake_ms))
            commanded = dict(session.commanded)  # before this reading forgets the ones carried out
            reading, relays = await session.read_relays(timeout)
    except TimeoutError:
        failure = RequestFailed("network", "timeout", f"{session.where} did not answer the probe within {timeout:g} s")
        return _failed(session, failure, accepted)
    except RequestFailed as failure:
        return _failed(session, failure, accepted)
    except IdentityMismatch as error:
        return [*accepted, probe_result(session.element, "network", False, (
            f"{error}. It knows the same TP-Link account: the device has probably moved to another address, and "
            "another of the account's devices answers at this one."), problem=error.problem)]
    element = reading.identity.element
    network = probe_result(element, "network", True, f"{session.where} answers KLAP as {reading.identity.describe()}",
                           reading.latency_ms)
    accepted = [result.model_copy(update={"element": element}) for result in accepted]
    return [network, *accepted, probe_result(element, "device", True, _health(reading), reading.latency_ms),
            *(relay_result(relay, commanded.get(relay.capability_id), reading.latency_ms) for relay in relays)]


def _health(reading: TapoReading) -> str:
    """What the device is, from its get_device_info."""
    info = reading.info
    parts = [reading.identity.model]
    if isinstance(info.get("hw_ver"), str):
        parts.append(f"hardware {info['hw_ver']}")
    if reading.identity.firmware:
        parts.append(f"firmware {reading.identity.firmware}")
    rssi = info.get("rssi")
    if isinstance(rssi, int) and not isinstance(rssi, bool):
        parts.append(f"Wi-Fi signal {rssi} dBm" + (" (weak)" if rssi < WEAK_SIGNAL_DBM else ""))
    for key in ("overheat_status", "overcurrent_status", "power_protection_status"):
        if isinstance(info.get(key), str) and info[key] != "normal":
            parts.append(f"{key.replace('_', ' ')}: {info[key]}")
    return f"{reading.identity.alias or reading.identity.model} answers: {', '.join(parts)}"
