"""The `weaklink` command."""

from __future__ import annotations

import json
import shlex
import sys
from collections import Counter
from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import __version__
from .errors import InputError, WeaklinkError
from .home import OpenHome, open_home
from .redact import redact_text
from .render import graph_json, graph_mermaid, graph_text, report_json, report_markdown, report_text
from .report import TraceReport
from .scenario import Scenario, load_scenario
from .scenario.derive import derivable, derive_scenario
from .tracer.followers import followers_from_history
from .when import parse_at

EXIT_OK, EXIT_BROKEN, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

home_option = click.option(
    "--home", "home_path", required=True, type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
    help="The home to read: a Home Assistant config folder, a vendor's export, or a folder of exports of any "
         "brands an installed adapter reads.",
)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _open(home_path: Path) -> OpenHome:
    """Open the home, telling the user (on stderr) what the adapters tolerated while reading it."""
    home = open_home(home_path)
    skipped = home.imported.skipped
    if skipped:
        names = ", ".join(str(path.relative_to(home_path)) if path.is_relative_to(home_path) else str(path)
                          for path in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        click.echo(f"weaklink: note: {len(skipped)} file(s) no installed adapter recognises were left out: "
                   f"{names}{more}", err=True)
    for warning in home.warnings:
        where = f"{warning.source}:{warning.line}" if warning.source and warning.line else warning.source
        click.echo(f"weaklink: warning: {where + ': ' if where else ''}{redact_text(warning.message)}", err=True)
    return home


def _emit(report: TraceReport, output_format: str) -> None:
    if output_format == "json":
        click.echo(report_json(report))
    elif output_format == "markdown":
        click.echo(report_markdown(report))
    else:
        report_text(report, _console())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="weaklink")
def cli() -> None:
    """Find the broken link in a home automation that crosses brands."""


@cli.command()
@click.option("--home", "home_path", type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
              help="The home to read: a Home Assistant config folder (or any export an installed adapter reads).")
@click.option("--live", "live_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Trace the live home this file names (hosts and credentials) instead of recorded history.")
@click.argument("scenario_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--automation", "automation_id", help="Derive the chain from this automation instead of a scenario file.")
@click.option("--at", "at_text", help="When you noticed (home's local time unless an offset is given); default: the latest run.")
@click.option("--actuate", is_flag=True, help="Live: start the chain by acting on its first step (never a lock, alarm or door not named with --allow).")
@click.option("--allow", "allowed", multiple=True, metavar="ENTITY", help="Live: a lock, alarm or door --actuate may operate.")
@click.option("--wait", type=float, default=60.0, show_default=True, help="Live: seconds to wait for the chain to start.")
@click.option("--timeout", type=float, default=2.0, show_default=True, help="Live: seconds each host has to answer a probe.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def trace(home_path: Path | None, live_path: Path | None, scenario_file: Path | None, automation_id: str | None,
          at_text: str | None, actuate: bool, allowed: tuple[str, ...], wait: float, timeout: float,
          output_format: str) -> None:
    """Replay a chain against the home's recorded history (--home), or watch it run live (--live),
    and name the broken link.

    Exit status: 0 the chain was healthy, 1 a broken link was found, 2 the input was bad.
    """
    if (home_path is None) == (live_path is None):
        raise click.UsageError("give either --home DIR (recorded history) or --live HOME_FILE (one of them)")
    if (scenario_file is None) == (automation_id is None):
        raise click.UsageError("give either a SCENARIO_FILE or --automation ENTITY_ID (one of them)")
    scenario = load_scenario(scenario_file) if scenario_file else None
    if live_path is not None:
        if scenario is None:
            raise click.UsageError("a live trace needs a SCENARIO_FILE")
        report = _trace_live(live_path, scenario, actuate, allowed, wait, timeout)
    else:
        assert home_path is not None
        with _open(home_path) as home:
            if scenario is None:
                assert automation_id is not None
                scenario = derive_scenario(home.graph, automation_id, followers_from_history(home.recording))
            at = parse_at(at_text, home.time_zone) if at_text else None
            report = home.tracer().trace(scenario, at)
    _emit(report, output_format)
    sys.exit(report.exit_status())


