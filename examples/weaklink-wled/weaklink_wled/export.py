"""What a WLED controller answers to `GET /json`: `state` (what the light does) and `info` (what
the controller is), as pydantic models: the boundary where a saved answer is checked.

Only what the adapter maps is read; everything else is ignored (WLED adds fields with most
releases). `info.wifi` is not read at all: it holds the access point's BSSID.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Leds(BaseModel):
    """`info.leds`: the strip the controller drives."""

    model_config = ConfigDict(extra="ignore")

    count: int = Field(ge=0)
    pwr: int | None = None  # current draw now, mA
    maxpwr: int | None = None  # the power supply's limit, mA


class Info(BaseModel):
    """`info`: read-only facts about the controller."""

    model_config = ConfigDict(extra="ignore")

    ver: str
    name: str = "WLED"
    brand: str = "WLED"
    product: str | None = None
    arch: str | None = None  # esp32, esp8266, …
    mac: str = Field(pattern=r"^[0-9a-fA-F]{12}$")
    ip: str | None = None
    leds: Leds


class Segment(BaseModel):
    """One segment of the strip (`state.seg[]`)."""

    model_config = ConfigDict(extra="ignore")

    id: int | None = None
    start: int = 0
    stop: int = 0
    on: bool | None = None  # older firmware has no per-segment power
    bri: int | None = None
    n: str | None = None  # the segment's name, when the user gave one


class State(BaseModel):
    """`state`: what the light is doing."""

    model_config = ConfigDict(extra="ignore")

    on: bool
    bri: int = Field(ge=0, le=255)
    seg: list[Segment] = Field(default_factory=list)


class WledAnswer(BaseModel):
    """The whole `GET /json` answer (or `{"state": …, "info": …}` saved by hand)."""

    model_config = ConfigDict(extra="ignore")

    state: State
    info: Info
