"""A trace report for the terminal, for machines (JSON), and for a ticket (Markdown)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..redact import redact_text
from ..report import StepStatus, TraceReport, Verdict

_STATUS_STYLE = {StepStatus.PASSED: "green", StepStatus.FAILED: "bold red", StepStatus.NOT_REACHED: "dim"}
_STATUS_MARK = {StepStatus.PASSED: "✔", StepStatus.FAILED: "✘", StepStatus.NOT_REACHED: "·"}


def _tz(report: TraceReport) -> tzinfo | None:
    return ZoneInfo(report.incident.time_zone) if report.incident.time_zone else None


def _time(value: datetime | None, tz: tzinfo | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if tz else value.isoformat(timespec="seconds")


def report_json(report: TraceReport) -> str:
    """The report as JSON, exactly the published contract."""
    return redact_text(report.model_dump_json(indent=2))


def report_text(report: TraceReport, console: Console) -> None:
    """Print the report for a person at a terminal: the one sentence first, then evidence."""
    tz = _tz(report)
    colour = {Verdict.OK: "green", Verdict.BROKEN: "red", Verdict.INCONCLUSIVE: "yellow"}[report.verdict]
    console.print(Panel(Text(redact_text(report.summary)), title=f"[bold]{escape(report.scenario)}[/] — {report.verdict.value}",
                         border_style=colour))
    table = Table(show_edge=False, header_style="bold")
    for column in ("", "#", "step", "expected", "when" + (f" ({report.incident.time_zone})" if tz else ""), "delay", "budget"):
        table.add_column(column)
    for step in report.steps:
        table.add_row(
            Text(_STATUS_MARK[step.status], style=_STATUS_STYLE[step.status]),
            str(step.index),
            Text(step.name, style=_STATUS_STYLE[step.status]),
            escape(step.expected),
            _time(step.happened_at, tz) if step.happened_at else step.status.value.replace("_", " "),
            f"{step.delay_seconds:.1f} s" if step.delay_seconds is not None else "",
            f"{step.budget_seconds:.0f} s" if step.budget_seconds is not None else "",
        )
    console.print(table)
    link = report.broken_link
    if link is None:
        for note in report.notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
        _concerns_text(report, console)
        return
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("broken link", escape(f"step {link.step}: {link.step_name}"))
    facts.add_row("element", escape(f"{link.element}" + (f" ({link.element_name})" if link.element_name and link.element_name != link.element else "")))
    facts.add_row("layer", link.layer.value)
    facts.add_row("cause", link.cause)
    facts.add_row("responsible", escape(redact_text(link.responsible)))
    facts.add_row("what to do", escape(redact_text(link.fix)))
    evidence = Table(show_edge=False, header_style="bold", title="evidence", title_justify="left")
    evidence.add_column("when")
    evidence.add_column("kind")
    evidence.add_column("fact")
    for item in link.evidence:
        evidence.add_row(_time(item.at, tz) if item.at else "", item.kind, escape(redact_text(item.detail)))
    console.print(Panel(Group(facts, Text(""), evidence), border_style=colour))
    _concerns_text(report, console)


def _concerns_text(report: TraceReport, console: Console) -> None:
    """The chain's other troubles: what did not break this run, or kept it from being checked."""
    if not report.concerns:
        return
    table = Table(show_edge=False, header_style="bold", title="concerns", title_justify="left", border_style="yellow")
    for column in ("step", "element", "layer", "what", "what to do"):
        table.add_column(column)
    for item in report.concerns:
        table.add_row(str(item.step or ""), escape(item.element_name or item.element), item.layer.value,
                      escape(redact_text(item.summary)), escape(redact_text(item.fix)))
    console.print(table)


def _cell(text: str) -> str:
    """Text for one Markdown table cell: a bare | would start a new column."""
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(report: TraceReport) -> str:
    """The report as Markdown, to paste into a ticket."""
    tz = _tz(report)
    lines = [f"## {report.scenario}: {report.verdict.value}", "", f"**{redact_text(report.summary)}**", ""]
    link = report.broken_link
    if link is not None:
        lines += [
            "| | |", "|---|---|",
            f"| Broken link | step {link.step}: {_cell(link.step_name)} |",
            f"| Element | `{link.element}`" + (f" ({_cell(link.element_name)})" if link.element_name else "") + " |",
            f"| Layer | `{link.layer.value}` |",
            f"| Cause | `{link.cause}` |",
            f"| Responsible | {_cell(redact_text(link.responsible))} |",
            f"| What to do | {_cell(redact_text(link.fix))} |",
            "",
        ]
    lines += ["### Steps", "", "| # | step | expected | status | when | delay | budget |", "|---|---|---|---|---|---|---|"]
    for step in report.steps:
        lines.append(
            f"| {step.index} | {_cell(step.name)} | {_cell(step.expected)} | {step.status.value} | {_time(step.happened_at, tz)} | "
            f"{'' if step.delay_seconds is None else f'{step.delay_seconds:.1f} s'} | "
            f"{'' if step.budget_seconds is None else f'{step.budget_seconds:.0f} s'} |"
        )
    if link is not None and link.evidence:
        lines += ["", "### Evidence", ""]
        for item in link.evidence:
            when = f"{_time(item.at, tz)} — " if item.at else ""
            source = f" _(source: {item.source})_" if item.source else ""
            lines.append(f"- {when}**{item.kind}**: {redact_text(item.detail)}{source}")
    if report.concerns:
        lines += ["", "### Concerns", ""]
        for concern in report.concerns:
            step = f"step {concern.step}, " if concern.step else ""
            name = f" ({concern.element_name})" if concern.element_name and concern.element_name != concern.element else ""
            lines.append(f"- `{concern.element}`{name} ({step}`{concern.layer.value}`, `{concern.cause}`): "
                         f"{redact_text(concern.summary)} — {redact_text(concern.fix)}")
    for note in report.notes:
        lines += ["", f"> note: {note}"]
    time_zone = f" Times are {report.incident.time_zone}." if tz else " Times are UTC."
    lines += ["", f"_weaklink {report.weaklink_version}, report schema {report.schema_version}.{time_zone}_", ""]
    return "\n".join(lines)
