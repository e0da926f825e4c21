"""Generated tests left behind in the user's test files by a spec change.

``tests/test_custom_endpoints.py`` and ``tests/test_operation_stubs.py`` are the
user's (``copier.yml``'s ``_skip_if_exists``): created once with a test per
hand-written endpoint or OpenAPI stub, then never rewritten, since the team replaces
those tests with real ones. So when the spec removes an endpoint, copier leaves its
test, which then fails (404). An update does not edit the user's file either; it
names each such test, so the team removes it with the endpoint.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fastgen.model.service import ServiceModel

CUSTOM_TESTS = "tests/test_custom_endpoints.py"
STUB_TESTS = "tests/test_operation_stubs.py"


def generated_tests(service: ServiceModel) -> dict[str, dict[str, str]]:
    """The tests the templates write into the user's test files: file -> test
    function -> the route it calls (``POST /admin/reindex``)."""
    stubs = {
        f"test_{op.name}_answers_501_until_implemented": f"{op.method.upper()} {op.route}"
        for op in service.api_stubs
        if op.sample
    }
    stubs |= {
        f"test_{op.name}_answers_501_until_refine_applies_its_parameters": (
            f"{op.method.upper()} {op.route}"
        )
        for op in service.api_refined_lists
        if op.refine_sample
    }
    return {
        CUSTOM_TESTS: {
            f"test_{e.name}": f"{e.method.upper()} {e.path}"
            for e in service.hook_endpoints
        },
        STUB_TESTS: stubs,
    }


def stale_tests(project: Path, old: ServiceModel, new: ServiceModel) -> list[str]:
    """Each test ``old``'s render wrote for a route ``new`` no longer has that is
    still in the user's file, as a line of the update's report."""
    now = generated_tests(new)
    found = []
    for name, tests in generated_tests(old).items():
        defined = _functions(project / name)
        for test, route in tests.items():
            moved = now[name].get(test)
            if test not in defined or moved == route:
                continue
            found.append(
                f"{name}::{test} still calls {route}, which the spec no longer has: "
                + ("remove the test" if moved is None else f"it is now {moved}")
            )
    return found


def _functions(path: Path) -> set[str]:
    """The names of the module's top-level functions (none if it does not parse)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return set()
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
