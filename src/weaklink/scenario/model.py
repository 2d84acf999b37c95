"""A chain of steps across devices: the scenario format."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator, model_validator

_DURATION = re.compile(r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(?P<s>\d+(?:\.\d+)?)\s*s)?\s*$")
_CLOCK = re.compile(r"^\s*(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$")
_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
# ISO 8601, as pydantic writes a timedelta in JSON (`PT1M`, `P1DT30S`): the JSON of a scenario loads back.
_ISO = re.compile(r"^\s*P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?\s*$")
_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")
_SERVICE = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")

DEFAULT_BUDGET = timedelta(seconds=60)


def parse_duration(value: Any) -> timedelta:
    """Parse `30`, `30s`, `2m`, `1h 30m`, `00:01:30` or a mapping like `{seconds: 30}`."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like '30s', '2m', '00:01:30'")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, dict):
        try:
            return timedelta(**{str(k): float(v) for k, v in value.items()})
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"not a duration: {value!r}") from exc
    elif isinstance(value, str) and _NUMBER.match(value):
        seconds = float(value)
    elif isinstance(value, str) and (clock := _CLOCK.match(value)):
        seconds = int(clock[1]) * 3600 + int(clock[2]) * 60 + float(clock[3])
    elif isinstance(value, str) and (iso := _ISO.match(value)) and any(iso.groups()):
        seconds = sum(float(iso[u] or 0) * f for u, f in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)))
    elif isinstance(value, str) and value.strip() and (match := _DURATION.match(value)) and any(match.groups()):
        seconds = sum(float(match[u] or 0) * f for u, f in (("h", 3600), ("m", 60), ("s", 1)))
    else:
        raise ValueError(f"not a duration: {value!r} (write e.g. '30s', '2m', '00:01:30')")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    try:
        return timedelta(seconds=seconds)
    except OverflowError as exc:
        raise ValueError(f"duration too long: {value!r}") from exc


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, (str, int, float, bool)):
        return [value]
    return value


def _state_text(value: Any) -> str:
    # YAML 1.1 reads on/off/yes/no as booleans; a state is always text.
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError(f"a state is text, not {type(value).__name__}")


class EventMatch(BaseModel):
    """An event the step expects: its type and, optionally, data it must contain."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1)
    data: dict[str, Any] = Field(default_factory=dict)


class Step(BaseModel):
    """One link of the chain: something that should happen, within a budget after the last.

    Exactly one of `state` (an entity reaches one of these states), `service` (a service is
    called, e.g. a notification) or `event` (an event fires) says what is expected. The
    subject is `entity` (the source's own id) or `device` (a device name, resolved against
    the home). `automation` names what should carry the hop from the previous step.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = None
    entity: str | None = None
    device: str | None = None
    capability: str | None = None
    state: list[str] = Field(default_factory=list)
    service: str | None = None
    event: EventMatch | None = None
    within: Duration | None = None
    automation: str | None = None

    @field_validator("state", mode="before")
    @classmethod
    def _states(cls, value: Any) -> list[str]:
        return [_state_text(v) for v in _as_list(value)]

    @field_validator("entity", "automation")
    @classmethod
    def _entity_id(cls, value: str | None) -> str | None:
        if value is not None and not _ENTITY_ID.match(value):
            raise ValueError(f"{value!r} is not an entity id like 'light.driveway'")
        return value

    @field_validator("service")
    @classmethod
    def _service(cls, value: str | None) -> str | None:
        if value is not None and not _SERVICE.match(value):
            raise ValueError(f"{value!r} is not a service like 'notify.mobile_app_phone'")
        return value

    @model_validator(mode="after")
    def _one_expectation(self) -> Step:
        expectations = [bool(self.state), self.service is not None, self.event is not None]
        if sum(expectations) != 1:
            raise ValueError("a step expects exactly one of: state, service, event")
        if self.state and not (self.entity or self.device):
            raise ValueError("a step expecting a state names the entity or device that has it")
        if self.entity and self.device:
            raise ValueError("name either entity or device, not both")
        return self

    @property
    def subject(self) -> str:
        """What the step is about, in the source's terms."""
        if self.entity:
            return self.entity
        if self.device:
            return self.device
        if self.service:
            return self.service
        assert self.event is not None
        return self.event.type

    @property
    def label(self) -> str:
        """A human name for the step."""
        if self.name:
            return self.name
        if self.state:
            return f"{self.subject} → {' or '.join(self.state)}"
        if self.service:
            return f"{self.service} called"
        return f"{self.subject} fired"

    def budget(self) -> timedelta:
        """How long after the previous step this one may take."""
        return self.within if self.within is not None else DEFAULT_BUDGET


class Scenario(BaseModel):
    """A multi-device chain: the first step is the trigger, each later step a hop."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str | None = None
    steps: list[Step] = Field(min_length=2)
    source: str | None = Field(default=None, exclude=True)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    def line_of(self, field: str) -> int | None:
        """The line of the scenario file where `field` (e.g. 'steps.1.entity') was written, if known."""
        return self._lines.get(field)
