"""The simulated Kasa plugs and strips, driven with a bare client of the legacy protocol (TCP frames
and UDP datagrams on loopback). Shapes are checked against real devices' dumps in
../shared/reference/kasa; the cipher against the bytes published with the protocol."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from weaklink.sim import Fault, FaultKind
from weaklink.sim.home import SimError, VirtualHome, load_virtual_home, parse_fault
from weaklink.sim.kasa import KasaDevice, KasaSpec, decrypt, encrypt, frame
from weaklink.sim.livehome import live_home_document

PORT = 19998
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "kasa"
Make = Callable[..., Awaitable[KasaDevice]]
Json = dict[str, Any]


def reference(name: str) -> Json:
    """A real device's dump (python-kasa's fixture) from the reference folder."""
    assert REFERENCE.is_dir(), f"the Kasa reference dumps are missing from {REFERENCE}"
    (path,) = REFERENCE.glob(f"iot_{name}*.json")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@pytest.fixture
async def make(fresh_address: Callable[[], str]) -> AsyncIterator[Make]:
    """Start Kasa devices on fresh loopback addresses; stopped after the test."""
    started: list[KasaDevice] = []

    async def start(**fields: Any) -> KasaDevice:
        fields.setdefault("name", "Plug")
        device = KasaDevice(KasaSpec(address=fresh_address(), port=PORT, **fields))
        await device.start()
        started.append(device)
        return device

    yield start
    for device in started:
        await device.stop()


async def ask(device: KasaDevice, *requests: Json | bytes, timeout: float = 2.0) -> list[Json]:
    """Send each request over one TCP connection, in turn, and read each answer."""
    reader, writer = await asyncio.open_connection(device.address, PORT)
    answers = []
    try:
        async with asyncio.timeout(timeout):
            for request in requests:
                writer.write(frame(request if isinstance(request, bytes) else json.dumps(request).encode()))
                await writer.drain()
                (length,) = struct.unpack(">I", await reader.readexactly(4))
                answers.append(json.loads(decrypt(await reader.readexactly(length))))
    finally:
        writer.close()
    return answers


class _Answers(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.put_nowait((data, addr))


async def datagram(device: KasaDevice, request: Json, timeout: float = 2.0) -> tuple[bytes, tuple[str, int]]:
    """One request over UDP, as python-kasa's discovery sends it; the raw answer and where it came from."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(_Answers, local_addr=("127.0.0.1", 0))
    try:
        transport.sendto(encrypt(json.dumps(request).encode()), (device.address, PORT))
        return await asyncio.wait_for(protocol.received.get(), timeout)
    finally:
        transport.close()


def test_the_cipher_gives_the_bytes_the_devices_expect() -> None:
    # softScheck's capture of `{"system":{"get_sysinfo":{}}}` over TCP
    wire = bytes.fromhex("0000001dd0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6")
    assert frame(b'{"system":{"get_sysinfo":{}}}') == wire and decrypt(wire[4:]) == b'{"system":{"get_sysinfo":{}}}'


async def test_a_plug_answers_get_sysinfo_as_the_real_ones_do(make: Make) -> None:
    plug = await make(model="HS110(EU)", name="Coffee maker", on=True)
    [answer] = await ask(plug, {"system": {"get_sysinfo": {}}})
    info = answer["system"]["get_sysinfo"]
    real = reference("HS110(EU)")["system"]["get_sysinfo"]
    assert set(real) <= set(info), f"missing: {set(real) - set(info)}"
    assert {key: type(value) for key, value in info.items() if key in real} == \
        {key: type(value) for key, value in real.items()}
    assert (info["alias"], info["model"], info["hw_ver"], info["relay_state"], info["err_code"]) == \
        ("Coffee maker", "HS110(EU)", "4.0", 1, 0)
    assert info["deviceId"] == plug.spec.device_id and len(info["deviceId"]) == 40
    assert info["mac"] == plug.spec.mac and info["mic_type"] == "IOT.SMARTPLUGSWITCH"


async def test_a_strip_lists_its_outlets_as_children(make: Make) -> None:
    strip = await make(model="KP400(US)", outlets=["Lights", "Fountain"])
    [answer] = await ask(strip, {"system": {"get_sysinfo": {}}})
    info = answer["system"]["get_sysinfo"]
    real = reference("KP400(US)")["system"]["get_sysinfo"]
    assert set(info) == set(real)
    assert [set(child) for child in info["children"]] == [set(child) for child in real["children"]]
    assert [(c["alias"], c["id"], c["state"]) for c in info["children"]] == \
        [("Lights", f"{strip.spec.device_id}00", 0), ("Fountain", f"{strip.spec.device_id}01", 0)]
    assert info["child_num"] == 2


async def test_the_meter_reads_the_load_while_the_relay_is_on(make: Make) -> None:
    plug = await make(model="KP125(US)", load_watts=100)
    [off, _, on] = await ask(plug, {"emeter": {"get_realtime": {}}}, {"system": {"set_relay_state": {"state": 1}}},
                             {"emeter": {"get_realtime": {}}})
    real = reference("KP125(US)")["emeter"]["get_realtime"]
    assert set(on["emeter"]["get_realtime"]) == set(real)
    assert (off["emeter"]["get_realtime"]["power_mw"], on["emeter"]["get_realtime"]["power_mw"]) == (0, 100000)
    assert on["emeter"]["get_realtime"]["voltage_mv"] == 120000


