"""Evaluating an automation's conditions against recorded history, as they stood at a moment.

Only what history can decide is decided: state, numeric_state, sun, time and their
and/or/not combinations. Anything else (templates, zones, devices) is "unknown" and never
blamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import Any

from ..model import Automation
from .recording import Recording

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class ConditionOutcome:
    """How one condition evaluated: True, False or None (history cannot tell)."""

    result: bool | None
    detail: str
    entities: tuple[str, ...] = ()


def _kind(raw: dict[str, Any]) -> str | None:
    kind = raw.get("condition")
    return str(kind) if kind is not None else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _state_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _parse_time(value: Any) -> time | None:
    try:
        parts = [int(p) for p in str(value).split(":")]
    except ValueError:
        return None  # an input_datetime or sensor reference: not decidable here
    while len(parts) < 3:
        parts.append(0)
    return time(*parts[:3])


class ConditionEvaluator:
    """Evaluates raw condition configs at one moment, reading states from a recording."""

    def __init__(self, recording: Recording, tz: tzinfo) -> None:
        self.recording = recording
        self.tz = tz

    def evaluate(self, raw: Any, when: datetime) -> ConditionOutcome:
        """Evaluate one condition config (either syntax) at `when`."""
        if isinstance(raw, str):
            return ConditionOutcome(None, f"template condition {raw!r}")
        if not isinstance(raw, dict):
            return ConditionOutcome(None, "unrecognised condition")
        if raw.get("enabled") is False:
            return ConditionOutcome(True, "disabled condition")
        kind = _kind(raw)
        handler = getattr(self, f"_{kind}", None) if kind else None
        if handler is None:
            return ConditionOutcome(None, f"{kind} condition (not decidable from history)")
        outcome: ConditionOutcome = handler(raw, when)
        return outcome

    def first_false(self, automation: Automation, when: datetime) -> ConditionOutcome | None:
        """The first top-level condition of the automation that was false at `when`."""
        for condition in automation.conditions:
            outcome = self.evaluate(condition.raw, when)
            if outcome.result is False:
                return outcome
        return None

    # --- one method per condition kind -------------------------------------------------

    def _state(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        entities = [str(e) for e in _as_list(raw.get("entity_id"))]
        wanted = [_state_text(s) for s in _as_list(raw.get("state"))]
        attribute = raw.get("attribute")
        match_any = str(raw.get("match", "all")) == "any"
        results = []
        details = []
        for entity in entities:
            current = self.recording.state_at(entity, when)
            if current is None:
                return ConditionOutcome(None, f"no recorded state of {entity}", tuple(entities))
            value = current.attributes.get(str(attribute)) if attribute else current.state
            ok = _state_text(value) in wanted
            results.append(ok)
            details.append(f"{entity}{'.' + str(attribute) if attribute else ''} was {value}, required {' or '.join(wanted)}")
        result = any(results) if match_any else all(results)
        failing = [d for d, ok in zip(details, results) if not ok] or details
        return ConditionOutcome(result, "; ".join(failing), tuple(entities))

    def _numeric_state(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        entities = [str(e) for e in _as_list(raw.get("entity_id"))]
        for entity in entities:
            current = self.recording.state_at(entity, when)
            if current is None:
                return ConditionOutcome(None, f"no recorded state of {entity}", tuple(entities))
            attribute = raw.get("attribute")
            value = current.attributes.get(str(attribute)) if attribute else current.state
            try:
                number = float(value)  # type: ignore[arg-type]
                above = float(raw["above"]) if "above" in raw else None
                below = float(raw["below"]) if "below" in raw else None
            except (TypeError, ValueError):
                return ConditionOutcome(None, f"{entity} was {value} (bounds are not plain numbers)", tuple(entities))
            if (above is not None and not number > above) or (below is not None and not number < below):
                bounds = " and ".join(f"{w} {b:g}" for w, b in (("above", above), ("below", below)) if b is not None)
                return ConditionOutcome(False, f"{entity} was {value}, required {bounds}", tuple(entities))
        return ConditionOutcome(True, "within bounds", tuple(entities))

    def _sun(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        sun = self.recording.state_at("sun.sun", when)
        if sun is None:
            return ConditionOutcome(None, "no recorded state of sun.sun")
        # after sunset / before sunrise means dark; after sunrise / before sunset means light.
        dark = sun.state == "below_horizon"
        wants_dark = raw.get("after") == "sunset" or raw.get("before") == "sunrise"
        wants_light = raw.get("after") == "sunrise" or raw.get("before") == "sunset"
        if not (wants_dark or wants_light) or raw.get("after_offset") or raw.get("before_offset"):
            return ConditionOutcome(None, "sun condition with offsets", ("sun.sun",))
        ok = dark if wants_dark else not dark
        required = "after sunset" if wants_dark else "before sunset"
        return ConditionOutcome(ok, f"sun.sun was {sun.state}, required {required}", ("sun.sun",))

    def _time(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        local = when.astimezone(self.tz)
        now = local.time()
        after = _parse_time(raw["after"]) if "after" in raw else None
        before = _parse_time(raw["before"]) if "before" in raw else None
        if ("after" in raw and after is None) or ("before" in raw and before is None):
            return ConditionOutcome(None, "time condition referring to an entity")
        weekdays = [str(d) for d in _as_list(raw.get("weekday"))]
        if weekdays and _WEEKDAYS[local.weekday()] not in weekdays:
            return ConditionOutcome(False, f"it was {_WEEKDAYS[local.weekday()]}, required {', '.join(weekdays)}")
        start = after or time(0)
        end = before or time(23, 59, 59, 999999)
        inside = start <= now < end if start <= end else (now >= start or now < end)
        bounds = " and ".join(f"{w} {t}" for w, t in (("after", after), ("before", before)) if t is not None)
        return ConditionOutcome(inside, f"local time was {now:%H:%M:%S}, required {bounds}")

    def _and(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        outcomes = [self.evaluate(c, when) for c in _as_list(raw.get("conditions"))]
        failing = [o for o in outcomes if o.result is False]
        if failing:
            return failing[0]
        if any(o.result is None for o in outcomes):
            return ConditionOutcome(None, "part of the condition cannot be decided")
        return ConditionOutcome(True, "all conditions held")

    def _or(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        outcomes = [self.evaluate(c, when) for c in _as_list(raw.get("conditions"))]
        if any(o.result is True for o in outcomes):
            return ConditionOutcome(True, "one condition held")
        if outcomes and all(o.result is False for o in outcomes):
            return ConditionOutcome(False, "; ".join(o.detail for o in outcomes))
        return ConditionOutcome(None, "part of the condition cannot be decided")

    def _not(self, raw: dict[str, Any], when: datetime) -> ConditionOutcome:
        outcomes = [self.evaluate(c, when) for c in _as_list(raw.get("conditions"))]
        held = [o for o in outcomes if o.result is True]
        if held:
            return ConditionOutcome(False, f"not-condition failed: {held[0].detail}")
        if outcomes and all(o.result is False for o in outcomes):
            return ConditionOutcome(True, "none of the negated conditions held")
        return ConditionOutcome(None, "part of the condition cannot be decided")
