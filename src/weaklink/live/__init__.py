"""The live side: talking to a home's hosts now (discover, snapshot, probe, observe, act)."""

from .contract import (
    DEFAULT_PROBE_TIMEOUT,
    GUARDED_DOMAINS,
    ActuationRefused,
    Discovered,
    HostSpec,
    LiveAdapter,
    LiveSession,
)
from .secrets import CredentialError, Secret, mask, resolve

__all__ = [
    "DEFAULT_PROBE_TIMEOUT", "GUARDED_DOMAINS", "ActuationRefused", "CredentialError", "Discovered", "HostSpec",
    "LiveAdapter", "LiveSession", "Secret", "mask", "resolve",
]
