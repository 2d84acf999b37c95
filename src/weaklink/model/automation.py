"""Automations and scripts: what triggers them, what they check, what they act on."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SourceRef(BaseModel):
    """Where a piece of configuration was read from, for error messages and evidence."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Trigger(BaseModel):
    """One trigger of an automation, normalized across the old and new syntax.

    `kind` is the trigger platform (`state`, `numeric_state`, `event`, `zone`, `device`,
    `time`, `sun`, `homeassistant`, `mqtt`, `template`, `webhook`, …). `to`/`from_` are
    the expected states for state-like triggers; `event_type` for event triggers.
    """

    kind: str
    entity_ids: list[str] = Field(default_factory=list)
    to: list[str] = Field(default_factory=list)
    from_: list[str] = Field(default_factory=list)
    for_seconds: float | None = None
    event_type: str | None = None
    event_data: dict[str, object] = Field(default_factory=dict)
    description: str = ""
    raw: dict[str, object] = Field(default_factory=dict)


class Condition(BaseModel):
    """One condition of an automation (top-level conditions only are evaluated)."""

    kind: str  # state, numeric_state, sun, time, template, and, or, not, zone, device, …
    entity_ids: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list)
    above: float | None = None
    below: float | None = None
    attribute: str | None = None
    description: str = ""
    raw: dict[str, object] = Field(default_factory=dict)


class Action(BaseModel):
    """One action that touches something: a service call, a script or scene, an event.

    Nested actions (`choose`, `if`, `parallel`, `sequence`, `repeat`) are flattened into the
    list they belong to, each keeping `path` (e.g. `action/2/choose/0/sequence/1`).
    `expected_state` is the state its targets should reach (`light.turn_on` → `on`), when
    that can be known from the service alone.
    """

    kind: str  # service, scene, event, delay, wait, device, stop, variables, other
    path: str
    service: str | None = None  # domain.service
    targets: list[str] = Field(default_factory=list)  # entity ids
    target_devices: list[str] = Field(default_factory=list)
    target_areas: list[str] = Field(default_factory=list)
    expected_state: str | None = None
    event_type: str | None = None
    delay_seconds: float | None = None
    raw: dict[str, object] = Field(default_factory=dict)


class Automation(BaseModel):
    """An automation or a script, in the source's own terms.

    `entity_id` is how the platform names it (`automation.arrive_home`, `script.welcome`);
    `config_id` is the `id:` key of the YAML item, when it has one.
    """

    entity_id: str
    config_id: str | None = None
    alias: str | None = None
    kind: str = "automation"  # automation | script
    enabled: bool = True
    mode: str = "single"
    triggers: list[Trigger] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    source: SourceRef | None = None

    def acts_on(self) -> set[str]:
        """Every entity id any of its actions targets."""
        return {target for action in self.actions for target in action.targets}

    def triggered_by(self) -> set[str]:
        """Every entity id any of its triggers watches."""
        return {entity for trigger in self.triggers for entity in trigger.entity_ids}

    def calls(self) -> set[str]:
        """Every service it calls, as `domain.service`."""
        return {action.service for action in self.actions if action.service}
