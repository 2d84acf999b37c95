"""What the Hue adapter raises, all under weaklink's `WeaklinkError`.

    HueError                    root of the adapter's errors
    ├── IdentityMismatch        the host is not the bridge the home file or the mDNS record names
    │   └── CertificateChanged  the host presents another certificate than the one pinned
    ├── BridgeUnreachable       no answer: refused, reset, timed out
    ├── KeyRefused              the application key is missing or not accepted (revoked)
    ├── BridgeFault             the bridge answers, but with an error or a malformed body
    │   └── NoClipV2            the bridge has no CLIP v2 (an old firmware): use v1
    └── UnsupportedAction       act() asked for something the entity cannot do

Messages never quote a credential: a v1 URL carries the key in its path, so every text
that may hold one goes through `weaklink.live.secrets.mask` before it becomes a message.
"""

from __future__ import annotations

from weaklink.errors import WeaklinkError
from weaklink.live.secrets import mask


class HueError(WeaklinkError):
    """Root of the Hue adapter's errors; its message is masked of any credential."""

    def __init__(self, message: str) -> None:
        super().__init__(mask(message))


class IdentityMismatch(HueError):
    """The host is not the bridge it should be; no credential was sent to it."""

    problem = "identity"


class CertificateChanged(IdentityMismatch):
    """The host's certificate is not the one pinned when its identity was checked."""


class BridgeUnreachable(HueError):
    """Nothing answered in time (refused, reset, timed out)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.problem = "timeout" if timed_out else "unreachable"


class KeyRefused(HueError):
    """The bridge does not accept the application key (revoked, or never paired)."""

    problem = "credentials"


class BridgeFault(HueError):
    """The bridge answered with an error status, an error body, or something unreadable."""

    def __init__(self, message: str, *, malformed: bool = False) -> None:
        super().__init__(message)
        self.malformed = malformed
        self.problem = "garbled" if malformed else None


class NoClipV2(BridgeFault):
    """The bridge does not serve CLIP v2 (firmware older than API 1.48)."""


class UnsupportedAction(HueError):
    """The entity or service named is not one this adapter can act on."""
