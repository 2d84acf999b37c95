"""weaklink adapter for TP-Link Kasa and Tapo: python-kasa device dumps read offline, and
legacy-protocol (IOT) Kasa devices live."""

from .adapter import KasaAdapter
from .errors import IdentityMismatch, KasaError, RequestFailed

__all__ = ["IdentityMismatch", "KasaAdapter", "KasaError", "KasaSession", "RequestFailed"]


def __getattr__(name: str) -> object:
    # the live session is loaded when first asked for: offline commands never need it
    if name == "KasaSession":
        from .session import KasaSession

        return KasaSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
