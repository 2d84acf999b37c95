"""One open session with a Hue bridge: snapshot, probe, observe, act.

The session speaks CLIP v2 unless the bridge is older than API 1.48 (`/api/config`'s
`apiversion`, read in the identity check, so no extra request) or answers 404 for
`/clip/v2/resource`; then it speaks v1 for the rest of its life. `options["api"]` (`v1`,
`v2`) overrides the choice. v1 has no event stream: observe() polls it every
`options["poll_seconds"]` (1 s).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

from weaklink.live.contract import DEFAULT_PROBE_TIMEOUT, DeviceDump, HostSpec
from weaklink.model import EventRecord, HomeFragment, ProbeResult, StateChange

from .client import Api, BridgeClient
from .errors import BridgeFault, BridgeUnreachable, HueError, IdentityMismatch, KeyRefused, NoClipV2
from .commands import LightCommand, light_command
from .events import UNAVAILABLE, Known, SseParser, changes
from .fragment_v1 import fragment_v1
from .fragment_v2 import device_id, fragment_v2
from .naming import bridge_device_id
from .probe import Clock, network_down, radio_v1, radio_v2, unreadable
from .resources import Resource, Unreadable, parse_resources

log = logging.getLogger(__name__)

STREAM_EVENT = "hue_event_stream"


@dataclass
class Read:
    """One reading of the whole bridge: the fragment, and what it was made of."""

    fragment: HomeFragment
    resources: list[Resource] = field(default_factory=list)  # v2
    unreadable: list[Unreadable] = field(default_factory=list)  # v2
    v1: dict[str, Any] | None = None  # `GET /api/<key>`, from a v1 bridge


class HueSession:
    """A live session with one bridge (made by `HueAdapter.connect`)."""

    def __init__(self, host: HostSpec, client: BridgeClient, timeout: float) -> None:
        self.host = host
        self.client = client
        self.timeout = timeout
        self.poll_seconds = float(host.options.get("poll_seconds", 1.0))
        forced = host.options.get("api")
        self._api: Api | None = forced if forced in ("v1", "v2") else None
        # what connect's identity request met, reported by the first probe instead of asking again:
        # a host that does not answer then costs one timeout, not two
        self.connect_failure: BridgeUnreachable | BridgeFault | None = None

    @property
    def element(self) -> str:
        """The bridge's device id (before its id is known: the address it should answer on)."""
        bridge_id = self.client.bridge_id or self.client.expected_id
        return bridge_device_id(bridge_id.lower()) if bridge_id else f"hue:bridge@{self.client.where}"

    @property
    def source(self) -> str:
        """Where a fragment came from."""
        return f"Hue bridge {self.client.bridge_id} at {self.client.where}"

    async def api(self, timeout: float) -> Api:
        """v2 or v1, decided from the verified bridge's API version."""
        config = await self.client.verify(timeout)
        if self._api is None:
            self._api = "v2" if config.has_clip_v2 else "v1"
        return self._api

    # ------------------------------------------------------------ snapshot

    async def snapshot(self) -> HomeFragment:
        """The bridge, its devices and capabilities now (HueError when it cannot be read)."""
        return (await self._read(self.timeout)).fragment

    async def _read(self, timeout: float) -> Read:
        """Everything the bridge knows, as a fragment and as it said it."""
        config = await self.client.verify(timeout)
        bridge_id, address = self.client.bridge_id, self.client.address
        assert bridge_id is not None
        if await self.api(timeout) == "v2":
            try:
                answer = await self.client.v2("GET", "", timeout)
            except NoClipV2:
                log.info("bridge %s has no CLIP v2: speaking v1", bridge_id)
                self._api = "v1"
            else:
                resources, bad = parse_resources(answer.data)
                for item in bad:
                    log.warning("bridge %s: skipped %s %s: %s", bridge_id, item.type, item.id, item.reason)
                with _unexpected_shapes("GET /clip/v2/resource"):
                    return Read(fragment_v2(resources, config, bridge_id, address, self.source), resources, bad)
        everything = await self.client.v1("GET", "", timeout)
        if not isinstance(everything, dict):
            raise BridgeFault("GET /api/<key>: the answer is not the bridge's v1 data", malformed=True)
        with _unexpected_shapes("GET /api/<key>"):
            return Read(fragment_v1(everything, config, bridge_id, address, self.source), v1=everything)

    async def dump(self) -> DeviceDump:
        """The bridge's public configuration (the fields weaklink reads) and every CLIP v2
        resource, as `weaklink_hue.dump` reads them; BridgeFault for a bridge without CLIP v2."""
        config = await self.client.verify(self.timeout)
        answer = await self.client.v2("GET", "", self.timeout)
        return DeviceDump(model=config.modelid, firmware=config.swversion,
                          document={"config": config.model_dump(exclude_none=True), "resources": answer.data})

    # ------------------------------------------------------------ probe

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """The bridge's health, layer by layer, within `timeout` (see `probe` for what each layer means)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        clock = Clock(loop.time())

        def left() -> float:
            return max(0.01, deadline - loop.time())

        def found(layer: str, ok: bool, detail: str, error: HueError | None = None) -> ProbeResult:
            result = clock.result(loop.time(), self.element, layer, ok, detail)
            return result.model_copy(update={"problem": error.problem}) if error is not None else result

        verified = self.client.verified
        failure, self.connect_failure = self.connect_failure, None
        try:
            if failure is not None:
                raise failure
            config = await (self.client.public_config(left()) if verified else self.client.verify(left()))
        except (BridgeUnreachable, IdentityMismatch) as error:
            return [found("network", False, str(error), error)]
        except BridgeFault as error:
            unchecked = "" if verified else "; its identity cannot be checked, so no credentials were sent"
            return [found("network", True, f"the bridge answers at {self.client.where}"),
                    found("hub", False, f"{error}{unchecked}", error)]
        results = [found("network", True, f"Hue bridge {self.client.bridge_id} answers at {self.client.where} "
                                          f"(API {config.apiversion}, {await self.api(left())})")]
        clock = Clock(loop.time())
        try:
            read = await self._read(left())
        except KeyRefused as error:
            return results + [found("integration", False, str(error), error)]
        except BridgeUnreachable as error:
            return results + [found("hub", False, f"the bridge answered its public configuration but not the "
                                                  f"request for its devices: {error}", error)]
        except HueError as error:
            return results + [found("hub", False, str(error), error)]
        now = loop.time()
        elements = {r.id: device_id(r.id) for r in read.resources if r.type == "device"}
        radio = radio_v2(read.resources, clock, now, self.element, elements) if read.v1 is None else \
            radio_v1(read.v1, clock, now)
        broken = unreadable(read.unreadable, clock, now, self.element, elements)
        fragment = read.fragment
        behind = sum(1 for device in fragment.devices if device.hub_id)
        hub = network_down(radio, clock, now, self.element) or found(
            "hub", True, f"the bridge answers with {behind} devices and {len(fragment.capabilities)} capabilities")
        return results + [found("integration", True, "the bridge accepts the application key"), hub] + radio + broken

    # ------------------------------------------------------------ observe

    async def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """State changes as the bridge pushes them (v2 event stream; v1: polled).

        Beside the `StateChange`s, `EventRecord`s of type `hue_event_stream` say when
        observing starts (`connected`: changes from now on are seen), is interrupted
        (`lost`: it retries, backing off up to 10 s) or ends (`refused`: the key was
        revoked, or the host is not the bridge). The iterator runs until the consumer
        closes it.
        """
        backoff, lost = 0.25, False
        polled: dict[str, str | None] = {}
        while True:
            try:
                api = await self.api(self.timeout)
                async with aclosing(self._stream_v2() if api == "v2" else self._poll_v1(polled)) as source:
                    async for item in source:
                        if isinstance(item, EventRecord) and item.event_type == STREAM_EVENT:
                            backoff, lost = 0.25, False  # connected (again)
                        yield item
                reason = "the bridge closed its event stream"
            except (KeyRefused, IdentityMismatch) as error:
                yield _stream_record("refused", str(error))
                return
            except (HueError, aiohttp.ClientError, OSError) as error:
                reason = str(error)
            if not lost:
                yield _stream_record("lost", reason)
                lost = True
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    async def _stream_v2(self) -> AsyncIterator[StateChange | EventRecord]:
        """One connection to the event stream, until it ends."""
        async with self.client.events(self.timeout) as response:
            parser = SseParser()
            # the snapshot is read once the stream is open, so that no change falls between the two
            known = Known.of((await self.snapshot()).capabilities)
            yield _stream_record("connected", "observing the bridge's event stream")
            async for chunk in response.content.iter_any():
                for message in parser.feed(chunk):
                    for change in changes(message, known):
                        yield change

    async def _poll_v1(self, last: dict[str, str | None]) -> AsyncIterator[StateChange | EventRecord]:
        """Polls v1 until it fails, comparing with `last` (kept across reconnections)."""
        first = True
        while True:
            fragment = await self.snapshot()
            if first:
                yield _stream_record("connected", f"polling the bridge's v1 API every {self.poll_seconds:g} s")
                first = False
            now = datetime.now(UTC)
            for capability in fragment.capabilities:
                state = capability.state if capability.available else UNAVAILABLE
                if capability.id in last and last[capability.id] != state:
                    yield StateChange(entity_id=capability.id, state=state, at=now,
                                      attributes=dict(capability.attributes))
                last[capability.id] = state
            await asyncio.sleep(self.poll_seconds)

    # ------------------------------------------------------------ act

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Switch a light on, off or over (`turn_on`, `turn_off`, `toggle`, or `light.turn_on`…), with an
        optional `brightness_pct` (0–100) or `brightness` (0–255) when turning it on.

        A command the bridge accepts with a warning (HTTP 207: the light "has communication
        issues") is not an error: observe() tells whether the light acted, probe() why not.
        """
        api = await self.api(self.timeout)
        command = light_command(api, entity_id, service, data or {})
        if command.toggle:
            command = command.turned(not await self._is_on(command))
        if api == "v2":
            answer = await self.client.v2("PUT", command.path, self.timeout, command.body)
            if answer.errors:
                log.warning("bridge %s accepted %s for %s with a warning: %s", self.client.bridge_id, service,
                            entity_id, "; ".join(answer.errors))
        else:
            await self.client.v1("PUT", command.path, self.timeout, command.body)

    async def _is_on(self, command: LightCommand) -> bool:
        if command.api == "v2":
            answer = await self.client.v2("GET", command.light, self.timeout)
            light = answer.data[0] if answer.data and isinstance(answer.data[0], dict) else {}
            return bool((light.get("on") or {}).get("on"))
        light = await self.client.v1("GET", command.light, self.timeout)
        return bool(isinstance(light, dict) and (light.get("state") or {}).get("on"))

    async def close(self) -> None:
        """Close the connections to the bridge."""
        await self.client.close()


@contextmanager
def _unexpected_shapes(what: str) -> Iterator[None]:
    """Data of a shape the bridge should never send, as a malformed-answer fault rather than a crash."""
    try:
        yield
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise BridgeFault(f"{what}: the bridge's answer has an unexpected shape ({type(error).__name__}: "
                          f"{str(error).splitlines()[0] if str(error) else ''})", malformed=True) from None


def _stream_record(status: str, detail: str) -> EventRecord:
    return EventRecord(event_type=STREAM_EVENT, at=datetime.now(UTC), data={"status": status, "detail": detail})
