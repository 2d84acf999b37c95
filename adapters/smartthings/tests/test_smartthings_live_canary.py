"""The token never leaves: a canary token, given to a simulated account, is driven through every
operation and every fault, and must appear in no finding, snapshot, state change, dump, log record
or exception (its message, its repr, its traceback and what it was raised from)."""

from __future__ import annotations

import asyncio
import logging
import traceback
from contextlib import aclosing
from pathlib import Path

import pytest
from smartthings_live_support import Connect, Make, capability, host_for, next_change

from weaklink.live.dump import dump_hosts
from weaklink.sim import Fault, FaultKind
from weaklink_smartthings import SmartThingsAdapter
from weaklink_smartthings.errors import RequestFailed

CANARY = "canary-7f3e9a1c-token-d4b2-58e6"  # the account's token
WRONG = "canary-0b1d2e3f-wrong-a9c8-7654"  # a token the account refuses


def exception_texts(error: BaseException) -> str:
    """Everything an exception can show: message, repr, traceback, and the chain it was raised from."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    seen = error.__cause__ or error.__context__
    while seen is not None:
        texts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(texts)


async def test_the_token_appears_nowhere(make: Make, connect: Connect, tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level: aiohttp's included
    cloud = await make(token=CANARY, page_size=2)
    seen: list[str] = []
    session = await connect(cloud, poll_interval=0.1, allow=[capability(cloud, "Back door lock", "lock")])
    seen.append((await session.snapshot()).model_dump_json())
    seen += [r.model_dump_json() for r in await session.probe(1.0)]
    async with aclosing(session.observe()) as changes:
        watching = asyncio.ensure_future(next_change(changes))
        await asyncio.sleep(0.3)
        await session.act(capability(cloud, "Porch light", "switch"), "turn_on")
        seen.append((await watching).model_dump_json())
        await cloud.inject(Fault(kind=FaultKind.SERVER_ERROR))
        seen.append((await next_change(changes)).model_dump_json())  # unavailable, with the cloud's words
        await cloud.heal()
    await session.act(capability(cloud, "Back door lock", "lock"), "unlock")
    for fault in (Fault(kind=FaultKind.KEY_REVOKED), Fault(kind=FaultKind.SERVER_ERROR, target="502"),
                  Fault(kind=FaultKind.GARBLE), Fault(kind=FaultKind.DROP), Fault(kind=FaultKind.RESET),
                  Fault(kind=FaultKind.HOST_DOWN), Fault.parse("rate_limited:1")):
        await cloud.heal()
        await cloud.inject(fault)
        fresh = await SmartThingsAdapter().connect(host_for(cloud), 0.5)
        try:
            seen += [r.model_dump_json() for r in await fresh.probe(0.5)]
            with pytest.raises(RequestFailed) as failed:
                await fresh.snapshot()
            seen.append(exception_texts(failed.value))
            with pytest.raises(RequestFailed) as failed:
                await fresh.act(capability(cloud, "Porch light", "switch"), "turn_off")
            seen.append(exception_texts(failed.value))
        finally:
            await fresh.close()
    await cloud.heal()
    refused = await SmartThingsAdapter().connect(host_for(cloud, WRONG), 1.0)
    try:
        seen += [r.model_dump_json() for r in await refused.probe(1.0)]
        with pytest.raises(RequestFailed) as failed:
            await refused.dump()
        seen.append(exception_texts(failed.value))
    finally:
        await refused.close()
    [outcome] = await dump_hosts([host_for(cloud)], {"smartthings": SmartThingsAdapter()}, tmp_path, timeout=2.0)
    assert outcome.path is not None and outcome.error is None
    seen.append(outcome.path.read_text())
    seen += [record.getMessage() + repr(record.args) + (record.exc_text or "") for record in caplog.records]
    everything = "\n".join(seen)
    assert "refuses the personal access token" in everything and "503" in everything  # the faults were met
    assert any(CANARY in line for line in cloud.request_log)  # it was sent to the account it belongs to…
    assert CANARY not in everything and WRONG not in everything  # …and appears in nothing weaklink reports
    assert sum(f"Bearer {CANARY}" in line for line in cloud.request_log[:1]) == 0  # never on the first request
