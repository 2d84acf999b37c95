"""The simulated miIO device, driven by python-miio's real client (in an executor: it blocks)
and found with zeroconf on 127.0.0.1. Hellos go unicast to the device's own address only."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import construct
import miio
import pytest
from miio.exceptions import DeviceError, DeviceException, DeviceInfoUnavailableException, PayloadDecodeException
from miio.miioprotocol import MiIOProtocol
from pydantic import ValidationError
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from weaklink.sim import Advertiser, Fault, FaultKind
from weaklink.sim.miio import HELLO, MIIO_PORT, SERVICE_TYPE, MiioDevice, MiioSpec, seal

TOKEN = "2b00042f7481c7b056c4b410d28f33cf"
DID = 123786956
MAC = "28:6C:07:85:86:D3"
SILENCE = 0.3  # how long a test waits for an answer that must not come

T = TypeVar("T")


async def blocking(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one of python-miio's blocking calls off the event loop (the simulator lives on it)."""
    return await asyncio.get_running_loop().run_in_executor(None, partial(call, *args, **kwargs))


def client(address: str, token: str = TOKEN, timeout: float = 2) -> miio.Device:
    return miio.Device(address, token, timeout=timeout)  # type: ignore[arg-type]  # python-miio says int


async def hello(address: str, timeout: float = SILENCE) -> Any:
    """python-miio's handshake, unicast to one address: the parsed answer, or None."""
    return await blocking(MiIOProtocol.discover, address, timeout=timeout)


def plug_spec(address: str, **fields: Any) -> MiioSpec:
    return MiioSpec(**{"name": "Kitchen plug", "address": address, "device_id": DID, "token": TOKEN, "mac": MAC,
                       **fields})


@asynccontextmanager
async def running(spec: MiioSpec, advertiser: Advertiser | None = None) -> AsyncIterator[MiioDevice]:
    """A started device, stopped however the test ends."""
    device = MiioDevice(spec, advertiser)
    await device.start()
    try:
        yield device
    finally:
        await device.stop()


@pytest.fixture
async def plug(address: str) -> AsyncIterator[MiioDevice]:
    """A plug nobody advertises (most tests need no mDNS, and closing zeroconf takes a while)."""
    async with running(plug_spec(address)) as device:
        yield device


@pytest.fixture
async def advertised_plug(address: str, advertiser: Advertiser) -> AsyncIterator[MiioDevice]:
    """A plug on mDNS, with a device id (so an instance name) of its own: every process on this
    machine shares 127.0.0.1's mDNS, and another test run may be advertising our usual plug."""
    async with running(plug_spec(address, device_id=secrets.randbelow(2**32 - 1) + 1), advertiser) as device:
        yield device


# ------------------------------------------------------------------ the description


def test_spec_derives_identity_from_the_name_and_defaults_by_model() -> None:
    spec = MiioSpec(name="Porch bulb", address="127.0.9.9", model="yeelink.light.color1")
    again = MiioSpec(name="Porch bulb", address="127.0.9.10", model="yeelink.light.color1")
    other = MiioSpec(name="Hall bulb", address="127.0.9.11", model="yeelink.light.color1")
    assert (spec.device_id, spec.token, spec.mac) == (again.device_id, again.token, again.mac)
    assert spec.token != other.token and spec.device_id != other.device_id
    assert len(spec.token) == 32 and int(spec.token, 16) >= 0
    assert spec.port == MIIO_PORT and spec.kind == "miio"
    assert spec.properties["power"] == "off" and spec.properties["bright"] == "100"
    assert spec.instance == f"yeelink-light-color1_miio{spec.device_id}"
    assert plug_spec("127.0.9.12", mac="28:6c:07:85:86:d3").mac == MAC
    assert plug_spec("127.0.9.12").properties == {"power": "on", "temperature": 32}


@pytest.mark.parametrize("fields", [{"token": "abc"}, {"mac": "28-6C-07-85-86-D3"}, {"device_id": 0},
                                    {"colour": "red"}, {"model": "Plug"}])
