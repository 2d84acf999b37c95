"""`weaklink demo`: each fault it may pick is named at its hop, element and layer; a home with
no fault runs the chain healthy; the command shuts everything down."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.console import Console

from weaklink.adapters import live_adapters
from weaklink.demo import EXAMPLES, PHONE, run_demo
from weaklink.live.trace import LiveTrace
from weaklink.scenario import load_scenario
from weaklink.sim.home import VirtualHome, load_virtual_home
from weaklink.sim.livehome import live_home



@pytest.mark.parametrize("fault, step, element", [
    ("Hue Bridge:light_unreachable:1", 3, "light.driveway"),
    ("Hallway lamp plug:wrong_token", 5, "miio:770049261"),
])
async def test_the_demo_names_the_injected_fault(fault: str, step: int, element: str) -> None:
    """Through the demo's own path (discovery included); every fault it may pick, and every other
    fault at every hop, is checked by the fault matrix."""
    result = await run_demo(Console(quiet=True), fault=fault)
    report, link = result.report, result.report.broken_link
    assert (report.mode, report.verdict.value, result.fault) == ("live", "broken", fault) and link is not None
    assert (link.step, link.element) == (step, element) and link.evidence, link.summary


async def test_with_no_fault_the_chain_runs_healthy() -> None:
    scenario = load_scenario(EXAMPLES / "driveway.yaml")
    async with VirtualHome(load_virtual_home(EXAMPLES / "home.yaml"), high_ports=True) as home:
        ha = home.host("Home Assistant")

        async def arrive() -> None:
            ha.report(PHONE, "home")  # type: ignore[attr-defined]

        report = await LiveTrace(live_home(home), live_adapters(), timeout=1.5, wait=10).run(scenario, trigger=arrive)
    assert report.verdict.value == "ok", report.summary
    assert [s.status.value for s in report.steps] == ["passed"] * len(scenario.steps) == ["passed"] * 6


def test_the_command_picks_a_fault_reports_it_and_stops_everything() -> None:
    done = subprocess.run([sys.executable, "-c", "from weaklink.cli import main; main()", "demo", "--seed", "3"],
                          capture_output=True, text=True, timeout=120, env={"COLUMNS": "160", "PATH": ""})
    assert done.returncode == 1, done.stderr  # a broken link was found
    assert "with a fault:" in done.stdout and "broken link" in done.stdout
    assert "every simulated host stopped" in done.stdout
