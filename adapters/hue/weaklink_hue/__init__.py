"""weaklink live adapter for Philips Hue bridges (CLIP v2 over HTTPS, v1 for older bridges)."""

from .adapter import SERVICE_TYPE, HueAdapter
from .errors import (
    BridgeFault,
    BridgeUnreachable,
    CertificateChanged,
    HueError,
    IdentityMismatch,
    KeyRefused,
    NoClipV2,
    UnsupportedAction,
)

__all__ = [
    "SERVICE_TYPE", "BridgeFault", "BridgeUnreachable", "CertificateChanged", "HueAdapter", "HueError",
    "HueSession", "IdentityMismatch", "KeyRefused", "NoClipV2", "UnsupportedAction",
]


def __getattr__(name: str) -> object:
    # The session pulls in the network client libraries: loaded when first asked for, so that
    # weaklink (which loads every installed adapter at start-up) stays quick for offline work.
    if name == "HueSession":
        from .session import HueSession

        return HueSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
