"""The desk's JSON API: every request and response body, as pydantic models.

These models are the contract the pages and any other client rely on; the OpenAPI document
(`/api/openapi.json`) is generated from them, so a field added here is documented there.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..report import TraceReport


class CaseStatus(StrEnum):
    """Where a case stands with the desk."""

    OPEN = "open"
    WAITING_ON_VENDOR = "waiting_on_vendor"
    SOLVED = "solved"


class RunState(StrEnum):
    """Where a trace run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Progress(_Body):
    """How far a running trace has got."""

    message: str
    fraction: float = Field(ge=0, le=1)


class PartyInfo(_Body):
    """Who a case is escalated to."""

    name: str
    brands: list[str] = Field(default_factory=list)
    adapters: list[str] = Field(default_factory=list)


class RunResult(_Body):
    """Everything one trace run found."""

    reports: list[TraceReport] = Field(description="Every chain traced, in the order traced.")
    primary: int | None = Field(description="Index in `reports` of the chain the case is about; null when none "
                                            "could be traced.")
    chains_considered: int
    party: PartyInfo | None = None
    brands: list[str] = Field(default_factory=list, description="The brands in the customer's home.")
    notes: list[str] = Field(default_factory=list, description="What weaklink noticed while reading the bundle.")


class Run(_Body):
    """One trace of a case's bundle."""

    number: int
    state: RunState
    requested_by: str
    incident_at: datetime | None
    automation: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: Progress | None = Field(default=None, description="While queued or running.")
    error: str | None = Field(default=None, description="Why the run failed: one line naming the file and field.")
    result: RunResult | None = None
    graph_url: str | None = Field(default=None, description="The picture of the home graph, when the run is done.")


class Note(_Body):
    """An agent's note on a case."""

    id: int
    at: datetime
    author: str
    text: str


class Escalation(_Body):
    """A bundle handed to the party responsible."""

    number: int
    run_number: int
    party: str
    share_device_ids: bool
    file_name: str
    sha256: str
    bytes: int
    created_at: datetime
    created_by: str
    download_url: str


class CaseSummary(_Body):
    """A case as the list shows it."""

    id: int
    title: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    incident_at: datetime | None
    brands: list[str]
    verdict: str | None = Field(description="ok | broken | inconclusive; null until a trace has finished.")
    summary: str | None
    scenario: str | None
    layer: str | None
    cause: str | None
    responsible: str | None
    party: str | None
    run_state: RunState | None = Field(description="The latest run's state.")
    url: str


class Case(CaseSummary):
    """A case with everything on it."""

    customer_words: str
    created_by: str
    bundle_name: str
    bundle_sha256: str
    bundle_bytes: int
    automation: str | None
    runs: list[Run] = Field(description="Every trace run on the case, the latest last.")
    notes: list[Note]
    escalations: list[Escalation]


class Tally(_Body):
    """How many cases share one value."""

    value: str
    cases: int


class Breakdown(_Body):
    """What breaks most often, over the cases a filter selects."""

    causes: list[Tally] = Field(description="layer/cause, most frequent first.")
    parties: list[Tally]
    brands: list[Tally] = Field(description="Brands of the broken link's party.")
    layers: list[Tally]


class CaseList(_Body):
    """The cases a filter selects, the newest first, and what breaks most often among them."""

    cases: list[CaseSummary]
    total: int
    breakdown: Breakdown
    statuses: list[str] = Field(description="Every status, for a filter's choices.")
    brands: list[str] = Field(description="Every brand seen in any case.")
    layers: list[str]
    parties: list[str]


class StatusChange(_Body):
    """Move a case along."""

    status: CaseStatus


class NewNote(_Body):
    """A note to add to a case."""

    text: str = Field(min_length=1, max_length=20_000)


class NewRun(_Body):
    """Trace a case's bundle again, perhaps at another time or for another chain."""

    incident_at: datetime | None = None
    automation: str | None = Field(default=None, max_length=300)


class NewEscalation(_Body):
    """Ask for an escalation bundle."""

    run_number: int | None = Field(default=None, description="Default: the latest finished run.")
    share_device_ids: bool = Field(default=False, description="Keep identifiers of devices outside the broken hop "
                                                              "(otherwise they are replaced by pseudonyms).")


class Login(_Body):
    """An agent's token."""

    token: str = Field(min_length=1, max_length=400)


class SessionInfo(_Body):
    """Who is logged in, and the token forms must send back (header `X-CSRF-Token`)."""

    agent: str
    csrf_token: str
    login_required: bool


class Problem(_Body):
    """An error: what went wrong, and where when the input was at fault."""

    error: str
    status: int