async def test_what_a_device_lacks_is_refused_as_the_firmware_refuses_it(make: Make) -> None:
    plug = await make(model="HS103(US)")
    [answer] = await ask(plug, {"emeter": {"get_realtime": {}}, "system": {"reboot": {}, "get_sysinfo": {}},
                                "smartlife.iot.dimmer": {"get_dimmer_parameters": {}}})
    assert answer["emeter"] == {"err_code": -1, "err_msg": "module not support"}  # as in the HS103 reference
    assert answer["emeter"] == reference("HS103(US)")["emeter"]
    assert answer["smartlife.iot.dimmer"] == reference("HS103(US)")["smartlife.iot.dimmer"]
    assert answer["system"]["reboot"] == {"err_code": -2, "err_msg": "member not support"}
    assert answer["system"]["get_sysinfo"]["err_code"] == 0
    [bad] = await ask(plug, {"system": {"set_relay_state": {"state": "on"}}})
    assert bad["system"]["set_relay_state"] == {"err_code": -3, "err_msg": "invalid argument"}
    [broken] = await ask(plug, b"{not json")
    assert broken == {"err_code": -1, "err_msg": "json format error"}
    assert not plug.relay_on() and plug.calls == []


async def test_one_outlet_is_switched_through_its_context(make: Make) -> None:
    strip = await make(model="HS300(US)")
    changes: list[int] = []
    strip.watch(lambda: changes.append(1))
    [one] = await ask(strip, {"context": {"child_ids": [strip.child_id(3)]}, "system": {"set_relay_state": {"state": 1}}})
    assert one == {"system": {"set_relay_state": {"err_code": 0}}}
    assert [strip.relay_on(n) for n in range(1, 7)] == [False, False, True, False, False, False]
    await ask(strip, {"context": {"child_ids": ["04"]}, "system": {"set_relay_state": {"state": 1}}})  # the slot alone
    assert strip.relay_on(5)
    [unknown] = await ask(strip, {"context": {"child_ids": ["FFFF"]}, "system": {"set_relay_state": {"state": 0}}})
    assert unknown["system"]["set_relay_state"]["err_code"] == -3 and strip.relay_on(3)
    await ask(strip, {"system": {"set_relay_state": {"state": 1}}})  # no context: every outlet
    assert all(strip.relay_on(n) for n in range(1, 7)) and len(changes) == 3
    [meter] = await ask(strip, {"context": {"child_ids": [strip.child_id(2)]}, "emeter": {"get_realtime": {}}})
    assert meter["emeter"]["get_realtime"]["slot_id"] == 1


async def test_discovery_is_answered_over_udp_from_the_same_address(make: Make) -> None:
    plug = await make(name="Porch")
    raw, sender = await datagram(plug, {"system": {"get_sysinfo": None}})
    assert sender == (plug.address, PORT)
    assert json.loads(decrypt(raw))["system"]["get_sysinfo"]["alias"] == "Porch"  # no length prefix over UDP
    assert plug.services() == []  # and nothing over mDNS


# ------------------------------------------------------------------ faults


async def test_a_device_that_is_down_refuses_both_sockets(make: Make) -> None:
    plug = await make()
    await plug.inject(Fault(kind=FaultKind.HOST_DOWN))
    with pytest.raises(ConnectionRefusedError):
        await ask(plug, {"system": {"get_sysinfo": {}}})
    with pytest.raises(TimeoutError):
        await datagram(plug, {"system": {"get_sysinfo": None}}, timeout=0.3)
    await plug.heal()
    assert (await ask(plug, {"system": {"get_sysinfo": {}}}))[0]["system"]["get_sysinfo"]["alias"] == "Plug"


async def test_a_dropping_device_never_answers_and_a_slow_one_answers_late(make: Make) -> None:
    plug = await make()
    await plug.inject(Fault(kind=FaultKind.DROP))
    with pytest.raises(TimeoutError):
        await ask(plug, {"system": {"get_sysinfo": {}}}, timeout=0.3)
    await plug.heal()
    await plug.inject(Fault(kind=FaultKind.SLOW, seconds=0.3))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await ask(plug, {"system": {"get_sysinfo": {}}})
    assert loop.time() - started >= 0.3


async def test_a_garbled_answer_is_framed_but_its_json_is_cut(make: Make) -> None:
    plug = await make()
    await plug.inject(Fault(kind=FaultKind.GARBLE))
    reader, writer = await asyncio.open_connection(plug.address, PORT)
    writer.write(frame(b'{"system":{"get_sysinfo":{}}}'))
    (length,) = struct.unpack(">I", await reader.readexactly(4))
    text = decrypt(await reader.readexactly(length)).decode()
    writer.close()
    assert text.startswith('{"system":{"get_sysinfo":{')
    with pytest.raises(ValueError):
        json.loads(text)


