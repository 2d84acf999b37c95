"""What a legacy-protocol (IOT) Kasa device answers, as far as weaklink reads it.

Unknown fields are ignored (firmware adds them all the time); the secret ones
(`latitude`/`longitude`, `latitude_i`/`longitude_i`, the cloud account's `username`) are
never declared, so they are never read.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class IotChild(BaseModel):
    """One outlet of a power strip (`get_sysinfo.children`)."""

    id: str
    alias: str | None = None
    state: int | None = None  # 1 on, 0 off


class LightState(BaseModel):
    """A bulb's or light strip's `light_state` (`brightness` only while it is on)."""

    on_off: int | None = None
    brightness: int | None = None


class SysInfo(BaseModel):
    """`system.get_sysinfo`: who the device is and its relay or light."""

    err_code: int = 0
    alias: str | None = None
    model: str | None = None
    device_id: str | None = Field(default=None, alias="deviceId")
    mac: str | None = None
    mic_mac: str | None = None  # bulbs write their MAC here, often without separators
    ethernet_mac: str | None = None
    sw_ver: str | None = None
    hw_ver: str | None = None
    type: str | None = None
    mic_type: str | None = None  # newer firmware's spelling of `type`
    relay_state: int | None = None
    brightness: int | None = None  # present on dimmers only
    light_state: LightState | None = None
    children: list[dict[str, object]] | None = None  # read one by one: a bad outlet is left out, not fatal
    rssi: int | None = None

    @property
    def device_type(self) -> str:
        """`IOT.SMARTPLUGSWITCH`, `IOT.SMARTBULB`, …; empty when not given."""
        return self.type or self.mic_type or ""


class Realtime(BaseModel):
    """An energy meter's `get_realtime`: newer firmware in milli-units, older in units."""

    power_mw: float | None = None
    power: float | None = None
    total_wh: float | None = None
    total: float | None = None  # kWh

    @property
    def watts(self) -> float | None:
        """The power drawn now, in watts."""
        if self.power_mw is not None:
            return self.power_mw / 1000
        return self.power


class PirConfig(BaseModel):
    """`smartlife.iot.PIR.get_config`: the motion sensor of a KS200M/ES20M switch."""

    enable: int | None = None


class BrightnessReading(BaseModel):
    """`smartlife.iot.LAS.get_current_brt`: the ambient light sensor's reading (percent)."""

    value: int | None = None
