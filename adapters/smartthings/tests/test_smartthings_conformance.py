"""The conformance kit, run against the SmartThings adapter and its model fixtures.

The kit loads each top-level fixture in place and alone: the model fixtures are independent
device answers (none describes another's hub), so reading their folder adds nothing to them.
The fixture home in `homes/`, whose files do enrich each other, is checked by the other tests.
"""

from __future__ import annotations

from smartthings_fixtures import FIXTURES

from weaklink.testing import AdapterConformance


class TestSmartThingsConformance(AdapterConformance):
    adapter = "smartthings"
    fixtures = FIXTURES
