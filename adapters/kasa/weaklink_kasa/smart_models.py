"""What a SMART-protocol (Tapo, newer Kasa) device answers, as far as weaklink reads it.

`DeviceInfo` reads a device's `get_device_info` and, with the same fields, each entry of a
hub's or strip's `get_child_device_list`. Unknown fields are ignored; the secret ones (`ssid`,
`latitude`, `longitude`, `location`, a discovery answer's `owner`) are never declared, so
they are never read.
"""

from __future__ import annotations

from pydantic import BaseModel


class Component(BaseModel):
    """One component the device negotiated (`energy_monitoring`, `brightness`, `alarm`, …)."""

    id: str
    ver_code: int | None = None


class ComponentList(BaseModel):
    """`component_nego`."""

    component_list: list[Component] = []

    @property
    def ids(self) -> frozenset[str]:
        """The components' names."""
        return frozenset(component.id for component in self.component_list)


class ChildComponents(BaseModel):
    """One child's entry of `get_child_device_component_list`."""

    device_id: str
    component_list: list[Component] = []


class ChildComponentList(BaseModel):
    """`get_child_device_component_list`."""

    child_component_list: list[ChildComponents] = []


class DeviceInfo(BaseModel):
    """`get_device_info`, or one entry of `get_child_device_list`."""

    device_id: str | None = None
    model: str | None = None
    type: str | None = None  # SMART.TAPOPLUG, SMART.TAPOHUB, SMART.TAPOSENSOR, …
    category: str | None = None  # a child's: subg.trigger.contact-sensor, plug.powerstrip.sub-plug, …
    mac: str | None = None
    nickname: str | None = None  # base64
    fw_ver: str | None = None
    hw_ver: str | None = None
    ip: str | None = None
    status: str | None = None  # a hub child's link: online / offline
    parent_device_id: str | None = None  # a hub child's hub
    position: int | None = None  # a strip outlet's number
    device_on: bool | None = None
    brightness: int | None = None
    fan_speed_level: int | None = None
    in_alarm: bool | None = None
    lock_status: int | None = None  # a door lock's bolt: 0 locked, 1 unlocked, 2 not set up, 3-4 jammed
    open: bool | None = None
    detected: bool | None = None
    water_leak_status: str | None = None  # normal, water_leak, water_dry (drying after a leak)
    current_temp: float | None = None
    current_humidity: float | None = None
    temp_unit: str | None = None
    target_temp: float | None = None
    frost_protection_on: bool | None = None
    trv_states: list[str] | None = None
    battery_percentage: int | None = None
    at_low_battery: bool | None = None
    overheated: bool | None = None
    overheat_status: str | None = None
    rssi: int | None = None
    signal_level: int | None = None

    @property
    def is_hub(self) -> bool:
        """A hub (H100, KH100, …): other devices reach the home through it."""
        return (self.type or "").upper().endswith("HUB")

    @property
    def is_ir_remote(self) -> bool:
        """A remote the hub's infrared blaster plays (H110: a TV's, an air conditioner's): no radio of its own."""
        return (self.category or "").startswith("ir.")

    @property
    def is_sub_ghz(self) -> bool:
        """A device on the hubs' sub-GHz radio (sensors, buttons, radiator valves, S210 switches)."""
        return (self.category or "").startswith("subg.") or bool(
            self.parent_device_id and not self.ip and not self.is_ir_remote)


class ChildList(BaseModel):
    """`get_child_device_list`: entries are read one by one, so a bad one is left out, not fatal."""

    child_device_list: list[dict[str, object]] = []


class CurrentPower(BaseModel):
    """`get_current_power` (watts)."""

    current_power: float | None = None


class EmeterData(BaseModel):
    """`get_emeter_data` (milliwatts)."""

    power_mw: float | None = None


class EnergyUsage(BaseModel):
    """`get_energy_usage` (its `current_power` in milliwatts)."""

    current_power: float | None = None
