"""What the SmartThings adapter's live side raises.

    WeaklinkError
    └── SmartThingsError        anything this adapter raises on purpose
        ├── IdentityMismatch    the host is not the SmartThings API (a certificate for another
        │                       name, or a plain-HTTP host that does not ask for a token): the
        │                       token was never sent to it
        └── RequestFailed       a request got no usable answer; `reason` says how, `layer` and
                                `problem` what kind of finding it makes, `detail` says it in words

`probe()` turns both into findings and never raises; `connect()` raises IdentityMismatch (and
InputError for a home file entry it cannot use), `snapshot()`, `act()` and `dump()` let both
through. Every message passes through `mask`, so no credential can be quoted in one.
"""

from __future__ import annotations

from typing import Literal

from weaklink.errors import WeaklinkError
from weaklink.live.secrets import mask

Reason = Literal["unreachable", "timeout", "garbled", "credentials", "cloud_error", "rate_limited", "refused",
                 "not_found"]

# Where each failure points. The cloud's own failures (no answer in time, 5xx, garbage, 429)
# are `integration`: the link from this home to the vendor's cloud, which the vendor runs; a
# cloud that cannot be reached at all is `network` (this machine's way out, or the cloud).
LAYERS: dict[str, str] = {"unreachable": "network", "timeout": "integration", "garbled": "integration",
                          "credentials": "integration", "cloud_error": "integration", "rate_limited": "integration",
                          "refused": "device", "not_found": "device"}
# Each reason as the kind of probe failure it is (weaklink.model.PROBE_PROBLEMS), where it is one.
PROBLEMS: dict[str, str] = {"unreachable": "unreachable", "timeout": "timeout", "garbled": "garbled",
                            "credentials": "credentials"}


class SmartThingsError(WeaklinkError):
    """Root of what the SmartThings adapter raises."""


class IdentityMismatch(SmartThingsError):
    """The host is not the SmartThings API; the token was not sent to it."""

    layer = "network"
    problem = "identity"

    def __init__(self, detail: str) -> None:
        self.detail = mask(detail)
        super().__init__(self.detail)


class RequestFailed(SmartThingsError):
    """A request to the SmartThings cloud got no usable answer.

    `status` is the HTTP status when there was one, `retry_after` the seconds the cloud asked
    to wait (429), `code` the error code of its answer (`ConstraintViolationError`…).
    """

    def __init__(self, reason: Reason, detail: str, *, status: int | None = None, retry_after: float | None = None,
                 latency_ms: float | None = None, code: str | None = None) -> None:
        self.reason = reason
        self.layer = LAYERS[reason]
        self.problem = PROBLEMS.get(reason)
        self.detail = mask(detail)
        self.status = status
        self.retry_after = retry_after
        self.latency_ms = latency_ms
        self.code = code
        super().__init__(self.detail)
