"""Private cache entries behind several security schemes (an audit's finding).

tests/specs/openapi/private-schemes.yaml caches three table lists with ``scope:
private``: ``/notes`` (a paged list, whose query model must let the query API key
through) under any of four schemes (the document's security), ``/cards``
under the ``session`` cookie only, ``/pins`` under an API key and the cookie at once.
The cache answers before routing, so it must check each route's own security: a
request meeting none of its alternatives gets the route's 401, never an entry, and
an entry is keyed by every credential of the alternative met, tagged by scheme.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.api import new_project
from fastgen.render.security import private_cache_probes
from fastgen.spec.openapi import read_openapi
from fastgen.spec.openapi.compile import compile_api

from .conftest import REPO, assert_generated_tests_pass, install_project

SPEC = REPO / "tests" / "specs" / "openapi" / "private-schemes.yaml"
PACKAGE = "privateschemes"
TEST = "test_a_private_entry_is_only_answered_to_its_credentials"


def test_each_private_policy_checks_its_routes_alternatives() -> None:
    model = compile_api(read_openapi(SPEC)).model
    security = {p.path: p.security for p in model.policies}
    assert security == {
        "/notes": (("key",), ("token",), ("session",), ("bearer",)),
        "/cards": (("session",),),
        "/pins": (("key", "session"),),
    }
    probes = {
        (url, tuple(other.items()), refused)
        for url, _, _, other, refused in private_cache_probes(model)
    }
    cookie, key = ("cookie", "session"), ("header", "x-api-key")
    # a scheme the route does not take: its 401
    assert ("/cards", ((key, "Bearer A"),), True) in probes
    # another alternative with the same text: another caller
    assert ("/notes", ((cookie, "Bearer A"),), False) in probes
    # the AND group with one credential changed, or left out
    assert ("/pins", ((key, "Bearer A"), (cookie, "Bearer B")), False) in probes
    assert ("/pins", ((key, "Bearer A"),), True) in probes


def test_rendered_checks(tmp_path: Path) -> None:
    project = new_project(SPEC, tmp_path / PACKAGE)
    config = (project / "src" / PACKAGE / "cache_config.py").read_text()
    assert 'security=carrying(("session",)),' in config
    assert 'security=carrying(("key", "session")),' in config
    security = (project / "src" / PACKAGE / "security.py").read_text()
    assert 'await _authenticate(request, (("key", "session"),))' in security
    tests = (project / "tests" / "test_openapi_operations.py").read_text()
    assert f"async def {TEST}(" in tests
    assert 'id="/pins x-api-key=Bearer A session=Bearer B"' in tests
    # The row model requires the id the database numbers: the list tests' rows
    # validate with one, which the INSERT leaves out.
    conftest = (project / "tests" / "conftest.py").read_text()
    assert 'payload = {"id": n, ' in conftest
    assert 'numbered="id"' in conftest


@pytest.mark.e2e
def test_generated_tests_pass(
    tmp_path_factory: pytest.TempPathFactory, shared_venv: Path
) -> None:
    project = new_project(SPEC, tmp_path_factory.mktemp("private") / PACKAGE)
    install_project(shared_venv, project)
    output = assert_generated_tests_pass(
        shared_venv / "bin" / "python", project, verbose=True
    )
    passed = [line for line in output.splitlines() if TEST in line]
    assert len(passed) >= 8 and all("PASSED" in line for line in passed), passed
