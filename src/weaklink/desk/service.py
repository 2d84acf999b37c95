"""The desk itself: cases, runs, notes, escalations and agents, behind async methods.

The API handlers and the pages both call this; neither touches the store or the worker
processes directly. The store lives on one thread of its own; tracing and bundling run in a
pool of worker processes (they are CPU work and must not stall the event loop or each other),
at most `workers` at a time, the rest queued in order.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import secrets
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError
from .casefiles import case_files, read_progress, remove_case_folders
from .config import DeskConfig
from .schemas import (
    Breakdown, Case, CaseList, CaseStatus, CaseSummary, Escalation, Note, Progress, Run, RunResult, RunState, Tally,
)
from .store import CaseFilter, CaseStore
from .work import EscalationJob, TraceJob, escalate_case, trace_case

log = logging.getLogger("weaklink.desk")
T = TypeVar("T")

LAYERS = ("trigger", "logic", "integration", "network", "hub", "radio", "device", "timing")


class NotFound(InputError):
    """No such case, run or escalation."""


class Conflict(InputError):
    """The request cannot be done in the case's present state (no finished run to escalate, …)."""


def hash_secret(value: str) -> str:
    """How tokens and session ids are stored: never as themselves."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh agent token or session id."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class NewCase:
    """What an agent gives to open a case (the bundle already saved to `upload`)."""

    upload: Path
    bundle_name: str
    sha256: str
    size: int
    title: str
    customer_words: str
    incident_at: str | None
    automation: str | None
    scenario: Path | None


class Desk:
    """A running support desk."""

    def __init__(self, config: DeskConfig) -> None:
        self.config = config
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weaklink-desk-store")
        self._pool: ProcessPoolExecutor | None = None
        self._store: CaseStore | None = None
        self._slots = asyncio.Semaphore(config.workers)
        self._tasks: set[asyncio.Task[None]] = set()

    # life ----------------------------------------------------------------------------------

    async def start(self, *, work: bool = True) -> None:
        """Open the store (migrating it) and, unless `work` is False (managing agents), start the
        workers and resume the runs a previous desk left unfinished."""
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        (self.config.data_dir / "incoming").mkdir(exist_ok=True)
        self._store = await self._run_db(CaseStore, self.config.store_path)
        # the folders of cases deleted while a desk was stopping (or by `weaklink purge`) go now
        deleted = await self._db(lambda s: s.deleted_case_ids())
        await asyncio.get_running_loop().run_in_executor(None, remove_case_folders, self.config.data_dir, deleted)
        if not work:
            return
        # spawn, not fork: the desk has threads (the store's, aiohttp's resolver) that a fork would copy half-way
        self._pool = ProcessPoolExecutor(max_workers=self.config.workers, mp_context=multiprocessing.get_context("spawn"))
        for run in await self._db(lambda s: s.unfinished_runs()):
            self._spawn(self._trace(run["case_id"], run["number"]))

    async def stop(self) -> None:
        """Stop taking work; runs in flight stay queued in the store and resume at the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._store is not None:
            await self._db(lambda s: s.close())
        self._db_thread.shutdown(wait=True)

    async def idle(self) -> None:
        """Wait until every queued and running trace has finished (for tests, benchmarks and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_db(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db_thread, function, *args)

    async def _db(self, function: Callable[[CaseStore], T]) -> T:
        assert self._store is not None, "the desk has not started"
        store = self._store
        return await self._run_db(lambda: function(store))

    # agents and sessions -------------------------------------------------------------------

    async def add_agent(self, name: str) -> str:
        """Register an agent; their token (shown once, stored only as a hash)."""
        token = new_token()
        await self._db(lambda s: s.add_agent(name, hash_secret(token)))
        return token

    async def agents(self) -> list[dict[str, str]]:
        """Every agent's name and when they were added."""
        return await self._db(lambda s: s.agents())

    async def remove_agent(self, name: str) -> None:
        """Revoke an agent's token and end their sessions."""
        if not await self._db(lambda s: s.remove_agent(name)):
            raise NotFound(f"no agent named {name!r}", field="name")

    async def agent_for_token(self, token: str) -> str | None:
        """The agent a token belongs to."""
        return await self._db(lambda s: s.agent_by_token_hash(hash_secret(token)))

    async def open_session(self, agent: str) -> tuple[str, str]:
        """A new session for `agent`: (cookie value, CSRF token)."""
        session, csrf = new_token(), new_token()
        expires = (datetime.now(timezone.utc) + timedelta(hours=self.config.session_hours)).isoformat(timespec="seconds")
        await self._db(lambda s: s.create_session(hash_secret(session), agent, csrf, expires))
        return session, csrf

    async def session(self, cookie: str) -> tuple[str, str] | None:
        """(agent, CSRF token) of a live session."""
        row = await self._db(lambda s: s.session(hash_secret(cookie)))
        return (row["agent"], row["csrf_token"]) if row else None

    async def close_session(self, cookie: str) -> None:
        """Log out."""
        await self._db(lambda s: s.delete_session(hash_secret(cookie)))

    # cases ---------------------------------------------------------------------------------

    async def create_case(self, new: NewCase, agent: str) -> Case:
        """Open a case for an uploaded bundle and start tracing it."""
        case_id = await self._db(lambda s: s.create_case(
            title=new.title, customer_words=new.customer_words, incident_at=new.incident_at, created_by=agent,
            bundle_name=new.bundle_name, bundle_sha256=new.sha256, bundle_bytes=new.size, automation=new.automation))
        files = case_files(self.config.data_dir, case_id)
        files.root.mkdir(parents=True, exist_ok=True)
        shutil.move(new.upload, files.upload)
        scenario_file = None
        if new.scenario is not None:
            scenario_file = files.scenario(1)
            shutil.move(new.scenario, scenario_file)
        await self._queue(case_id, agent, new.incident_at, new.automation, scenario_file)
        return await self.case(case_id)

    async def retrace(self, case_id: int, agent: str, incident_at: str | None, automation: str | None) -> Run:
        """Trace a case's bundle again; the new run."""
        row = await self._db(lambda s: s.case(case_id))
        if row is None:
            raise NotFound(f"no case {case_id}", field="case")
        number = await self._queue(case_id, agent, incident_at, automation, None)
        return await self.run(case_id, number)

    async def _queue(self, case_id: int, agent: str, incident_at: str | None, automation: str | None,
                     scenario_file: Path | None) -> int:
        number = await self._db(lambda s: s.queue_run(case_id, requested_by=agent, incident_at=incident_at,
                                                      automation=automation,
                                                      scenario_file=str(scenario_file) if scenario_file else None))
        self._spawn(self._trace(case_id, number))
        return number

    async def _trace(self, case_id: int, number: int) -> None:
        run = await self._db(lambda s: s.run(case_id, number))
        case = await self._db(lambda s: s.case(case_id))
        if run is None or case is None:
            return
        files = case_files(self.config.data_dir, case_id)
        job = TraceJob(files.root, number, run["incident_at"], run["automation"],
                       Path(run["scenario_file"]) if run["scenario_file"] else None, self.config.zip_limits,
                       case["bundle_name"])
        async with self._slots:
            await self._db(lambda s: s.start_run(case_id, number))
            assert self._pool is not None
            try:
                outcome = await asyncio.get_running_loop().run_in_executor(self._pool, trace_case, job)
            except asyncio.CancelledError:
                raise  # the desk is stopping: the run stays unfinished and resumes at the next start
            except Exception as exc:  # the worker process died
                log.error("case %s run %s: the worker died: %s", case_id, number, type(exc).__name__)
                await self._db(lambda s: s.fail_run(case_id, number, "the worker tracing this bundle died; trace it again"))
                return
        if outcome.error is not None:
            await self._db(lambda s: s.fail_run(case_id, number, outcome.error or ""))
        else:
            await self._db(lambda s: s.finish_run(case_id, number, result=outcome.result_json or "{}",
                                                  outcome=outcome.outcome, brands=outcome.brands,
                                                  broken_brands=outcome.broken_brands))

    async def case(self, case_id: int) -> Case:
        """Everything about one case."""
        def read(store: CaseStore) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]],
                                            list[dict[str, Any]]]:
            return store.case(case_id), store.runs(case_id), store.notes(case_id), store.escalations(case_id)

        row, runs, notes, escalations = await self._db(read)
        if row is None:
            raise NotFound(f"no case {case_id}", field="case")
        summary = _summary(row)
        return Case(
            **summary.model_dump(), customer_words=row["customer_words"], created_by=row["created_by"],
            bundle_name=row["bundle_name"], bundle_sha256=row["bundle_sha256"], bundle_bytes=row["bundle_bytes"],
            automation=row["automation"], runs=[self._run(case_id, r) for r in runs],
            notes=[Note(**n) for n in notes], escalations=[_escalation(case_id, e) for e in escalations])

    async def run(self, case_id: int, number: int) -> Run:
        """One run of a case."""
        row = await self._db(lambda s: s.run(case_id, number))
        if row is None:
            raise NotFound(f"case {case_id} has no run {number}", field="run")
        return self._run(case_id, row)

    def _run(self, case_id: int, row: dict[str, Any]) -> Run:
        files = case_files(self.config.data_dir, case_id)
        progress = None
        state = RunState(row["state"])
        if state is RunState.QUEUED:
            progress = Progress(message="waiting for a free worker", fraction=0.0)
        elif state is RunState.RUNNING:
            seen = read_progress(files.progress(row["number"]))
            progress = Progress.model_validate(seen) if seen else Progress(message="starting", fraction=0.0)
        result = RunResult.model_validate_json(row["result"]) if row["result"] else None
        return Run(
            number=row["number"], state=state, requested_by=row["requested_by"], incident_at=_time(row["incident_at"]),
            automation=row["automation"], queued_at=row["queued_at"], started_at=row["started_at"],
            finished_at=row["finished_at"], progress=progress, error=row["error"], result=result,
            graph_url=f"/api/cases/{case_id}/runs/{row['number']}/graph.svg"
            if state is RunState.DONE and files.graph(row["number"]).exists() else None)

    async def cases(self, selection: CaseFilter, *, limit: int = 200, offset: int = 0) -> CaseList:
        """The cases a filter selects, and what breaks most often among them."""
        def read(store: CaseStore) -> tuple[Any, ...]:
            rows, total = store.cases(selection, limit=limit, offset=offset)
            breakdown = (store.tally(selection, "c.layer || '/' || c.cause"), store.tally(selection, "c.party"),
                         store.broken_brands(selection), store.tally(selection, "c.layer"))
            return rows, total, breakdown, store.distinct("brand"), store.distinct("layer"), store.distinct("party")

        rows, total, (causes, parties, brands, layers), all_brands, seen_layers, all_parties = await self._db(read)

        def tallies(pairs: list[tuple[str, int]]) -> list[Tally]:
            return [Tally(value=value, cases=count) for value, count in pairs]

        return CaseList(
            cases=[_summary(row) for row in rows], total=total,
            breakdown=Breakdown(causes=tallies(causes), parties=tallies(parties), brands=tallies(brands),
                                layers=tallies(layers)),
            statuses=[s.value for s in CaseStatus], brands=all_brands,
            layers=[layer for layer in LAYERS if layer in seen_layers] or list(LAYERS), parties=all_parties)

    async def set_status(self, case_id: int, status: CaseStatus) -> Case:
        """Move a case along."""
        if not await self._db(lambda s: s.set_status(case_id, status.value)):
            raise NotFound(f"no case {case_id}", field="case")
        return await self.case(case_id)

    async def add_note(self, case_id: int, agent: str, text: str) -> Note:
        """Add an agent's note to a case."""
        await self.case(case_id)
        note_id = await self._db(lambda s: s.add_note(case_id, agent, text))
        notes = await self._db(lambda s: s.notes(case_id))
        return Note(**next(n for n in notes if n["id"] == note_id))

    # escalation ----------------------------------------------------------------------------

    async def escalate(self, case_id: int, agent: str, run_number: int | None, share_device_ids: bool) -> Escalation:
        """Build the redacted bundle for the party responsible for a run's broken link."""
        case = await self.case(case_id)
        finished = [r for r in case.runs if r.state is RunState.DONE and r.result and r.result.primary is not None]
        chosen = next((r for r in finished if r.number == run_number), None) if run_number else \
            (finished[-1] if finished else None)
        if chosen is None or chosen.result is None or chosen.result.primary is None:
            raise Conflict("there is no finished trace to escalate" if run_number is None
                           else f"run {run_number} has no finished trace to escalate", field="run_number")
        report = chosen.result.reports[chosen.result.primary]
        notes = "\n\n".join(f"{n.author}, {n.at:%Y-%m-%d %H:%M}: {n.text}" for n in case.notes) or None
        job = EscalationJob(case_files(self.config.data_dir, case_id).root, case_id, chosen.number,
                            report.model_dump_json(), share_device_ids, notes)
        assert self._pool is not None
        outcome = await asyncio.get_running_loop().run_in_executor(self._pool, escalate_case, job)
        if outcome.error is not None or outcome.file_name is None or outcome.sha256 is None:
            raise InputError(outcome.error or "the bundle could not be built", field="escalation")
        number = await self._db(lambda s: s.add_escalation(
            case_id, run_number=chosen.number, party=outcome.party or "", share_device_ids=share_device_ids,
            file_name=outcome.file_name or "", sha256=outcome.sha256 or "", size=outcome.size, created_by=agent))
        row = await self._db(lambda s: s.escalation(case_id, number))
        assert row is not None
        return _escalation(case_id, row)

    # deletion ------------------------------------------------------------------------------

    async def delete_case(self, case_id: int, deleted_by: str) -> None:
        """Delete a case and every file of it: the customer's bundle, what was unpacked from it,
        the runs' pictures and the escalation bundles. Kept: a `deletions` record with the ids,
        times and SHA-256 fingerprints, none of the customer's data."""
        outcome = await self._db(lambda s: s.delete_case(case_id, deleted_by))
        if outcome == "missing":
            raise NotFound(f"no case {case_id}", field="case")
        if outcome == "busy":
            raise Conflict(f"case {case_id} is being traced; delete it once the run has finished", field="case")
        await asyncio.get_running_loop().run_in_executor(None, remove_case_folders, self.config.data_dir, [case_id])

    async def purge(self, untouched_for: timedelta, statuses: Sequence[CaseStatus], *,
                    dry_run: bool = False) -> list[CaseSummary]:
        """Delete the cases in `statuses` nobody has changed for `untouched_for` (a retention
        policy); the cases deleted (or, with `dry_run`, that would be). A case being traced is
        left for the next purge."""
        before = (datetime.now(timezone.utc) - untouched_for).isoformat(timespec="seconds")
        stale = await self._db(lambda s: s.cases_untouched_since(before, [status.value for status in statuses]))
        chosen = [_summary(row) for row in stale]
        if dry_run:
            return chosen
        deleted = []
        for summary in chosen:
            try:
                await self.delete_case(summary.id, "retention")
            except Conflict:
                continue
            deleted.append(summary)
        return deleted

    async def escalation_file(self, case_id: int, number: int) -> Path:
        """The bundle file of one escalation, as it was handed out."""
        row = await self._db(lambda s: s.escalation(case_id, number))
        if row is None:
            raise NotFound(f"case {case_id} has no escalation {number}", field="escalation")
        # only ever a name the desk made, but never let a stored value walk out of the case's folder
        return case_files(self.config.data_dir, case_id).escalations / Path(str(row["file_name"])).name

    async def bundle_file(self, case_id: int) -> tuple[Path, str]:
        """The customer's bundle as uploaded, and the name it was uploaded under."""
        case = await self.case(case_id)
        return case_files(self.config.data_dir, case_id).upload, case.bundle_name

    async def graph_file(self, case_id: int, number: int) -> Path:
        """The picture of the home graph of a finished run."""
        run = await self.run(case_id, number)
        path = case_files(self.config.data_dir, case_id).graph(number)
        if run.state is not RunState.DONE or not path.exists():
            raise NotFound(f"case {case_id} run {number} has no graph yet", field="run")
        return path


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _summary(row: dict[str, Any]) -> CaseSummary:
    return CaseSummary(
        id=row["id"], title=row["title"], status=CaseStatus(row["status"]), created_at=row["created_at"],
        updated_at=row["updated_at"], incident_at=_time(row["incident_at"]), brands=row["brands"],
        verdict=row["verdict"], summary=row["summary"], scenario=row["scenario"], layer=row["layer"],
        cause=row["cause"], responsible=row["responsible"], party=row["party"],
        run_state=RunState(row["run_state"]) if row["run_state"] else None, url=f"/cases/{row['id']}")


def _escalation(case_id: int, row: dict[str, Any]) -> Escalation:
    return Escalation(
        number=row["number"], run_number=row["run_number"], party=row["party"],
        share_device_ids=bool(row["share_device_ids"]), file_name=row["file_name"], sha256=row["sha256"],
        bytes=row["bytes"], created_at=row["created_at"], created_by=row["created_by"],
        download_url=f"/api/cases/{case_id}/escalations/{row['number']}/download")