def _trace_live(live_path: Path, scenario: Scenario, actuate: bool, allowed: tuple[str, ...], wait: float,
                timeout: float) -> TraceReport:
    import asyncio

    from .adapters import live_adapters
    from .live.contract import ActuationRefused
    from .live.homefile import load_live_home
    from .live.trace import LiveTrace

    home = load_live_home(live_path)
    tracer = LiveTrace(home, live_adapters(), timeout=timeout, wait=wait, actuate=actuate, allow=allowed)
    try:
        with _console().status("probing every host, then watching the chain…"):
            return asyncio.run(tracer.run(scenario))
    except ActuationRefused as refused:
        raise click.UsageError(str(refused)) from refused


@cli.command()
@home_option
@click.argument("scenario_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--automation", "automation_id", help="Derive the chain from this automation instead of a scenario file.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def runs(home_path: Path, scenario_file: Path | None, automation_id: str | None, output_format: str) -> None:
    """Trace every run of a chain over the whole history: how often did it break, and where."""
    if (scenario_file is None) == (automation_id is None):
        raise click.UsageError("give either a SCENARIO_FILE or --automation ENTITY_ID (one of them)")
    scenario = load_scenario(scenario_file) if scenario_file else None
    with _open(home_path) as home:
        if scenario is None:
            scenario = derive_scenario(home.graph, automation_id or "", followers_from_history(home.recording))
        reports = list(home.tracer().runs(scenario))
        graph = home.graph
        tz = ZoneInfo(home.time_zone) if home.time_zone else timezone.utc
    if output_format == "json":
        click.echo(json.dumps([json.loads(report_json(r)) for r in reports], indent=2))
    else:
        table = Table(title=escape(f"{scenario.name}: {len(reports)} runs"), title_justify="left", show_edge=False, header_style="bold")
        for column in ("triggered", "verdict", "step", "element", "layer", "cause"):
            table.add_column(column)
        for report in reports:
            link = report.broken_link
            when = report.incident.triggered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if report.incident.triggered_at else ""
            # a device is named by its registry id in the report; a person reads its name
            element = (link.element_name or link.element) if link and graph.device(link.element) else link.element if link else ""
            table.add_row(when, report.verdict.value, str(link.step) if link else "", escape(element),
                          link.layer.value if link else "", link.cause if link else "")
        console = _console()
        console.print(table)
        broken = Counter((r.broken_link.layer.value, r.broken_link.cause) for r in reports if r.broken_link)
        healthy = sum(1 for r in reports if r.broken_link is None)
        console.print(f"healthy {healthy} of {len(reports)}; " + ", ".join(f"{layer}/{c}: {n}" for (layer, c), n in broken.most_common()))
    sys.exit(0 if all(r.broken_link is None for r in reports) else 1)


@cli.command()
@home_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "mermaid"]), default="text", show_default=True)
def graph(home_path: Path, output_format: str) -> None:
    """Show the home: devices by brand, area and hub; integrations; automations."""
    with _open(home_path) as home:
        if output_format == "json":
            click.echo(graph_json(home.graph))
        elif output_format == "mermaid":
            click.echo(graph_mermaid(home.graph))
        else:
            graph_text(home.graph, _console())


@cli.command()
@home_option
@click.option("--format", "output_format", type=click.Choice(["text", "yaml", "json"]), default="text", show_default=True)
def scenarios(home_path: Path, output_format: str) -> None:
    """List the chains that can be derived from the home's automations."""
    with _open(home_path) as home:
        chains = derivable(home.graph, followers_from_history(home.recording))
    if output_format == "json":
        click.echo(json.dumps([c.model_dump(mode="json", exclude_none=True) for c in chains], indent=2, default=str))
        return
    if output_format == "yaml":
        from .scenario.writer import scenario_yaml

        click.echo("\n---\n".join(scenario_yaml(chain) for chain in chains))
        return
    console = _console()
    for chain in chains:
        console.print(f"[bold]{escape(chain.name)}[/]  [dim]{escape(chain.source or '')}[/]")
        for index, step in enumerate(chain.steps, start=1):
            budget = f" within {step.budget().total_seconds():.0f} s" if index > 1 else ""
            via = f" [dim]via {step.automation}[/]" if step.automation else ""
            console.print(f"  {index}. {escape(step.label)}{budget}{via}")
        # One line however narrow the terminal, quoted for the shell: it is there to be copied.
        command = f"weaklink trace --home {shlex.quote(str(home_path))} --automation {chain.source.removeprefix('derived from ') if chain.source else ''}"
        console.print(Text(f"  {command}", style="dim"), soft_wrap=True)


@cli.command()
@click.argument("home_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--fault", "faults", multiple=True, metavar="HOST:KIND[:ARG]",
              help="Start with this fault on, e.g. 'Hue Bridge:light_unreachable:1' or 'Porch relay:host_down'.")
