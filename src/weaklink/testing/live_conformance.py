"""The live half of the conformance kit: an adapter's sessions against hosts that misbehave.

A vendor's package with live operations subclasses `LiveConformance`:

    class TestAcmeLiveConformance(LiveConformance):
        adapter = "acme"
        credentials = {"token": "0123456789abcdef0123456789abcdef"}   # well-formed, not real
        transport = "udp"                                              # tcp by default

and each test points a session at a host that is silent, resets every connection, or answers
garbage (`weaklink.testing.hostile`). What is checked:
- `connect` either refuses with a `WeaklinkError` or opens a session, and `probe` then
  reports the trouble as failing results: no exception escapes either;
- no credential is ever sent to a host that never proved who it is;
- nothing blocks the event loop meanwhile (blockbuster raises on any blocking call made in
  the loop's thread: a client library that blocks must run in an executor);
- `identify`, for adapters that discover, survives any TXT record without raising.
Every trial runs under a hang guard of a few probe timeouts: an adapter that hangs fails.
"""

from __future__ import annotations

import asyncio
import random
import string
from typing import Any, ClassVar, Literal

import pytest
from blockbuster import blockbuster_ctx

from ..adapters import live_adapters
from ..errors import WeaklinkError
from ..live.contract import HostSpec, LiveAdapter
from ..live.secrets import Secret
from ..model import ProbeResult
from .hostile import BEHAVIOURS, Behaviour, hostile_peer

HANG_GUARD = 6  # probe timeouts a whole trial may take before it counts as hung


class LiveConformance:
    """Contract tests for a live adapter; subclass with `adapter` (and what `connect` needs)."""

    _weaklink_live_kit: ClassVar[bool] = True  # what the plugin looks for (without importing this module)
    adapter: ClassVar[str]
    credentials: ClassVar[dict[str, str]] = {}
    options: ClassVar[dict[str, Any]] = {}
    transport: ClassVar[Literal["tcp", "udp"]] = "tcp"
    timeout: ClassVar[float] = 0.5

    @classmethod
    def instance(cls) -> LiveAdapter:
        """The installed live adapter named `adapter`."""
        found = live_adapters().get(cls.adapter)
        assert found is not None, f"no installed live adapter is named {cls.adapter!r}"
        return found

    async def _trial(self, behaviour: Behaviour) -> tuple[list[ProbeResult] | WeaklinkError, bytes]:
        adapter = self.instance()
        if (prepare := getattr(adapter, "prepare", None)) is not None:
            prepare()  # loading the client library reads files: before the loop is watched
        async with hostile_peer(behaviour, self.transport) as peer:
            host = HostSpec(adapter=self.adapter, name=f"a {behaviour} host", address=peer.address, port=peer.port,
                            credentials={k: Secret(v, "literal") for k, v in self.credentials.items()},
                            options=dict(self.options))
            with blockbuster_ctx():
                async with asyncio.timeout(self.timeout * HANG_GUARD + 1):
                    try:
                        session = await adapter.connect(host, self.timeout)
                    except WeaklinkError as refused:
                        return refused, bytes(peer.received)
                    try:
                        return await session.probe(self.timeout), bytes(peer.received)
                    finally:
                        await session.close()

    @pytest.mark.asyncio
    @pytest.mark.parametrize("behaviour", BEHAVIOURS)
    async def test_a_misbehaving_host_is_a_finding_never_an_exception(self, behaviour: Behaviour) -> None:
        outcome, _ = await self._trial(behaviour)
        if isinstance(outcome, WeaklinkError):
            return  # refusing to talk to it is a finding too: the caller reports it
        assert outcome, "probe returned nothing for a host that misbehaves"
        assert not all(result.ok for result in outcome), f"a {behaviour} host probed healthy: {outcome}"
        assert all(isinstance(result, ProbeResult) for result in outcome)

    @pytest.mark.asyncio
    @pytest.mark.parametrize("behaviour", BEHAVIOURS)
    async def test_no_credential_reaches_a_host_that_never_proved_who_it_is(self, behaviour: Behaviour) -> None:
        outcome, received = await self._trial(behaviour)
        for name, value in self.credentials.items():
            assert value.encode() not in received, f"the {name} was sent to a {behaviour} host"
            text = str(outcome) if isinstance(outcome, WeaklinkError) else " ".join(r.detail for r in outcome)
            assert value not in text, f"the {name} appears in what the adapter reported"

    def test_identify_survives_any_record(self, service_type: str) -> None:
        adapter = self.instance()
        draw = random.Random(20261124)
        alphabet = string.printable + "é\u0000\ufffd"
        for _ in range(300):
            properties = {"".join(draw.choices(alphabet, k=draw.randint(0, 8))):
                          "".join(draw.choices(alphabet, k=draw.randint(0, 40))) for _ in range(draw.randint(0, 6))}
            name = "".join(draw.choices(alphabet, k=draw.randint(0, 30))) + "." + service_type
            found = adapter.identify(service_type, name, "127.0.9.9", draw.randint(0, 65535), properties)
            assert found is None or found.address == "127.0.9.9"
