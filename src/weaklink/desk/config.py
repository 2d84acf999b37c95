"""How a desk is set up: where it keeps its cases, where it listens, and its limits."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..bundle.unzip import ZipLimits

DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024


class DeskConfig(BaseModel):
    """The desk's settings (the options of `weaklink serve`)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    data_dir: Path = Field(description="The folder holding the case store and every case's files.")
    host: str = "127.0.0.1"
    port: int = 8330
    max_upload_bytes: int = Field(default=DEFAULT_MAX_UPLOAD, gt=0)
    workers: int = Field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)), ge=1)
    require_login: bool | None = Field(default=None, description="None: only when bound beyond loopback.")
    zip_limits: ZipLimits = Field(default_factory=ZipLimits)
    session_hours: float = 12.0

    @property
    def login_required(self) -> bool:
        """Agents log in with a token whenever the desk listens beyond this machine."""
        return self.require_login if self.require_login is not None else not is_loopback(self.host)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "desk.sqlite3"


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (127.0.0.0/8, ::1, localhost); '' and 0.0.0.0 are every interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
