"""Canaries: the TP-Link account's user name and password (right or wrong) never appear in anything
the Tapo side produces (snapshot, probe findings, observed changes, dumps written or returned,
exceptions, discovery, log records at any level), and never travel on the wire, not even to the
device that knows them: KLAP sends seeds and proofs only."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from kasa_live_support import next_change
from tapo_live_support import MakeTapo, plug_switch, strip_outlet, tapo_host
from weaklink_kasa import KasaAdapter
from weaklink_kasa.tapo_session import TapoSession

from weaklink.errors import WeaklinkError
from weaklink.live.dump import dump_hosts
from weaklink.sim import Fault, FaultKind
from weaklink.sim.tapo import TapoDevice, auth_hash

USERNAME = "canary-user-V7Q@example.com"
PASSWORD = "canary-pw-Z9L4"
WRONG = "canary-wrong-pw-K2M"


class Recording(TapoDevice):
    """A Tapo device that keeps every byte of every KLAP body it was sent."""

    wire: bytearray

    def _record(self, body: bytes) -> None:
        if not hasattr(self, "wire"):
            self.wire = bytearray()
        self.wire += body

    async def _handshake1(self, request: web.Request) -> web.StreamResponse:
        self._record(await request.read())
        return await super()._handshake1(request)

    async def _handshake2(self, request: web.Request) -> web.StreamResponse:
        self._record(await request.read())
        return await super()._handshake2(request)

    async def _request(self, request: web.Request) -> web.StreamResponse:
        self._record(await request.read())
        return await super()._request(request)


class Collected:
    """Everything the adapter produced, as text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, *items: Any) -> None:
        for item in items:
            dumped = item.model_dump_json() if hasattr(item, "model_dump_json") else None
            self.texts += [str(item), repr(item), *([dumped] if dumped else [])]

    async def failure(self, attempt: Any) -> None:
        """Run `attempt`, which must fail with a weaklink error, and keep what the error says."""
        with pytest.raises(WeaklinkError) as raised:
            await attempt
        self.add(raised.value, raised.value.args, getattr(raised.value, "detail", ""))


def secret_forms() -> list[bytes]:
    """The credentials, and what could betray them: their SHA-1s (KLAP's first step) and the account hash."""
    forms = [USERNAME.encode(), PASSWORD.encode(), WRONG.encode()]
    forms += [hashlib.sha1(s).digest() for s in forms] + [hashlib.sha1(s).hexdigest().encode() for s in forms]
    forms += [auth_hash(USERNAME, PASSWORD), auth_hash(USERNAME, PASSWORD).hex().encode(),
              auth_hash(USERNAME, WRONG), auth_hash(USERNAME, WRONG).hex().encode()]
    return forms


async def test_the_account_never_shows_anywhere(make_tapo: MakeTapo, caplog: pytest.LogCaptureFixture,
                                                tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, aiohttp's included
    plug = await make_tapo(device=Recording, model="P110(EU)", on=True, username=USERNAME, password=PASSWORD)
    strip = await make_tapo(device=Recording, model="P300(EU)", username=USERNAME, password=PASSWORD)
    seen = Collected()
    sessions: list[TapoSession] = []
    try:
        for device in (plug, strip):
            session = await KasaAdapter().connect(tapo_host(device, poll_interval=0.05), 1.0)
            assert isinstance(session, TapoSession)
            sessions.append(session)
            seen.add(await session.snapshot(), *(await session.probe(1.0)), (await session.dump()).document)
        await sessions[0].act(plug_switch(plug), "turn_off")
        await sessions[1].act(strip_outlet(strip, 2), "turn_on")
        changes = sessions[0].observe()
        first = asyncio.ensure_future(next_change(changes))
        await asyncio.sleep(0.3)  # its baseline is read (polls every 0.05 s): the next reading is a change
        plug.set_relay(True)
        seen.add(await first)
        for fault in (Fault(kind=FaultKind.KEY_REVOKED), Fault(kind=FaultKind.GARBLE),
                      Fault(kind=FaultKind.HOST_DOWN)):
            await plug.inject(fault)
            seen.add(await next_change(changes))  # every relay unavailable, and why
            seen.add(*(await sessions[0].probe(0.5)))
            await seen.failure(sessions[0].snapshot())
            await seen.failure(sessions[0].act(plug_switch(plug), "turn_off"))
            await seen.failure(sessions[0].dump())
            await plug.heal()
            seen.add(await next_change(changes))  # back
        await changes.aclose()
        wrong = await KasaAdapter().connect(tapo_host(strip, password=WRONG), 1.0)
        sessions.append(wrong)
        seen.add(*(await wrong.probe(1.0)), wrong.host, wrong.host.credentials)
        await seen.failure(wrong.snapshot())
        await seen.failure(wrong.act(strip_outlet(strip, 1), "turn_on"))
        seen.add(await KasaAdapter().identify_host(strip.address, 1.0))
        outcomes = await dump_hosts([tapo_host(plug), tapo_host(strip, password=WRONG)], {"kasa": KasaAdapter()},
                                    tmp_path, timeout=1.0)
        seen.add(*outcomes)
        assert outcomes[0].path is not None and outcomes[1].error is not None
        seen.texts += [path.read_text() for path in tmp_path.rglob("*.json")]
    finally:
        for session in sessions:
            await session.close()
    seen.texts += [caplog.text, *(repr(record.args) for record in caplog.records)]
    produced = "\n".join(seen.texts)
    assert "integration" in produced and "**REDACTED**" in produced  # the failures and the dump are in there
    for form in secret_forms():
        text = form.decode("latin-1")
        assert text not in produced, "a credential (or a hash of one) shows in what the adapter produced"
        for device in (plug, strip):
            assert form not in device.wire, "a credential (or a hash of one) was sent on the wire"
            assert text not in "\n".join(device.request_log + device.smart_log)
