"""Scenarios: chains of steps, read from files or derived from automations."""

from .loader import load_scenario
from .model import DEFAULT_BUDGET, EventMatch, Scenario, Step, parse_duration

__all__ = ["DEFAULT_BUDGET", "EventMatch", "Scenario", "Step", "load_scenario", "parse_duration"]
