"""The live conformance kit catches what it promises to: run it, in a pytest of its own, on live
adapters that each get one rule wrong, and on one that gets them all right."""

from __future__ import annotations

import pytest
from kit_support import kit_outcomes

pytest_plugins = ["pytester"]

# A live adapter for a made-up brand, over plain TCP: it asks the host who it is, and only then
# sends its token. `BUG` picks what it gets wrong.
ADAPTER = '''
import asyncio, json, time
from weaklink.adapters import AdapterManifest
from weaklink.errors import WeaklinkError
from weaklink.model import ProbeResult

BUG = {bug!r}


class Session:
    def __init__(self, host, reader, writer):
        self.host, self.reader, self.writer = host, reader, writer

    async def probe(self, timeout=2.0):
        token = self.host.credentials["token"].reveal()
        try:
            if BUG == "leak":
                self.writer.write(f"TOKEN {{token}}\\\\n".encode())
            self.writer.write(b"WHO\\\\n")
            await self.writer.drain()
            line = await asyncio.wait_for(self.reader.readline(), timeout)
            if not line:
                raise ConnectionResetError("closed")
            if BUG == "crash":
                json.loads(line)  # garbage makes it raise, and nothing catches it
            try:
                json.loads(line)
            except ValueError:
                return [ProbeResult(element=self.host.label, layer="device", ok=False, detail="garbled")]
            return [ProbeResult(element=self.host.label, layer="network", ok=True, detail="answers")]
        except (TimeoutError, OSError) as error:
            return [ProbeResult(element=self.host.label, layer="network", ok=False, detail=type(error).__name__)]

    async def snapshot(self): ...
    def observe(self): ...
    async def act(self, entity_id, service, data=None): ...

    async def close(self):
        self.writer.close()


class GizmoAdapter:
    manifest = AdapterManifest(name="gizmo", brand="Gizmo", operations=["discover", "probe"],
                               mdns_types=["_gizmo._tcp.local."])

    def identify(self, service_type, name, address, port, properties):
        if BUG == "fragile":
            return int(properties.get("version", "x"))  # raises on anything but a number
        return None

    async def connect(self, host, timeout=2.0):
        if BUG == "blocking":
            time.sleep(0.01)  # a blocking call on the event loop
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host.address, host.port), timeout)
        except (TimeoutError, OSError) as error:
            raise WeaklinkError(str(error)) from None
        return Session(host, reader, writer)
'''
CONFTEST = '''
import pytest
from adapter import GizmoAdapter

@pytest.fixture(autouse=True)
def only_gizmo(monkeypatch):
    # the kit looks adapters up among the installed ones: install this one for the inner run
    monkeypatch.setattr("weaklink.testing.live_conformance.live_adapters", lambda: {{"gizmo": GizmoAdapter()}})
'''
TESTS = '''
from weaklink.testing import LiveConformance

class TestGizmo(LiveConformance):
    adapter = "gizmo"
    credentials = {"token": "kit-canary-token-7f3a"}

    @classmethod
    def instance(cls):
        from adapter import GizmoAdapter
        return GizmoAdapter()
'''


def run_kit(pytester: pytest.Pytester, bug: str | None) -> dict[str, str]:
    pytester.makepyfile(adapter=ADAPTER.format(bug=bug), conftest=CONFTEST.format(), test_gizmo=TESTS)
    return kit_outcomes(pytester, "-o", "asyncio_mode=auto")


def failing(outcomes: dict[str, str]) -> set[str]:
    return {name for name, outcome in outcomes.items() if outcome != "PASSED"}


def test_a_sound_live_adapter_passes_every_trial(pytester: pytest.Pytester) -> None:
    outcomes = run_kit(pytester, None)
    assert failing(outcomes) == set() and len(outcomes) == 7  # 3 behaviours x 2, and identify


@pytest.mark.parametrize("bug, caught", [
    ("leak", {f"test_no_credential_reaches_a_host_that_never_proved_who_it_is[{b}]" for b in ("silent", "garbage")}),
    ("crash", {"test_a_misbehaving_host_is_a_finding_never_an_exception[garbage]",
               "test_no_credential_reaches_a_host_that_never_proved_who_it_is[garbage]"}),
    ("fragile", {"test_identify_survives_any_record[_gizmo._tcp.local.]"}),
])
def test_each_broken_rule_is_caught(pytester: pytest.Pytester, bug: str, caught: set[str]) -> None:
    assert failing(run_kit(pytester, bug)) == caught


def test_a_blocking_call_on_the_event_loop_fails_every_trial(pytester: pytest.Pytester) -> None:
    outcomes = run_kit(pytester, "blocking")
    assert failing(outcomes) == {name for name in outcomes if not name.startswith("test_identify")}
