"""Recording a live host's answers as a fixture: what `weaklink dump` does.

When weaklink reads a device wrongly, the one thing a user can send that lets a vendor or
us fix it is what the device really answers. For each host of a live home file (or the ones
named), this asks the adapter's session for a `DeviceDump`, redacts it (every value under a
secret key, at any depth: passwords, tokens, SSIDs, coordinates), writes it to
`<adapter>/<model>_<firmware>.json` in the adapter's fixture format, and reads the file back
with the adapter's own offline reader, so that what is sent is known to load.

Hardware identifiers (MACs, serials, device ids) are kept: without them a dump cannot be
matched with the same device seen by another source, and a Shelly's id must end in its MAC.
Say so to the user before they share a dump in public.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..adapters import Adapter
from ..errors import InputError, WeaklinkError
from ..redact import redact
from .contract import DEFAULT_PROBE_TIMEOUT, DeviceDump, HostSpec, LiveAdapter
from .homefile import LiveHome
from .secrets import mask

_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")


@dataclass
class DumpOutcome:
    """What happened to one host: the file written and the devices it reads back as, or why not."""

    host: HostSpec
    path: Path | None = None
    devices: int = 0
    error: str | None = None


def fixture_name(dump: DeviceDump) -> str:
    """`<model>_<firmware>.json`, as python-kasa names its fixtures (unknown parts say so)."""
    parts = [_UNSAFE.sub("-", part).strip("-") or "unknown" for part in (dump.model or "unknown",
                                                                         dump.firmware or "unknown")]
    return "_".join(parts) + ".json"


def select(home: LiveHome, names: Sequence[str]) -> list[HostSpec]:
    """The hosts `names` name (by name, or address), all of them when none is named."""
    if not names:
        return list(home.hosts)
    chosen = []
    for name in names:
        matches = [h for h in home.hosts if name in (h.name, h.address)]
        if not matches:
            known = ", ".join(h.label for h in home.hosts)
            raise InputError(f"no host named {name!r} (the home names: {known})", source=home.source, field="hosts")
        chosen += [h for h in matches if h not in chosen]
    return chosen


async def dump_hosts(hosts: Sequence[HostSpec], adapters: Mapping[str, LiveAdapter], out: Path,
                     timeout: float = DEFAULT_PROBE_TIMEOUT) -> list[DumpOutcome]:
    """Dump every host at once into `out/<adapter>/`; one outcome per host, in order.

    Two devices of one model and firmware get `…_2.json` and so on: a home's two Plug S are two
    fixtures' worth of evidence, even if a fixture collection keeps one per model.
    """
    missing = sorted({h.adapter for h in hosts} - set(adapters))
    if missing:
        raise InputError(f"no installed adapter named {missing[0]!r}", field="hosts")
    for name in sorted({h.adapter for h in hosts}):
        if (prepare := getattr(adapters[name], "prepare", None)) is not None:
            prepare()
    recorded = await asyncio.gather(*(_record(host, adapters[host.adapter], timeout) for host in hosts))
    outcomes, written = [], set()
    for host, dump in zip(hosts, recorded):
        if isinstance(dump, str):
            outcomes.append(DumpOutcome(host, error=dump))
            continue
        name, copy = fixture_name(dump), 1
        path = out / host.adapter / name
        while path in written:  # earlier runs' files are replaced; this run's are not
            copy += 1
            path = out / host.adapter / name.replace(".json", f"_{copy}.json")
        written.add(path)
        outcomes.append(_write(host, adapters[host.adapter], dump, path))
    return outcomes


async def _record(host: HostSpec, adapter: LiveAdapter, timeout: float) -> DeviceDump | str:
    """The host's dump, or why there is none."""
    if "dump" not in adapter.manifest.operations or not isinstance(adapter, Adapter):  # type: ignore[attr-defined]
        return f"the {host.adapter} adapter cannot record its hosts (no `dump` operation)"
    session = None
    try:
        session = await asyncio.wait_for(adapter.connect(host, timeout), timeout * 1.5)
        return await asyncio.wait_for(session.dump(), timeout * 4)  # type: ignore[attr-defined,no-any-return]
    except TimeoutError:
        return f"{host.label} did not answer in time"
    except (OSError, WeaklinkError) as error:
        return mask(str(error) or type(error).__name__)
    finally:
        if session is not None:
            await session.close()


def _write(host: HostSpec, adapter: LiveAdapter, dump: DeviceDump, path: Path) -> DumpOutcome:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(redact(dump.document), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    outcome = DumpOutcome(host, path=path)
    try:
        outcome.devices = len(adapter.load(path).devices)  # type: ignore[attr-defined]
    except WeaklinkError as error:  # written all the same: it is what the vendor needs to see
        outcome.error = f"written, but the {host.adapter} adapter cannot read it back: {error}"
    return outcome
