"""Running the conformance kit in a pytest of its own (pytester), and reading its verdicts."""

from __future__ import annotations

import re

import pytest

_OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR) \S+::TestGizmo::(\w+)(\[[^\]]*\])?")


def kit_outcomes(pytester: pytest.Pytester, *options: str) -> dict[str, str]:
    """Run the inner tests; each of the `TestGizmo` kit's tests (with its parameters) and how it ended."""
    result = pytester.runpytest("-q", "-rA", "-p", "no:cacheprovider", "-o",
                                "asyncio_default_fixture_loop_scope=function", *options)
    outcomes = {}
    for line in result.outlines:
        if match := _OUTCOME.match(line):
            outcomes[match.group(2) + (match.group(3) or "")] = match.group(1)
    assert outcomes, result.stdout.str()
    return outcomes
