"""The home graph: fragments merged into one picture of what controls what."""

from .home_graph import NETWORK, EdgeKind, HomeGraph, device_key, entity_key, integration_key

__all__ = ["NETWORK", "EdgeKind", "HomeGraph", "device_key", "entity_key", "integration_key"]
