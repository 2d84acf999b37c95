"""Evidence: what was recorded or observed happening in the home."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# Home Assistant's own words for "no reading": the tracer treats them as the entity being gone.
UNAVAILABLE_STATES = frozenset({"unavailable"})
UNKNOWN_STATES = frozenset({"unknown", ""})


class StateChange(BaseModel):
    """One recorded state of an entity (a row of history).

    `at` is when it was written (last_updated); `changed_at` is when the state value itself
    last changed, which differs when only attributes changed. `state` None means the entity
    was removed.
    """

    entity_id: str
    state: str | None
    at: datetime
    changed_at: datetime | None = None
    attributes: dict[str, object] = Field(default_factory=dict)
    context_id: str | None = None
    context_parent_id: str | None = None
    context_user_id: str | None = None

    @property
    def unavailable(self) -> bool:
        """True when the platform could not reach the entity at all."""
        return self.state in UNAVAILABLE_STATES

    @property
    def removed(self) -> bool:
        """True when the entity was removed from the platform (integration unloaded)."""
        return self.state is None or self.state == ""


class EventRecord(BaseModel):
    """One recorded platform event (a service call, an automation firing, a button press)."""

    event_type: str
    at: datetime
    data: dict[str, object] = Field(default_factory=dict)
    context_id: str | None = None
    context_parent_id: str | None = None
    context_user_id: str | None = None


RunResult = Literal["finished", "condition_failed", "error", "aborted", "running", "unknown"]


class ConditionResult(BaseModel):
    """How one condition evaluated during an automation run."""

    path: str
    result: bool | None
    entities: list[str] = Field(default_factory=list)
    detail: str = ""


class AutomationRun(BaseModel):
    """One run of an automation or script, from a saved trace or recorded events."""

    automation: str  # entity id
    started_at: datetime
    finished_at: datetime | None = None
    result: RunResult = "unknown"
    trigger: str | None = None
    context_id: str | None = None
    context_parent_id: str | None = None
    conditions: list[ConditionResult] = Field(default_factory=list)
    services_called: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)
    error: str | None = None
    source: str | None = None


class LogEntry(BaseModel):
    """One relevant line of a platform's log (an integration failing to set up, say).

    An entry with no time (`at` None) is the adapter's own remark about reading the source:
    something it tolerated, as the platform itself would (a key written twice, an unknown
    time zone). The command shows those to the user as warnings.
    """

    at: datetime | None
    level: str
    logger: str
    message: str
    integration: str | None = None
    source: str | None = None
    line: int | None = None


PROBE_PROBLEMS = {
    "unreachable": "nothing answers at the address: refused, reset, no route",
    "timeout": "no answer within the probe's time",
    "garbled": "it answers, but not in its protocol (malformed JSON, a packet that does not decode)",
    "credentials": "it refuses the key, password or token it was given",
    "identity": "the host there is not, or cannot be confirmed to be, the one named: no credential was sent",
    "moved": "it answers at another address than the one it was named with",
    "not_advertised": "it answers, but does not announce itself over mDNS",
}


class ProbeResult(BaseModel):
    """The outcome of probing one element live (reachability, authentication, health).

    `problem` says what kind of failure a failing probe saw, when it is one of `PROBE_PROBLEMS`
    (the layer says where; the problem says how): the tracer uses it to tell a slow host from
    a dead one, a garbled answer from a refused one.
    """

    element: str
    layer: str
    ok: bool
    detail: str = ""
    at: datetime | None = None
    latency_ms: float | None = None
    problem: str | None = None