@click.option("--for", "seconds", type=float, help="Stop after this many seconds (default: run until Ctrl-C).")
@click.option("--high-ports", is_flag=True, help="Serve ports below 1024 at +8000 (no privileges needed).")
@click.option("--write-live-home", "live_home_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the live home file that reaches this simulated home (for probe, discover, trace --live).")
def sim(home_file: Path, faults: tuple[str, ...], seconds: float | None, high_ports: bool,
        live_home_path: Path | None) -> None:
    """Run a simulated home: devices speaking their vendors' real protocols on 127.0.0.x."""
    import asyncio

    from .sim.home import load_virtual_home
    from .sim.run import run

    spec = load_virtual_home(home_file)
    asyncio.run(run(spec, faults, seconds, high_ports, _console(), live_home_path))


@cli.command()
@click.option("--interface", "interfaces", multiple=True, metavar="ADDRESS",
              help="Browse on the interface with this address (repeatable; default: every interface).")
@click.option("--host", "hosts", multiple=True, metavar="ADDRESS",
              help="Also ask this address directly (miIO devices, which do not always announce themselves).")
@click.option("--seconds", type=float, default=3.0, show_default=True, help="How long to listen at most.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: saved in a home folder, the hosts found become part of the home (weaklink graph).")
def discover(interfaces: tuple[str, ...], hosts: tuple[str, ...], seconds: float, output_format: str) -> None:
    """Find every device of every known brand on the network, and what weaklink can do with each."""
    import asyncio

    from .adapters import live_adapters
    from .live.discover import discover as run_discovery
    from .live.discover_view import discover_with_progress, discovery_table
    from .live.saved_discovery import SavedDiscovery

    adapters = live_adapters()
    if not adapters:
        raise click.UsageError("no installed adapter can discover hosts (install weaklink-hue, weaklink-shelly, …)")
    chosen = list(interfaces) or None
    if output_format == "json":
        result = asyncio.run(run_discovery(adapters, interfaces=chosen, hosts=hosts, seconds=seconds))
        click.echo(SavedDiscovery.of(result).model_dump_json(indent=2))
        return
    console = _console()
    result = asyncio.run(discover_with_progress(adapters, chosen, hosts, seconds, console))
    console.print(discovery_table(result))


@cli.command()
@click.argument("home_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--timeout", type=float, default=2.0, show_default=True, help="Seconds each host has to answer.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--mdns", is_flag=True, help="Also listen to mDNS: follow hosts that moved, report those not "
              "announced (trace --live always does; on a large home it adds up to the timeout).")
def probe(home_file: Path, timeout: float, output_format: str, mdns: bool) -> None:
    """Ask every host of a live home how it is, layer by layer, all at once, where the home
    file says it is (with --mdns: wherever it announces itself).

    Exit status: 0 everything answered healthy, 1 something did not, 2 the home file was bad.
    """
    import asyncio

    from .adapters import live_adapters
    from .live.collect import collect
    from .live.homefile import load_live_home

    home = load_live_home(home_file)

    async def ask():  # type: ignore[no-untyped-def]
        state = await collect(home, live_adapters(), timeout, snapshot=False, mdns=mdns)
        await state.close()
        return state

    state = asyncio.run(ask())
    if output_format == "json":
        click.echo(json.dumps({"seconds": round(state.seconds, 3), "healthy": state.healthy, "hosts": [
            {"host": v.host.label, "adapter": v.host.adapter, "address": v.host.address,
             "probes": [p.model_dump(mode="json") for p in v.probes]} for v in state.visits]}, indent=2))
    else:
        table = Table(title=f"{escape(home.name)}: {len(state.visits)} hosts asked in {state.seconds:.1f} s",
                      title_justify="left", header_style="bold", show_edge=False)
        for column in ("", "host", "layer", "element", "finding", "ms"):
            table.add_column(column)
        for visit in state.visits:
            for index, result in enumerate(visit.probes):
                table.add_row("[green]✔[/]" if result.ok else "[red]✘[/]", escape(visit.host.label) if index == 0 else "",
                              result.layer, escape(result.element), escape(result.detail),
                              f"{result.latency_ms:.0f}" if result.latency_ms is not None else "")
        _console().print(table)
    sys.exit(0 if state.healthy else 1)


@cli.command()
@click.argument("home_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("hosts", nargs=-1, metavar="[HOST]...")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("weaklink-dump"),
              show_default=True, help="Where to write the fixtures (one folder per adapter).")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds each host has to answer.")
