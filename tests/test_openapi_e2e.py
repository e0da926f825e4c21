"""An OpenAPI document end to end: generate, install, run the project's own tests, check
the app describes the same API, serve it and use it over HTTP (CRUD, cache, 501).

The document is the OpenAPI Initiative's petstore-expanded with ``x-fastgen-resource``
on ``Pet``, ``x-fastgen-cache`` on both reads, and ``GET /pets/mine``: a bearer-secured
operation cached per caller, whose body the user writes (as here). ``addPet`` has a
callback whose body and answers are declared under several media types, one of them
with a component no route uses, all published as declared.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastgen.api import new_project
from fastgen.spec.openapi import load_openapi

from .conftest import link_shared_venv
from .openapi_roundtrip import compare
from .test_e2e import free_port, run

pytestmark = pytest.mark.e2e
SPEC = Path(__file__).parent / "specs" / "openapi" / "compile" / "petstore-table.yaml"
PACKAGE = "swagger_petstore"
MY_PETS = '''\
"""Body of GET /pets/mine, written by the user: a pet named after the call count."""

from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession

from swagger_petstore import api_models

CALLS = count(1)


async def handle(session: AsyncSession) -> list[api_models.Pet]:
    """Each computation is numbered, so a cached answer shows an old number."""
    return [api_models.Pet(id=next(CALLS), name="mine")]
'''
MY_PETS_TEST = '''\
"""The user's test of GET /pets/mine."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_my_pets_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/pets/mine")).status_code == 401
    mine = await client.get("/pets/mine", headers={"authorization": "Bearer a"})
    assert mine.json()[0]["name"] == "mine"
'''


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, shared_venv: Path) -> Path:
    project = new_project(SPEC, tmp_path_factory.mktemp("oa") / "petstore")
    hook = project / "src" / PACKAGE / "hooks" / "operations" / "my_pets.py"
    hook.write_text(MY_PETS)
    (project / "tests" / "test_operation_stubs.py").write_text(MY_PETS_TEST)
    link_shared_venv(shared_venv, project)
    return project


def test_generated_tests_pass(installed: Path) -> None:
    run(
        ".venv/bin/python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=installed,
    )


def test_generated_code_is_ruff_clean(installed: Path) -> None:
    run(".venv/bin/ruff", "check", "--exclude", ".venv", ".", cwd=installed)
    run(".venv/bin/ruff", "format", "--check", "--exclude", ".venv", ".", cwd=installed)


def test_app_describes_the_input_api(installed: Path) -> None:
    dumped = run(
        ".venv/bin/python",
        "-c",
        f"import json; from {PACKAGE}.main import app; print(json.dumps(app.openapi()))",
        cwd=installed,
    )
    source, _ = load_openapi(SPEC)
    assert compare(source, json.loads(dumped)) == []


@pytest.fixture
def server(installed: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [".venv/bin/uvicorn", f"{PACKAGE}.main:app", "--port", str(port)],
            cwd=installed,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "uvicorn did not become ready"
                time.sleep(0.1)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
    assert "Traceback" not in log_path.read_text()


def test_table_backed_pets_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=5) as http:
        assert http.get("/pets").headers["x-cache"] == "MISS"
        assert http.get("/pets").headers["x-cache"] == "HIT"
        created = http.post("/pets", json={"name": "Rex", "tag": "dog"})
        assert created.status_code == 200
        pet = created.json()
        assert pet == {"id": pet["id"], "name": "Rex", "tag": "dog"}
        # The create invalidated the cached list.
        listed = http.get("/pets")
        assert listed.headers["x-cache"] == "MISS"
        assert listed.json() == [pet]
        first = http.get(f"/pets/{pet['id']}")
        second = http.get(f"/pets/{pet['id']}")
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
        assert second.json() == pet
        assert http.get("/pets", params={"limit": 0}).json() == []
        assert http.post("/pets", json={"tag": "no name"}).status_code == 422
        assert http.delete(f"/pets/{pet['id']}").status_code == 204
        # The delete invalidated the cached item and the list.
        assert http.get(f"/pets/{pet['id']}").status_code == 404
        assert http.get("/pets").json() == []


def test_a_body_is_read_in_each_media_type_it_declares(server: str) -> None:
    """addPet's body is JSON or a urlencoded form (issue 15): each is read into
    NewPet; another Content-Type is a 415 in the document's Error body."""
    with httpx.Client(base_url=server, timeout=5) as http:
        created = http.post("/pets", data={"name": "Tom", "tag": "cat"})
        assert created.status_code == 200, created.text
        assert created.json() == {
            "id": created.json()["id"],
            "name": "Tom",
            "tag": "cat",
        }
        assert http.post("/pets", data={"tag": "no name"}).status_code == 422
        refused = http.post(
            "/pets", content=b"<pet/>", headers={"content-type": "application/xml"}
        )
        assert refused.status_code == 415
        assert refused.json() == {
            "code": 415,
            "message": "Content-Type 'application/xml' is not one this operation "
            "reads: application/json, application/x-www-form-urlencoded",
        }
        declared = http.get("/openapi.json").json()["paths"]["/pets"]["post"]
        assert list(declared["requestBody"]["content"]) == [
            "application/json",
            "application/x-www-form-urlencoded",
        ]


def test_private_entries_never_cross_callers(server: str) -> None:
    with httpx.Client(base_url=server, timeout=5) as http:
        assert http.get("/pets/mine").status_code == 401
        ann = {"authorization": "Bearer ann"}
        bob = {"authorization": "Bearer bob"}
        first = http.get("/pets/mine", headers=ann)
        again = http.get("/pets/mine", headers=ann)
        other = http.get("/pets/mine", headers=bob)
        assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
        assert again.json() == first.json()
        assert other.headers["x-cache"] == "MISS"
        assert other.json()[0]["id"] != first.json()[0]["id"]