async def test_a_reset_fault_resets_every_connection_but_discovery_still_answers(make: Make) -> None:
    plug = await make()
    await plug.inject(Fault(kind=FaultKind.RESET))
    with pytest.raises((ConnectionResetError, asyncio.IncompleteReadError)):
        await ask(plug, {"system": {"get_sysinfo": {}}})
    raw, _ = await datagram(plug, {"system": {"get_sysinfo": None}})
    assert json.loads(decrypt(raw))["system"]["get_sysinfo"]["err_code"] == 0


async def test_a_stuck_relay_accepts_commands_and_stays_as_it_is(make: Make) -> None:
    strip = await make(model="HS300(US)")
    await strip.inject(Fault.parse("relay_stuck:2"))
    answers = await ask(strip, *({"context": {"child_ids": [strip.child_id(n)]},
                                  "system": {"set_relay_state": {"state": 1}}} for n in (1, 2)))
    assert all(a["system"]["set_relay_state"]["err_code"] == 0 for a in answers)
    assert [strip.relay_on(1), strip.relay_on(2)] == [True, False]
    await strip.heal()
    await ask(strip, {"context": {"child_ids": [strip.child_id(2)]}, "system": {"set_relay_state": {"state": 1}}})
    assert strip.relay_on(2)
    plug = await make(name="Heater")
    await plug.inject(Fault(kind=FaultKind.RELAY_STUCK))  # no target: the plug's one relay
    await ask(plug, {"system": {"set_relay_state": {"state": 1}}})
    assert not plug.relay_on()


async def test_a_moved_device_answers_at_its_new_address(make: Make, fresh_address: Callable[[], str]) -> None:
    plug = await make()
    old, new = plug.address, fresh_address()
    await plug.inject(Fault(kind=FaultKind.MOVED, address=new))
    assert plug.address == new
    assert (await ask(plug, {"system": {"get_sysinfo": {}}}))[0]["system"]["get_sysinfo"]["deviceId"]
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(old, PORT)


# ------------------------------------------------------------------ the spec and the virtual home


def test_ids_and_mac_derive_from_the_name_and_differ_between_devices() -> None:
    one, again, other = (KasaSpec(name=n, address="127.0.0.9") for n in ("Lamp", "Lamp", "Fan"))
    assert one.device_id == again.device_id != other.device_id and one.mac == again.mac != other.mac
    assert one.port == 9999 and one.model == "HS110(EU)"


@pytest.mark.parametrize("fields, says", [
    ({"model": "HS999(XX)"}, "is not simulated"),
    ({"model": "HS110(EU)", "outlets": ["A"]}, "has no outlets"),
    ({"model": "HS300(US)", "outlets": ["A", "B"]}, "has 6 outlets"),
    ({"device_id": "xyz"}, "device_id"),
])
def test_a_bad_spec_says_what_is_wrong(fields: Json, says: str) -> None:
    with pytest.raises(ValidationError) as raised:
        KasaSpec(name="Plug", address="127.0.0.9", **fields)
    assert says in str(raised.value)


HOME = """\
name: Kasa test home
hosts:
  - kind: kasa
    name: Kettle plug
    address: {plug}
    port: {port}
    model: KP125(US)
  - kind: kasa
    name: Media strip
    address: {strip}
    port: {port}
    model: HS300(US)
faults: ["Media strip:relay_stuck:4"]
"""


async def test_a_virtual_home_runs_kasa_hosts(tmp_path: Path, fresh_address: Callable[[], str]) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(HOME.format(plug=fresh_address(), strip=fresh_address(), port=PORT))
    spec = load_virtual_home(path)
    assert [host.kind for host in spec.hosts] == ["kasa", "kasa"]
    assert parse_fault("Kettle plug:garble", spec)[1].kind is FaultKind.GARBLE
    with pytest.raises(SimError, match="a kasa host cannot be given 'wrong_token'"):
        parse_fault("Kettle plug:wrong_token", spec)
    async with VirtualHome(spec, advertise=False, high_ports=True) as home:
        strip = home.host("Media strip")
        assert isinstance(strip, KasaDevice) and strip.stuck(4) and not strip.stuck(3)
        [answer] = await ask(strip, {"system": {"get_sysinfo": {}}})  # the port is high already: kept
        assert answer["system"]["get_sysinfo"]["child_num"] == 6
        document = live_home_document(home)
    hosts = {host["name"]: host for host in document["hosts"]}
    assert hosts["Kettle plug"]["adapter"] == "kasa" and hosts["Kettle plug"]["port"] == PORT
    assert hosts["Kettle plug"]["options"] == {"device_id": spec.hosts[0].device_id}
    assert "credentials" not in hosts["Kettle plug"]  # the legacy protocol has none


def test_a_bad_kasa_host_in_a_home_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(HOME.format(plug="127.0.0.40", strip="127.0.0.41", port=PORT).replace("KP125(US)", "KP999"))
    with pytest.raises(SimError) as raised:
        load_virtual_home(path)
    assert f"{path}:7 (hosts.0.model)" in str(raised.value) and "is not simulated" in str(raised.value)
