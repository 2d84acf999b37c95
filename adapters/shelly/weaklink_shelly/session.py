"""A live session with one Shelly: identity first, then snapshot, probe, observe and act.

Nothing secret goes to a host before it proved, over the unauthenticated `GET /shelly`, that
it is the device expected: the one the home file names (`options: {mac: …}` and/or
`{device_id: …}`, as discovery reports them), else the one that answered first in this
session. Credentials are armed only after that check, and every operation checks again
first (a device that moved may have left its address to another host): snapshot, probe and
act each start with `/shelly`, and observation checks each time it (re)connects, which it
does whenever the device stopped answering.

Host options: `mac`, `device_id` (the identity expected), `username` (Gen1 login, `admin`),
`poll_interval` (Gen1 observation, seconds), `keepalive` (Gen2+ observation, seconds).
Credentials: `password`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any

import aiohttp

from weaklink.errors import UnknownElementError
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, DeviceDump, HostSpec
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange

from .errors import IdentityMismatch, RequestFailed
from .fragment import shelly_fragment
from .gen1 import DEFAULT_POLL_INTERVAL, Gen1Api
from .gen2 import Gen2Api
from .http import ShellyHttp
from .identity import Identity, NotAShelly, mismatch, read_identity
from .probe import probe_session
from .relays import RelayState, RelayTracker, capability_id, device_element, relay_index
from .rpcsocket import DEFAULT_KEEPALIVE, RpcSocket

DEFAULT_PORT = 80
# What a whole-device dump asks, by generation (Gen1: True), under the keys the dump keeps it.
DUMPED = {True: {"shelly": "/shelly", "status": "/status", "settings": "/settings"},
          False: {"shelly": "/rpc/Shelly.GetDeviceInfo", "status": "/rpc/Shelly.GetStatus",
                  "config": "/rpc/Shelly.GetConfig"}}
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)  # seconds before observing again after the device stopped answering
SERVICES = {"turn_on": "on", "turn_off": "off", "toggle": "toggle"}


class ShellySession:
    """An open session to one Shelly (Gen1 or Gen2+) named by a `HostSpec`."""

    def __init__(self, host: HostSpec, client: aiohttp.ClientSession, timeout: float) -> None:
        self.host = host
        self.client = client
        self.timeout = timeout
        self.port = host.port or DEFAULT_PORT
        where = f"{host.address}:{self.port}"
        self.base_url = f"http://{where}"
        password = host.credentials.get("password")
        self._password = password.reveal() if password is not None else None
        self.http = ShellyHttp(client, self.base_url, where, has_password=password is not None)
        self.expected_mac: str | None = host.options.get("mac")
        self.expected_id: str | None = host.options.get("device_id")
        self.identity: Identity | None = None
        self.identity_latency_ms: float | None = None  # how long the last `/shelly` took
        self.api: Gen1Api | Gen2Api | None = None
        # what connect's identity request met, reported by the first probe instead of asking again:
        # a host that does not answer then costs one timeout, not two
        self.connect_failure: RequestFailed | None = None

    @property
    def element(self) -> str:
        """The device's element id (`shelly:<device id>`), or `shelly:<address>` before it is known."""
        device_id = self.identity.device_id if self.identity else self.expected_id
        return device_element(device_id or self.host.address)

    # ------------------------------------------------------------------ identity

    async def identify(self, timeout: float) -> Identity:
        """Ask the host who it is (unauthenticated) and check it is the device expected; arm credentials if so.

        IdentityMismatch when it is another device or no Shelly; RequestFailed when it gives no usable answer.
        """
        try:
            answer = await self.http.get("/shelly", timeout)
        except RequestFailed as failure:
            if failure.reason == "refused":  # a 404 for /shelly: some other kind of host
                raise IdentityMismatch(f"{self.http.where} is no Shelly ({failure.detail}); no credentials were "
                                       "sent to it") from None
            raise
        try:
            identity = read_identity(answer.body)
        except NotAShelly as error:
            raise IdentityMismatch(f"{self.http.where} does not answer /shelly as a Shelly does: {error}; no "
                                   "credentials were sent to it") from None
        known = self.identity
        expected_mac = self.expected_mac or (known.mac if known else None)
        expected_id = self.expected_id or (known.device_id if known else None)
        if (reason := mismatch(identity, expected_mac, expected_id)) is not None:
            raise IdentityMismatch(f"{self.http.where} is not {expected_id or expected_mac}: {reason}; no "
                                   "credentials were sent to it")
        if identity.generation == 1 and expected_id:
            identity = identity.model_copy(update={"device_id": expected_id})
        self._arm(identity)
        self.http.device_has_password = identity.auth
        self.identity_latency_ms = answer.latency_ms
        return identity

    def _arm(self, identity: Identity) -> None:
        """Set up the generation's API, and the credentials, for a host that proved its identity."""
        self.identity = identity
        if self.api is not None and (self.api.generation == 1) == (identity.generation == 1):
            return
        options = self.host.options
        if identity.generation == 1:
            self.api = Gen1Api(self.http, float(options.get("poll_interval", DEFAULT_POLL_INTERVAL)))
            if self._password is not None:
                self.http.sign_gen1(str(options.get("username", "admin")), self._password)
            return
        socket = RpcSocket(self.client, f"ws://{self.http.where}/rpc", self.http.where, self._password,
                           float(options.get("keepalive", DEFAULT_KEEPALIVE)))
        self.api = Gen2Api(self.http, socket, identity.generation)
        if self._password is not None:
            self.http.sign_gen2(self._password)

    async def read_relays(self, timeout: float) -> tuple[list[RelayState], float]:
        """Every relay's state now (a signed read, after `identify`), and its latency in ms."""
        return await self._require_api().relays(timeout)

    def _require_api(self) -> Gen1Api | Gen2Api:
        if self.api is None:
            raise AssertionError("the Shelly API is used before the host proved its identity")
        return self.api

    # ------------------------------------------------------------------ the contract

    async def snapshot(self) -> HomeFragment:
        """The device (MAC, Wi-Fi host) and one switch capability per relay, with its state now."""
        identity = await self.identify(self.timeout)
        relays, _ = await self.read_relays(self.timeout)
        return shelly_fragment(identity, relays, source=self.base_url, host=self.host.address)

    async def dump(self) -> DeviceDump:
        """The whole-device dump `weaklink_shelly.dump` reads: `/shelly`, `/status` and `/settings`
        (Gen1), or `Shelly.GetDeviceInfo`, `GetStatus` and `GetConfig` (Gen2+), as answered."""
        identity = await self.identify(self.timeout)
        document = {key: (await self.http.get(path, self.timeout, signed=key != "shelly")).body
                    for key, path in DUMPED[identity.generation == 1].items()}
        return DeviceDump(model=identity.model, firmware=identity.firmware, document=document)

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """Reachability (network), the password (integration) and each relay's faults (device); never raises."""
        return await probe_session(self, timeout)

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """Relay changes as they happen (Gen2+: WebSocket notifications; Gen1: polling `/status`).

        A device that stops answering makes every relay `unavailable` once (attributes say the layer
        and why); it is then tried again, and its relays' states are reported when it answers.
        """
        tracker: RelayTracker | None = None
        failures = 0
        while True:
            try:
                identity = await self.identify(self.timeout)
                api = self._require_api()
                tracker = tracker or RelayTracker(identity.device_id, identity.generation)
                async with aclosing(api.updates(self.timeout)) as updates:  # closes the socket when we stop
                    async for reports, at in updates:
                        failures = 0
                        for change in tracker.update(reports, at):
                            yield change
                raise RequestFailed("network", "reset", f"{self.http.where} ended the update stream")
            except (RequestFailed, IdentityMismatch) as error:
                failure = error if isinstance(error, RequestFailed) else RequestFailed("network", "moved", str(error))
                for change in tracker.lost(failure) if tracker is not None else []:
                    yield change
            await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
            failures += 1

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Switch a relay: `turn_on`, `turn_off` or `toggle` (a domain prefix such as `switch.` is ignored)."""
        identity = await self.identify(self.timeout)
        index = relay_index(entity_id, identity.device_id)
        if index is None:
            raise UnknownElementError(f"{entity_id} is not a relay of {identity.device_id} "
                                      f"(expected {capability_id(identity.device_id, 0)} or another index)")
        turn = SERVICES.get(service.rpartition(".")[2])
        if turn is None:
            raise UnknownElementError(f"a Shelly relay cannot {service!r}: it can {', '.join(sorted(SERVICES))}")
        await self._require_api().switch(index, turn, self.timeout)

    async def close(self) -> None:
        """Close the HTTP client (and with it any open WebSocket)."""
        await self.client.close()
