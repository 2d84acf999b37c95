"""What a Tapo camera, doorbell or H200 hub answers (python-kasa's `smartcam` protocol), as far as weaklink reads it.

These devices answer camelCase methods (`getDeviceInfo`, `getChildDeviceList`, …) whose
results nest one level further than the SMART protocol's. Unknown fields are ignored; the
secret ones (`latitude`, `longitude`, the Wi-Fi `ssid`, a discovery answer's `owner` and
`connect_ssid`) are never declared, so they are never read.
"""

from __future__ import annotations

from pydantic import BaseModel


class BasicInfo(BaseModel):
    """`getDeviceInfo.device_info.basic_info` (and, in a hub child's own dump, `child_info_from_parent`)."""

    dev_id: str | None = None
    device_id: str | None = None  # `child_info_from_parent` spells it so
    device_alias: str | None = None
    alias: str | None = None
    device_model: str | None = None
    device_type: str | None = None  # SMART.IPCAMERA, SMART.TAPODOORBELL, SMART.TAPOHUB
    hw_version: str | None = None
    hw_ver: str | None = None
    sw_version: str | None = None
    sw_ver: str | None = None
    mac: str | None = None
    local_ip: str | None = None
    parent_device_id: str | None = None
    battery_percent: int | None = None
    low_battery: bool | None = None
    camera_switch: str | None = None  # a battery camera's video: on / off
    online: bool | None = None
    power: str | None = None  # BATTERY or a mains supply

    @property
    def native(self) -> str | None:
        """The device id, however this answer spells it."""
        return self.dev_id or self.device_id

    @property
    def name(self) -> str | None:
        """What the user calls it."""
        return self.device_alias or self.alias

    @property
    def firmware(self) -> str | None:
        """Its firmware version."""
        return self.sw_version or self.sw_ver

    @property
    def hardware(self) -> str | None:
        """Its hardware version."""
        return self.hw_version or self.hw_ver

    @property
    def is_hub(self) -> bool:
        """The H200 hub: cameras, doorbells and sub-GHz sensors reach the home through it."""
        return (self.device_type or "").upper().endswith("HUB")

    @property
    def is_doorbell(self) -> bool:
        """A doorbell (D130, D230): a camera with a button."""
        return "DOORBELL" in (self.device_type or "").upper()


class DeviceInfoAnswer(BaseModel):
    """`getDeviceInfo.device_info`."""

    basic_info: BasicInfo


class GetDeviceInfo(BaseModel):
    """`getDeviceInfo`."""

    device_info: DeviceInfoAnswer
