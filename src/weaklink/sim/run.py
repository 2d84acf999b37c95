"""`weaklink sim`: run a virtual home in the foreground until stopped."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..yamlio import yaml_text
from .home import VirtualHome, VirtualHomeSpec, parse_fault
from .livehome import live_home_document


def hosts_table(home: VirtualHome) -> Table:
    """Every host: what it is, where it answers, how it is advertised, which faults are on."""
    table = Table(title=escape(home.spec.name), title_justify="left", header_style="bold", show_edge=False)
    for column in ("host", "kind", "address", "mDNS", "faults"):
        table.add_column(column, no_wrap=column in ("address", "kind"))
    for name, host in home.hosts.items():
        spec = home.spec_of(name)
        services = ", ".join(sorted({info.type.removesuffix(".local.") for info in host.services()}))
        faults = ", ".join(f"{f.kind}{':' + f.target if f.target else ''}" for f in host.faults) or "-"
        port = getattr(host, "port", spec.port)
        table.add_row(escape(name), spec.kind, f"{host.address}:{port}", services, escape(faults))
    return table


async def run(spec: VirtualHomeSpec, faults: Sequence[str], seconds: float | None, high_ports: bool,
              console: Console, live_home_path: Path | None = None) -> None:
    """Start the home with `faults` on, show it, and keep it up for `seconds` (None: until a signal)."""
    for text in faults:
        parse_fault(text, spec)  # a typo is reported before anything starts
    home = VirtualHome(spec.model_copy(update={"faults": [*spec.faults, *faults]}), high_ports=high_ports)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    try:
        await home.start()
        console.print(hosts_table(home))
        if live_home_path is not None:
            live_home_path.write_text(yaml_text(live_home_document(home)), encoding="utf-8")
            console.print(f"live home file: {escape(str(live_home_path))} (the simulator's throwaway credentials)")
        console.print("[dim]mDNS on 127.0.0.1 only. "
                      + (f"Stopping in {seconds:g} s." if seconds is not None else "Ctrl-C to stop.") + "[/]")
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            pass
    finally:
        await home.stop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
    console.print("[dim]stopped: every port closed, every record withdrawn.[/]")
