"""A live session with one Tapo plug or power strip (SMART protocol over KLAP): the device proves
it knows the TP-Link account, then it is checked to be the device meant, then snapshot,
probe, observe (by polling), act and dump.

Two checks come before anything is switched:

1. **The account** (`klap_transport`): in handshake1 the device must prove it knows the
   account's hash before anything derived from the credentials is sent to it. A device that
   does not is an `integration` finding (`credentials`), and is sent nothing more.
2. **The device**: `get_device_info`'s `device_id` and `mac` must be the home file's
   (`options: {device_id: …}` and/or `{mac: …}`), else the ones that answered first in this
   session: an account's other plug that took the address is refused (`IdentityMismatch`)
   before any command goes to it. Every operation asks `get_device_info` first.

Host credentials: `username` and `password`, the TP-Link (Tapo/Kasa app) account. Host
options: `device_id`, `mac`, `poll_interval` (observation, seconds, 1 by default). The port
is 80 unless the home file gives another.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp

from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, DeviceDump, HostSpec
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange

from .errors import IdentityMismatch, RequestFailed
from .identity import NotAKasa, check_expected
from .klap import account_hash
from .klap_transport import KlapTransport
from .naming import device_ref
from .relays import Command, Relay, forget_carried_out, poll_relays, wanted_state
from .smart_client import SmartClient
from .tapo_discovery import ask
from .tapo_document import (
    FIRST,
    TapoReading,
    components_of,
    document_of,
    fragment_of,
    module_requests,
    read_identity,
    relays_of,
)
from .tapo_probe import probe_session
from .tapo_redact import mask

KLAP_PORT = 80
CHILD_LIST: dict[str, Any] = {"get_child_device_list": {"start_index": 0}}
DISCOVERY_WAIT = 1.0  # seconds a dump waits for the discovery answer (its model with its region)


class TapoSession:
    """An open session to one Tapo device named by a `HostSpec` with the account's credentials."""

    def __init__(self, host: HostSpec, client: aiohttp.ClientSession, timeout: float, poll_interval: float) -> None:
        self.host = host
        self.client = client
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.port = host.port or KLAP_PORT
        username, password = host.credentials["username"], host.credentials["password"]
        # the one place the credentials are read: into the account's hash, which never leaves this process
        self.transport = KlapTransport(client, host.address, self.port,
                                       account_hash(username.reveal(), password.reveal()))
        self.smart = SmartClient(self.transport)
        self.expected_id: str | None = host.options.get("device_id") or None
        self.expected_mac: str | None = host.options.get("mac") or None
        self.identity: TapoReading | None = None
        # relay states commanded by `act` that the device has not reported since
        self.commanded: dict[str, Command] = {}
        # what connect met, reported by the first probe instead of asking again
        self.connect_failure: RequestFailed | None = None

    @property
    def where(self) -> str:
        """`127.0.0.5:80`."""
        return self.transport.where

    @property
    def element(self) -> str:
        """The device's element id (`kasa:<device_id>`), or `kasa:<address>` before it is known."""
        if self.identity is not None:
            return self.identity.identity.element
        return device_ref(self.expected_id or self.host.address)

    # ------------------------------------------------------------------ identity

    async def identify(self, timeout: float, extra: Mapping[str, Any] | None = None) -> tuple[TapoReading,
                                                                                                dict[str, Any]]:
        """Ask the device who it is (shaking hands first if need be) and check it is the one expected;
        the reading, and the answers to `extra` methods asked in the same request.

        IdentityMismatch when it is another device; RequestFailed when it gives no usable answer or
        does not prove it knows the account."""
        results = await self.smart.query({**FIRST, **(extra or {})}, timeout=timeout)
        answers = results.by_method
        try:
            identity = read_identity(answers.get("get_device_info"), self.where)
        except NotAKasa as error:
            raise IdentityMismatch(f"{self.where} does not answer get_device_info as a Tapo device does: {error}; "
                                   "nothing was switched on it") from None
        check_expected(identity, self.where, self.expected_id, self.expected_mac,
                       self.identity.identity if self.identity else None)
        reading = TapoReading(identity, answers["get_device_info"], components_of(answers.get("component_nego")),
                              {name: answers[name] for name in FIRST}, results.latency_ms)
        self.identity = reading
        return reading, {name: answers[name] for name in extra or {}}

    async def read_relays(self, timeout: float) -> tuple[TapoReading, list[Relay]]:
        """The device checked, and its relays (a strip's outlets) now."""
        strip = self.identity is not None and "child_device" in self.identity.components
        reading, extra = await self.identify(timeout, CHILD_LIST if strip else None)
        if not strip and "child_device" in reading.components:
            extra = (await self.smart.query(CHILD_LIST, timeout=timeout)).by_method
        return reading, self.relays({**reading.answers, **extra})

    def relays(self, document: dict[str, Any]) -> list[Relay]:
        """The outputs a document reports; commands they now show were carried out are forgotten."""
        return forget_carried_out(self.commanded, relays_of(document, self.where))

    async def read_document(self) -> tuple[TapoReading, dict[str, Any]]:
        """The device's answers as one python-kasa fixture document (`tapo_document`)."""
        reading, _ = await self.identify(self.timeout)
        modules = await self.smart.query(module_requests(reading.components), timeout=self.timeout)
        return reading, document_of(reading, modules.by_method)

    # ------------------------------------------------------------------ the contract

    async def snapshot(self) -> HomeFragment:
        """The device, its relay (or outlets) and its energy meter, as the offline reader maps its dump."""
        _, document = await self.read_document()
        return fragment_of(document, self.where)

    async def dump(self) -> DeviceDump:
        """The device's answers in python-kasa's SMART fixture format, masked as python-kasa masks
        them (`tapo_redact`), with what it answers a discovery probe; the offline reader loads it."""
        discovery = asyncio.ensure_future(ask(self.host.address, min(self.timeout, DISCOVERY_WAIT)))
        try:
            reading, document = await self.read_document()
        except BaseException:
            discovery.cancel()
            await asyncio.gather(discovery, return_exceptions=True)
            raise
        found = await discovery
        info = reading.info
        if found is not None:
            result = found.result
        else:  # it did not answer discovery: what the session knows of it, where the discovery answer goes
            result = {"device_model": info.get("model"), "device_type": info.get("type"), "ip": self.host.address,
                      "mac": info.get("mac"), "mgt_encrypt_schm": {"encrypt_type": "KLAP", "http_port": self.port,
                                                                    "is_support_https": False, "lv": 2}}
        document["discovery_result"] = {"error_code": 0, "result": result}
        firmware = reading.identity.firmware.split()[0] if reading.identity.firmware else None
        model = (found.model if found else None) or reading.identity.model
        return DeviceDump(model=model, firmware=firmware, document=mask(dict(sorted(document.items()))))

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """Reachability (network), the account (integration), the device and each relay; never raises."""
        return await probe_session(self, timeout)

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """Relay changes, read by polling every `poll_interval` seconds. A device that stops answering,
        stops proving it knows the account, or is no longer the one expected, makes every relay
        `unavailable` once (attributes say the layer and why); it is then read again, and its
        relays' states are reported when it answers."""
        async def read() -> list[Relay]:
            return (await self.read_relays(self.timeout))[1]

        async for change in poll_relays(read, self.poll_interval):
            yield change

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Switch the plug's relay or a strip's outlet: `turn_on`, `turn_off` or `toggle` (a domain
        prefix such as `switch.` is ignored), once the device proved it knows the account and is
        the one expected."""
        reading, relays = await self.read_relays(self.timeout)
        relay, on = wanted_state(relays, entity_id, service, brand="Tapo", describe=reading.identity.describe())
        if relay.child_id is not None:
            await self.smart.child(relay.child_id, "set_device_info", {"device_on": on}, timeout=self.timeout)
        else:
            await self.smart.call("set_device_info", {"device_on": on}, timeout=self.timeout)
        self.commanded[relay.capability_id] = Command(on, datetime.now(UTC))

    async def close(self) -> None:
        """Close the HTTP client (the device keeps the session until it expires)."""
        await self.client.close()
