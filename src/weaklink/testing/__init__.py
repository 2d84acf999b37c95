"""Testing adapters: the conformance kit a vendor runs against its own adapter and fixtures."""

from .canaries import Canaries, has_secrets, plant_canaries
from .conformance import AdapterConformance

__all__ = ["AdapterConformance", "Canaries", "has_secrets", "plant_canaries"]
