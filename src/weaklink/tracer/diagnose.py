"""Why a hop failed: its layers checked in order, the lowest one that explains it named.

The logic layer comes first (is there an automation, was it on, did it run, did its
conditions hold, does it still target what it should), then what the target itself went
through (integration, hub, radio, network, device). The graph is what makes the lowest
layer findable: a light unavailable while the rest of its hub is fine is a radio problem.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..graph import HomeGraph
from ..history import service_call_targets
from ..model import Automation, AutomationRun, Device, StateChange, Transport
from ..report import Evidence
from ..scenario import Step
from .conditions import ConditionEvaluator
from .finding import Finding
from .recording import Recording

# Attributes that devices use to report a fault while staying reachable.
_FAULT_ATTRIBUTES = ("fault", "error", "jammed", "obstruction", "overpower", "overheat", "problem")
# Before a command, how far back to look for the target already being unreachable.
_RECENT = timedelta(minutes=5)


@dataclass
class Hop:
    """The hop being diagnosed: the step, its subject, and the window it had."""

    index: int
    step: Step
    entity: str | None  # the resolved entity, None for service and event steps
    started_at: datetime
    deadline: datetime
    earlier: list[tuple[str, datetime]]  # earlier steps' subjects and when they happened, nearest first


class Diagnoser:
    """Names the broken link of a failed hop, layer by layer."""

    def __init__(self, graph: HomeGraph, recording: Recording, conditions: ConditionEvaluator) -> None:
        self.graph = graph
        self.recording = recording
        self.conditions = conditions

    # ------------------------------------------------------------------ names

    def name_of(self, entity: str) -> str:
        """A human name for an entity."""
        capability = self.graph.capability(entity)
        if capability and capability.name:
            return capability.name
        automation = self.graph.automation(entity)
        if automation and automation.alias:
            return automation.alias
        return entity

    def _vendor(self, device: Device | None, fallback: str) -> str:
        if device is None:
            return fallback
        parts = [p for p in (device.brand, device.model) if p]
        return f"{' '.join(parts)} ({device.name})" if parts else device.name

    def _source(self, automation: Automation) -> str | None:
        return str(automation.source) if automation.source else None

    def _state_evidence(self, state: StateChange, note: str = "") -> Evidence:
        text = f"{state.entity_id} was {state.state or 'removed'}"
        if state.changed_at and state.changed_at != state.at:
            text += f" (since {state.changed_at:%Y-%m-%d %H:%M:%S} UTC)"
        return Evidence(kind="state", detail=text + note, at=state.at, element=state.entity_id,
                        source=self.recording.sources[0] if self.recording.sources else None)

    # ------------------------------------------------------------------ logic

    def carrier(self, hop: Hop) -> tuple[list[str], datetime | None] | None:
        """The automations that should carry the hop, and when their trigger happened."""
        subject = hop.entity or hop.step.subject
        if hop.step.automation:
            for source, at in hop.earlier:
                for way in self.graph.carriers(source, subject):
                    if way[0] == hop.step.automation:
                        return way, at
            return [hop.step.automation], hop.earlier[0][1] if hop.earlier else None
        for source, at in hop.earlier:
            ways = self.graph.carriers(source, subject)
            if ways:
                return ways[0], at
        return None

    def logic(self, hop: Hop) -> tuple[Finding | None, list[Evidence], bool]:
        """Check the logic layer; return a finding, the evidence gathered, and whether the
        hop's target was commanded (as far as the automation's run shows)."""
        evidence: list[Evidence] = []
        subject = hop.entity or hop.step.subject
        if hop.entity and (finding := self._dangling_subject(hop)):
            return finding, evidence, False
        found = self.carrier(hop)
        if found is None:
            return self._no_carrier(hop), evidence, False
        way, triggered_at = found
        name = way[0]
        automation = self.graph.automation(name)
        if automation is None:
            return Finding(
                cause="automation_missing",
                element=name,
                element_name=name,
                summary=f"{name} does not exist in this home, so nothing acted on {subject}",
                responsible="the home's own configuration (its automations)",
                evidence=[Evidence(kind="config", detail=f"no automation or script named {name} is configured")],
            ), evidence, False
        since = (triggered_at or hop.started_at) - timedelta(seconds=2)
        if (finding := self._disabled(automation, since)) is not None:
            return finding, evidence, False
        if (finding := self._targets(hop, automation, way)) is not None:
            return finding, evidence, False
        runs = self.recording.automation_runs(name, since, hop.deadline)
        if not runs:
            return self._did_not_run(hop, automation, triggered_at or hop.started_at), evidence, False
        run = runs[0]
        evidence.append(self._run_evidence(run))
        if run.result == "condition_failed":
            failed = next((c for c in run.conditions if c.result is False), None)
            detail = failed.detail or failed.path if failed else "a condition was false"
            return self._condition_false(automation, run.started_at, detail, [evidence[-1]]), evidence, False
        if run.result in ("error", "aborted"):
            return Finding(
                cause="automation_error",
                element=name,
                element_name=automation.alias or name,
                summary=f"{name} ran but stopped with an error before acting on {subject}: {run.error or run.result}",
                responsible="the home's own configuration (its automations)",
                detail=run.error or run.result,
                evidence=evidence,
            ), evidence, False
        for script in way[1:]:
            script_runs = self.recording.automation_runs(script, since, hop.deadline)
            if script_runs:
                evidence.append(self._run_evidence(script_runs[0]))
        return None, evidence, True

    def _run_evidence(self, run: AutomationRun) -> Evidence:
        outcome = {"finished": "ran to the end", "condition_failed": "stopped at a false condition",
                   "error": "failed", "unknown": "ran"}.get(run.result, run.result)
        via = f" (triggered by {run.trigger})" if run.trigger else ""
        return Evidence(kind="automation_run", detail=f"{run.automation} {outcome}{via}", at=run.started_at,
                        element=run.automation, source=run.source)

    def _disabled(self, automation: Automation, when: datetime) -> Finding | None:
        state = self.recording.state_at(automation.entity_id, when)
        if state is not None:
            if state.state != "off":
                return None
            evidence = [self._state_evidence(state, " (turned off)")]
            who = " by a person" if state.context_user_id else ""
            since = state.changed_at or state.at
            summary = f"{automation.entity_id} was turned off{who} at {since:%Y-%m-%d %H:%M} UTC and was still off"
        elif not automation.enabled:
            evidence = [Evidence(kind="config", detail=f"{automation.entity_id} is disabled in its configuration",
                                 element=automation.entity_id, source=self._source(automation))]
            summary = f"{automation.entity_id} is disabled"
        else:
            return None
        return Finding(
            cause="automation_disabled",
            element=automation.entity_id,
            element_name=automation.alias or automation.entity_id,
            summary=summary,
            responsible="the home's own configuration (whoever turned the automation off)",
            evidence=evidence,
        )

    def _known(self, entity: str) -> bool:
        return (
            self.graph.capability(entity) is not None
            or self.graph.automation(entity) is not None
            or self.recording.still_present(entity)
        )

    def _dangling_subject(self, hop: Hop) -> Finding | None:
        """The step's own subject no longer exists: whoever targets it targets nothing."""
        assert hop.entity is not None
        if self._known(hop.entity) and hop.entity not in self.graph.deleted:
            return None
        users = self.graph.automations_acting_on(hop.entity)
        element = users[0].entity_id if users else hop.entity
        return self._dangling_finding(element, hop.entity, users[0] if users else None, hop)

    def _dangling_finding(self, element: str, target: str, automation: Automation | None, hop: Hop) -> Finding:
        name = (automation.alias if automation else None) or element
        evidence = []
        if automation:
            evidence.append(Evidence(kind="config", detail=f"{automation.entity_id} targets {target}",
                                     element=automation.entity_id, source=self._source(automation)))
        if target in self.graph.deleted:
            evidence.append(Evidence(kind="registry", detail=f"{target} is among the deleted entities", element=target))
            return Finding(cause="target_entity_deleted", element=element, element_name=name,
                           summary=f"{element} targets {target}, which was deleted", detail=target,
                           responsible="the home's own configuration (its automations)", evidence=evidence)
        candidates = self._rename_candidates(target)
        if candidates:
            evidence.append(Evidence(kind="registry", detail=f"{target} is not in the entity registry; "
                                     f"{candidates[0]} is the closest entity that is", element=candidates[0]))
            # What the platform logged when this run acted on the missing id (not some other day's line).
            since = (hop.earlier[-1][1] if hop.earlier else hop.started_at) - timedelta(seconds=2)
            for entry in self.recording.log_mentioning(target, since, hop.deadline)[:1]:
                evidence.append(Evidence(kind="log", detail=entry.message, at=entry.at, source=entry.source))
            return Finding(cause="target_entity_renamed", element=element, element_name=name,
                           summary=f"{element} still targets {target}, which no longer exists; it looks renamed to {candidates[0]}",
                           detail=f"{target} (now {candidates[0]}?)",
                           responsible="the home's own configuration (its automations)", evidence=evidence)
        evidence.append(Evidence(kind="registry", detail=f"{target} is not in the entity registry", element=target))
        return Finding(cause="target_entity_missing", element=element, element_name=name,
                       summary=f"{element} targets {target}, which does not exist", detail=target,
                       responsible="the home's own configuration (its automations)", evidence=evidence)

    def _rename_candidates(self, missing: str) -> list[str]:
        domain, _, object_id = missing.partition(".")
        same_domain = [c.id for c in self.graph.capabilities if c.id.startswith(domain + ".") and c.id != missing]
        by_name = difflib.get_close_matches(missing, same_domain, n=3, cutoff=0.6)
        contained = [c for c in same_domain if c.split(".", 1)[1] in object_id or object_id in c.split(".", 1)[1]]
        return list(dict.fromkeys(contained + by_name))

    def _targets(self, hop: Hop, automation: Automation, way: list[str]) -> Finding | None:
        """Does the carrying automation (or what it calls) still act on the step's subject?"""
        if hop.entity is None:
            return None
        chain = [automation] + [a for n in way[1:] if (a := self.graph.automation(n))]
        for called in list(chain):
            chain.extend(c for c in self.graph.calls_into(called) if c not in chain)
        if any(hop.entity in a.acts_on() for a in chain):
            return None
        for member in chain:
            for target in sorted(member.acts_on()):
                if target.split(".", 1)[0] in ("script", "automation", "scene"):
                    continue
                if not self._known(target) or target in self.graph.deleted:
                    return self._dangling_finding(member.entity_id, target, member, hop)
        return Finding(
            cause="not_targeted",
            element=automation.entity_id,
            element_name=automation.alias or automation.entity_id,
            summary=f"{automation.entity_id} does not act on {hop.entity}",
            detail=hop.entity,
            responsible="the home's own configuration (its automations)",
            evidence=[Evidence(kind="config", detail=f"{automation.entity_id} acts on {', '.join(sorted(automation.acts_on())) or 'nothing'}",
                               element=automation.entity_id, source=self._source(automation))],
        )

    def _no_carrier(self, hop: Hop) -> Finding:
        subject = hop.entity or hop.step.subject
        # An automation triggered by an earlier step that targets something missing is the
        # likeliest carrier: the user renamed or replaced the target and never updated it.
        for source, _ in hop.earlier:
            for automation in self.graph.automations_triggered_by(source):
                for target in sorted(automation.acts_on()):
                    if target.split(".", 1)[0] in ("script", "automation", "scene"):
                        continue
                    if target not in self.graph.deleted and self._known(target):
                        continue
                    if target in self.graph.deleted or subject in self._rename_candidates(target):
                        return self._dangling_finding(automation.entity_id, target, automation, hop)
        earlier = hop.earlier[0][0] if hop.earlier else "the trigger"
        return Finding(
            cause="no_automation",
            element=subject,
            element_name=self.name_of(subject),
            summary=f"no automation connects {earlier} to {subject}",
            responsible="the home's own configuration (its automations)",
            evidence=[Evidence(kind="config", detail=f"no automation triggered by an earlier step acts on {subject}")],
        )

    def _did_not_run(self, hop: Hop, automation: Automation, triggered_at: datetime) -> Finding:
        false = self.conditions.first_false(automation, triggered_at)
        if false is not None:
            evidence = [Evidence(kind="condition", detail=false.detail, at=triggered_at, element=automation.entity_id,
                                 source=self._source(automation))]
            return self._condition_false(automation, triggered_at, false.detail, evidence)
        watched = ", ".join(sorted(automation.triggered_by())) or "its trigger"
        return Finding(
            cause="automation_not_triggered",
            element=automation.entity_id,
            element_name=automation.alias or automation.entity_id,
            summary=f"{automation.entity_id} did not run although {watched} changed and it was on",
            detail=f"it watches {watched}",
            responsible="the home's own configuration (its automations)",
            evidence=[Evidence(kind="absence", detail=f"no run of {automation.entity_id} was recorded after {triggered_at:%H:%M:%S} UTC",
                               element=automation.entity_id)],
        )

    def _condition_false(self, automation: Automation, at: datetime, detail: str, evidence: list[Evidence]) -> Finding:
        return Finding(
            cause="condition_false",
            element=automation.entity_id,
            element_name=automation.alias or automation.entity_id,
            summary=f"{automation.entity_id} was triggered but its condition was false: {detail}",
            detail=detail,
            responsible="the home's own configuration (the automation's condition)",
            evidence=evidence,
        )

    # --------------------------------------------------------------- physical

    def physical(self, hop: Hop, commanded: bool, logic_evidence: list[Evidence]) -> Finding:
        """The target did not reach its state although the logic was right: find out why."""
        assert hop.entity is not None
        entity = hop.entity
        state = self.recording.state_at(entity, hop.started_at)
        in_window = list(self.recording.changes([entity], hop.started_at, hop.deadline))
        integration = self.graph.integration_of(entity)
        if integration is not None and integration.disabled_by:
            return self._integration_disabled(entity, integration, state)
        if state is None or state.removed or any(change.removed for change in in_window):
            return self._removed(entity, state)
        unreachable = state.unavailable or any(change.unavailable for change in in_window)
        if unreachable:
            return self.unreachable(entity, hop.started_at, state)
        return self._did_not_act(hop, state, in_window, commanded, logic_evidence)

    def _integration_disabled(self, entity, integration, state) -> Finding:  # type: ignore[no-untyped-def]
        evidence = [Evidence(kind="config", detail=f"the {integration.domain} integration ('{integration.title}') is disabled by {integration.disabled_by}",
                             element=integration.domain)]
        if state is not None:
            evidence.append(self._state_evidence(state))
        return Finding(cause="integration_disabled", element=integration.domain,
                       element_name=integration.title or integration.domain,
                       summary=f"the {integration.domain} integration that provides {entity} is disabled",
                       responsible=f"the home's own configuration (the {integration.domain} integration was disabled by {integration.disabled_by})",
                       evidence=evidence)

    def _removed(self, entity: str, state: StateChange | None) -> Finding:
        evidence = [self._state_evidence(state)] if state else [Evidence(kind="absence", detail=f"{entity} has no recorded state", element=entity)]
        integration = self.graph.integration_of(entity)
        return Finding(cause="entity_removed", element=entity, element_name=self.name_of(entity),
                       summary=f"{entity} had been removed from the platform when it was needed",
                       responsible=f"the {integration.domain} integration" if integration else "the platform",
                       evidence=evidence)

    def unreachable(self, entity: str, when: datetime, state: StateChange | None) -> Finding:
        """The entity was unavailable: find the lowest layer that explains it."""
        device = self.graph.device_of(entity)
        integration = self.graph.integration_of(entity)
        name = self.name_of(entity)
        evidence = [self._state_evidence(state)] if state else []
        if integration is not None:
            peers = [c.id for c in self.graph.carried_by(integration) if c.id != entity]
            peer_states = [s for p in peers if (s := self.recording.state_at(p, when)) is not None and not s.removed]
            devices = {peer.id for s in peer_states if (peer := self.graph.device_of(s.entity_id))}
            if device:
                devices.add(device.id)
            log = self.recording.log_for(integration.domain, when - timedelta(hours=6), when + timedelta(hours=1))
            cloud = device is not None and device.transport is Transport.CLOUD
            if peer_states and all(s.unavailable for s in peer_states) and (len(devices) >= 2 or cloud or log):
                hub = self.graph.hub_of(device) if device else None
                local_hub = hub is not None and hub.transport is not Transport.CLOUD
                evidence.append(Evidence(kind="state", at=when, element=integration.domain,
                                         detail=f"all {len(peer_states) + 1} entities of the {integration.domain} integration were unavailable"))
                if local_hub and not log and not cloud:
                    return self._hub_offline(entity, hub, evidence)  # type: ignore[arg-type]
                evidence.extend(Evidence(kind="log", detail=e.message, at=e.at, element=integration.domain,
                                         source=f"{e.source}:{e.line}" if e.line else e.source) for e in log[:3])
                return Finding(cause="integration_unavailable", element=integration.domain,
                               element_name=integration.title or integration.domain,
                               summary=f"every entity of the {integration.domain} integration was unavailable, {entity} included",
                               responsible=f"{integration.title or integration.domain}: the {integration.domain} integration and the vendor's service behind it",
                               evidence=evidence)
        if device is not None:
            hub = self.graph.hub_of(device)
            if hub is not None:
                siblings = self._sibling_states(device, when)
                hub_states = [s for c in self.graph.capabilities_of(hub) if (s := self.recording.state_at(c.id, when))]
                hub_down = (hub_states and all(s.unavailable for s in hub_states)) or (
                    siblings and all(s.unavailable for s in siblings))
                if hub_down:
                    evidence.append(Evidence(kind="state", at=when, element=hub.id,
                                             detail=f"all {len(siblings)} other entities behind {hub.name} were unavailable too"))
                    return self._hub_offline(entity, hub, evidence)
                fine = [s for s in siblings if not s.unavailable]
                if fine:
                    how_many = f"all {len(fine)}" if len(fine) == len(siblings) else f"{len(fine)} of the {len(siblings)}"
                    evidence.append(Evidence(kind="state", at=when, element=hub.id,
                                             detail=f"{hub.name} and {how_many} other entities behind it were fine "
                                             f"(e.g. {fine[0].entity_id} was {fine[0].state})"))
                if device.transport.is_radio:
                    evidence += self._mesh_evidence(device)
                    return Finding(cause="radio_link_lost", element=entity, element_name=name,
                                   summary=f"{name} ({entity}) lost its {device.transport.value} link to {hub.name} while the hub and its other devices were fine",
                                   responsible=f"{self._vendor(device, name)}: the device's radio link (placement, power, range)",
                                   evidence=evidence)
            if device.transport.is_ip or self.graph.is_network_host(device):
                siblings_same_domain = self._same_domain_fine(entity, integration, when)
                if siblings_same_domain:
                    evidence.append(siblings_same_domain)
                return Finding(cause="device_offline", element=entity, element_name=name,
                               summary=f"{name} ({entity}) was off the network: unavailable to Home Assistant while the rest of the home was reachable",
                               responsible=f"the home network (Wi-Fi) and {self._vendor(device, name)}",
                               evidence=evidence)
        return Finding(cause="device_unreachable", element=entity, element_name=name,
                       summary=f"{name} ({entity}) was unreachable",
                       responsible=self._vendor(device, integration.domain if integration else name),
                       evidence=evidence)

    def _mesh_evidence(self, device: Device) -> list[Evidence]:
        """What a radio mesh map says of the device's links: its weak ones, or, when none is
        weak, its best one (so the report says the route was looked at)."""
        links = self.graph.mesh_links(device)
        weak = [link for link in links if link.weak]
        shown = weak or links[-1:]
        return [Evidence(kind="radio", element=device.id, detail=(
            f"the mesh map gives its link to {link.neighbour.name} a quality of {link.link_quality} of 255"
            + (" (under 50: a route that loses messages)" if link.weak else ""))) for link in shown]

    def _same_domain_fine(self, entity: str, integration, when: datetime) -> Evidence | None:  # type: ignore[no-untyped-def]
        if integration is None:
            return None
        for other in self.graph.integrations_for_domain(integration.domain):
            for capability in self.graph.carried_by(other):
                if capability.id == entity:
                    continue
                state = self.recording.state_at(capability.id, when)
                if state is not None and not state.unavailable and not state.removed:
                    return Evidence(kind="state", at=when, element=capability.id,
                                    detail=f"another {integration.domain} device, {capability.id}, was reachable ({state.state})")
        return None

    def _sibling_states(self, device: Device, when: datetime) -> list[StateChange]:
        states = []
        for sibling in self.graph.siblings(device):
            for capability in self.graph.capabilities_of(sibling):
                if capability.disabled:
                    continue
                state = self.recording.state_at(capability.id, when)
                if state is not None and not state.removed:
                    states.append(state)
        return states

    def _hub_offline(self, entity: str, hub: Device, evidence: list[Evidence]) -> Finding:
        return Finding(cause="hub_offline", element=hub.id, element_name=hub.name,
                       summary=f"{hub.name}, the hub {entity} hangs off, was down: every device behind it was unavailable",
                       responsible=self._vendor(hub, hub.name), evidence=evidence)

    def _did_not_act(self, hop: Hop, state: StateChange, in_window: list[StateChange], commanded: bool,
                     logic_evidence: list[Evidence]) -> Finding:
        entity = hop.entity
        assert entity is not None
        name = self.name_of(entity)
        device = self.graph.device_of(entity)
        evidence = list(logic_evidence)
        calls = [c for c in self.recording.service_calls(hop.started_at - timedelta(seconds=2), hop.deadline)
                 if entity in service_call_targets(c.data)]
        for call in calls[:2]:
            evidence.append(Evidence(kind="event", at=call.at, element=entity,
                                     detail=f"{call.data.get('domain')}.{call.data.get('service')} was called on {entity}"))
        evidence.append(self._state_evidence(state, f" when the step began and reached {' or '.join(hop.step.state)} only never"))
        for change in in_window[:3]:
            evidence.append(self._state_evidence(change))
        faults = [f"{key}={value}" for s in [state, *in_window] for key, value in s.attributes.items()
                  if any(word in key.lower() for word in _FAULT_ATTRIBUTES) and value not in (None, False, "", "none", "ok", 0)]
        final = in_window[-1].state if in_window else state.state
        if faults:
            return Finding(cause="device_fault", element=entity, element_name=name, detail=faults[0],
                           summary=f"{name} ({entity}) reported a fault ({faults[0]}) instead of becoming {' or '.join(hop.step.state)}",
                           responsible=self._vendor(device, name), evidence=evidence)
        how = "was commanded" if commanded or calls else "was due to act"
        return Finding(cause="did_not_act", element=entity, element_name=name, detail=str(final),
                       summary=f"{name} ({entity}) {how} and stayed {final} instead of becoming {' or '.join(hop.step.state)}",
                       responsible=self._vendor(device, name), evidence=evidence)
