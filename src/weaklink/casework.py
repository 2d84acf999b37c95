"""Diagnosing a case: trace the chains a customer's home may be complaining about, pick the one.

A case comes with a home, maybe a scenario or an automation, and the time the customer
noticed. `diagnose` traces what it was given (or, given nothing, every chain derivable
from the home's automations) and names the primary report: the broken run closest to the
incident, which is what the case is about.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .errors import InputError
from .home import OpenHome
from .report import TraceReport, Verdict
from .scenario import Scenario
from .scenario.derive import derivable, derive_scenario
from .tracer.followers import followers_from_history

Progress = Callable[[str, float], None]

# Broken first, then undecided, then healthy: a case is about what broke.
_RANK = {Verdict.BROKEN: 0, Verdict.INCONCLUSIVE: 1, Verdict.OK: 2}


@dataclass
class Diagnosis:
    """Every chain traced for a case, and which report the case is about."""

    reports: list[TraceReport]  # every chain traced
    primary: int | None  # index of the report the case is about (None when nothing could be traced)
    chains_considered: int
    notes: list[str] = field(default_factory=list)  # chains that could not be traced, and why

    @property
    def primary_report(self) -> TraceReport | None:
        """The report the case is about, if any."""
        return self.reports[self.primary] if self.primary is not None else None


def diagnose(home: OpenHome, *, scenarios: Sequence[Scenario] = (), automation: str | None = None,
             at: datetime | None = None, progress: Progress | None = None) -> Diagnosis:
    """Trace `scenarios` (else the chain derived from `automation`, else every derivable chain)
    at `at` (the incident time; None: each chain's latest run) and pick the primary report.

    `progress(message, fraction)` is told what is happening, fractions rising from 0 to 1.0.
    A chain that cannot be traced (it names something the home lacks) is skipped with a
    note, unless it was the only one asked for, or none could be traced: then its error is raised.
    """
    tell = progress or _silent
    tell("reading the home", 0.0)
    if scenarios:
        chains = list(scenarios)
    elif automation:
        chains = [derive_scenario(home.graph, automation, followers_from_history(home.recording))]
    else:
        chains = derivable(home.graph, followers_from_history(home.recording))
    tracer = home.tracer()
    reports: list[TraceReport] = []
    notes: list[str] = []
    first_error: InputError | None = None
    for number, chain in enumerate(chains, start=1):
        tell(f"tracing {number} of {len(chains)}: {chain.name}", 0.1 + 0.85 * (number - 1) / len(chains))
        try:
            reports.append(tracer.trace(chain, at))
        except InputError as error:
            if len(chains) == 1:
                raise
            first_error = first_error or error
            notes.append(f"{chain.name}: not traced: {error}")
    if not reports and first_error is not None:
        raise first_error
    primary = pick_primary(reports, at)
    tell(f"traced {len(reports)} of {len(chains)} chains", 1.0)
    return Diagnosis(reports=reports, primary=primary, chains_considered=len(chains), notes=notes)


def _silent(message: str, fraction: float) -> None:
    """Progress nobody listens to."""


def incident_moment(report: TraceReport) -> datetime | None:
    """When the run went wrong (or, for a healthy run, when it last did something).

    For a broken run, the moment its failed step was due: that is what a person notices.
    None when the chain never started (its trigger was not seen).
    """
    link = report.broken_link
    if link is not None:
        step = next((s for s in report.steps if s.index == link.step), None)
        if step is not None:
            moment = step.happened_at or step.deadline or step.started_at
            if moment is not None:
                return moment
        return report.incident.triggered_at
    happened = [s.happened_at for s in report.steps if s.happened_at is not None]
    return max(happened) if happened else report.incident.triggered_at


def pick_primary(reports: Sequence[TraceReport], at: datetime | None) -> int | None:
    """The index of the report a case is about.

    Broken before inconclusive before ok; among those, the run that went wrong closest to
    `at` (without `at`: the latest); a run that never started comes last. Ties (two chains
    failing at the same hop, say one starting at the other's second step) go to the chain
    whose trigger came first, which tells more of the story, then to the longer chain, then
    to the one given first.
    """
    if not reports:
        return None
    moments = [incident_moment(report) for report in reports]
    known = [m for m in moments if m is not None]
    anchor = at if at is not None else (max(known) if known else None)

    def key(index: int) -> tuple[int, int, float, float, int, int]:
        report, moment = reports[index], moments[index]
        distance = abs((moment - anchor).total_seconds()) if moment is not None and anchor is not None else 0.0
        trigger = report.incident.triggered_at
        return (_RANK[report.verdict], moment is None, distance,
                trigger.timestamp() if trigger is not None else float("inf"), -len(report.steps), index)

    return min(range(len(reports)), key=key)
