"""What the Kasa adapter's live side raises.

    WeaklinkError
    └── KasaError             anything this adapter raises on purpose
        ├── IdentityMismatch  the host is not the Kasa device the home file names (or no Kasa
        │                     device at all): nothing is switched on it
        └── RequestFailed     a request got no usable answer; `layer` says where it broke
                              (network, integration or device) and `detail` says it in words

`probe()` turns both into findings and never raises; `snapshot()`, `act()`, `dump()` and
`connect()` let them through. The legacy protocol has no credentials; a Tapo (KLAP) device's
are the TP-Link account's, which no message holds: every detail is masked, and none is built
from a credential (`integration` / `rejected`: the device did not prove it knows the account).
"""

from __future__ import annotations

from typing import Literal

from weaklink.errors import WeaklinkError
from weaklink.live.secrets import mask

Layer = Literal["network", "integration", "device"]
Reason = Literal["unreachable", "timeout", "reset", "moved", "malformed", "refused", "rejected"]
# each reason as the kind of probe failure it is (weaklink.model.PROBE_PROBLEMS); "refused" is the
# device's own error code, which names no transport problem
PROBLEMS = {"unreachable": "unreachable", "reset": "unreachable", "timeout": "timeout", "moved": "identity",
            "malformed": "garbled", "rejected": "credentials"}


class KasaError(WeaklinkError):
    """Root of what the Kasa adapter raises."""


class IdentityMismatch(KasaError):
    """The host answering is not the Kasa device expected there; nothing was switched on it."""

    layer = "network"
    problem = "identity"


class RequestFailed(KasaError):
    """A request to the device got no usable answer.

    `layer` is where it broke: `network` (nothing answers, no answer in time, the connection
    reset or cut mid-answer), `integration` (a Tapo device that does not prove it knows the
    TP-Link account: `rejected`) or `device` (it answered garbage, or refused with an error code).
    `reason` is the machine-readable kind.
    """

    def __init__(self, layer: Layer, reason: Reason, detail: str, latency_ms: float | None = None) -> None:
        self.layer = layer
        self.reason = reason
        self.detail = mask(detail)
        self.latency_ms = latency_ms
        self.problem = PROBLEMS.get(reason)
        super().__init__(self.detail)
