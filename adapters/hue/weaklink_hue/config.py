"""What a bridge tells anyone, without a key: its public configuration (`GET /api/config`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

CLIP_V2_SINCE = (1, 48)  # the bridge firmware (1948086000) that brought CLIP v2 reports API 1.48.0


class BridgeConfig(BaseModel):
    """What `/api/config` tells anyone, without a key."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str | None = None
    bridgeid: str | None = None
    modelid: str | None = None
    apiversion: str | None = None
    swversion: str | None = None
    mac: str | None = None

    @property
    def api_version(self) -> tuple[int, ...] | None:
        """`apiversion` as numbers, None when absent or unreadable."""
        try:
            return tuple(int(part) for part in (self.apiversion or "").split("."))
        except ValueError:
            return None

    @property
    def has_clip_v2(self) -> bool:
        """Whether the firmware is new enough to serve CLIP v2 (API 1.48 or later)."""
        version = self.api_version
        return version is not None and version[:2] >= CLIP_V2_SINCE
