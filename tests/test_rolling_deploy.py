"""A rolling deploy on one Redis (issue 14): workers of the old and the new version run
side by side, and neither serves an entry the other stored in another shape.

Two projects are generated from specs that differ in one field of ``note``; both
serve the same SQLite database and share a real redis-server. A route whose
response is the same in both versions (``label``) still shares its entries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastgen.api import new_project

from .conftest import free_port
from .test_cache_integration import WAIT, Redis, eventually

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="redis-server is not installed (apt-get install redis-server)",
    ),
]

OLD = """\
fastgen: 1
service: {name: rolling, version: 1.0.0}
cache: {backend: redis, ttl: 600}
resources:
  note:
    path: /notes
    fields:
      text: {type: string, max_length: 100}
    operations: [get, create]
    cache:
      get: {ttl: 600}
  label:
    path: /labels
    fields:
      name: {type: string, max_length: 100}
    operations: [get, create]
    cache:
      get: {ttl: 600}
"""
# The new version adds an optional field to note: its responses carry one more key.
NEW = OLD.replace(
    "      text: {type: string, max_length: 100}\n",
    "      text: {type: string, max_length: 100}\n"
    "      tag: {type: string, max_length: 20, required: false}\n",
)


class App:
    """One version of the app in its own uvicorn process (its source on PYTHONPATH;
    the project's directory is named like its package)."""

    def __init__(
        self,
        python: Path,
        project: Path,
        env: dict[str, str],
        log: Path,
        *,
        gunicorn: bool = False,
    ) -> None:
        self.port = free_port()
        self._log = log.open("w")
        app = f"{project.name}.main:app"
        command = (
            ["gunicorn", "--config", "gunicorn.conf.py", app]
            if gunicorn
            else ["uvicorn", app, "--host", "127.0.0.1", "--port", str(self.port)]
        )
        self.process = subprocess.Popen(
            [str(python), "-m", *command],
            cwd=project,
            env={
                **env,
                "PYTHONPATH": str(project / "src"),
                "BIND": f"127.0.0.1:{self.port}",  # gunicorn.conf.py's
                "WEB_CONCURRENCY": "1",
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=WAIT)

        def ready() -> bool:
            assert self.process.poll() is None, log.read_text()
            try:
                return self.http.get("/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        eventually(ready, "uvicorn to start")

    def get(self, path: str) -> tuple[str, dict[str, object]]:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.headers["x-cache"], response.json()

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(timeout=15)
        self._log.close()


@pytest.fixture
def versions(tmp_path: Path, shared_venv: Path) -> Iterator[tuple[App, App]]:
    """The old and the new version, on one database and one Redis."""
    python = shared_venv / "bin" / "python"
    assert python.exists()
    projects = []
    for name, text in (("old", OLD), ("new", NEW)):
        spec = tmp_path / f"{name}.yaml"
        spec.write_text(text)
        projects.append(new_project(spec, tmp_path / name / "rolling"))
    redis = Redis(tmp_path)
    redis.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}",
        "REDIS_URL": redis.url,
        "SHUTDOWN_DRAIN_SECONDS": "0",
    }
    # The new version migrated the database (it has the new column); the old one
    # still runs against it, as during a rolling deploy.
    new = App(
        python, projects[1], {**env, "CREATE_SCHEMA": "true"}, tmp_path / "new.log"
    )
    old = App(
        python, projects[0], {**env, "CREATE_SCHEMA": "false"}, tmp_path / "old.log"
    )
    try:
        yield old, new
    finally:
        old.stop()
        new.stop()
        redis.kill()


def test_versions_never_serve_each_others_entries(versions: tuple[App, App]) -> None:
    old, new = versions
    created = new.http.post("/notes", json={"text": "hello", "tag": "t1"})
    assert created.status_code == 201, created.text
    note = f"/notes/{created.json()['id']}"

    assert old.get(note) == ("MISS", {"id": 1, "text": "hello"})
    assert old.get(note) == ("HIT", {"id": 1, "text": "hello"})
    # The old version's entry is in Redis; the new version must not answer with it.
    assert new.get(note) == ("MISS", {"id": 1, "text": "hello", "tag": "t1"})
    assert new.get(note) == ("HIT", {"id": 1, "text": "hello", "tag": "t1"})
    assert old.get(note) == ("HIT", {"id": 1, "text": "hello"})


def test_unchanged_routes_share_entries_across_versions(
    versions: tuple[App, App],
) -> None:
    old, new = versions
    created = new.http.post("/labels", json={"name": "x"})
    assert created.status_code == 201, created.text
    label = f"/labels/{created.json()['id']}"
    assert new.get(label) == ("MISS", {"id": 1, "name": "x"})
    assert old.get(label) == ("HIT", {"id": 1, "name": "x"})