def test_spec_rejects_what_a_device_cannot_have(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        MiioSpec(name="Kitchen plug", address="127.0.9.9", **fields)


# ------------------------------------------------------------------ the protocol


async def test_hello_answers_with_device_id_and_stamp_and_hides_the_token(plug: MiioDevice) -> None:
    answer = await hello(plug.address, timeout=2)
    assert answer is not None
    header = answer.header.value
    assert header.length == 32 and header.unknown == 0
    assert int.from_bytes(header.device_id, "big") == DID
    assert answer.checksum == b"\xff" * 16  # a provisioned device does not give its token away


async def test_an_unprovisioned_device_reveals_its_token_in_the_hello(address: str) -> None:
    async with running(plug_spec(address, reveal_token=True)):
        answer = await hello(address, timeout=2)
        assert answer is not None and answer.checksum.hex() == TOKEN


async def test_miio_info_through_the_real_client(plug: MiioDevice) -> None:
    device = client(plug.address)
    info = await blocking(device.info)
    assert (info.model, info.firmware_version, info.hardware_version) == ("chuangmi.plug.m1", "1.2.4_16", "MW300")
    assert info.mac_address == MAC and info.ip_address == plug.address and info.token == TOKEN
    assert info.accesspoint["ssid"] == "weaklink" and info.accesspoint["rssi"] < 0
    assert isinstance(info.raw["life"], int)
    assert await blocking(lambda: device.device_id) == DID


async def test_get_prop_and_set_power_as_a_chuangmi_plug(plug: MiioDevice) -> None:
    device = miio.ChuangmiPlug(plug.address, TOKEN, model="chuangmi.plug.m1", timeout=2)  # type: ignore[arg-type]
    status = await blocking(device.status)
    assert status.is_on is True and status.temperature == 32
    assert await blocking(device.off) == ["ok"]
    assert plug.power is False and ("set_power", ["off"]) in plug.calls
    assert (await blocking(device.status)).is_on is False
    plug.set_power(True)
    plug.set_property("temperature", 41)
    assert await blocking(device.send, "get_prop", ["power", "temperature", "voltage"]) == ["on", 41, None]


async def test_a_yeelight_answers_strings_and_empty_for_unknown_properties(address: str) -> None:
    async with running(MiioSpec(name="Porch bulb", address=address, model="yeelink.light.color1")) as bulb:
        device = client(address, bulb.token)
        assert await blocking(device.send, "set_power", ["on", "smooth", 500]) == ["ok"]
        assert await blocking(device.send, "set_bright", [40, "smooth", 500]) == ["ok"]
        assert await blocking(device.send, "get_prop", ["power", "bright", "bg_power"]) == ["on", "40", ""]


async def test_unknown_methods_and_bad_arguments_are_device_errors(plug: MiioDevice) -> None:
    device = client(plug.address)
    with pytest.raises(DeviceError) as unknown:
        await blocking(device.send, "set_colour", ["red"], retry_count=0)
    assert (unknown.value.code, unknown.value.message) == (-32601, "Method not found.")
    with pytest.raises(DeviceError) as bad:
        await blocking(device.send, "set_power", ["maybe"], retry_count=0)
    assert bad.value.code == -5001
    assert plug.power is True and plug.calls == []


async def test_datagrams_that_are_not_miio_are_ignored(plug: MiioDevice) -> None:
    garbage = [b"\x21\x31", HELLO[:2] + b"\x00\x40" + HELLO[4:], b"GET / HTTP/1.1\r\n\r\n" * 2,
               seal(DID, 1, bytes.fromhex(TOKEN), b"\xff not json")]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(2)
        for datagram in [*garbage, HELLO]:
            probe.sendto(datagram, (plug.address, MIIO_PORT))
        first = await blocking(probe.recv, 1024)
        assert len(first) == 32 and first[8:12] == DID.to_bytes(4, "big")  # only the hello was answered
        probe.settimeout(SILENCE)
        with pytest.raises(TimeoutError):
            await blocking(probe.recv, 1024)
    assert (await blocking(client(plug.address).info)).model == "chuangmi.plug.m1"


# ------------------------------------------------------------------ mDNS


class Watcher:
    """A zeroconf client on 127.0.0.1 browsing `_miio._udp`, telling what it sees as it sees it."""

    def __init__(self) -> None:
        self.zeroconf = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        self.changes: asyncio.Queue[tuple[ServiceStateChange, str]] = asyncio.Queue()
        self.browser = AsyncServiceBrowser(self.zeroconf.zeroconf, [SERVICE_TYPE], handlers=[self._seen])

    def _seen(self, zeroconf: object, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        self.changes.put_nowait((state_change, name))

    async def until(self, change: ServiceStateChange, name: str, timeout: float = 5) -> None:
        async with asyncio.timeout(timeout):
            while await self.changes.get() != (change, name):
                pass

    async def resolve(self, name: str) -> AsyncServiceInfo:
        info = AsyncServiceInfo(SERVICE_TYPE, name)
        assert await info.async_request(self.zeroconf.zeroconf, 2000)
        return info

    async def close(self) -> None:
        await self.browser.async_cancel()
        await self.zeroconf.async_close()


@pytest.fixture
async def watcher() -> AsyncIterator[Watcher]:
    seen = Watcher()
    yield seen
    await seen.close()


async def test_advertised_as_miio_udp_with_the_mac_in_txt(advertised_plug: MiioDevice, watcher: Watcher) -> None:
    plug = advertised_plug
    name = f"chuangmi-plug-m1_miio{plug.device_id}.{SERVICE_TYPE}"
    await watcher.until(ServiceStateChange.Added, name)
    info = await watcher.resolve(name)
    assert info.port == MIIO_PORT and info.parsed_addresses() == [plug.address]
    assert info.properties == {b"epoch": b"1", b"mac": b"286c078586d3"}
    assert info.server == f"chuangmi-plug-m1_miio{plug.device_id}.local."

    await plug.inject(Fault(kind=FaultKind.NOT_ADVERTISED))
    await watcher.until(ServiceStateChange.Removed, name)
    assert await hello(plug.address, timeout=2) is not None  # gone from mDNS, still answering


async def test_moved_answers_and_advertises_on_the_new_address(
        advertised_plug: MiioDevice, watcher: Watcher, fresh_address: Callable[[], str]) -> None:
    plug = advertised_plug
    name = f"{plug.spec.instance}.{SERVICE_TYPE}"
    await watcher.until(ServiceStateChange.Added, name)
    new_address = fresh_address()
    await plug.inject(Fault(kind=FaultKind.MOVED, address=new_address))
    assert await hello(plug.home_address) is None
    assert (await blocking(client(new_address).info)).ip_address == new_address
    await watcher.until(ServiceStateChange.Added, name)
    assert (await watcher.resolve(name)).parsed_addresses() == [new_address]


# ------------------------------------------------------------------ faults, as the client sees them


async def test_wrong_token_answers_with_a_checksum_python_miio_calls_an_invalid_token(plug: MiioDevice) -> None:
    await plug.inject(Fault(kind=FaultKind.WRONG_TOKEN))
    assert plug.token != TOKEN
    device = client(plug.address)
    assert await hello(plug.address) is not None  # the hello is not encrypted: it still works
    with pytest.raises(DeviceException, match="invalid token") as failure:
        await blocking(device.info)
    assert isinstance(failure.value.__cause__, construct.ChecksumError)  # what Home Assistant reads as wrong_token
    assert plug.calls == []

    await plug.heal()
    assert (await blocking(device.info)).model == "chuangmi.plug.m1"


async def test_silent_wrong_token_only_answers_hellos(plug: MiioDevice) -> None:
    device = await shaken_hands_then(plug, Fault.parse("wrong_token:silent"))
    assert await hello(plug.address) is not None
    await no_response(device, "miIO.info")
    assert await blocking(client(plug.address, plug.token).send, "get_prop", ["power"]) == ["on"]


async def test_garbled_json_is_a_payload_decode_error(plug: MiioDevice) -> None:
    await plug.inject(Fault(kind=FaultKind.GARBLE))
    device = client(plug.address)
    with pytest.raises(DeviceInfoUnavailableException) as failure:
        await blocking(device.info)
    assert isinstance(failure.value.__cause__, PayloadDecodeException)
    with pytest.raises(PayloadDecodeException):
        await blocking(device.send, "get_prop", ["power"], retry_count=0)


async def test_garbled_checksum_looks_like_a_wrong_token(plug: MiioDevice) -> None:
    await plug.inject(Fault.parse("garble:checksum"))
    with pytest.raises(DeviceException, match="invalid token") as failure:
        await blocking(client(plug.address).info)
    assert isinstance(failure.value.__cause__, construct.ChecksumError)


@pytest.mark.parametrize(("mode", "error"), [("magic", construct.ConstError), ("length", construct.StreamError)])
async def test_broken_headers_defeat_the_handshake_and_escape_python_miio(
        plug: MiioDevice, mode: str, error: type[Exception]) -> None:
    device = await shaken_hands_then(plug, Fault.parse(f"garble:{mode}"), timeout=2)
    assert await hello(plug.address, timeout=2) is None  # discarded at once, no timeout needed
    with pytest.raises(error):  # python-miio does not wrap these in DeviceException
        await blocking(device.send, "get_prop", ["power"], retry_count=0)


async def test_unknown_fault_modes_are_refused(plug: MiioDevice) -> None:
    with pytest.raises(ValueError, match="json, magic, checksum, length"):
        await plug.inject(Fault.parse("garble:bits"))
    with pytest.raises(ValueError, match="answer, silent"):
        await plug.inject(Fault.parse("wrong_token:loud"))


async def shaken_hands_then(plug: MiioDevice, fault: Fault, timeout: float = SILENCE) -> miio.Device:
    """A client that did its handshake while the device was well, then the fault."""
    device = client(plug.address, timeout=timeout)
    await blocking(device.send_handshake)
    await plug.inject(fault)
    return device


async def no_response(device: miio.Device, method: str, params: Any = None) -> None:
    """python-miio's verdict on a device that does not answer a command (one try, no re-handshake)."""
    with pytest.raises(DeviceException, match="No response from the device"):
        await blocking(device.send, method, params, retry_count=0)


async def test_drop_answers_nothing_and_does_not_act(plug: MiioDevice) -> None:
    device = await shaken_hands_then(plug, Fault(kind=FaultKind.DROP))
    assert await hello(plug.address) is None
    await no_response(device, "set_power", ["off"])
    assert plug.power is True
    await plug.heal()
    assert await blocking(device.send, "get_prop", ["power"], retry_count=0) == ["on"]


async def test_slow_answers_after_the_delay(plug: MiioDevice) -> None:
    await plug.inject(Fault.parse("slow:0.4"))
    device = client(plug.address, timeout=0.2)
    await blocking(device.send_handshake)  # hellos are slow too, but come (python-miio waits 5 s for them)
    await no_response(device, "get_prop", ["power"])
    patient = client(plug.address, timeout=3)
    assert await blocking(patient.send, "get_prop", ["power"]) == ["on"]


async def test_host_down_closes_the_port(plug: MiioDevice) -> None:
    device = await shaken_hands_then(plug, Fault(kind=FaultKind.HOST_DOWN))
    assert await hello(plug.address) is None
    await no_response(device, "miIO.info")

    # python-miio's unconnected socket never hears the ICMP port-unreachable; a connected one does,
    # which is how a probe tells a closed port from a silent device.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(2)
        probe.connect((plug.address, MIIO_PORT))
        probe.send(HELLO)
        with pytest.raises(ConnectionRefusedError):
            await blocking(probe.recv, 64)

    await plug.heal()
    assert await hello(plug.address, timeout=2) is not None
