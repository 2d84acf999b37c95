"""`weaklink demo`: the live side end to end, offline, in a few seconds.

It starts the simulated home of `examples/virtual-home/` with one fault (named, or picked at
random from the faults that can break its driveway chain), discovers it on 127.0.0.1, makes
Alex's phone arrive, traces the driveway chain live, shows the broken link and its evidence,
and shuts every simulated host down.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .adapters import live_adapters
from .errors import InputError
from .live.discover import discover
from .live.discover_view import discovery_table
from .live.trace import LiveTrace
from .report import TraceReport
from .scenario import Scenario, load_scenario
from .sim.home import VirtualHome, load_virtual_home, parse_fault
from .sim.livehome import live_home

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "virtual-home"
PHONE = "device_tracker.pixel_8"  # Alex's phone, in the simulated Home Assistant

# Faults that break the driveway chain somewhere, each at one hop and layer, across the four
# brands (tests/live/test_fault_matrix.py checks every one, and every other fault at every hop).
CHAIN_FAULTS = (
    "Hue Bridge:light_unreachable:1",
    "Hue Bridge:host_down",
    "Hue Bridge:key_revoked",
    "Porch relay:overpower:0",
    "Porch relay:garble",
    "Hallway lamp plug:wrong_token",
    "Hallway lamp plug:host_down",
    "Home Assistant:automation_disabled:automation.arrive_home",
    "Home Assistant:integration_failed:simplisafe",
    "Home Assistant:host_down",
)


@dataclass
class DemoResult:
    """What the demo injected and what the trace found."""

    fault: str
    report: TraceReport


async def run_demo(console: Console, fault: str | None = None, seed: int | None = None,
                   home_file: Path | None = None, scenario_file: Path | None = None) -> DemoResult:
    """Start the simulated home with a fault, find it, trace its driveway chain, stop it."""
    home_path = home_file or EXAMPLES / "home.yaml"
    if not home_path.is_file():
        raise InputError("the demo's simulated home is not here; run the demo from a clone of weaklink",
                         source=home_path)
    spec = load_virtual_home(home_path)
    scenario: Scenario = load_scenario(scenario_file or EXAMPLES / "driveway.yaml")
    chosen = fault or random.Random(seed).choice(CHAIN_FAULTS)
    parse_fault(chosen, spec)
    home = VirtualHome(spec.model_copy(update={"faults": [*spec.faults, chosen]}), high_ports=True)
    console.print(f"[bold]1.[/] starting the simulated home [dim]({escape(str(home_path))})[/] "
                  f"with a fault: [bold red]{escape(chosen)}[/]")
    async with home:
        console.print("[bold]2.[/] discovering it on 127.0.0.1")
        found = await discover(live_adapters(), interfaces=["127.0.0.1"], seconds=3,
                               hosts=[h.address for h in home.hosts.values() if home.spec_of(h.name).kind == "miio"])
        console.print(discovery_table(found))
        console.print(f"[bold]3.[/] Alex's phone arrives; tracing [bold]{escape(scenario.name)}[/] live")
        ha = next(h for h in home.hosts.values() if home.spec_of(h.name).kind == "homeassistant")

        async def arrive() -> None:
            ha.report(PHONE, "home")  # type: ignore[attr-defined]

        report = await LiveTrace(live_home(home), live_adapters(), timeout=1.5, wait=10).run(scenario, trigger=arrive)
    console.print("[bold]4.[/] every simulated host stopped")
    return DemoResult(chosen, report)


def main(console: Console, fault: str | None, seed: int | None) -> DemoResult:
    """Run the demo from the command line."""
    return asyncio.run(run_demo(console, fault, seed))
