"""What the miIO adapter raises: every failure names the layer it points at.

    WeaklinkError
    └── MiioError                 anything this adapter raises on purpose
        └── MiioFailure           an exchange with the device failed (layer, reason, detail)
            └── IdentityMismatch  another device answers at the address: it was sent nothing

`reason` is a short tag for tests and the tracer: `refused` (the port is closed), `silent`
(no answer), `unreachable` (the packet could not be sent), `mismatch`, `slow`, `token`
(the answer is sealed with another token), `ignored` (hellos answered, commands not),
`malformed` (not a miIO packet), `undecodable` (a sealed answer that is not JSON), `error`
(the device answered with an error).
"""

from __future__ import annotations

from weaklink.errors import WeaklinkError
from weaklink.live.secrets import mask
from weaklink.report import Layer

# Each reason as the kind of probe failure it is (weaklink.model.PROBE_PROBLEMS). `ignored`: the
# device drops requests it cannot open, which is what a changed token looks like.
PROBLEMS = {"slow": "timeout", "silent": "timeout", "unreachable": "unreachable", "refused": "unreachable",
            "token": "credentials", "ignored": "credentials", "malformed": "garbled", "undecodable": "garbled",
            "mismatch": "identity"}

# The device read our request (the answer's checksum verified with our token) before it failed.
TOKEN_ACCEPTED_REASONS = frozenset({"undecodable", "error"})


class MiioError(WeaklinkError):
    """Root of what the miIO adapter raises."""


class MiioFailure(MiioError):
    """An exchange with a miIO device failed: `layer` is where that points, `detail` says it to a person."""

    def __init__(self, layer: Layer, reason: str, detail: str) -> None:
        self.layer = layer
        self.reason = reason
        self.detail = mask(detail)
        self.problem = PROBLEMS.get(reason)
        super().__init__(self.detail)

    @property
    def token_accepted(self) -> bool:
        """Whether the device proved it holds our token before failing (a sealed, verified answer)."""
        return self.reason in TOKEN_ACCEPTED_REASONS


class IdentityMismatch(MiioFailure):
    """The device answering at the address is not the one the home file names; it was sent no token."""

    def __init__(self, detail: str) -> None:
        super().__init__(Layer.NETWORK, "mismatch", detail)
