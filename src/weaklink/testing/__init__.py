"""Testing adapters: the conformance kit a vendor runs against its own adapter and fixtures.

`AdapterConformance` checks the offline contract; `LiveConformance` (which needs blockbuster,
in weaklink's `test` extra) checks live sessions against hosts that misbehave.
"""

from typing import Any

from .canaries import Canaries, has_secrets, plant_canaries
from .conformance import AdapterConformance

__all__ = ["AdapterConformance", "Canaries", "LiveConformance", "has_secrets", "plant_canaries"]


def __getattr__(name: str) -> Any:
    # the live kit pulls in blockbuster: loaded only by the packages that use it
    if name == "LiveConformance":
        from .live_conformance import LiveConformance

        return LiveConformance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
