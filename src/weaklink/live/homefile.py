"""The live home file: which hosts make up the home, and where their credentials are kept.

```yaml
name: Maple Street
time_zone: America/New_York        # for reading and printing local times
hosts:
  - adapter: homeassistant          # an installed live adapter's name
    name: Home Assistant
    address: 192.168.1.10
    port: 8123
    credentials:
      token: env:WEAKLINK_HA_TOKEN  # see weaklink.live.secrets: env:, file:…#key
  - adapter: hue
    address: 192.168.1.11
    credentials: {app_key: "file:~/.config/weaklink/secrets.yaml#hue_app_key"}
    options: {bridge_id: 001788fffe4d5e6f}   # identity to check before sending the key
```

Credentials are resolved when the file is read, so a missing variable or file is reported
up front (exit 2, naming the line), not halfway through a trace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError
from ..yamlio import line_of, load_yaml, validate
from .contract import HostSpec
from .secrets import CredentialError, resolve


class HomeFileError(InputError):
    """A live home file is not valid."""


class _HostEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adapter: str = Field(min_length=1)
    name: str | None = None
    address: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    credentials: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)


class _HomeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "home"
    time_zone: str | None = None
    hosts: list[_HostEntry] = Field(min_length=1)


class LiveHome(BaseModel):
    """A live home: its name, time zone and hosts, credentials resolved."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    time_zone: str | None = None
    hosts: list[HostSpec]
    source: str | None = None


def load_live_home(path: Path) -> LiveHome:
    """Read a live home file; HomeFileError (or CredentialError) naming the line and field."""
    document = load_yaml(path, error=HomeFileError)
    parsed = validate(document, _HomeFile, source=path, error=HomeFileError)
    hosts = []
    for index, entry in enumerate(parsed.hosts):
        credentials = {}
        for key, reference in entry.credentials.items():
            where = ["hosts", index, "credentials", key]
            try:
                credentials[key] = resolve(reference, source=path, field=".".join(map(str, where)))
            except CredentialError as exc:
                exc.line = line_of(document, where)
                raise
        hosts.append(HostSpec(adapter=entry.adapter, name=entry.name, address=entry.address, port=entry.port,
                              credentials=credentials, options=entry.options))
    return LiveHome(name=parsed.name, time_zone=parsed.time_zone, hosts=hosts, source=str(path))
