"""weaklink live adapter for Shelly relays, Gen1 (REST) and Gen2+ (JSON-RPC and its WebSocket)."""

from .adapter import ShellyAdapter
from .errors import IdentityMismatch, RequestFailed, ShellyError
from .session import ShellySession

__all__ = ["IdentityMismatch", "RequestFailed", "ShellyAdapter", "ShellyError", "ShellySession"]
