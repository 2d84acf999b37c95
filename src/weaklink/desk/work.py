"""The desk's heavy work, run in worker processes: tracing a case's bundle, building an escalation.

Each function takes and returns plain picklable values, never raises for bad input (a bad
bundle is an outcome the case shows, not a crash), and writes only inside the case's folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..bundle.unzip import ZipLimits
from ..errors import WeaklinkError
from ..home import OpenHome, open_home
from ..redact import redact_text
from ..report import TraceReport
from ..scenario import load_scenario
from .casefiles import CaseFiles, write_atomically, write_progress
from .schemas import PartyInfo, RunResult

log = logging.getLogger("weaklink.desk")


@dataclass(frozen=True)
class TraceJob:
    """Trace one run of a case."""

    case_dir: Path
    run: int
    incident_at: str | None
    automation: str | None
    scenario_file: Path | None = None
    limits: ZipLimits = field(default_factory=ZipLimits)
    bundle_name: str | None = None  # as the agent uploaded it, for error messages


@dataclass
class TraceOutcome:
    """What a trace run produced: the result JSON, the case's new outcome, or why it failed."""

    result_json: str | None = None
    outcome: dict[str, str | None] = field(default_factory=dict)
    brands: list[str] = field(default_factory=list)
    broken_brands: list[str] = field(default_factory=list)
    error: str | None = None


def _unpacked(files: CaseFiles, limits: ZipLimits | None = None, name: str | None = None) -> tuple[Path, list[Path]]:
    """The case's bundle unpacked, once (later runs reuse it): its home folder and scenario files."""
    from ..bundle.customer import unpack_customer_bundle

    marker = files.root / "home.json"
    if marker.exists():
        known = json.loads(marker.read_text(encoding="utf-8"))
        return Path(known["root"]), [Path(p) for p in known["scenarios"]]
    if files.home.exists():  # a run that died half way through unpacking: start over
        shutil.rmtree(files.home)
    bundle = unpack_customer_bundle(files.upload, files.home, limits or ZipLimits(), name=name)
    write_atomically(marker, json.dumps({"root": str(bundle.root),
                                         "scenarios": [str(p) for p in bundle.scenarios]}).encode())
    return bundle.root, bundle.scenarios


def _incident(text: str | None, home: OpenHome) -> datetime | None:
    from ..when import parse_at

    return parse_at(text, home.time_zone) if text else None


def trace_case(job: TraceJob) -> TraceOutcome:
    """Unpack the case's bundle (first time only), read the home, trace its chain(s) and draw the graph."""
    from ..bundle.escalation import responsible_party
    from ..casework import diagnose
    from ..render import graph_svg

    files = CaseFiles(job.case_dir)
    progress = files.progress(job.run)

    def report(message: str, fraction: float) -> None:
        write_progress(progress, message, 0.1 + 0.85 * fraction)

    try:
        write_progress(progress, "unpacking the bundle", 0.02)
        root, found = _unpacked(files, job.limits, job.bundle_name)
        write_progress(progress, "reading the home", 0.06)
        with open_home(root) as home:
            scenario_paths = [job.scenario_file] if job.scenario_file else ([] if job.automation else found)
            scenarios = [load_scenario(path) for path in scenario_paths]
            diagnosis = diagnose(home, scenarios=scenarios, automation=job.automation,
                                 at=_incident(job.incident_at, home), progress=report)
            primary = diagnosis.reports[diagnosis.primary] if diagnosis.primary is not None else None
            party = responsible_party(primary, home) if primary is not None else None
            write_progress(progress, "drawing the home graph", 0.97)
            write_atomically(files.graph(job.run), graph_svg(home.graph, primary).encode("utf-8"))
            brands = sorted({device.brand for device in home.graph.devices if device.brand})
            notes = [f"{len(home.imported.skipped)} file(s) in the bundle no adapter recognises were left out"] \
                if home.imported.skipped else []
            result = RunResult(
                reports=diagnosis.reports, primary=diagnosis.primary, chains_considered=diagnosis.chains_considered,
                party=PartyInfo(name=party.name, brands=list(party.brands), adapters=list(party.adapters)) if party else None,
                brands=brands, notes=notes)
        outcome = _outcome(primary, party.name if party else None)
        write_progress(progress, "done", 1.0)
        return TraceOutcome(result_json=redact_text(_in_bundle_terms(result.model_dump_json(), files, in_json=True)),
                            outcome=outcome, brands=brands,
                            broken_brands=list(party.brands) if party else [])
    except WeaklinkError as exc:
        return TraceOutcome(error=redact_text(_in_bundle_terms(str(exc), files)))
    except Exception as exc:  # a bug: the case says so, the log keeps the detail
        log.exception("tracing case folder %s run %s failed", files.root.name, job.run)
        return TraceOutcome(error=f"weaklink failed on this bundle ({type(exc).__name__}); the desk's log has the detail")


def _in_bundle_terms(text: str, files: CaseFiles, *, in_json: bool = False) -> str:
    """Reports and error messages name files as they sit in the customer's bundle, never where the
    desk keeps it; `in_json` when `text` is JSON, where a path is written escaped."""
    for folder, name in ((files.home, "bundle"), (files.root, "case")):
        written = json.dumps(str(folder))[1:-1] if in_json else str(folder)
        text = text.replace(written + "/", "").replace(written, name)
    return text


def _outcome(report: TraceReport | None, party: str | None) -> dict[str, str | None]:
    if report is None:
        return {"verdict": None, "summary": "No chain could be traced in this bundle.", "party": None}
    broken = report.broken_link
    return {
        "verdict": report.verdict.value, "summary": report.summary, "scenario": report.scenario,
        "layer": broken.layer.value if broken else None, "cause": broken.cause if broken else None,
        "responsible": broken.responsible if broken else None, "party": party,
    }


@dataclass(frozen=True)
class EscalationJob:
    """Build the escalation bundle for one run's primary report."""

    case_dir: Path
    case_id: int
    run: int
    report_json: str
    share_device_ids: bool
    notes: str | None = None


@dataclass
class EscalationOutcome:
    """The bundle written, or why it could not be."""

    file_name: str | None = None
    sha256: str | None = None
    size: int = 0
    party: str | None = None
    error: str | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "party"


def escalate_case(job: EscalationJob) -> EscalationOutcome:
    """Write the redacted bundle for the party responsible for the run's broken link."""
    from ..bundle.escalation import build_escalation, responsible_party

    files = CaseFiles(job.case_dir)
    try:
        report = TraceReport.model_validate_json(job.report_json)
        svg_path = files.graph(job.run)
        svg = svg_path.read_text(encoding="utf-8") if svg_path.exists() else None
        with open_home(_unpacked(files)[0]) as home:
            party = responsible_party(report, home)
            data = build_escalation(report, home, share_device_ids=job.share_device_ids, graph_svg=svg,
                                    case_notes=job.notes)
        name = party.name if party else "weaklink"
        digest = hashlib.sha256(data).hexdigest()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        file_name = f"case-{job.case_id}-run-{job.run}-{_slug(name)}-{stamp}-{digest[:8]}.zip"
        write_atomically(files.escalations / file_name, data)
        return EscalationOutcome(file_name=file_name, sha256=digest, size=len(data), party=name)
    except WeaklinkError as exc:
        return EscalationOutcome(error=redact_text(_in_bundle_terms(str(exc), files)))
    except Exception as exc:
        log.exception("escalating case %s run %s failed", job.case_id, job.run)
        return EscalationOutcome(error=f"weaklink failed to build the bundle ({type(exc).__name__}); the desk's log "
                                       f"has the detail")
