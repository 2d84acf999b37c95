"""`weaklink discover`: find the home's hosts with a progress display, then list them by brand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .contract import Discovered, LiveAdapter
from .discover import DiscoveryResult, discover


async def discover_with_progress(adapters: Mapping[str, LiveAdapter], interfaces: Sequence[str] | None,
                                 hosts: Sequence[str], seconds: float, console: Console) -> DiscoveryResult:
    """Run discovery, showing how many hosts were found so far."""
    types = sorted({t for a in adapters.values() for t in a.manifest.mdns_types})  # type: ignore[attr-defined]
    where = ", ".join(interfaces) if interfaces else "every interface"
    with console.status(f"browsing {len(types)} mDNS service types on {where}…") as status:
        def found(host: Discovered) -> None:
            count = len(seen) + 1
            seen.append(host)
            status.update(f"browsing on {where}: {count} found, latest {escape(host.brand)} {escape(host.name)}")

        seen: list[Discovered] = []
        return await discover(adapters, interfaces=interfaces, hosts=hosts, seconds=seconds, on_found=found)


def discovery_table(result: DiscoveryResult) -> Table:
    """The hosts found, by brand: address, model, identifiers, and what weaklink can do with each."""
    table = Table(title=f"{len(result.found)} hosts found in {result.elapsed:.1f} s", title_justify="left",
                  header_style="bold", show_edge=False)
    for column in ("brand", "name", "address", "model", "id", "found by", "weaklink can"):
        table.add_column(column, no_wrap=column in ("address",))
    for brand, hosts in result.by_brand().items():
        for index, host in enumerate(hosts):
            ids = ", ".join(f"{k} {v}" for k, v in sorted(host.identifiers.items()))
            can = f"[red]not trusted: {escape(host.problem)}[/]" if host.problem else ", ".join(host.operations) or "identify"
            table.add_row(escape(brand) if index == 0 else "", escape(host.name),
                          f"{host.address}:{host.port}" if host.port else host.address,
                          escape(host.model or ""), escape(ids), escape(host.via.removesuffix(".local.")), can)
    return table
