"""weaklink adapter for TP-Link Kasa and Tapo: python-kasa device dumps read offline; legacy-protocol
(IOT) Kasa devices, and Tapo plugs and strips on the SMART protocol over KLAP, live."""

from .adapter import KasaAdapter
from .errors import IdentityMismatch, KasaError, RequestFailed

__all__ = ["IdentityMismatch", "KasaAdapter", "KasaError", "KasaSession", "RequestFailed", "TapoSession"]


def __getattr__(name: str) -> object:
    # the live sessions are loaded when first asked for: offline commands never need them
    if name == "KasaSession":
        from .session import KasaSession

        return KasaSession
    if name == "TapoSession":
        from .tapo_session import TapoSession

        return TapoSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