def dump(home_file: Path, hosts: tuple[str, ...], out: Path, timeout: float) -> None:
    """Record what hosts of a live home answer, redacted, as fixtures of their adapters.

    HOST names a host of the home file by name or address (default: every host). Each file is
    read back with the adapter's own reader before it is reported. Passwords, tokens, Wi-Fi
    names and coordinates are redacted; MACs and serials are kept (they say which device it
    is): look the files over before you share them.

    Exit status: 0 every host was recorded, 1 some could not be, 2 bad input.
    """
    import asyncio

    from .adapters import live_adapters
    from .live.dump import dump_hosts, select
    from .live.homefile import load_live_home

    home = load_live_home(home_file)
    outcomes = asyncio.run(dump_hosts(select(home, hosts), live_adapters(), out, timeout))
    table = Table(title=f"{len(outcomes)} hosts recorded into {escape(str(out))}", title_justify="left",
                  header_style="bold", show_edge=False)
    for column in ("", "host", "fixture", "devices read back", "problem"):
        table.add_column(column)
    for outcome in outcomes:
        ok = outcome.path is not None and outcome.error is None
        table.add_row("[green]✔[/]" if ok else "[red]✘[/]", escape(outcome.host.label),
                      escape(str(outcome.path)) if outcome.path else "", str(outcome.devices) if outcome.path else "",
                      escape(outcome.error or ""))
    _console().print(table)
    sys.exit(0 if all(o.path is not None and o.error is None for o in outcomes) else 1)


