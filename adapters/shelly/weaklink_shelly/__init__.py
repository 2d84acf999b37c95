"""weaklink live adapter for Shelly relays, Gen1 (REST) and Gen2+ (JSON-RPC and its WebSocket)."""

from .adapter import ShellyAdapter
from .errors import IdentityMismatch, RequestFailed, ShellyError

__all__ = ["IdentityMismatch", "RequestFailed", "ShellyAdapter", "ShellyError", "ShellySession"]


def __getattr__(name: str) -> object:
    # The session pulls in the network client libraries: loaded when first asked for, so that
    # weaklink (which loads every installed adapter at start-up) stays quick for offline work.
    if name == "ShellySession":
        from .session import ShellySession

        return ShellySession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
