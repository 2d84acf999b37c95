"""Replaying a chain against recorded history: which run, which hop, which layer.

`--at` is when the person noticed, roughly: the incident is the chain's last run (or
missed run) at or shortly before it. The tracer finds the last time the trigger happened
in the look-back window, then walks the hops in order; each hop must happen within its
budget after the previous one. The first hop that does not is diagnosed layer by layer;
later hops are not reached.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from .. import __version__
from ..errors import UnknownElementError
from ..graph import HomeGraph
from ..model import CapabilityKind
from ..report import Evidence, Incident, StepReport, StepStatus, TraceReport, Verdict
from ..scenario import Scenario, Step
from .conditions import ConditionEvaluator
from .diagnose import Diagnoser, Hop
from .finding import Finding
from .observe import Occurrence, first_occurrence, last_occurrence_before, occurrences
from .recording import Recording

LOOKBACK = timedelta(hours=3)  # how long before --at the incident may have started
SLACK = timedelta(minutes=2)  # --at is rough: a trigger just after it still counts
LATE_FACTOR = 10  # a step later than 10× its budget (or 15 min) is "did not happen"
LATE_FLOOR = timedelta(minutes=15)
_SEARCH_STEP = timedelta(days=1)


@dataclass
class _Walk:
    steps: list[StepReport]
    finding: Finding | None = None
    failed_step: int | None = None


class RecordedTracer:
    """Traces chains against recorded history (offline replay of an incident)."""

    def __init__(self, graph: HomeGraph, recording: Recording, *, home: str, time_zone: str | None = None) -> None:
        self.graph = graph
        self.recording = recording
        self.home = home
        self.time_zone = time_zone
        self.tz: tzinfo = ZoneInfo(time_zone) if time_zone else timezone.utc
        self.conditions = ConditionEvaluator(recording, self.tz)
        self.diagnoser = Diagnoser(graph, recording, self.conditions)

    # ------------------------------------------------------------ resolution

    def resolve(self, step: Step, index: int, scenario: Scenario) -> str | None:
        """The entity id a step is about (None for service and event steps).

        Raises `UnknownElementError` when the step names something this home has never had.
        """
        if step.automation and not self._automation_known(step.automation):
            field = f"steps.{index - 1}.automation"
            raise UnknownElementError(self._unknown_automation_message(step.automation), source=scenario.source,
                                      line=scenario.line_of(field), field=field)
        if step.entity:
            entity = step.entity
            if not self._known(entity) and entity not in self.graph.deleted and not self.graph.automations_acting_on(entity):
                field = f"steps.{index - 1}.entity"
                raise UnknownElementError(self._unknown_message(entity), source=scenario.source,
                                          line=scenario.line_of(field), field=field)
            return entity
        if step.device:
            return self._entity_of_device(step, index, scenario)
        return None

    def _known(self, entity: str) -> bool:
        return (self.graph.capability(entity) is not None or self.graph.automation(entity) is not None
                or self.recording.has_history_for(entity))

    def _unknown_message(self, entity: str) -> str:
        ids = [c.id for c in self.graph.capabilities] + [a.entity_id for a in self.graph.automations]
        close = difflib.get_close_matches(entity, ids, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"{entity} is not an entity of this home{hint}"

    def _automation_known(self, name: str) -> bool:
        # One deleted since still has its recorded states or runs: that is a broken link
        # (automation_missing), found when the hop is diagnosed; a name never seen is a typo.
        return (self.graph.automation(name) is not None or self.graph.capability(name) is not None
                or self.recording.has_history_for(name) or any(run.automation == name for run in self.recording.runs))

    def _unknown_automation_message(self, name: str) -> str:
        # Compared without the domain, which every candidate shares and which would make any name "close".
        by_object = {a.entity_id.partition(".")[2]: a.entity_id for a in self.graph.automations}
        close = difflib.get_close_matches(name.partition(".")[2], list(by_object), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(by_object[c] for c in close)}?" if close else ""
        return f"{name} is not an automation or script of this home{hint}"

    def _entity_of_device(self, step: Step, index: int, scenario: Scenario) -> str:
        wanted = (step.device or "").casefold()
        devices = [d for d in self.graph.devices if d.name.casefold() == wanted or d.id == step.device]
        if not devices:
            names = difflib.get_close_matches(step.device or "", [d.name for d in self.graph.devices], n=3)
            hint = f"; did you mean {' or '.join(names)}?" if names else ""
            field = f"steps.{index - 1}.device"
            raise UnknownElementError(f"no device named {step.device!r}{hint}", source=scenario.source,
                                      line=scenario.line_of(field), field=field)
        capabilities = [c for c in self.graph.capabilities_of(devices[0]) if not c.disabled]
        if step.capability:
            capabilities = [c for c in capabilities if c.kind == step.capability or c.id.split(".")[0] == step.capability]
        actionable = [c for c in capabilities if c.kind not in (CapabilityKind.SENSOR, CapabilityKind.OTHER)]
        chosen = (actionable or capabilities)
        if not chosen:
            field = f"steps.{index - 1}.{'capability' if step.capability else 'device'}"
            raise UnknownElementError(f"device {step.device!r} has no capability {step.capability or ''}".strip(),
                                      source=scenario.source, line=scenario.line_of(field), field=field)
        return chosen[0].id

    # ------------------------------------------------------------ the trace

    def trace(self, scenario: Scenario, at: datetime | None = None) -> TraceReport:
        """Trace the run of `scenario` at (or shortly before) `at`; the latest run without it."""
        entities = [self.resolve(step, i, scenario) for i, step in enumerate(scenario.steps, start=1)]
        span = self.recording.span()
        if span is None:
            return self._inconclusive(scenario, at, "the recorded history is empty")
        end = min(at + SLACK, span[1]) if at else span[1]
        if at is not None and (at < span[0] or at - LOOKBACK > span[1]):
            return self._inconclusive(
                scenario, at,
                f"nothing was recorded around {self._local(at)}: the history covers {self._local(span[0])} to {self._local(span[1])}",
            )
        trigger_step, trigger_entity = scenario.steps[0], entities[0]
        if at is not None:
            start = max(at - LOOKBACK, span[0])
            trigger = last_occurrence_before(self.recording, trigger_step, trigger_entity, start, end)
        else:
            start, trigger = self._latest_trigger(trigger_step, trigger_entity, span)
        incident = Incident(requested_at=at, window_start=start, window_end=end,
                            triggered_at=trigger.at if trigger else None, time_zone=self.time_zone)
        if trigger is None:
            walk = self._trigger_missing(scenario, entities, start, end)
        else:
            walk = self._walk(scenario, entities, trigger, span[1])
        return self._report(scenario, incident, walk)

    def runs(self, scenario: Scenario, start: datetime | None = None, end: datetime | None = None):  # type: ignore[no-untyped-def]
        """Trace every run of the chain in [start, end] (default: the whole history), oldest first.

        Yields one report per time the trigger happened: the answer to "how often did it
        break, and where".
        """
        entities = [self.resolve(step, i, scenario) for i, step in enumerate(scenario.steps, start=1)]
        span = self.recording.span()
        if span is None:
            return
        start, end = start or span[0], end or span[1]
        for trigger in occurrences(self.recording, scenario.steps[0], entities[0], start, end):
            incident = Incident(requested_at=None, window_start=trigger.at, window_end=trigger.at,
                                triggered_at=trigger.at, time_zone=self.time_zone)
            yield self._report(scenario, incident, self._walk(scenario, entities, trigger, span[1]))

    def _latest_trigger(self, step: Step, entity: str | None, span: tuple[datetime, datetime]) -> tuple[datetime, Occurrence | None]:
        window_end = span[1]
        while window_end > span[0]:
            window_start = max(window_end - _SEARCH_STEP, span[0])
            found = last_occurrence_before(self.recording, step, entity, window_start, window_end)
            if found:
                return window_start, found
            window_end = window_start
        return span[0], None

    def _walk(self, scenario: Scenario, entities: list[str | None], trigger: Occurrence, history_end: datetime) -> _Walk:
        steps = [self._step_report(1, scenario.steps[0], entities[0], StepStatus.PASSED, happened=trigger.at,
                                   detail=trigger.detail)]
        happened: list[tuple[str, datetime]] = [(entities[0] or scenario.steps[0].subject, trigger.at)]
        previous = trigger.at
        next_trigger = first_occurrence(self.recording, scenario.steps[0], entities[0],
                                        trigger.at + timedelta(seconds=1), history_end)
        next_at = next_trigger.at if next_trigger and not next_trigger.already else None
        walk = _Walk(steps)
        window_start = previous
        for index, (step, entity) in enumerate(zip(scenario.steps[1:], entities[1:]), start=2):
            if walk.finding is not None:
                steps.append(self._step_report(index, step, entity, StepStatus.NOT_REACHED))
                continue
            # Two steps carried by the same automation are actions of one run: devices report
            # them in whatever order their clouds answer, so the second is looked for from
            # where the first was, not only after it happened.
            if not (step.automation and step.automation == scenario.steps[index - 2].automation):
                window_start = previous
            budget = step.budget()
            deadline = previous + budget
            late_end = previous + max(budget * LATE_FACTOR, LATE_FLOOR)
            if next_at is not None:
                late_end = min(late_end, next_at)
            hop = Hop(index, step, entity, window_start, deadline, list(reversed(happened)))
            carriers = self._carriers(hop)
            seen = first_occurrence(self.recording, step, self._recorded_as(entity, window_start), window_start,
                                    max(late_end, deadline))
            if seen is not None and seen.at <= deadline:
                steps.append(self._step_report(index, step, entity, StepStatus.PASSED, started=window_start, deadline=deadline,
                                               happened=seen.at, detail=seen.detail, carriers=carriers))
                happened.append((entity or step.subject, seen.at))
                previous = max(previous, seen.at)
                continue
            if seen is not None:
                finding = self._too_late(step, entity, previous, deadline, seen)
                happened_at: datetime | None = seen.at
            else:
                finding = self._diagnose(hop)
                happened_at = None
            walk.finding, walk.failed_step = finding, index
            steps.append(self._step_report(index, step, entity, StepStatus.FAILED, started=window_start, deadline=deadline,
                                           happened=happened_at, detail=finding.summary, carriers=carriers))
        return walk

    def _recorded_as(self, entity: str | None, when: datetime) -> str | None:
        """The id the entity's states at `when` are recorded under: a later rename moved them."""
        current, seen = entity, set()
        while current is not None and current not in seen:
            seen.add(current)
            rename = self.recording.renamed(current)
            if rename is None or rename[1] <= when:
                break
            current = rename[0]
        return current

    def _carriers(self, hop: Hop) -> list[str]:
        found = self.diagnoser.carrier(hop)
        return found[0] if found else []

    def _diagnose(self, hop: Hop) -> Finding:
        finding, evidence, commanded = self.diagnoser.logic(hop)
        if finding is not None:
            return finding
        if hop.entity is None:
            return self._service_not_seen(hop, evidence)
        return self.diagnoser.physical(hop, commanded, evidence)

    def _service_not_seen(self, hop: Hop, evidence: list[Evidence]) -> Finding:
        # The carrying automation ran to the point of calling a service, but no call was
        # recorded: the platform's integration behind the service did not take it.
        service = hop.step.subject
        domain = service.split(".", 1)[0]
        evidence.append(Evidence(kind="absence", element=service,
                                 detail=f"no call of {service} was recorded between {hop.started_at:%H:%M:%S} and {hop.deadline:%H:%M:%S} UTC"))
        return Finding(cause="did_not_act", element=service, element_name=service, detail="uncalled",
                       summary=f"{service} was never called although the automation carrying it ran",
                       responsible=f"the {domain} service of the platform", evidence=evidence)

    def _too_late(self, step: Step, entity: str | None, started: datetime, deadline: datetime, seen: Occurrence) -> Finding:
        subject = entity or step.subject
        delay = (seen.at - started).total_seconds()
        budget = step.budget().total_seconds()
        device = self.graph.device_of(entity) if entity else None
        name = self.diagnoser.name_of(subject)
        return Finding(
            cause="too_late",
            element=subject,
            element_name=name,
            detail=f"took {delay:.0f} s where the chain allows {budget:.0f} s",
            summary=f"{name} ({subject}) did act, but {delay:.0f} s after the previous step, past its {budget:.0f} s budget",
            responsible=self.diagnoser._vendor(device, name),
            evidence=[
                Evidence(kind="state", at=seen.at, element=subject, detail=seen.detail + f" {delay:.0f} s after the previous step"),
                Evidence(kind="config", element=subject, detail=f"the scenario allows {budget:.0f} s for this step"),
            ],
        )

    def _trigger_missing(self, scenario: Scenario, entities: list[str | None], start: datetime, end: datetime) -> _Walk:
        step, entity = scenario.steps[0], entities[0]
        subject = entity or step.subject
        finding: Finding
        state = self.recording.state_at(entity, end) if entity else None
        unreachable = entity is not None and (
            (state is not None and state.unavailable)
            or any(change.unavailable for change in self.recording.changes([entity], start, end))
        )
        if unreachable and entity is not None:
            finding = self.diagnoser.unreachable(entity, end if state and state.unavailable else start, state)
        else:
            finding = self._trigger_not_observed(step, entity, subject, start, end, state)
        steps = [self._step_report(1, step, entity, StepStatus.FAILED, detail=finding.summary)]
        steps += [self._step_report(i, s, e, StepStatus.NOT_REACHED)
                  for i, (s, e) in enumerate(zip(scenario.steps[1:], entities[1:]), start=2)]
        return _Walk(steps, finding, 1)

    def _trigger_not_observed(self, step: Step, entity: str | None, subject: str, start: datetime, end: datetime,
                              state) -> Finding:  # type: ignore[no-untyped-def]
        name = self.diagnoser.name_of(subject)
        expected = " or ".join(step.state)
        happen, happened = ((f"become {expected}", f"never became {expected}") if step.state else
                            ("be called", "was never called") if step.service else ("fire", "never fired"))
        evidence = [Evidence(kind="absence", element=subject,
                             detail=f"{subject} did not {happen} between {self._local(start)} and {self._local(end)}")]
        if state is not None:
            evidence.append(self.diagnoser._state_evidence(state, " at the time"))
        device = self.graph.device_of(entity) if entity else None
        responsible = self.diagnoser._vendor(device, "")
        if not responsible and state is not None:
            # A person follows device trackers: the phone is what should have reported.
            trackers = state.attributes.get("device_trackers") or []
            for tracker in trackers if isinstance(trackers, list) else []:
                tracker_device = self.graph.device_of(str(tracker))
                if tracker_device is not None:
                    responsible = f"{self.diagnoser._vendor(tracker_device, str(tracker))} and its companion app (location reporting)"
                    last = self.recording.state_at(str(tracker), end)
                    if last is not None:
                        evidence.append(self.diagnoser._state_evidence(last, " (its last report)"))
                    break
        return Finding(
            cause="trigger_not_observed",
            element=subject,
            element_name=name,
            summary=f"{name} ({subject}) {happened}, so nothing downstream could run" if name != subject else
                    f"{subject} {happened}, so nothing downstream could run",
            responsible=responsible or f"whatever reports {subject}",
            evidence=evidence,
        )

    # ------------------------------------------------------------ reports

    def _local(self, when: datetime) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S %Z")

    def _step_report(self, index: int, step: Step, entity: str | None, status: StepStatus, *,
                     started: datetime | None = None, deadline: datetime | None = None,
                     happened: datetime | None = None, detail: str = "", carriers: list[str] | None = None) -> StepReport:
        expected = (" or ".join(step.state) if step.state else
                    f"{step.service} called" if step.service else f"{step.subject} fires")
        return StepReport(
            index=index,
            name=step.label,
            subject=entity or step.subject,
            expected=expected,
            status=status,
            budget_seconds=step.budget().total_seconds() if index > 1 else None,
            started_at=started,
            deadline=deadline,
            happened_at=happened,
            delay_seconds=(happened - started).total_seconds() if happened and started else None,
            carried_by=carriers or [],
            detail=detail,
        )

    def _report(self, scenario: Scenario, incident: Incident, walk: _Walk) -> TraceReport:
        broken = None
        if walk.finding is not None and walk.failed_step is not None:
            step = walk.steps[walk.failed_step - 1]
            broken = walk.finding.to_broken_link(walk.failed_step, step.name)
            summary = f"Step {walk.failed_step} ({step.name}) failed: {walk.finding.summary}."
            summary = summary[0].upper() + summary[1:]
        else:
            when = f" at {self._local(incident.triggered_at)}" if incident.triggered_at else ""
            summary = f"The chain '{scenario.name}' ran end to end{when}: every step happened within its budget."
        return TraceReport(
            weaklink_version=__version__,
            scenario=scenario.name,
            scenario_source=scenario.source,
            home=self.home,
            mode="recorded",
            verdict=Verdict.BROKEN if broken else Verdict.OK,
            summary=summary,
            broken_link=broken,
            steps=walk.steps,
            incident=incident,
        )

    def _inconclusive(self, scenario: Scenario, at: datetime | None, why: str) -> TraceReport:
        now = at or datetime.now(timezone.utc)
        steps = [self._step_report(i, step, step.entity, StepStatus.NOT_REACHED) for i, step in enumerate(scenario.steps, start=1)]
        return TraceReport(
            weaklink_version=__version__, scenario=scenario.name, scenario_source=scenario.source, home=self.home,
            mode="recorded", verdict=Verdict.INCONCLUSIVE, summary=f"Cannot tell: {why}.", broken_link=None,
            steps=steps, incident=Incident(requested_at=at, window_start=now, window_end=now, triggered_at=None,
                                           time_zone=self.time_zone),
            notes=[why],
        )
