"""What a miIO device is in the shared model, in miIO's own terms.

- The device is `miio:<did>`, the device id every packet header carries. Its identifiers are
  its MAC (from `miIO.info`, what Home Assistant's xiaomi_miio integration records as the
  device's connection, so the graph matches the two) and `vendor` `miio:<did>`.
- Its power is the capability `miio:<did>/power`: state `on` or `off`, as `get_prop` answers,
  of kind `light` for a lamp (`<vendor>.light.<variant>`), `fan` for a fan, `switch` otherwise.
- Whatever else its family reports through `get_prop` is an attribute of that capability: a
  Yeelight's `bright`, `ct` and `color_mode`, a Chuangmi plug's `temperature`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from weaklink.model import Capability, CapabilityKind, Device, Identifier, IdentifierKind, Transport

BRAND = "Xiaomi"
POWER = "power"

# get_prop names a family answers besides `power`, by model prefix.
FAMILY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "yeelink.light.": ("bright", "ct", "color_mode"),
    "chuangmi.plug.": ("temperature",),
}


def device_ref(did: int) -> str:
    """The device's id in the fragment."""
    return f"miio:{did}"


def power_ref(did: int) -> str:
    """The id of the device's power capability."""
    return f"{device_ref(did)}/{POWER}"


def properties_for(model: str | None) -> list[str]:
    """What `get_prop` is asked for a device of `model`: power first."""
    extra = next((names for prefix, names in FAMILY_PROPERTIES.items() if (model or "").startswith(prefix)), ())
    return [POWER, *extra]


def power_kind(model: str | None) -> CapabilityKind:
    """The normalized kind of a device's power switch, from its model."""
    family = (model or "").split(".")
    if len(family) > 1 and family[1] == "light":
        return CapabilityKind.LIGHT
    if len(family) > 1 and family[1] == "fan":
        return CapabilityKind.FAN
    return CapabilityKind.SWITCH


def read_values(names: Sequence[str], answer: Any) -> dict[str, Any]:
    """`get_prop`'s answer (values in the order asked) by name, without those the device lacks."""
    values = answer if isinstance(answer, list) else []
    return {name: value for name, value in zip(names, values, strict=False) if value not in (None, "")}


def power_state(values: Mapping[str, Any]) -> str | None:
    """`on`/`off` from the `power` property (some firmwares answer booleans)."""
    value = values.get(POWER)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value).lower() if value is not None else None


def power_attributes(values: Mapping[str, Any]) -> dict[str, object]:
    """Everything read besides power, as the capability's attributes."""
    return {name: value for name, value in values.items() if name != POWER}


def miio_device(did: int, info: Mapping[str, Any], *, name: str | None, address: str) -> Device:
    """The device `miIO.info` describes (its `token` field is never read)."""
    identifiers = [Identifier(kind=IdentifierKind.VENDOR, value=device_ref(did))]
    if isinstance(info.get("mac"), str):
        identifiers.insert(0, Identifier(kind=IdentifierKind.MAC, value=info["mac"]))
    model = info.get("model") if isinstance(info.get("model"), str) else None
    return Device(id=device_ref(did), name=name or model or device_ref(did), brand=BRAND, model=model,
                  transport=Transport.WIFI, identifiers=identifiers, host=address,
                  sw_version=info.get("fw_ver") if isinstance(info.get("fw_ver"), str) else None)


def power_capability(did: int, model: str | None, values: Mapping[str, Any], name: str | None) -> Capability:
    """The device's power capability, as read now."""
    state = power_state(values)
    return Capability(id=power_ref(did), kind=power_kind(model), name=name, device_id=device_ref(did),
                      platform="miio", unique_id=power_ref(did), state=state, available=state is not None,
                      attributes=power_attributes(values))
