"""What a Shelly reports beside its relays: lights, covers, meters and sensors, as capabilities.

A dump's status holds every component the device has, not only its switches: a bulb's
`light:0` (Gen1 `lights[0]`), a roller's `cover:0` (Gen1 `rollers[0]`), an energy meter's
`em:0`, a thermostat, a gas or flood sensor. Each becomes one `Reading`, then one capability
`shelly:<device id>/<element>` of the kind the tracer reasons about. Readings are best effort:
a component that does not read as expected is left out, the device and its relays still are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from weaklink.model import Capability, CapabilityKind


@dataclass(frozen=True)
class Reading:
    """One non-relay component: its element name (`light:0`, `cover:0`, `gas`), kind and state."""

    element: str
    kind: CapabilityKind
    state: str | None
    device_class: str | None = None
    name: str | None = None
    attributes: dict[str, object] = field(default_factory=dict)


def number(value: object) -> float | None:
    """`value` as a number, None when it is none (a bool is not a number here)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def measured(element: str, value: object, device_class: str, unit: str, name: str | None = None) -> Reading | None:
    """A SENSOR reading of `value` (None when the device gave no number)."""
    reading = number(value)
    if reading is None:
        return None
    state = f"{reading:.2f}".rstrip("0").rstrip(".")  # at most two decimals, never an exponent
    return Reading(element, CapabilityKind.SENSOR, state, device_class, name, {"unit": unit})


def on_off(value: object) -> str | None:
    """`on`/`off` for a boolean, None otherwise."""
    return ("on" if value else "off") if isinstance(value, bool) else None


def reading_capabilities(device_element: str, device_name: str, readings: list[Reading],
                         platform: str, generation: int) -> list[Capability]:
    """One capability per reading, ids unique (a second reading of the same element is left out)."""
    capabilities: list[Capability] = []
    seen: set[str] = set()
    for reading in readings:
        if reading.element in seen:
            continue
        seen.add(reading.element)
        attributes: dict[str, object] = {"generation": generation, **reading.attributes}
        capabilities.append(Capability(
            id=f"{device_element}/{reading.element}", kind=reading.kind, device_id=device_element,
            name=reading.name or f"{device_name} {reading.element}", platform=platform,
            device_class=reading.device_class, state=reading.state, attributes=attributes,
            unique_id=f"{device_element.partition(':')[2]}-{reading.element}",
        ))
    return capabilities
