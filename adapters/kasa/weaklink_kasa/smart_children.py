"""A SMART device's children: a hub's sensors (devices of their own) or a strip's outlets (its features).

A hub (H100, KH100) lists what is paired to it over its sub-GHz radio: each is a device of its
own that reaches the home through the hub, online or offline. A power strip (P300, P304M) or
a multi-function wall switch (KS240) lists its outlets or its fan and dimmer: parts of the
one Wi-Fi device, with its MAC, so they become that device's capabilities.

Children come from `get_child_device_list`, and from `child_devices` (each child's own
answers, which newer dumps add: a strip outlet's energy meter is there). One entry that
cannot be read is left out with a warning naming it; its siblings still describe the home.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from weaklink.exports import validated
from weaklink.model import Capability, CapabilityKind, Device, IdentifierKind, LogEntry, Transport

from .document import smart_answer, warning
from .features import Feature, capabilities
from .naming import BRAND, decode_nickname, device_ref, identifiers_of, is_masked, mac_digits, stand_in
from .smart_features import energy, relay, relay_key, sensors, with_radio
from .smart_models import ChildComponentList, ChildList, ComponentList, DeviceInfo

CHILD_LIST = "get_child_device_list"
OWN_ANSWERS = "child_devices"


@dataclass(frozen=True)
class Child:
    """One child entry, with what else the dump knows about it."""

    info: DeviceInfo
    native_id: str
    components: frozenset[str] = frozenset()
    answers: dict[str, Any] = field(default_factory=dict)  # its own answers, under `child_devices`
    answers_at: str = ""  # where they are in the file


def read_children(document: dict[str, Any], path: Path, log: list[LogEntry], *, parent_id: str) -> list[Child]:
    """Every child the dump lists, once each, in the order listed (`parent_id`: the native id
    of the device listing them, which a masked child's stand-in id is made from)."""
    entries, own = _entries(document, path)
    listed_components = _child_components(document, path)
    children: list[Child] = []
    seen: set[str] = set()
    for place, (at, raw) in enumerate(entries):
        info = _info(raw, at, path, log)
        if info is None:
            continue
        if not info.device_id:
            log.append(warning(path, f"left out the child at {at}: it has no device_id"))
            continue
        masked = is_masked(info.device_id)
        if not masked and info.device_id in seen:  # a page of the list recorded twice
            continue
        seen.add(info.device_id)
        native = stand_in(parent_id, info.device_id, info.model, place) if masked else info.device_id
        own_answers = own.get(info.device_id)
        answers: dict[str, Any] = own_answers if isinstance(own_answers, dict) else {}
        components = listed_components.get(info.device_id, frozenset())
        if (negotiated := smart_answer(answers, "component_nego")) is not None:
            at_own = f"{OWN_ANSWERS}.{info.device_id}"
            components |= validated(ComponentList, negotiated, path, at=f"{at_own}.component_nego").ids
        children.append(Child(info, native, components, answers, f"{OWN_ANSWERS}.{info.device_id}"))
    return children


def _entries(document: dict[str, Any], path: Path) -> tuple[list[tuple[str, object]], dict[str, Any]]:
    """Each child's raw info with where it is in the file (the list first, then any child only
    `child_devices` has), and the children's own answers by child id."""
    entries: list[tuple[str, object]] = []
    if (answer := smart_answer(document, CHILD_LIST)) is not None:
        listed = validated(ChildList, answer, path, at=CHILD_LIST).child_device_list
        entries += [(f"{CHILD_LIST}.child_device_list.{index}", raw) for index, raw in enumerate(listed)]
    listed_ids = {raw.get("device_id") for _, raw in entries if isinstance(raw, dict)}
    own = document.get(OWN_ANSWERS)
    own = own if isinstance(own, dict) else {}
    for key, answers in own.items():
        info = answers.get("get_device_info") if isinstance(answers, dict) else None
        if key not in listed_ids and isinstance(info, dict):
            entries.append((f"{OWN_ANSWERS}.{key}.get_device_info", info))
    return entries, own


def hub_child(child: Child, hub: Device, path: Path, shared_macs: frozenset[str] = frozenset()
              ) -> tuple[Device, list[Capability]]:
    """A device paired to the hub over its sub-GHz radio (or a remote its infrared blaster plays),
    and its capabilities. `shared_macs`: MACs several of the hub's children report."""
    info = child.info
    hub_macs = {i.value.replace(":", "") for i in hub.identifiers if i.kind is IdentifierKind.MAC}
    # Never the hub's own MAC, nor one its children share (the H110's infrared remotes all
    # report its blaster's): not this device's, and merging on it would join them.
    digits = mac_digits(info.mac)
    mac = info.mac if digits not in hub_macs and digits not in shared_macs else None
    device = Device(
        id=device_ref(child.native_id), name=decode_nickname(info.nickname) or info.model or child.native_id,
        brand=BRAND, model=info.model, transport=Transport.VIRTUAL if info.is_ir_remote else Transport.RF,
        hub_id=hub.id, sw_version=info.fw_ver or None, identifiers=identifiers_of(child.native_id, mac),
    )
    features = with_radio([f for f in (relay(info, child.components), *sensors(info, child.components),
                                       energy(child.answers, path, at=child.answers_at)) if f is not None], info)
    return device, capabilities(device.id, device.name, features, available=info.status != "offline")


def shared_macs(children: list[Child]) -> frozenset[str]:
    """The MACs more than one child reports."""
    seen: set[str] = set()
    shared: set[str] = set()
    for child in children:
        if (digits := mac_digits(child.info.mac)) is not None:
            (shared if digits in seen else seen).add(digits)
    return frozenset(shared)


def outlet_features(children: list[Child], parent_name: str, path: Path) -> list[Feature]:
    """A strip's outlets (or a wall switch's fan and dimmer) as features of the one device,
    numbered by the outlet's position when the strip gives it, else by the child's own id."""
    indexes = [str(c.info.position) if c.info.position is not None else c.native_id for c in children]
    if len(set(indexes)) != len(indexes):
        indexes = [c.native_id for c in children]
    features: list[Feature] = []
    for child, index in zip(children, indexes, strict=True):
        key, kind = relay_key(child.info, child.components)
        key = "outlet" if kind is CapabilityKind.SWITCH else key
        name = decode_nickname(child.info.nickname) or f"{parent_name} {key} {index}"
        if (switched := relay(child.info, child.components)) is not None:
            features.append(replace(switched, key=key, index=index, name=name, unique_id=child.native_id))
        if (meter := energy(child.answers, path, at=child.answers_at)) is not None:
            features.append(replace(meter, index=index, name=f"{name} energy", unique_id=child.native_id))
    return features


def _info(raw: object, at: str, path: Path, log: list[LogEntry]) -> DeviceInfo | None:
    try:
        return DeviceInfo.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in (at, *problem["loc"]))
        log.append(warning(path, f"left out the child at {where}: {problem['msg']}"))
        return None


def _child_components(document: dict[str, Any], path: Path) -> dict[str, frozenset[str]]:
    answer = smart_answer(document, "get_child_device_component_list")
    if answer is None:
        return {}
    listed = validated(ChildComponentList, answer, path, at="get_child_device_component_list")
    return {entry.device_id: frozenset(c.id for c in entry.component_list) for entry in listed.child_component_list}
