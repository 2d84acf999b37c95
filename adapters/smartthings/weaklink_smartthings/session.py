"""A live session with one SmartThings account through its REST API: identity first, then snapshot,
probe, observe (by polling), act and dump.

The session opens with a request that carries no token (`CloudClient.identify`): only a host
that refuses it as the API does (over HTTPS, with a certificate for the API's name) is ever
sent the token. Connecting keeps what that request met, so a cloud that does not answer costs
one timeout, and the first probe reports it without asking again.

Host options: `base_url` (the API; see `endpoint`), `poll_interval` (seconds between two
readings while observing; 2 by default), `allow` (the locks, doors, valves and alarms `act`
may operate, by capability or device id).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from weaklink.errors import UnknownElementError
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, DeviceDump, HostSpec
from weaklink.live.secrets import Secret, mask
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange

from .commands import ACTIONS, Target, check_allowed, plan, target_of
from .endpoint import Endpoint
from .errors import IdentityMismatch, RequestFailed
from .live_document import Reading, dump_document, fragment_of, hub_firmware, read_devices
from .probe import probe_session, result
from .tracker import StateTracker
from .transport import CloudClient, Deadline

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 2.0  # seconds between two readings while observing: one request a page each time
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0)  # seconds before reading again after the cloud failed


@dataclass(frozen=True)
class Commanded:
    """A state this session commanded, not yet seen reported."""

    expected: str
    command: str
    at: datetime
    delivered: bool  # False: the cloud answered FAILED (it could not reach the device)


class SmartThingsSession:
    """An open session to one SmartThings account named by a `HostSpec`."""

    def __init__(self, host: HostSpec, endpoint: Endpoint, token: Secret, timeout: float,
                 poll_interval: float = DEFAULT_POLL_INTERVAL, allow: list[str] | None = None) -> None:
        self.host = host
        self.endpoint = endpoint
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.allow = list(allow or [])
        self.client = CloudClient(endpoint, token)
        self.connect_failure: RequestFailed | None = None
        # capability id → what this session commanded it to report, until a reading shows it
        self.commanded: dict[str, Commanded] = {}
        self._names: dict[str, str] = {}  # capability id → its name, from the last reading

    @property
    def where(self) -> str:
        """The API's base URL."""
        return self.endpoint.where

    @property
    def element(self) -> str:
        """How findings about the account as a whole name it: the home file's name for the host."""
        return self.host.label

    # ------------------------------------------------------------------ reading

    async def identify(self, deadline: Deadline) -> None:
        """Prove the host is the API before anything carries the token (once a session)."""
        if not self.client.identified:
            await self.client.identify(deadline)

    async def read(self, deadline: Deadline) -> tuple[Reading, HomeFragment]:
        """Every device with its health and status, and the offline reader's fragment of it."""
        await self.identify(deadline)
        reading = await read_devices(self.client, deadline)
        fragment = fragment_of(reading, self.client)
        self._names = {capability.id: capability.name or capability.id for capability in fragment.capabilities}
        return reading, fragment

    # ------------------------------------------------------------------ the contract

    async def snapshot(self) -> HomeFragment:
        """Every device of the account and its capabilities, as the offline reader maps the device list."""
        _, fragment = await self.read(Deadline(self.timeout))
        return fragment

    async def dump(self) -> DeviceDump:
        """The device list with health and status, in the format the offline reader loads (account ids redacted)."""
        reading, _ = await self.read(Deadline(self.timeout))
        return DeviceDump(model="devices", firmware=hub_firmware(reading), document=dump_document(reading))

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """The cloud, the token, then each device's health; never raises."""
        return await probe_session(self, timeout)

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """State changes, read by polling the device list every `poll_interval` seconds (the REST API
        pushes nothing without a SmartApp). A 429 is waited out as the cloud asks; a cloud that fails
        makes every capability `unavailable` once, and is read again after a growing pause."""
        tracker = StateTracker()
        failures = 0
        while True:
            try:
                _, fragment = await self.read(Deadline(self.timeout))
            except (RequestFailed, IdentityMismatch) as error:
                if isinstance(error, RequestFailed) and error.reason == "rate_limited":
                    await asyncio.sleep(max(self.poll_interval, self.client.gate.wait(), error.retry_after or 0))
                    continue
                failure = error if isinstance(error, RequestFailed) else RequestFailed("garbled", error.detail)
                for change in tracker.lose(failure):
                    yield change
                await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
                failures += 1
                continue
            failures = 0
            for change in tracker.update(fragment):
                yield change
            await asyncio.sleep(max(self.poll_interval, self.client.gate.wait()))

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Send the command `service` stands for to the capability `entity_id` names (see `commands`).

        A lock, door, valve or alarm only when the home file's `options.allow` names it. A command
        the cloud accepts but cannot deliver (`FAILED`: the device is offline) is logged, and the
        next probe reports it."""
        target = target_of(entity_id)
        # before anything is sent
        check_allowed(target, self._names.get(target.entity_id, target.entity_id), self.allow)
        deadline = Deadline(self.timeout)
        await self.identify(deadline)
        described = await self.client.get(f"devices/{target.native_id}", deadline)
        name = _check_capability(target, described.body)
        current = None
        if service.rpartition(".")[2] == "toggle":
            current = await self._current(target, deadline)
        command = plan(target, service, current)
        answer = await self.client.post(f"devices/{target.native_id}/commands", deadline, command.body(target))
        statuses = [r.get("status") for r in (answer.body.get("results") or []) if isinstance(r, dict)] \
            if isinstance(answer.body, dict) else []
        delivered = "FAILED" not in statuses
        if not delivered:
            log.warning("%s", mask(f"SmartThings accepted {target.capability}.{command.command} for {name} but could "
                                   "not deliver it (FAILED): the device is offline or out of the cloud's reach"))
        self.commanded[target.entity_id] = Commanded(command.expected, f"{target.capability}.{command.command}",
                                                     datetime.now(UTC), delivered)

    async def _current(self, target: Target, deadline: Deadline) -> str | None:
        path = f"devices/{target.native_id}/components/{target.component}/capabilities/{target.capability}/status"
        body = (await self.client.get(path, deadline)).body
        name = ACTIONS[target.capability][0] if target.capability in ACTIONS else target.capability
        attribute = body.get(name) if isinstance(body, dict) else None
        value = attribute.get("value") if isinstance(attribute, dict) else None
        return value if isinstance(value, str) else None

    def settle(self, fragment: HomeFragment, commanded: dict[str, Commanded]) -> list[ProbeResult]:
        """Findings about what this session commanded: carried out (forgotten), or not."""
        found = []
        states = {capability.id: capability for capability in fragment.capabilities}
        for entity_id, command in commanded.items():
            capability = states.get(entity_id)
            if capability is None:
                continue
            name = capability.name or entity_id
            if capability.state == command.expected:
                self.commanded.pop(entity_id, None)
                found.append(result(entity_id, "device", True, f"{name} is {capability.state}, as commanded"))
                continue
            how = ("the cloud accepted it" if command.delivered else
                   "the cloud could not deliver it (FAILED): the device is out of its reach")
            found.append(result(entity_id, "device", False, (
                f"{name} was commanded {command.command} at {command.at:%H:%M:%S} UTC ({how}) and still reports "
                f"{capability.state if capability.available else 'nothing (offline)'}: the device did not act on it")))
        return found

    async def close(self) -> None:
        """Close the connections to the cloud."""
        await self.client.close()


def _check_capability(target: Target, body: Any) -> str:
    """The device's name, once it is known to have the target's component and capability."""
    if not isinstance(body, dict):
        raise RequestFailed("garbled", f"the description of device {target.native_id} is not the API's JSON")
    components: list[Any] = body["components"] if isinstance(body.get("components"), list) else []
    component = next((c for c in components if isinstance(c, dict) and c.get("id") == target.component), {})
    listed = component.get("capabilities")
    capabilities = [c.get("id") for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    name = str(body.get("label") or body.get("name") or target.native_id)
    if target.capability not in capabilities:
        raise UnknownElementError(f"{target.entity_id} is not a capability of {name} (its {target.component} has: "
                                  f"{', '.join(str(c) for c in capabilities) or 'none'})")
    return name
