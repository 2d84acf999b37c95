"""An open session to one miIO device: snapshot, probe, observe (by polling), act.

The probe says, layer by layer:

- `network`: does the device answer the hello, as the device the home file names? (refused:
  the port is closed; silent; slow; another device at the address — it is sent nothing);
- `integration`: does it accept our token? (`miIO.info` answered with a checksum made with
  another token, or hellos answered and sealed commands ignored: the device was re-paired);
- `device`: are its answers sound, and what is it? (a malformed hello or answer, with the bytes
  as evidence; healthy: model, firmware, hardware, signal strength, uptime and power state).

Every step shares the probe's time budget, and a failing step ends the probe: the steps after
it would only repeat the same failure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

from weaklink.errors import UnknownElementError
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, HostSpec
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange
from weaklink.model.evidence import UNAVAILABLE_STATES
from weaklink.report import Layer

from .capabilities import (
    device_ref,
    miio_device,
    power_attributes,
    power_capability,
    power_ref,
    power_state,
    properties_for,
    read_values,
)
from .client import Deadline, MiioClient
from .errors import MiioError, MiioFailure
from .hello import HelloReply

UNAVAILABLE = next(iter(UNAVAILABLE_STATES))
POWER_SERVICES = {"turn_on": "on", "turn_off": "off"}
WEAK_SIGNAL_DBM = -80


def _now() -> datetime:
    return datetime.now(UTC)


def _since(started: float) -> float:
    return (time.monotonic() - started) * 1000


class MiioSession:
    """One miIO device, reached through `client`; commands wait at most `timeout` seconds."""

    def __init__(self, host: HostSpec, client: MiioClient, *, timeout: float, poll_interval: float) -> None:
        self.host = host
        self.client = client
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.model: str | None = host.options.get("model")
        self._seen: tuple[str, dict[str, object]] | None = None  # what observe() compares a poll with
        # what connect's identity request met, reported by the first probe instead of asking again:
        # a host that does not answer then costs one timeout, not two
        self.connect_failure: MiioFailure | None = None

    @property
    def element(self) -> str:
        """The device as probe results name it: `miio:<did>`, or its address while its id is unknown."""
        did = self.client.device_id
        return device_ref(did) if did is not None else f"miio@{self.client.where}"

    @property
    def power_id(self) -> str:
        """The id of the device's power capability."""
        did = self.client.device_id
        return power_ref(did) if did is not None else f"{self.element}/power"

    # -------------------------------------------------------------- snapshot

    async def snapshot(self) -> HomeFragment:
        """The device and its power capability, as `miIO.info` and `get_prop` describe them now."""
        deadline = Deadline(self.timeout)
        info = await self._info(deadline.left())
        values = await self._read(deadline.left())
        did = self.client.device_id
        assert did is not None  # a command was answered: the hello gave the id
        self._remember(values)
        return HomeFragment(
            source=f"miio://{self.client.where}",
            platform="miio",
            devices=[miio_device(did, info, name=self.host.name, address=self.client.address)],
            capabilities=[power_capability(did, self.model, values, self.host.name)],
        )

    async def _info(self, timeout: float) -> dict[str, Any]:
        answer = await self.client.call("miIO.info", [], timeout)
        if not isinstance(answer, dict):
            raise MiioFailure(Layer.DEVICE, "malformed",
                              f"{self.client.where} answered miIO.info with {type(answer).__name__}, not an object")
        if isinstance(answer.get("model"), str):
            self.model = answer["model"]
        return answer

    async def _read(self, timeout: float) -> dict[str, Any]:
        deadline = Deadline(timeout)
        if self.model is None:
            await self._info(deadline.left())  # which properties to ask for depends on the model
        names = properties_for(self.model)
        return read_values(names, await self.client.call("get_prop", names, deadline.left()))

    def _remember(self, values: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
        seen = (power_state(values) or UNAVAILABLE, power_attributes(values))
        self._seen = seen
        return seen

    # -------------------------------------------------------------- probe

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """Network, token and device health, each step within what is left of `timeout`."""
        deadline = Deadline(timeout)
        started = time.monotonic()
        failure, self.connect_failure = self.connect_failure, None
        try:
            if failure is not None:
                raise failure
            hello = await self.client.greet(deadline.left())
        except MiioFailure as failure:
            answered = [self._result(Layer.NETWORK, True, f"something answers on {self.client.where} (UDP {self.client.port})", _since(started))]
            return [*(answered if failure.layer is Layer.DEVICE else []),
                    self._result(failure.layer, False, failure.detail, _since(started), failure.problem)]
        results = [self._result(Layer.NETWORK, True, self._hello_detail(hello), hello.latency_ms)]

        started = time.monotonic()
        try:
            info = await self._info(deadline.left())
        except MiioFailure as failure:
            if failure.token_accepted:
                results.append(self._result(Layer.INTEGRATION, True, (
                    f"{self.client.where} accepts our token: its answer to miIO.info is sealed with it"),
                    _since(started)))
            return [*results, self._result(failure.layer, False, failure.detail, _since(started), failure.problem)]
        results.append(self._result(Layer.INTEGRATION, True, (
            f"{self.client.where} accepts our token (miIO.info answered in {_since(started):.0f} ms)"), _since(started)))

        started = time.monotonic()
        try:
            values = await self._read(deadline.left())
        except MiioFailure as failure:
            return [*results, self._result(failure.layer, False, f"get_prop: {failure.detail}", _since(started),
                                           failure.problem)]
        self._remember(values)
        return [*results, self._result(Layer.DEVICE, True, _health(info, values), _since(started))]

    def _result(self, layer: Layer, ok: bool, detail: str, latency_ms: float, problem: str | None = None) -> ProbeResult:
        return ProbeResult(element=self.element, layer=layer, ok=ok, detail=detail, at=_now(),
                           latency_ms=round(latency_ms, 1), problem=problem)

    def _hello_detail(self, hello: HelloReply) -> str:
        detail = f"{self.client.where} answers the miIO hello as device {hello.device_id} in {hello.latency_ms:.0f} ms"
        if hello.token_revealed:
            detail += " (it gives its token away in the hello: it was never provisioned)"
        return detail

    # -------------------------------------------------------------- observe

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """Poll `get_prop` every `poll_interval` s: a StateChange of the power capability whenever its
        state or attributes change, and `unavailable` (once) while the device cannot be read."""
        while True:
            previous = self._seen
            try:
                state, attributes = self._remember(await self._read(self.timeout))
            except MiioFailure as failure:
                state, attributes = UNAVAILABLE, {"layer": str(failure.layer), "error": failure.detail}
                self._seen = (UNAVAILABLE, {})  # one report while it stays away, whatever the error
            if previous is not None and (state, attributes if state != UNAVAILABLE else {}) != previous:
                yield StateChange(entity_id=self.power_id, state=state, at=_now(), attributes=attributes)
            await asyncio.sleep(self.poll_interval)

    # -------------------------------------------------------------- act

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """`turn_on`, `turn_off` or `toggle` the power capability (`switch.turn_on` is understood too)."""
        if self.client.device_id is None:
            await self.client.greet(self.timeout)
        if entity_id != self.power_id:
            raise UnknownElementError(f"{entity_id} is not a capability of the miIO device at {self.client.where} "
                                      f"(it has {self.power_id})")
        action = service.rpartition(".")[2]
        if action not in (*POWER_SERVICES, "toggle"):
            raise MiioError(f"a miIO device's power cannot {service!r}: use turn_on, turn_off or toggle")
        deadline = Deadline(self.timeout)
        if self._seen is None or action == "toggle":  # what it was, so that observe() sees it change
            self._remember(await self._read(deadline.left()))
        if action == "toggle":
            assert self._seen is not None
            action = "turn_off" if self._seen[0] == "on" else "turn_on"
        answer = await self.client.call("set_power", [POWER_SERVICES[action]], deadline.left())
        if answer != ["ok"]:
            raise MiioFailure(Layer.DEVICE, "error", f"{self.client.where} answered set_power with {answer!r}, not ok")

    async def close(self) -> None:
        """Release the worker thread."""
        await self.client.close()


def _health(info: Mapping[str, Any], values: Mapping[str, Any]) -> str:
    """A healthy device's description, from miIO.info (never its token) and get_prop."""
    parts = [str(info.get("model", "unknown model"))]
    if info.get("fw_ver"):
        parts.append(f"firmware {info['fw_ver']}")
    if info.get("hw_ver"):
        parts.append(f"hardware {info['hw_ver']}")
    access_point = info.get("ap")
    rssi = access_point.get("rssi") if isinstance(access_point, dict) else None
    if isinstance(rssi, int):
        parts.append(f"Wi-Fi signal {rssi} dBm" + (" (weak)" if rssi < WEAK_SIGNAL_DBM else ""))
    if isinstance(info.get("life"), int):
        parts.append(f"up {info['life']} s")
    return f"healthy: {', '.join(parts)}; power {power_state(values) or 'not reported'}"
