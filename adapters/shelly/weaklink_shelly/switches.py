"""Gen2+ switch components (`switch:<i>`), read from a full status or a notification of what changed."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import RequestFailed
from .relays import RelayState

_SWITCH_KEY = re.compile(r"^switch:(\d+)$")


class _Switch(BaseModel):
    output: bool | None = None
    source: str | None = None
    apower: float | None = None
    errors: list[str] | None = None


def read_switches(params: Any, where: str, what: str, *, full: bool) -> list[RelayState]:
    """The `switch:<i>` components of a status (`full`) or of a notification (only what changed)."""
    if not isinstance(params, dict):
        raise RequestFailed("device", "malformed", f"{where} answered {what} with {type(params).__name__}, "
                            "not a status object")
    relays = []
    for key, value in params.items():
        if (match := _SWITCH_KEY.match(key)) is None:
            continue
        try:
            switch = _Switch.model_validate(value)
        except ValidationError:
            raise RequestFailed("device", "malformed", f"{where} answered {what} with an unreadable {key}") from None
        if full and switch.output is None:
            raise RequestFailed("device", "malformed", f"{where} answered {what} without {key}.output")
        errors = tuple(switch.errors) if switch.errors is not None else (() if full else None)
        evidence = f"{key}.errors = {list(errors)}" if errors else ""
        relays.append(RelayState(index=int(match.group(1)), on=switch.output, errors=errors, source=switch.source,
                                 power_w=switch.apower, fault_evidence=evidence))
    return sorted(relays, key=lambda relay: relay.index)
