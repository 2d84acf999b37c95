"""The trace report: the JSON contract that support desks and other tools consume.

Its JSON Schema is published in `docs/report.schema.json` (generated from these models by
`weaklink schema`); `REPORT_SCHEMA_VERSION` changes whenever a field is removed or changes
meaning.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = "1.0"


class Layer(StrEnum):
    """Where in a hop something broke (DESIGN.md, 'Layers of a hop'), lowest last."""

    TRIGGER = "trigger"
    LOGIC = "logic"
    INTEGRATION = "integration"
    NETWORK = "network"
    HUB = "hub"
    RADIO = "radio"
    DEVICE = "device"
    TIMING = "timing"


class Verdict(StrEnum):
    """The outcome of a trace."""

    OK = "ok"
    BROKEN = "broken"
    INCONCLUSIVE = "inconclusive"


class StepStatus(StrEnum):
    """What became of one step."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_REACHED = "not_reached"


class Evidence(BaseModel):
    """One fact the finding rests on, with where it came from."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="state | event | automation_run | condition | config | log | registry | absence | probe "
                                  "| radio")
    detail: str = Field(description="The fact, in one plain sentence.")
    at: datetime | None = None
    element: str | None = Field(default=None, description="The entity, automation, device or integration it is about.")
    source: str | None = Field(default=None, description="The file (and line) or probe it was read from.")


class Finding(BaseModel):
    """Something wrong with one element of the chain, at one layer, with what to do about it."""

    model_config = ConfigDict(extra="forbid")

    element: str = Field(description="What failed, in the source's own terms: light.driveway, automation.x, an integration domain, a hub's device id.")
    element_name: str | None = Field(default=None, description="A human name for the element.")
    layer: Layer
    cause: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable snake_case cause code.")
    summary: str = Field(description="One sentence naming the broken link.")
    responsible: str = Field(description="Who to escalate to.")
    evidence: list[Evidence]
    fix: str


class BrokenLink(Finding):
    """The first hop that failed, at the lowest layer that explains it."""

    step: int = Field(description="1-based index of the step that failed.")
    step_name: str


class Concern(Finding):
    """A problem found on the chain's elements beside the broken link: one that did not break
    this run (a host that moved address, one gone from mDNS, one slow to answer), or one that
    kept weaklink from checking the chain at all."""

    step: int | None = Field(default=None, description="The step whose element it is about, if one.")


class StepReport(BaseModel):
    """One step of the chain and what happened to it."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(description="1-based.")
    name: str
    subject: str = Field(description="The entity, device, service or event the step is about.")
    expected: str
    status: StepStatus
    budget_seconds: float | None = Field(default=None, description="Allowed delay after the previous step; null for the trigger.")
    started_at: datetime | None = Field(default=None, description="When the step's clock started (the previous step happened).")
    deadline: datetime | None = None
    happened_at: datetime | None = Field(default=None, description="When the expected state or event was observed.")
    delay_seconds: float | None = Field(default=None, description="Seconds from the previous step to this one.")
    carried_by: list[str] = Field(default_factory=list, description="Automations and scripts that carry the hop.")
    detail: str = ""


class Incident(BaseModel):
    """Which run of the chain was traced."""

    model_config = ConfigDict(extra="forbid")

    requested_at: datetime | None = Field(description="The time the user gave (--at), if any.")
    window_start: datetime
    window_end: datetime
    triggered_at: datetime | None = Field(description="When the chain's trigger happened; null if it never did.")
    time_zone: str | None = None


class TraceReport(BaseModel):
    """The result of tracing one chain once."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = REPORT_SCHEMA_VERSION
    weaklink_version: str
    scenario: str
    scenario_source: str | None = None
    home: str
    mode: str = Field(description="recorded | live | simulated")
    verdict: Verdict
    summary: str = Field(description="One sentence: the broken link, or that the chain is healthy.")
    broken_link: BrokenLink | None
    steps: list[StepReport]
    incident: Incident
    notes: list[str] = Field(default_factory=list, description="Caveats about the evidence.")
    concerns: list[Concern] = Field(default_factory=list, description="Problems on the chain's elements that did "
                                    "not break this run, or that kept it from being checked (live traces).")

    def exit_status(self) -> int:
        """0 when the chain is healthy, 1 when a link is broken (or undecided)."""
        return 0 if self.verdict is Verdict.OK else 1
