"""A live session with one legacy Kasa device (plug, dimmer, power strip): identity first, then
snapshot, probe, observe (by polling), act and dump.

The legacy protocol has no credentials, so identity is about not switching the wrong device:
before anything else, every operation asks `system.get_sysinfo` and checks that the device
answering is the one expected: the one the home file names (`options: {device_id: …}`
and/or `{mac: …}`), else the one that answered first in this session. An address that moved
to another Kasa device is refused (`IdentityMismatch`) before any command goes to it.

Host options: `device_id`, `mac` (the identity expected), `poll_interval` (observation,
seconds, 1 by default). The port is 9999 unless the home file gives another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, DeviceDump, HostSpec
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange

from .errors import IdentityMismatch, KasaError, RequestFailed
from .identity import Identity, NotAKasa, check_expected, read_identity, sysinfo_of
from .iot_models import SysInfo
from .live_document import MODULE_REQUEST, SYSINFO_REQUEST, document_of, fragment_of
from .naming import device_ref
from .probe import probe_session
from .relays import Command, Relay, forget_carried_out, poll_relays, relays_of, wanted_state
from .transport import KasaTransport
from .wire import KASA_PORT

DEFAULT_POLL_INTERVAL = 1.0  # seconds between two get_sysinfo reads while observing


@dataclass(frozen=True)
class Reading:
    """One get_sysinfo answer from the device expected: who it is and what it reports."""

    identity: Identity
    sysinfo: dict[str, Any]  # as the device answered it
    parsed: SysInfo
    latency_ms: float


class KasaSession:
    """An open session to one legacy Kasa device named by a `HostSpec`."""

    def __init__(self, host: HostSpec, timeout: float, poll_interval: float = DEFAULT_POLL_INTERVAL) -> None:
        self.host = host
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.port = host.port or KASA_PORT
        self.transport = KasaTransport(host.address, self.port)
        self.expected_id: str | None = host.options.get("device_id") or None
        self.expected_mac: str | None = host.options.get("mac") or None
        self.identity: Identity | None = None
        # relay states commanded by `act` that the device has not reported since: a probe that
        # still sees them otherwise says the relay does not follow commands
        self.commanded: dict[str, Command] = {}
        # what connect's identity request met, reported by the first probe instead of asking again:
        # a host that does not answer then costs one timeout, not two
        self.connect_failure: RequestFailed | None = None

    @property
    def where(self) -> str:
        """`127.0.0.5:9999`."""
        return self.transport.where

    @property
    def element(self) -> str:
        """The device's element id (`kasa:<deviceId>`), or `kasa:<address>` before it is known."""
        if self.identity is not None:
            return self.identity.element
        return device_ref(self.expected_id or self.host.address)

    # ------------------------------------------------------------------ identity

    async def identify(self, timeout: float) -> Reading:
        """Ask the device who it is and check it is the one expected.

        IdentityMismatch when it is another device or no Kasa device; RequestFailed when it gives
        no usable answer."""
        answer = await self.transport.query(SYSINFO_REQUEST, timeout)
        try:
            sysinfo = sysinfo_of(answer.body, self.where)
            identity, parsed = read_identity(sysinfo, self.where)
        except NotAKasa as error:
            raise IdentityMismatch(f"{self.where} does not answer get_sysinfo as a Kasa device does: {error}; "
                                   "nothing was switched on it") from None
        check_expected(identity, self.where, self.expected_id, self.expected_mac, self.identity)
        self.identity = identity
        return Reading(identity, sysinfo, parsed, answer.latency_ms)

    def relays(self, reading: Reading) -> list[Relay]:
        """The outputs a reading reports; commands they now show were carried out are forgotten."""
        return forget_carried_out(self.commanded, relays_of(reading.sysinfo, reading.parsed, self.where))

    async def read_document(self) -> tuple[Reading, dict[str, Any]]:
        """The device's answers as one python-kasa fixture document (`live_document`)."""
        reading = await self.identify(self.timeout)
        modules = await self.transport.query(MODULE_REQUEST, self.timeout)
        return reading, document_of(reading.sysinfo, modules.body, address=self.host.address, port=self.port)

    # ------------------------------------------------------------------ the contract

    async def snapshot(self) -> HomeFragment:
        """The device, its relay (or outlets, or light) and its sensors, as the offline reader maps its dump."""
        _, document = await self.read_document()
        return fragment_of(document, self.where)

    async def dump(self) -> DeviceDump:
        """The device's answers in python-kasa's fixture format, which the offline reader loads."""
        reading, document = await self.read_document()
        firmware = reading.identity.firmware.split()[0] if reading.identity.firmware else None
        return DeviceDump(model=reading.identity.model, firmware=firmware, document=document)

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """Reachability and identity (network), the device's answers and each relay (device); never raises."""
        return await probe_session(self, timeout)

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """Relay changes, read by polling get_sysinfo every `poll_interval` seconds (the legacy
        protocol pushes nothing). A device that stops answering, or is no longer the one expected,
        makes every relay `unavailable` once (attributes say the layer and why); it is then read
        again, and its relays' states are reported when it answers."""
        async def read() -> list[Relay]:
            return self.relays(await self.identify(self.timeout))

        async for change in poll_relays(read, self.poll_interval):
            yield change

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Switch a relay or a strip's outlet: `turn_on`, `turn_off` or `toggle` (a domain prefix
        such as `switch.` is ignored), once the device proved it is the one expected."""
        reading = await self.identify(self.timeout)
        relays = self.relays(reading)
        relay, on = wanted_state(relays, entity_id, service, brand="Kasa", describe=reading.identity.describe())
        if not relay.switchable:
            raise KasaError(f"{entity_id} is a bulb's light, switched through its lighting service, which this "
                            "adapter does not drive; it switches relays and strip outlets")
        request: dict[str, Any] = {"system": {"set_relay_state": {"state": int(on)}}}
        if relay.child_id is not None:
            request = {"context": {"child_ids": [relay.child_id]}, **request}
        answer = await self.transport.query(request, self.timeout)
        result = answer.body.get("system", {})
        result = result.get("set_relay_state", result) if isinstance(result, dict) else {}
        if not isinstance(result, dict) or result.get("err_code") != 0:  # no answer is no success
            raise RequestFailed("device", "refused", f"{self.where} refused set_relay_state for {entity_id}: "
                                f"{result!r}", answer.latency_ms)
        self.commanded[relay.capability_id] = Command(on, datetime.now(UTC))

    async def close(self) -> None:
        """Nothing stays open: every request has its own connection."""
        return None
