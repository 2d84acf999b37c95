"""The live side of the adapter contract: discover, snapshot, probe, observe, act.

An adapter that can talk to its brand's devices on the network offers, beside the offline
`Adapter` methods (or instead of them):

- `mdns_types` in its manifest (`["_hue._tcp.local."]`), and `identify(record)`: turn an
  mDNS record into a `Discovered` host — or None when the record is not really one of its
  brand (a host advertising `_hue._tcp` whose `bridgeid` is not a bridge id is reported, and
  is never sent credentials);
- `async connect(host, timeout) -> LiveSession`: open a session to one host named in the
  home file (credentials already resolved into `Secret`s);
- optionally `prepare()`: load what `connect` needs (an adapter loads its network client on
  first use, so that offline commands never pay for it); called once before the hosts are
  visited, so that this one-off cost is not charged to the first hosts' timeouts;

and the session offers:

- `async snapshot() -> HomeFragment`: what the host knows now, in the shared model;
- `async probe(timeout) -> list[ProbeResult]`: health, layer by layer (`network`: does it
  answer; `integration`: does it accept our credentials; `hub`/`radio`/`device`: what it
  says of the devices behind it), never raising for a sick host: a probe that fails is a
  finding;
- `observe() -> AsyncIterator[StateChange | EventRecord]`: state changes as they happen,
  from the brand's own push channel when it has one (Hue's event stream, Shelly's
  notifications, Home Assistant's `subscribe_events`), by polling otherwise (miIO);
- `async act(entity_id, service, data) -> None`: change something. Only ever called when the
  user opted in with `--actuate`, and never for a lock, alarm or garage door the user did
  not name (the tracer enforces it; `ActuationRefused` is what it raises otherwise);
- `async close()`;
- with the `dump` operation, `async dump() -> DeviceDump`: everything the host answers that
  the adapter's offline reader needs, in that reader's format (what `weaklink dump` records
  as a fixture).

No method blocks the event loop: a blocking client library (python-miio) runs in an executor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ..errors import WeaklinkError
from ..model import CapabilityKind, EventRecord, HomeFragment, ProbeResult, StateChange
from .secrets import Secret

DEFAULT_PROBE_TIMEOUT = 2.0  # seconds: a LAN device that has not answered by then is in trouble

# Entities that move something in the physical world with safety consequences: never
# actuated unless the user named them.
GUARDED_DOMAINS = frozenset({"lock", "alarm_control_panel", "cover", "garage_door", "siren", "valve"})
# The same, for capabilities whose ids carry no domain (a cloud's device ids): guarded by what they are.
GUARDED_KINDS = frozenset({CapabilityKind.LOCK, CapabilityKind.ALARM, CapabilityKind.COVER, CapabilityKind.SIREN,
                           CapabilityKind.VALVE})


class ActuationRefused(WeaklinkError):
    """An action the user did not allow (no `--actuate`, or a guarded device not named)."""


class HostSpec(BaseModel):
    """One host of a live home file: which adapter talks to it, where, with what credentials."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    adapter: str = Field(description="The adapter's manifest name: hue, shelly, miio, homeassistant, …")
    name: str | None = None
    address: str = Field(description="IP address or host name (or a URL, for adapters that take one).")
    port: int | None = None
    credentials: dict[str, Secret] = Field(default_factory=dict, exclude=True)
    options: dict[str, Any] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        """How to name the host to a person."""
        return self.name or f"{self.adapter} at {self.address}"


class Discovered(BaseModel):
    """A host found on the network, and what weaklink can do with it."""

    adapter: str | None = Field(description="The adapter that recognised it; None when no full adapter exists.")
    brand: str
    name: str
    address: str
    port: int | None = None
    model: str | None = None
    identifiers: dict[str, str] = Field(default_factory=dict, description="bridgeid, mac, serial, device id…")
    via: str = Field(description="How it was found: an mDNS service type, or 'miio-handshake'.")
    operations: list[str] = Field(default_factory=list, description="What the adapter can do with it.")
    problem: str | None = Field(default=None, description="Why it is not trusted (failed identity check).")
    details: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="What its announcement says of its state, as fields: a HomeKit accessory's `category`, `paired`, "
                    "`config_number`; a Matter node's `commissioned`, `commissioning_open`, `vendor_id`… "
                    "(the same facts `model` states in words).")


class DeviceDump(BaseModel):
    """A host's answers, as recorded for a fixture: `document` is in the format its adapter's
    offline reader loads (a Shelly's `{"shelly", "status", "settings"}`, a Hue bridge's
    `{"config", "resources"}`), unredacted; `weaklink dump` redacts it before writing."""

    model: str | None = None
    firmware: str | None = None
    document: Any


class DumpingSession(Protocol):
    """A session that can record its host's answers (the `dump` operation)."""

    async def dump(self) -> DeviceDump:
        """Ask the host everything its adapter reads, and return the answers as they came."""
        ...


@runtime_checkable
class LiveSession(Protocol):
    """An open connection to one live host."""

    host: HostSpec

    async def snapshot(self) -> HomeFragment:
        """What the host knows now, as a home fragment."""
        ...

    async def probe(self, timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[ProbeResult]:
        """The host's health, layer by layer; a failing probe is a result, not an exception."""
        ...

    def observe(self) -> AsyncIterator[StateChange | EventRecord]:
        """State changes and events as they happen."""
        ...

    async def act(self, entity_id: str, service: str, data: Mapping[str, Any] | None = None) -> None:
        """Change something (only when the user opted in)."""
        ...

    async def close(self) -> None:
        """Release the connection."""
        ...


@runtime_checkable
class LiveAdapter(Protocol):
    """An adapter that can find and talk to its brand's hosts on the network."""

    def identify(self, service_type: str, name: str, address: str, port: int,
                 properties: Mapping[str, str]) -> Discovered | None:
        """The host an mDNS record announces, if it is this adapter's brand."""
        ...

    async def connect(self, host: HostSpec, timeout: float = DEFAULT_PROBE_TIMEOUT) -> LiveSession:
        """Open a session to `host`, within `timeout` seconds.

        Raise (a `WeaklinkError`) when the host is not the one named, or refuses the
        credentials. A host that does not answer in time still gets a session, whose first
        probe reports what connecting met without asking again: a silent host then costs one
        timeout, not two, and the finding names the device. `collect` cuts off a connect that
        takes longer than 1.5 × `timeout`.
        """
        ...
