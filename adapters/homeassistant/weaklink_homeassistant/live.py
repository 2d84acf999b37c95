"""A live Home Assistant instance over its WebSocket API: snapshot, probe, observe, act.

`connect` checks the host's identity (see `identity`) and only then sends the long-lived
access token (`credentials["token"]`), on the very connection that was checked. A host that
is positively not the instance named raises `IdentityMismatch`; any other trouble (nothing
answers, the token is refused, the answers are garbage) leaves a session whose `probe()`
reports it, and whose other methods raise it as a `HomeAssistantError`. Every new connection
is checked again before the token goes out.

`probe()` opens its own connection each time, so it measures the network as it is now:

| what happened | layer | element |
|---|---|---|
| refused, no answer within the timeout, cut, moved (mDNS knows where) | network | the host |
| something else answers, or the instance is not confirmed | network | the host |
| the token is refused (`auth_invalid`: revoked, expired) or missing | integration | the host |
| broken JSON (a garbled answer) | device | the host |
| a config entry not loaded (`setup_retry`, …) or disabled | integration | its domain |
| an automation off or unavailable | logic | its entity id |
| an entity unavailable | integration, or device | its entity id |

`observe()` subscribes to `state_changed`, `automation_triggered` and `call_service`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import aiohttp
from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, HostSpec
from weaklink.live.secrets import Secret
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange

from .errors import (
    AuthInvalid,
    CommandFailed,
    HomeAssistantError,
    IdentityMismatch,
    MalformedAnswer,
    NetworkError,
)
from .health import automation_results, entity_results, entry_results
from .identity import Endpoint, open_verified
from .livemap import ApiView, evidence_of, fragment_of, keep
from .websocket import HAWebSocket, Json

OBSERVED_EVENTS = ("state_changed", "automation_triggered", "call_service")


async def _unless_refused(connection: HAWebSocket, kind: str, timeout: float, refused: list[str], **fields: Any) -> Any:
    """A command whose refusal (a token of a user who is not an administrator, an older HA) only
    leaves a gap: None, and the refusal noted in `refused`."""
    try:
        return await connection.command(kind, timeout, **fields)
    except CommandFailed as exc:
        refused.append(f"{kind} ({exc.code})")
        return None


def _layer(error: HomeAssistantError) -> str:
    if isinstance(error, (AuthInvalid, CommandFailed)):
        return "integration"
    if isinstance(error, MalformedAnswer):
        return "device"
    return "network"


class HomeAssistantSession:
    """An open session to one Home Assistant instance."""

    def __init__(self, host: HostSpec, timeout: float, http: aiohttp.ClientSession) -> None:
        self.host = host
        self.timeout = timeout
        self.endpoint = Endpoint.of(host)
        self.problem: HomeAssistantError | None = None  # why the last connection attempt failed
        self._http = http
        self._connection: HAWebSocket | None = None
        self._lock = asyncio.Lock()

    @property
    def element(self) -> str:
        """How probe results name the instance itself."""
        return self.host.label

    def _token(self) -> Secret:
        token = self.host.credentials.get("token")
        if token is None:
            raise AuthInvalid(f"no long-lived access token ('token') is given for {self.host.label}")
        return token

    async def _open(self, timeout: float) -> HAWebSocket:
        """A new connection: identity checked, then the token sent; authenticated."""
        token = self._token()
        connection = await open_verified(self.host, self._http, timeout)
        try:
            async with asyncio.timeout(timeout):
                await connection.authenticate(token)
        except TimeoutError as exc:
            await connection.close()
            raise NetworkError(f"{connection.url} did not answer the token within {timeout:g} s") from exc
        except BaseException:
            await connection.close()
            raise
        return connection

    async def _connected(self) -> HAWebSocket:
        async with self._lock:
            if self._connection is None or self._connection.closed:
                self._connection = None
                try:
                    self._connection = await self._open(self.timeout)
                except HomeAssistantError as exc:
                    self.problem = exc
                    raise
                self.problem = None
            return self._connection

    # ------------------------------------------------------------------ snapshot

    async def snapshot(self) -> HomeFragment:
        """Devices, entities with their states, integrations with their health, areas,
        automations and their recent runs, as the instance knows them now."""
        connection = await self._connected()
        states, config = await asyncio.gather(connection.command("get_states", self.timeout),
                                              connection.command("get_config", self.timeout))
        view = ApiView(states=keep(states), config=config if isinstance(config, dict) else {})
        refused: list[str] = []
        lists = await asyncio.gather(*(_unless_refused(connection, kind, self.timeout, refused) for kind in (
            "config/device_registry/list", "config/entity_registry/list", "config/area_registry/list",
            "config_entries/get")))
        view.devices, view.entities, view.areas, view.entries = (keep(answer) for answer in lists)
        view.automation_configs = await self._automation_configs(connection, view)
        view.traces = await self._traces(connection, refused)
        view.warnings += [f"Home Assistant refused {kind}" for kind in dict.fromkeys(refused)]
        return fragment_of(view, self.endpoint.base_url)

    async def _automation_configs(self, connection: HAWebSocket, view: ApiView) -> dict[str, Json]:
        automations = [str(state["entity_id"]) for state in view.states
                       if str(state["entity_id"]).startswith("automation.")]

        async def one(entity_id: str) -> Json | str:
            try:
                answer = await connection.command("automation/config", self.timeout, entity_id=entity_id)
            except CommandFailed as exc:
                return exc.code
            config = answer.get("config") if isinstance(answer, dict) else None
            return config if isinstance(config, dict) else "no configuration"

        answers = dict(zip(automations, await asyncio.gather(*map(one, automations)), strict=True))
        refused = sorted({answer for answer in answers.values() if isinstance(answer, str)})
        if refused:
            view.warnings.append(f"automation/config answered {', '.join(refused)}: configurations read from traces")
        return {entity_id: answer for entity_id, answer in answers.items() if isinstance(answer, dict)}

    async def _traces(self, connection: HAWebSocket, refused: list[str]) -> list[Json]:
        runs = keep(await _unless_refused(connection, "trace/list", self.timeout, refused, domain="automation"))
        runs = [run for run in runs if run.get("item_id") is not None and run.get("run_id") is not None]
        answers = await asyncio.gather(*(
            _unless_refused(connection, "trace/get", self.timeout, refused, domain="automation",
                            item_id=str(run["item_id"]), run_id=str(run["run_id"])) for run in runs))
        return keep(answers)

    # ------------------------------------------------------------------ probe

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """The instance's health, layer by layer, within about `timeout`; never raises for a sick host."""
        at = datetime.now(UTC)
        results: list[ProbeResult] = []
        connection: HAWebSocket | None = None
        step = "answer the WebSocket handshake"
        try:
            async with asyncio.timeout(timeout):
                connection = await open_verified(self.host, self._http, timeout)
                results.append(ProbeResult(
                    element=self.element, layer="network", ok=True, at=at, latency_ms=round(connection.latency_ms, 1),
                    detail=f"{self.endpoint.base_url} answers as Home Assistant {connection.ha_version}"))
                step = "answer the token"
                await connection.authenticate(self._token())
                results.append(ProbeResult(element=self.element, layer="integration", ok=True, at=at,
                                           detail="Home Assistant accepted the access token"))
                step = "answer get_states"
                results += await self._health(connection, at, timeout)
        except TimeoutError:
            results.append(ProbeResult(element=self.element, layer="network", ok=False, at=at,
                                       latency_ms=timeout * 1000, problem="timeout",
                                       detail=f"{self.endpoint.base_url} did not {step} within {timeout:g} s"))
        except HomeAssistantError as exc:
            results.append(ProbeResult(element=self.element, layer=_layer(exc), ok=False, detail=exc.detail, at=at,
                                       problem=exc.problem))
        finally:
            if connection is not None:
                await connection.close()
        return results

    async def _health(self, connection: HAWebSocket, at: datetime, timeout: float) -> list[ProbeResult]:
        refused: list[str] = []
        states, entries, registry = await asyncio.gather(
            connection.command("get_states", timeout),
            _unless_refused(connection, "config_entries/get", timeout, refused),
            _unless_refused(connection, "config/entity_registry/list", timeout, refused))
        states = keep(states, lambda item: isinstance(item, dict) and isinstance(item.get("entity_id"), str))
        entries, registry = keep(entries), keep(registry)
        results = entry_results(entries, at) + automation_results(states, at)
        results += entity_results(states, registry, entries, at)
        if refused:  # a token of a user who is not an administrator: part of the health is not visible
            results.append(ProbeResult(element=self.element, layer="integration", ok=True, at=at,
                                       detail=f"the token may not read {' or '.join(refused)}: not checked"))
        return results

    # ------------------------------------------------------------------ observe, act, close

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """State changes (with their contexts), automation runs and service calls, as HA pushes them.

        Ends with the HomeAssistantError that closed the connection (a revoked token closes it).
        """
        connection = await self._connected()
        queue: asyncio.Queue[Json | HomeAssistantError] = asyncio.Queue()
        subscriptions: list[int] = []
        try:
            for event_type in OBSERVED_EVENTS:
                subscriptions.append(await connection.subscribe(event_type, queue, self.timeout))
            while True:
                item = await queue.get()
                if isinstance(item, HomeAssistantError):
                    raise item
                if (record := evidence_of(item)) is not None:
                    yield record
        finally:
            for subscription in subscriptions:
                with suppress(HomeAssistantError):
                    await connection.unsubscribe(subscription, self.timeout)

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Call `service` (`turn_on`, or `light.turn_on`) on `entity_id` with `data`."""
        domain, _, name = service.rpartition(".")
        connection = await self._connected()
        await connection.command("call_service", self.timeout, domain=domain or entity_id.split(".", 1)[0],
                                 service=name, service_data=dict(data or {}), target={"entity_id": entity_id})

    async def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
        await self._http.close()


async def connect(host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> HomeAssistantSession:
    """A session to the instance `host` names: its identity checked before the token is sent.

    Raises IdentityMismatch when the host is not that instance; any other trouble is kept for
    `probe()` to report.
    """
    session = HomeAssistantSession(host, timeout, aiohttp.ClientSession())
    try:
        await session._connected()
    except IdentityMismatch:
        await session.close()
        raise
    except HomeAssistantError:
        pass  # kept in session.problem; probe() says what it is
    except BaseException:
        await session.close()
        raise
    return session
