"""A whole simulated home, described by a YAML file: its hosts, started and faulted together.

```yaml
name: Maple Street (simulated)
hosts:
  - kind: hue_bridge          # hue_bridge | shelly | miio | kasa | tapo | smartthings | homeassistant
    name: Hue Bridge
    address: 127.0.0.2        # every host on its own loopback address
    lights: [...]
faults:                       # optional: faults on at start, "HOST:KIND[:ARGUMENT]"
  - "Hue Bridge:light_unreachable:1"
```

Each host's fields are its brand simulator's spec (`HueBridgeSpec`, `ShellySpec`,
`MiioSpec`, `KasaSpec`, `TapoSpec`, `SmartThingsSpec`, `HomeAssistantSpec`). Errors in the file name the line and field, like every
other input.

Home Assistant reaches the vendor devices of the same home through its integrations when
its entities say what they mirror, on the entity or in the host's `mirrors` map:

```yaml
  - kind: homeassistant
    name: Home Assistant
    address: 127.0.0.10
    entities:                 # each entity may name what it mirrors…
      - {entity_id: light.driveway, mirrors: "Hue Bridge/1"}        # HOST/<Hue light id>
    mirrors:                  # …or the map does it (for the default entities, or new ones)
      switch.porch: Porch relay/0                                   # HOST/<Shelly relay index>
      switch.hallway_lamp: Hallway lamp plug                        # HOST (a miIO device's power)
```

A mirrored entity shows its device's state and health as the real integration would (a
light out of Zigbee reach, a bridge down, a revoked key: `unavailable`; a revoked key also
puts the integration's config entry in `setup_error`), HA's device registry carries the
identifiers and connections that integration registers (so the home graph merges HA's device
with the vendor's), and a service call on the entity switches the device through the vendor
simulator, subject to its faults. A target naming no host, no such light or relay, or a
device the entity's domain cannot be, is an error naming its line. The details and the
decisions are in `weaklink.sim.links`. Without `mirrors`, HA's entities are its own, as in
a `HomeAssistantSim` run alone.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import TracebackType
from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InputError
from ..yamlio import line_of, load_yaml, validate
from .faults import GENERIC_FAULTS, Fault, FaultKind
from .homeassistant import HomeAssistantSim, HomeAssistantSpec
from .host import SimHost, loopback
from .hue import HueBridge, HueBridgeSpec
from .kasa import KasaDevice, KasaSpec
from .links import MirrorError, build_links, check_mirrors
from .mdns import Advertiser
from .miio import MiioDevice, MiioSpec
from .shelly import ShellyDevice, ShellySpec
from .smartthings import SmartThingsCloud, SmartThingsSpec
from .tapo import TapoDevice, TapoSpec

SimHostSpec = Annotated[Union[HueBridgeSpec, ShellySpec, MiioSpec, KasaSpec, TapoSpec, SmartThingsSpec,
                              HomeAssistantSpec],
                        Field(discriminator="kind")]

HIGH_PORT_OFFSET = 8000


_SIMULATORS: dict[type[BaseModel], type[SimHost]] = {
    HueBridgeSpec: HueBridge,
    ShellySpec: ShellyDevice,
    MiioSpec: MiioDevice,
    KasaSpec: KasaDevice,
    TapoSpec: TapoDevice,
    SmartThingsSpec: SmartThingsCloud,
    HomeAssistantSpec: HomeAssistantSim,
}
_KINDS = frozenset(spec.model_fields["kind"].default for spec in _SIMULATORS)  # the hosts' `kind` tags


class SimError(InputError):
    """A virtual home file, or a fault named on the command line, is not valid."""


class VirtualHomeSpec(BaseModel):
    """The YAML description of a simulated home."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str | None = None
    hosts: list[SimHostSpec] = Field(min_length=1)
    faults: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> VirtualHomeSpec:
        for what, values in (("name", [h.name for h in self.hosts]),
                             ("address", [f"{h.address}:{h.port}" for h in self.hosts])):
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"two hosts share the {what} {duplicates[0]}")
        return self


def load_virtual_home(path: Path) -> VirtualHomeSpec:
    """Read a virtual home file; SimError naming the file, line and field when it is not valid."""
    document = load_yaml(path, error=SimError)
    spec = validate(document, VirtualHomeSpec, source=path, error=SimError, tags=_KINDS)
    for index, host in enumerate(spec.hosts):
        try:
            loopback(host.address)
        except ValueError as exc:
            location = ["hosts", index, "address"]
            raise SimError(str(exc), source=path, line=line_of(document, location), field=f"hosts.{index}.address") from exc
    for text in spec.faults:
        parse_fault(text, spec, source=path)
    for index, host in enumerate(spec.hosts):
        if isinstance(host, HomeAssistantSpec):
            try:
                check_mirrors(host, spec.hosts)
            except MirrorError as exc:
                location = ["hosts", index, *exc.location]
                raise SimError(str(exc), source=path, line=line_of(document, location),
                               field=".".join(str(part) for part in location)) from exc
    return spec




