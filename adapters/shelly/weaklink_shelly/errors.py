"""What the Shelly adapter raises.

    WeaklinkError
    └── ShellyError           anything this adapter raises on purpose
        ├── IdentityMismatch  the host is not the Shelly the home file (or mDNS record) names:
        │                     refused before any credential was sent
        └── RequestFailed     a request got no usable answer; `layer` says where it broke
                              (network, integration or device) and `detail` says it in words

A caller handles both: `probe()` turns them into findings and never raises; `snapshot()`,
`act()` and `connect()` let them through. Messages never hold a credential.
"""

from __future__ import annotations

from typing import Literal

from weaklink.errors import WeaklinkError
from weaklink.live.secrets import mask

Layer = Literal["network", "integration", "device"]
Reason = Literal["unreachable", "timeout", "reset", "moved", "unauthorized", "malformed", "refused"]
# each reason as the kind of probe failure it is (weaklink.model.PROBE_PROBLEMS); "refused" is a command the device refused
PROBLEMS = {"unreachable": "unreachable", "reset": "unreachable", "timeout": "timeout", "moved": "identity",
            "unauthorized": "credentials", "malformed": "garbled"}


class ShellyError(WeaklinkError):
    """Root of what the Shelly adapter raises."""


class IdentityMismatch(ShellyError):
    """The host answering is not the Shelly expected there; no credential was sent to it."""

    problem = "identity"


class RequestFailed(ShellyError):
    """A request to the device got no usable answer.

    `layer` is where it broke: `network` (no answer, timeout, connection cut, another host at
    the address), `integration` (credentials refused) or `device` (the device answered
    garbage or refused the command). `reason` is the machine-readable kind.
    """

    def __init__(self, layer: Layer, reason: Reason, detail: str, latency_ms: float | None = None) -> None:
        self.layer = layer
        self.reason = reason
        self.detail = mask(detail)
        self.latency_ms = latency_ms
        self.problem = PROBLEMS.get(reason)
        super().__init__(self.detail)
