"""`weaklink demo`: each fault it may pick is named at its hop, element and layer; a home with
no fault runs the chain healthy; the command shuts everything down."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.console import Console

from weaklink.adapters import live_adapters
from weaklink.demo import CHAIN_FAULTS, EXAMPLES, PHONE, run_demo
from weaklink.live.trace import LiveTrace
from weaklink.scenario import load_scenario
from weaklink.sim.home import VirtualHome, load_virtual_home
from weaklink.sim.livehome import live_home

EXPECTED = {  # fault → (step, layer, cause, element: its id in any source's terms)
    "Hue Bridge:light_unreachable:1": (3, "radio", "radio_link_lost", ("light.driveway", "hue:device/")),
    "Hue Bridge:host_down": (3, "hub", "hub_offline", ("hue:bridge/001788fffe4d5e6f",)),
    "Hue Bridge:key_revoked": (3, "integration", "integration_failed", ("hue",)),
    "Home Assistant:automation_disabled:automation.arrive_home": (2, "logic", "automation_disabled",
                                                                  ("automation.arrive_home",)),
    "Home Assistant:integration_failed:simplisafe": (4, "integration", "integration_failed", ("simplisafe",)),
    # the hub of the whole chain is gone: even the trigger cannot be seen
    "Home Assistant:host_down": (1, "network", "device_offline", ("Home Assistant",)),
}


def test_every_fault_the_demo_picks_is_expected() -> None:
    assert set(CHAIN_FAULTS) == set(EXPECTED)


@pytest.mark.parametrize("fault", CHAIN_FAULTS)
async def test_the_demo_names_the_injected_fault(fault: str) -> None:
    result = await run_demo(Console(quiet=True), fault=fault)
    report, link = result.report, result.report.broken_link
    assert (report.mode, report.verdict.value) == ("live", "broken") and link is not None
    step, layer, cause, element = EXPECTED[fault]
    assert (link.step, link.layer.value, link.cause) == (step, layer, cause), link.summary
    assert link.element.startswith(element) and link.evidence, link.element
    statuses = [s.status.value for s in report.steps]
    assert statuses[: step - 1] == ["passed"] * (step - 1) and statuses[step - 1] == "failed"


async def test_with_no_fault_the_chain_runs_healthy() -> None:
    scenario = load_scenario(EXAMPLES / "driveway.yaml")
    async with VirtualHome(load_virtual_home(EXAMPLES / "home.yaml"), high_ports=True) as home:
        ha = home.host("Home Assistant")

        async def arrive() -> None:
            ha.report(PHONE, "home")  # type: ignore[attr-defined]

        report = await LiveTrace(live_home(home), live_adapters(), timeout=1.5, wait=10).run(scenario, trigger=arrive)
    assert report.verdict.value == "ok", report.summary
    assert [s.status.value for s in report.steps] == ["passed"] * 4


def test_the_command_picks_a_fault_reports_it_and_stops_everything() -> None:
    done = subprocess.run([sys.executable, "-c", "from weaklink.cli import main; main()", "demo", "--seed", "3"],
                          capture_output=True, text=True, timeout=120, env={"COLUMNS": "160", "PATH": ""})
    assert done.returncode == 1, done.stderr  # a broken link was found
    assert "with a fault:" in done.stdout and "broken link" in done.stdout
    assert "every simulated host stopped" in done.stdout
