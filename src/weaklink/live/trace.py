"""The live trace: ask the home now, watch the chain run, and name the broken link.

1. Every host is connected, snapshotted and probed at once (`collect`): the home graph is
   built from the snapshots, and the probes are evidence ready before anything runs.
2. Every session's `observe()` feeds a `MemoryHistory`, seeded with the states the
   snapshots saw, so history starts before the chain does.
3. The chain starts: the person triggers it (weaklink waits up to `wait` seconds for the
   first step), `--actuate` makes weaklink act on the first step's entity, or a caller
   (the demo, a test) passes a `trigger` to run.
4. weaklink watches until the last step happened or the chain's time is up, then hands the
   observed history to the same `RecordedTracer` that replays a recorder database: a live
   report and a recorded one are built by one piece of code, to one contract.
5. The failing probes of the elements on the broken hop (its device, the hub it hangs off,
   the host behind it) are added to the evidence; when a probe names a lower layer than the
   history alone could (the bridge says the light's Zigbee link is down), the probe wins.

Actuation is refused unless asked for, and for a lock, alarm or garage door unless the user
named it (`allow`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta

from ..graph import HomeGraph
from ..model import ProbeResult, StateChange
from .. import __version__
from ..errors import UnknownElementError
from ..report import BrokenLink, Evidence, Incident, Layer, StepStatus, TraceReport, Verdict
from ..scenario import Scenario, Step
from ..tracer import RecordedTracer, Recording
from ..tracer.causes import CAUSES
from .collect import HostVisit, LiveState, collect
from .contract import DEFAULT_PROBE_TIMEOUT, GUARDED_DOMAINS, GUARDED_KINDS, ActuationRefused, LiveAdapter, LiveSession
from .homefile import LiveHome
from .memory import MemoryHistory
from .probe_evidence import PRIORITY, WHEREABOUTS, WHO, cause_of, concern, concerns, relevant, revise, strongest

SETTLE = 0.5  # seconds for the push channels to subscribe before the chain starts
SLACK = timedelta(seconds=2)  # after the last budget: reports still in flight
# The service that makes an entity reach a state, where it is not turn_on / turn_off.
_SERVICE_FOR = {
    ("cover", "open"): "cover.open_cover", ("cover", "closed"): "cover.close_cover",
    ("lock", "unlocked"): "lock.unlock", ("lock", "locked"): "lock.lock",
    ("alarm_control_panel", "disarmed"): "alarm_control_panel.alarm_disarm",
    ("alarm_control_panel", "armed_away"): "alarm_control_panel.alarm_arm_away",
    ("alarm_control_panel", "armed_home"): "alarm_control_panel.alarm_arm_home",
    ("alarm_control_panel", "armed_night"): "alarm_control_panel.alarm_arm_night",
}


def service_for(entity: str, state: str) -> str:
    """The service to call so that `entity` becomes `state` (`turn_on`/`turn_off` by default)."""
    domain = entity.split(".", 1)[0] if "." in entity else ""
    if (domain, state) in _SERVICE_FOR:
        return _SERVICE_FOR[(domain, state)]
    verb = "turn_off" if state in ("off", "closed", "locked") else "turn_on"
    return f"{domain}.{verb}" if domain else verb


class LiveTrace:
    """One live trace of one chain."""

    def __init__(self, home: LiveHome, adapters: Mapping[str, LiveAdapter], *,
                 timeout: float = DEFAULT_PROBE_TIMEOUT, wait: float = 60.0, actuate: bool = False,
                 allow: Collection[str] = ()) -> None:
        self.home = home
        self.adapters = adapters
        self.timeout = timeout
        self.wait = wait
        self.actuate = actuate
        self.allow = set(allow)
        self.memory = MemoryHistory(f"live observation of {home.name}")
        self.state: LiveState | None = None

    async def run(self, scenario: Scenario, trigger: Callable[[], Awaitable[None]] | None = None) -> TraceReport:
        """Probe, watch the chain run, and report."""
        self.state = state = await collect(self._with_allowed(self.home), self.adapters, self.timeout)
        observers = [asyncio.ensure_future(self._observe(v.session)) for v in state.visits if v.session]
        try:
            self._seed(state)
            tracer = self._tracer(state.graph)
            entities = []
            for index, step in enumerate(scenario.steps, start=1):
                try:
                    entities.append(tracer.resolve(step, index, scenario))
                except UnknownElementError:
                    unread = [visit for visit in state.visits if visit.fragment is None]
                    if not unread:
                        raise  # every host answered: the scenario names something this home lacks
                    return self._unread_host_report(scenario, index, unread, tracer)
            await asyncio.sleep(SETTLE)
            started = datetime.now(UTC)
            if self.actuate:
                await self._act_on_first_step(scenario.steps[0], entities[0], state)
            if trigger is not None:
                await trigger()
            await self._watch(scenario, entities, started)
        finally:
            for observer in observers:
                observer.cancel()
            await asyncio.gather(*observers, return_exceptions=True)
            await state.close()
        report = self._tracer(state.graph).trace(scenario)
        return self._with_probes(report, state, entities)

    # ------------------------------------------------------------------ watching

    def _seed(self, state: LiveState) -> None:
        now = datetime.now(UTC) - timedelta(milliseconds=1)
        for visit in state.visits:
            for capability in (visit.fragment.capabilities if visit.fragment else []):
                if capability.state is not None or not capability.available:
                    self.memory.add(StateChange(entity_id=capability.id, at=now, changed_at=now,
                                                state=capability.state if capability.available else "unavailable",
                                                attributes=dict(capability.attributes)))

    async def _observe(self, session: LiveSession) -> None:
        try:
            async for item in session.observe():
                self.memory.add(item)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a host that stops reporting is shown by its probes and states
            return

    async def _watch(self, scenario: Scenario, entities: list[str | None], started: datetime) -> None:
        """Until the last step happened, or a step's budget ran out without it (it cannot pass any
        more), or nothing started within `wait`."""
        give_up = time.monotonic() + self.wait
        while time.monotonic() < give_up:
            previous = self._when(scenario.steps[0], entities[0], started)
            if previous is not None:
                for step, entity in zip(scenario.steps[1:], entities[1:]):
                    happened = self._when(step, entity, started)
                    if happened is None:
                        if datetime.now(UTC) > previous + step.budget() + SLACK:
                            return  # this hop is late past its budget: the verdict is in
                        break
                    previous = max(previous, happened)
                else:
                    return  # every step happened
            await asyncio.sleep(0.05)

    def _when(self, step: Step, entity: str | None, since: datetime) -> datetime | None:
        """When the step first happened since `since`, as observed so far."""
        if entity is None or not step.state:
            return None
        for change in self.memory.state_changes([entity], since, datetime.now(UTC) + timedelta(days=1)):
            if change.state in step.state:
                return change.at
        return None

    def _with_allowed(self, home: LiveHome) -> LiveHome:
        """The home with `--allow` handed to every host too: an adapter that guards its own devices (a cloud's
        locks, whose ids name no domain) sees what the user named on the command line."""
        if not self.allow:
            return home
        hosts = [host if not isinstance(host.options.get("allow", []), list)  # malformed: the adapter says so
                 else host.model_copy(update={"options": {**host.options, "allow": sorted(
                     set(host.options.get("allow", [])) | self.allow)}}) for host in home.hosts]
        return home.model_copy(update={"hosts": hosts})

    async def _act_on_first_step(self, step: Step, entity: str | None, state: LiveState) -> None:
        if entity is None:
            raise ActuationRefused("--actuate: the chain's first step names no entity to act on")
        kinds = {c.kind for v in state.visits if v.fragment for c in v.fragment.capabilities if c.id == entity}
        guarded = entity.split(".", 1)[0] in GUARDED_DOMAINS or bool(kinds & GUARDED_KINDS)
        named = self.allow | {str(name) for host in self.home.hosts  # the home file may name it too
                               if isinstance(host.options.get("allow"), list) for name in host.options["allow"]}
        if guarded and entity not in named:
            raise ActuationRefused(f"--actuate would operate {entity}, a lock, alarm or door: name it with --allow {entity}")
        for visit in state.visits:
            if visit.session and visit.fragment and any(c.id == entity for c in visit.fragment.capabilities):
                await visit.session.act(entity, service_for(entity, step.state[0]))
                return
        raise ActuationRefused(f"--actuate: no host of this home can act on {entity}")

    def _tracer(self, graph: HomeGraph) -> RecordedTracer:
        return RecordedTracer(graph, Recording([self.memory]), home=self.home.name, time_zone=self.home.time_zone)

    def _platform_domains(self) -> dict[str, set[str]]:
        return {name: set(adapter.manifest.platform_domains)  # type: ignore[attr-defined]
                for name, adapter in self.adapters.items()}

    def _unread_host_report(self, scenario: Scenario, index: int, unread: list[HostVisit],
                            tracer: RecordedTracer) -> TraceReport:
        """A step names what only a host that could not be read knows: that host is the broken
        link; or, when it answered but could not be confirmed to be the host named (no credential
        was sent), the chain could not be checked at all."""
        failing = [(probe, visit.host) for visit in unread for probe in visit.probes
                   if not probe.ok and probe.problem not in WHEREABOUTS]
        probe, host = failing[0] if failing else (
            ProbeResult(element=unread[0].host.label, layer="network", ok=False, detail="it could not be read"),
            unread[0].host)
        layer = Layer(probe.layer) if probe.layer in PRIORITY else Layer.NETWORK
        cause = CAUSES[cause_of(probe, layer)]
        step = scenario.steps[index - 1]
        evidence = [Evidence(kind="probe", detail=p.detail, at=p.at, element=p.element, source=h.label)
                    for p, h in failing]
        state = self.state
        assert state is not None
        found = [concern(p, visit.host, state, None) for visit in state.visits for p in visit.probes
                 if not p.ok and p.problem in WHEREABOUTS]
        now = datetime.now(UTC)
        incident = Incident(requested_at=None, window_start=now, window_end=now, triggered_at=None,
                            time_zone=self.home.time_zone)
        if probe.problem == "identity":
            summary = (f"{host.label} answered but could not be confirmed to be the host the home file names "
                       f"({probe.detail}), so step {index} ({step.label}) and the rest of the chain could not be checked")
            steps = [tracer._step_report(i, s, s.entity, StepStatus.NOT_REACHED, detail=summary if i == index else "")
                     for i, s in enumerate(scenario.steps, start=1)]
            unconfirmed = concern(probe, host, state, index).model_copy(update={"summary": summary})
            return TraceReport(
                weaklink_version=__version__, scenario=scenario.name, scenario_source=scenario.source,
                home=self.home.name, mode="live", verdict=Verdict.INCONCLUSIVE, summary=f"{summary}.",
                broken_link=None, steps=steps, incident=incident, concerns=[unconfirmed, *found])
        summary = (f"{host.label} could not be read ({probe.detail}), so step {index} ({step.label}) "
                   "and the rest of the chain could not run or be checked")
        link = BrokenLink(
            step=index, step_name=step.label, element=probe.element, element_name=host.label, layer=layer,
            cause=cause.code, summary=summary, responsible=f"{host.label} ({host.adapter}): {WHO[layer]}",
            evidence=evidence, fix=cause.fix.format(element=probe.element, name=host.label, detail=probe.detail))
        steps = [tracer._step_report(i, s, s.entity, StepStatus.FAILED if i == index else StepStatus.NOT_REACHED,
                                     detail=summary if i == index else "")
                 for i, s in enumerate(scenario.steps, start=1)]
        return TraceReport(
            weaklink_version=__version__, scenario=scenario.name, scenario_source=scenario.source, home=self.home.name,
            mode="live", verdict=Verdict.BROKEN, summary=f"Step {index} ({step.label}) failed: {summary}.",
            broken_link=link, steps=steps, incident=incident, concerns=found)

    # ------------------------------------------------------------------ probes as evidence

    def _with_probes(self, report: TraceReport, state: LiveState, entities: list[str | None]) -> TraceReport:
        """The recorded report, with the probes about its broken hop as evidence (and as its
        cause, where they explain it better), and the chain's hosts' other troubles as concerns."""
        domains = self._platform_domains()
        found = concerns(state, entities, domains, everything=report.broken_link is None)
        report = report.model_copy(update={"mode": "live", "concerns": found})
        link = report.broken_link
        if link is None:
            if found:
                more = f" ({len(found) - 1} more concerns below)" if len(found) > 1 else ""
                report = report.model_copy(update={"summary": f"{report.summary} But: {found[0].summary}{more}."})
            return report
        entity = entities[link.step - 1]
        seen = [s for s in relevant(state, entity, domains) if s.probe.problem not in WHEREABOUTS]
        if not seen or entity is None:
            return report
        evidence = [*link.evidence, *(Evidence(kind="probe", detail=s.probe.detail, at=s.probe.at,
                                               element=s.probe.element, source=s.host.label) for s in seen)]
        revised = revise(link, strongest(seen, state.graph, entity), state).model_copy(update={"evidence": evidence})
        summary = report.summary if revised.summary == link.summary else \
            f"Step {revised.step} ({revised.step_name}) failed: {revised.summary}"
        return report.model_copy(update={"broken_link": revised, "summary": summary})
