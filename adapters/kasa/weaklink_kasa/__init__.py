"""weaklink adapter for TP-Link Kasa and Tapo: python-kasa device dumps read offline."""

from .adapter import KasaAdapter

__all__ = ["KasaAdapter"]
