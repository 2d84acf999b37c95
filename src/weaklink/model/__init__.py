"""The normalized home model every adapter speaks (pydantic, validated at every boundary)."""

from .automation import Action, Automation, Condition, SourceRef, Trigger
from .device import (
    Capability,
    CapabilityKind,
    Device,
    Identifier,
    IdentifierKind,
    Role,
    Transport,
    normalize_identifier,
)
from .evidence import (
    AutomationRun,
    ConditionResult,
    EventRecord,
    LogEntry,
    PROBE_PROBLEMS,
    ProbeResult,
    StateChange,
)
from .home import Area, DeletedCapability, HomeFragment, Integration, IntegrationHealth, RadioLink

__all__ = [
    "Action",
    "Area",
    "Automation",
    "AutomationRun",
    "Capability",
    "CapabilityKind",
    "Condition",
    "ConditionResult",
    "DeletedCapability",
    "Device",
    "EventRecord",
    "HomeFragment",
    "Identifier",
    "IdentifierKind",
    "Integration",
    "IntegrationHealth",
    "LogEntry",
    "PROBE_PROBLEMS",
    "ProbeResult",
    "RadioLink",
    "Role",
    "SourceRef",
    "StateChange",
    "Transport",
    "Trigger",
    "normalize_identifier",
]
