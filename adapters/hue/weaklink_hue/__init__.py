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
from .session import HueSession

__all__ = [
    "SERVICE_TYPE", "BridgeFault", "BridgeUnreachable", "CertificateChanged", "HueAdapter", "HueError",
    "HueSession", "IdentityMismatch", "KeyRefused", "NoClipV2", "UnsupportedAction",
]