@cli.command()
@click.option("--fault", metavar="HOST:KIND[:ARG]", help="The fault to inject (default: one picked at random).")
@click.option("--seed", type=int, help="Pick the random fault reproducibly.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def demo(fault: str | None, seed: int | None, output_format: str) -> None:
    """Start the simulated home with a fault, discover it, trace its driveway chain live, stop it."""
    from .demo import main as run_demo

    console = _console() if output_format == "text" else Console(stderr=True, highlight=False)
    result = run_demo(console, fault, seed)
    _emit(result.report, output_format)
    sys.exit(result.report.exit_status())


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def adapters(output_format: str) -> None:
    """List the installed adapters: brand, package, operations and quality level.

    Exit status 1 when an installed adapter fails to load (it is listed with the reason).
    """
    from .adapters import catalogue

    listed = catalogue()
    if output_format == "json":
        click.echo(json.dumps([entry.model_dump(mode="json") for entry in listed], indent=2))
    else:
        table = Table(title=f"{len(listed)} adapters installed", title_justify="left", header_style="bold",
                      show_edge=False)
        for column in ("adapter", "brand", "package", "operations", "quality"):
            table.add_column(column)
        for entry in listed:
            manifest = entry.manifest
            package = f"{entry.package} {entry.version}" if entry.package else entry.target
            if manifest is None:
                table.add_row(escape(entry.entry_point), "", escape(package), f"[red]{escape(entry.error or '')}[/]", "")
            else:
                table.add_row(escape(manifest.name), escape(manifest.brand), escape(package),
                              escape(", ".join(manifest.operations)), escape(manifest.quality))
        _console().print(table)
    sys.exit(1 if any(entry.error for entry in listed) else 0)


@cli.group()
def adapter() -> None:
    """Make adapters: `weaklink adapter new BRAND`."""


@adapter.command("new")
@click.argument("brand")
@click.option("--into", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The folder to create the package in.")
def adapter_new(brand: str, into: Path) -> None:
    """Create an adapter package for BRAND that passes weaklink's conformance kit as it is.

    Next: fill in its export.py and adapter.py with what BRAND really produces, record one
    fixture per device model, and run its tests (docs/writing-an-adapter.md).
    """
    from .scaffold import Names, new_adapter

    root = new_adapter(brand, into)
    names = Names.of(brand)
    click.echo(f"created {root}: the {names.name!r} adapter ({names.package})")
    click.echo(f"  python3 -m pip install -e '{root}[test]'   # registers it with weaklink")
    click.echo(f"  python3 -m pytest -q {root}                # the conformance kit, on its fixtures")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the trace report (published in docs/report.schema.json)."""
    click.echo(json.dumps(TraceReport.model_json_schema(), indent=2))


@cli.command()
@click.argument("home_path", metavar="HOME", type=click.Path(path_type=Path))
@click.argument("scenario_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--automation", "automation_id", help="Derive the chain from this automation instead of a scenario file.")
@click.option("--at", "at_text", help="When the customer noticed (home's local time unless an offset is given); default: the latest run.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the bundle (default: weaklink-escalation-<party>-<date>.zip here).")
@click.option("--share-device-ids", is_flag=True,
              help="Keep the identifiers (MAC, IEEE, serial, IP) of devices outside the broken hop instead of pseudonyms.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def bundle(home_path: Path, scenario_file: Path | None, automation_id: str | None, at_text: str | None,
           out: Path | None, share_device_ids: bool, force: bool) -> None:
    """Diagnose a customer's home and write the redacted bundle to escalate its broken link with.

    HOME is a home folder or a customer's bundle (a zip of a Home Assistant config export and
    any vendor dumps, maybe a scenario file). The chain is the SCENARIO_FILE, else --automation,
    else the scenario files in the bundle, else every chain derived from the home's automations;
    the bundle is for the broken run closest to --at. Secrets are redacted from every file; the
    identifiers of devices outside the broken hop are pseudonyms unless --share-device-ids.

    Exit status: 0 the chain was healthy, 1 a broken link was found, 2 the input was bad.
    """
    import os
    import tempfile

    from .bundle import build_escalation, responsible_party, unpack_customer_bundle
    from .casework import diagnose
    from .render import graph_svg

    if scenario_file is not None and automation_id is not None:
        raise click.UsageError("give either a SCENARIO_FILE or --automation ENTITY_ID, not both")
    if out is not None and out.exists() and not force:
        raise InputError("exists already; give --force to replace it", source=out)
    scenario = load_scenario(scenario_file) if scenario_file else None
    with tempfile.TemporaryDirectory(prefix="weaklink-bundle-") as work:
        unpacked = Path(work) / "home"
        try:
            customer = unpack_customer_bundle(home_path, unpacked)
            chains = [scenario] if scenario else [] if automation_id else [load_scenario(p) for p in customer.scenarios]
            with _open(customer.root) as home:
                at = parse_at(at_text, home.time_zone) if at_text else None
                diagnosis = diagnose(home, scenarios=chains, automation=automation_id, at=at)
                for note in diagnosis.notes:
                    click.echo(f"weaklink: note: {redact_text(note)}", err=True)
                report = diagnosis.primary_report
                if report is None:
                    raise InputError("no chain to trace: the home's automations give none; name one with "
                                     "SCENARIO_FILE or --automation", source=home_path)
                report = report.model_copy(update={"home": home_path.resolve().name or str(home_path)})
                party = responsible_party(report, home)
                content = build_escalation(report, home, share_device_ids=share_device_ids,
                                           graph_svg=graph_svg(home.graph, report))
        except InputError as error:
            # A file inside an unpacked zip is named as the member of the bundle it came from.
            if error.source and Path(error.source).is_relative_to(unpacked):
                error.source = "/".join([str(home_path), *Path(error.source).relative_to(unpacked).parts])
            raise
    when = report.incident.triggered_at or report.incident.requested_at or report.incident.window_end
    day = when.astimezone(ZoneInfo(report.incident.time_zone) if report.incident.time_zone else timezone.utc).date()
    target = out or Path(f"weaklink-escalation-{party.slug if party else 'no-broken-link'}-{day.isoformat()}.zip")
    if target.exists() and not force:
        raise InputError("exists already; give --force to replace it", source=target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(content)
        os.replace(partial, target)  # never a half-written bundle under the name given
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot be written: {exc.strerror or exc}", source=target) from None
    click.echo(f"{report.scenario} — {report.verdict.value}: {redact_text(report.summary)}")
    click.echo(f"for: {party.name}" if party else "for: nobody in particular (no link broke)")
    click.echo(f"wrote {target}")
    sys.exit(report.exit_status())


def _desk_commands() -> None:
    # the desk's commands live with the desk; imported lazily there, so `weaklink trace` stays quick
    from .desk.command import agent, purge, serve

    cli.add_command(serve)
    cli.add_command(agent)
    cli.add_command(purge)


_desk_commands()


def main() -> None:
    """Entry point: run the command, turning bad input into one clear line and exit status 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("weaklink: aborted", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_BAD_INPUT)
    except InputError as error:
        click.echo(f"weaklink: error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except WeaklinkError as error:
        click.echo(f"weaklink: internal error: {error} (please report this)", err=True)
        sys.exit(EXIT_INTERNAL)
    except BrokenPipeError:
        sys.exit(EXIT_OK)


__all__ = ["OpenHome", "Scenario", "cli", "main"]