def faults_of(spec: SimHostSpec) -> frozenset[FaultKind]:
    """Every fault kind a host of this spec can be given: the generic ones and its brand's."""
    simulator = _SIMULATORS[type(spec)]
    return GENERIC_FAULTS | simulator.brand_faults | simulator.transport_faults


def parse_fault(text: str, spec: VirtualHomeSpec, *, source: str | Path | None = None) -> tuple[str, Fault]:
    """Read `HOST:KIND[:ARGUMENT]` (host by name, or by address); SimError when it names nothing."""
    names = {host.name: host.name for host in spec.hosts} | {host.address: host.name for host in spec.hosts}
    for prefix in sorted(names, key=len, reverse=True):  # host names may themselves contain ':'
        if text.startswith(prefix + ":"):
            try:
                fault = Fault.parse(text[len(prefix) + 1:])
            except ValueError as exc:
                raise SimError(f"{text!r}: {exc}", source=source, field="faults") from exc
            spec = next(host for host in spec.hosts if host.name == names[prefix])
            takes = faults_of(spec)
            if fault.kind not in takes:
                raise SimError(f"{text!r}: a {spec.kind} host cannot be given {fault.kind.value!r} "
                               f"(it takes: {', '.join(sorted(takes))})", source=source, field="faults")
            return names[prefix], fault
    known = ", ".join(host.name for host in spec.hosts)
    raise SimError(f"{text!r} names no host of this home (it has: {known})", source=source, field="faults")


class VirtualHome:
    """Every host of a virtual home, started on loopback and advertised on 127.0.0.1."""

    def __init__(self, spec: VirtualHomeSpec, advertise: bool = True, high_ports: bool = False) -> None:
        if high_ports:  # ports below 1024 need privileges most users do not run with
            spec = spec.model_copy(update={"hosts": [
                host.model_copy(update={"port": host.port + HIGH_PORT_OFFSET}) if host.port < 1024 else host
                for host in spec.hosts]})
        self.spec = spec
        self.advertiser = Advertiser() if advertise else None
        built: dict[str, SimHost] = {
            host.name: _SIMULATORS[type(host)](host, advertiser=self.advertiser)  # type: ignore[call-arg]
            for host in spec.hosts if not isinstance(host, HomeAssistantSpec)
        }
        devices = dict(built)
        for index, host in enumerate(spec.hosts):
            if isinstance(host, HomeAssistantSpec):  # its integrations reach the devices built above
                try:
                    check_mirrors(host, spec.hosts)
                except MirrorError as exc:
                    location = ".".join(str(part) for part in ["hosts", index, *exc.location])
                    raise SimError(str(exc), field=location) from exc
                resolved, links = build_links(host, devices)
                built[host.name] = HomeAssistantSim(resolved, advertiser=self.advertiser, links=links)
        self.hosts: dict[str, SimHost] = {host.name: built[host.name] for host in spec.hosts}

    def host(self, name: str) -> SimHost:
        """The host of that name (KeyError when there is none)."""
        return self.hosts[name]

    async def start(self) -> None:
        """Start every host at once, with the faults the file turns on at start."""
        if self.advertiser is not None:
            await self.advertiser.start()
        for text in self.spec.faults:
            name, fault = parse_fault(text, self.spec)
            self.hosts[name].faults.add(fault)
        started = await asyncio.gather(*(host.start() for host in self.hosts.values()), return_exceptions=True)
        failures = [(name, error) for name, error in zip(self.hosts, started) if isinstance(error, BaseException)]
        if failures:
            await self.stop()
            name, error = failures[0]
            if isinstance(error, PermissionError):
                raise SimError(f"cannot open {name}'s port {self.spec_of(name).port}: it needs privileges; "
                               "start with --high-ports (80 → 8080, 443 → 8443)", field="hosts") from error
            if isinstance(error, OSError):
                raise SimError(f"cannot open {name} at {self.spec_of(name).address}:{self.spec_of(name).port}: "
                               f"{error.strerror or error}", field="hosts") from error
            raise error

    def spec_of(self, name: str) -> SimHostSpec:
        """The spec the host of that name was started from."""
        return next(host for host in self.spec.hosts if host.name == name)

    async def stop(self) -> None:
        """Stop every host and withdraw every record."""
        await asyncio.gather(*(host.stop() for host in self.hosts.values()), return_exceptions=True)
        if self.advertiser is not None:
            await self.advertiser.close()

    async def inject(self, text: str) -> tuple[str, Fault]:
        """Turn on the fault `HOST:KIND[:ARGUMENT]` now."""
        name, fault = parse_fault(text, self.spec)
        await self.hosts[name].inject(fault)
        return name, fault

    async def heal(self) -> None:
        """Turn every fault off."""
        await asyncio.gather(*(host.heal() for host in self.hosts.values()))

    async def __aenter__(self) -> VirtualHome:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()
