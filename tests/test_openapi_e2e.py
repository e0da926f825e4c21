"""An OpenAPI document end to end: generate, install, run the project's own tests, check
the app describes the same API, serve it and use it over HTTP (CRUD, cache, 501).

The document is the OpenAPI Initiative's petstore-expanded with ``x-fastgen-resource``
on ``Pet`` and ``x-fastgen-cache`` on both reads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastgen.openapi import load_openapi
from fastgen.render import new_project

from .openapi_roundtrip import compare
from .test_e2e import free_port, run

pytestmark = pytest.mark.e2e
SPEC = Path(__file__).parent / "specs" / "openapi" / "compile" / "petstore-table.yaml"
PACKAGE = "swagger_petstore"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = new_project(SPEC, tmp_path_factory.mktemp("oa") / "petstore")
    run(sys.executable, "-m", "venv", ".venv", cwd=project)
    run(".venv/bin/python", "-m", "pip", "install", "-q", "-e", ".[dev]", cwd=project)
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
