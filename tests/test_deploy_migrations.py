"""Deploys where code and schema disagree (issue 14), on a generated project run by
uvicorn with its own Alembic: the new code on a database not yet migrated is not
ready and answers a missing column with a 500 naming the request; a database
CREATE_SCHEMA made is stamped, so `alembic upgrade head` takes it from there."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from fastgen.api import new_project, update_project

from .conftest import git
from .test_rolling_deploy import App

pytestmark = pytest.mark.e2e

SPEC = """\
fastgen: 1
service: {name: deployed}
resources:
  note:
    path: /notes
    fields:
      text: {type: string, max_length: 100}
    operations: [get, create]
"""
TEXT = "      text: {type: string, max_length: 100}\n"
TAG = "      tag: {type: string, max_length: 20, required: false}\n"


def alembic(python: Path, project: Path, url: str, *args: str) -> str:
    result = subprocess.run(
        [python, "-m", "alembic", *args],
        cwd=project,
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def env_for(url: str, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SHUTDOWN_DRAIN_SECONDS": "0",
        "LOG_LEVEL": "INFO",
        **more,
    }


def test_new_code_on_an_unmigrated_database(tmp_path: Path, shared_venv: Path) -> None:
    python = shared_venv / "bin" / "python"
    spec = tmp_path / "deployed.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, tmp_path / "deployed")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    alembic(python, project, url, "upgrade", "head")  # the old release's database

    (project / "fastgen.yaml").write_text(SPEC.replace(TEXT, TEXT + TAG))
    git(project, "commit", "-qam", "note.tag")
    result = update_project(project)
    assert result.migration is not None
    # The revision id the file declares (its name says 0002, its id is a hash).
    declared = re.search(
        r'^revision: str = "(\w+)"',
        (project / result.migration).read_text(),
        re.MULTILINE,
    )
    assert declared is not None
    head = declared.group(1)

    log = tmp_path / "new.log"
    app = App(python, project, env_for(url, CREATE_SCHEMA="false"), log)
    try:
        ready = app.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == (
            f"migrations pending (at 0001, code expects {head})"
        )
        failed = app.http.post("/notes", json={"text": "hi", "tag": "t"})
        assert failed.status_code == 500
        request_id = failed.headers["x-request-id"]
        assert failed.json() == {
            "detail": "internal server error",
            "request_id": request_id,
        }
        logged = [json.loads(line) for line in log.read_text().splitlines()]
        [error] = [
            line
            for line in logged
            if line.get("request_id") == request_id and line["name"] == "deployed.crud"
        ]
        assert error["level"] == "ERROR"
        assert error["message"] == "database error: table note has no column named tag"

        alembic(python, project, url, "upgrade", "head")
        assert app.http.get("/readyz").json()["checks"]["database"] == "ok"
        created = app.http.post("/notes", json={"text": "hi", "tag": "t"})
        assert created.status_code == 201, created.text
    finally:
        app.stop()


@pytest.mark.parametrize("gunicorn", [False, True], ids=["uvicorn", "gunicorn"])
def test_a_database_create_schema_made_upgrades_cleanly(
    tmp_path: Path, shared_venv: Path, gunicorn: bool
) -> None:
    """uvicorn creates the tables in the app's lifespan, gunicorn before its workers
    start (gunicorn.conf.py): either way the new database is stamped."""
    python = shared_venv / "bin" / "python"
    spec = tmp_path / "deployed.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, tmp_path / "deployed")
    url = f"sqlite+aiosqlite:///{tmp_path / 'dev.db'}"
    app = App(python, project, env_for(url), tmp_path / "app.log", gunicorn=gunicorn)
    try:
        assert app.http.get("/readyz").json()["checks"]["database"] == "ok"
    finally:
        app.stop()
    # Before, this failed with "table note already exists".
    alembic(python, project, url, "upgrade", "head")
    assert alembic(python, project, url, "current").split() == ["0001", "(head)"]
