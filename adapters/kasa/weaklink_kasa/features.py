"""A device's features, and the capabilities they become.

Both protocols' readers describe what a device proved it has as `Feature`s (a key such as
`switch` or `temperature`, a kind, a state); `capabilities` turns them into the shared model's
capabilities with ids `kasa:<device id>/<key>` (or `/<key>:<n>` for one of several, such as a
power strip's outlets).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from weaklink.model import Capability, CapabilityKind

from .naming import PLATFORM


@dataclass(frozen=True)
class Feature:
    """One thing a device reports or does."""

    key: str  # the capability id's last part: switch, light, outlet, temperature, …
    kind: CapabilityKind
    state: str | None = None
    device_class: str | None = None
    attributes: Mapping[str, object] = field(default_factory=dict)
    index: str | None = None  # which one, when the device has several (an outlet's number)
    name: str | None = None  # its own name (an outlet's alias), else the device's
    unique_id: str | None = None  # the native id of the element it belongs to (an outlet's child id)


def label(feature: Feature) -> str:
    """What to call a feature after its device's name: `temperature`, `water leak`."""
    return feature.key.replace("_", " ")


# The feature that *is* the device (its relay, its light): named as the device itself.
_MAIN_KEYS = frozenset({"switch", "light", "fan", "climate", "vacuum"})


def capabilities(device_id: str, device_name: str, features: Iterable[Feature], *,
                 available: bool = True) -> list[Capability]:
    """The capabilities of the device `device_id` (a fragment id `kasa:…`) for `features`."""
    found = []
    for feature in features:
        suffix = f"{feature.key}:{feature.index}" if feature.index is not None else feature.key
        if feature.name:
            name = feature.name
        elif feature.key in _MAIN_KEYS and feature.index is None:
            name = device_name
        else:
            name = " ".join(part for part in (device_name, label(feature), feature.index) if part)
        found.append(Capability(
            id=f"{device_id}/{suffix}", kind=feature.kind, name=name, device_id=device_id, platform=PLATFORM,
            device_class=feature.device_class, unique_id=feature.unique_id, state=feature.state,
            available=available, attributes=dict(feature.attributes),
        ))
    return found
