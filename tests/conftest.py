"""Shared helpers for fastgen's own tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "bookstore.yaml"
NASTY = REPO / "tests" / "specs" / "nasty.yaml"
NAMES = REPO / "tests" / "specs" / "names.yaml"
BILLING = REPO / "examples" / "billing.yaml"
FORMATS = REPO / "tests" / "specs" / "openapi" / "formats.yaml"


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """``FASTGEN_LOAD_TESTS=skip`` leaves out the load tests (``-m load``: wrk, and
    timings under SIGTERM), ``only`` runs just them: scripts/test.sh runs them on
    their own after the rest, which runs on two workers, where a neighbour's test
    would starve them of CPU."""
    heavy_first(items)
    mode = os.environ.get("FASTGEN_LOAD_TESTS")
    if mode not in ("skip", "only"):
        return
    wanted = mode == "only"
    kept = [i for i in items if (i.get_closest_marker("load") is not None) == wanted]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


def heavy_first(items: list[pytest.Item]) -> None:
    """Files with an e2e test (minutes each: installs, servers) go first, the rest
    keep their order: xdist (``--dist loadfile --no-loadscope-reorder``) then hands
    out the long files while short ones remain to even out the two workers' ends."""
    heavy = {i.path for i in items if i.get_closest_marker("e2e") is not None}
    items.sort(key=lambda item: item.path not in heavy)


def hand_written_stats_example(directory: Path) -> Path:
    """The example with ``author_stats`` hand-written (a hook), as before
    aggregates: a body a test can hold mid-request."""
    spec = yaml.safe_load(EXAMPLE.read_text())
    spec["endpoints"]["author_stats"] = {
        "method": "GET",
        "path": "/authors/{author_id}/stats",
        "response": {"book_count": "integer", "average_price": "decimal"},
        "cache": {
            "ttl": 120,
            "invalidated_by": ["book.create", "book.update", "book.delete"],
        },
    }
    path = directory / "bookstore.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def run_fastgen(
    *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "fastgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def bookstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bookstore example, generated once per test session."""
    from fastgen.api import new_project

    return new_project(EXAMPLE, tmp_path_factory.mktemp("gen") / "bookstore")


@pytest.fixture(scope="session")
def server_bookstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bookstore installed with its MySQL extra, for the database-server tests.

    One venv for the PostgreSQL and MariaDB runs: the install is the slow part.
    """
    from fastgen.api import new_project

    project = new_project(EXAMPLE, tmp_path_factory.mktemp("dbproj") / "bookstore")
    pip_install(new_venv(project / ".venv"), "-e", f"{project}[dev,mysql]")
    return project


@pytest.fixture(scope="session")
def server_nasty(
    server_bookstore: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """tests/specs/nasty.yaml (every field type, datetimes with offsets) installed
    beside the bookstore: same dependencies, so it costs no venv of its own."""
    return beside_bookstore(NASTY, server_bookstore, tmp_path_factory)


@pytest.fixture(scope="session")
def server_names(
    server_bookstore: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """tests/specs/names.yaml (tables and columns named class, from, metadata, self...)
    installed beside the bookstore, for the database-server tests."""
    return beside_bookstore(NAMES, server_bookstore, tmp_path_factory)


@pytest.fixture(scope="session")
def server_billing(
    server_bookstore: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """examples/billing.yaml (an OpenAPI input whose documents list takes filters,
    sort, cursors, counts and expand) installed beside the bookstore."""
    return beside_bookstore(BILLING, server_bookstore, tmp_path_factory)


@pytest.fixture(scope="session")
def server_formats(
    server_bookstore: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """tests/specs/openapi/formats.yaml (a table with a column of each string format
    pydantic reads into an object: URLs, IP addresses, times, durations, base64, a
    secret) beside the bookstore, with formats_probe.py among its tests, and the
    dependency the bookstore lacks (email-validator, for ``format: email``)."""
    project = beside_bookstore(FORMATS, server_bookstore, tmp_path_factory)
    pip_install(server_bookstore / ".venv" / "bin" / "python", "-e", str(project))
    probe = FORMATS.with_name("formats_probe.py")
    shutil.copy(probe, project / "tests" / "test_formats_probe.py")
    return project


def beside_bookstore(
    spec: Path, server_bookstore: Path, factory: pytest.TempPathFactory
) -> Path:
    """``spec``'s project, installed without dependencies in the bookstore's venv."""
    from fastgen.api import new_project

    project = new_project(spec, factory.mktemp("dbproj") / spec.stem)
    python = server_bookstore / ".venv" / "bin" / "python"
    pip_install(python, "--no-deps", "-e", str(project))
    return project


def git(project: Path, *args: str) -> str:
    """Run git in ``project`` with a throwaway identity; its output."""
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def fake_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes]
) -> str:
    """Ship ``files`` as the template of an earlier release, 0.0.1, and return it.

    The template repository is rebuilt under a private HOME, so the real cache of
    this machine is left alone.
    """
    from fastgen.render import template_repo

    history = tmp_path / "history"
    history.mkdir()
    template_repo.write_snapshot(files, history / "0.0.1.tar.gz")
    monkeypatch.setattr(template_repo, "HISTORY", history)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return "0.0.1"


def new_venv(path: Path) -> Path:
    """A virtualenv at ``path`` for a generated project; its python.

    uv (a test extra) makes and fills the venvs of this suite: it installs the
    bookstore with its dev extra in ~6 s where pip takes ~30 s, for a dozen venvs a
    run. It compiles the bytecode as pip does: without it, each process (a suite,
    a server, an alembic command) compiles its imports again wherever
    PYTHONDONTWRITEBYTECODE is set (~7 s more to import a generated app). pip, the
    way the README installs a project, still installs the one of tests/test_e2e.py
    (and fastgen's wheel in tests/test_update.py)."""
    subprocess.run(
        [uv_bin(), "venv", "-q", "--python", sys.executable, path],
        check=True,
        capture_output=True,
    )
    return path / "bin" / "python"


def pip_install(python: Path, *args: str, cwd: Path | None = None) -> None:
    """``pip install -q *args`` into ``python``'s venv (by uv: see new_venv)."""
    result = subprocess.run(
        [uv_bin(), "pip", "install", "-q", "--compile-bytecode", "--python", python]
        + list(args),
        cwd=cwd,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def uv_bin() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_generated_tests_pass(
    python: Path,
    project: Path,
    database_url: str | None = None,
    *paths: str,
    redis_url: str | None = None,
    verbose: bool = False,
) -> str:
    """Run a generated project's own suite (or ``paths`` of it) on ``database_url``
    (None: a SQLite file per test), and a real Redis at ``redis_url``, where given;
    return pytest's output (one line per test with ``verbose``)."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    if database_url is not None:
        env["TEST_DATABASE_URL"] = database_url
    if redis_url:
        env["TEST_REDIS_URL"] = redis_url
    result = subprocess.run(
        [python, "-m", "pytest", "-v" if verbose else "-q", "-p", "no:cacheprovider"]
        + list(paths),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    return result.stdout


def ruff(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ruff installed beside this Python (no reliance on PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def local_nginx_config(
    project: Path, upstream: str, listen: str = "80", resolver: str = "127.0.0.11"
) -> str:
    """The project's nginx.conf, run here: the compose host name `app:8000` resolves
    only inside compose, so it becomes `upstream` (a name `resolver` answers for, or
    an address); `listen` replaces port 80. The rest is the file as shipped."""
    text = (project / "nginx" / "nginx.conf").read_text()
    assert text.count("set $app app:8000;") == 1, "the upstream line changed"
    assert text.count("resolver 127.0.0.11 ") == 1, "the resolver line changed"
    assert text.count("listen 80;") == 1, "the listen line changed"
    return (
        text.replace("set $app app:8000;", f"set $app {upstream};")
        .replace("resolver 127.0.0.11 ", f"resolver {resolver} ")
        .replace("listen 80;", f"listen {listen};")
    )


def migrate_and_run(python: Path, project: Path, database: Path, *script: str) -> Any:
    """Upgrade ``project``'s SQLite ``database`` to head, then run ``python -c
    *script`` in it (a script printing JSON, then its arguments): what it printed."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
    for command in (["-m", "alembic", "upgrade", "head"], ["-c", *script]):
        result = subprocess.run(
            [python, *command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def install_project(venv: Path, project: Path) -> None:
    """Install a generated project (editable, with its dev extra) into ``venv``;
    what the shared venv already holds is not fetched again."""
    pip_install(venv / "bin" / "python", "-e", f"{project}[dev]")


def link_shared_venv(venv: Path, project: Path) -> None:
    """Install ``project`` into the shared ``venv`` and link that as its ``.venv``:
    the commands a user runs there (``.venv/bin/...``) work as in a venv of its
    own, and its dependencies are still checked, without a full install (~1 min)."""
    install_project(venv, project)
    (project / ".venv").symlink_to(venv, target_is_directory=True)


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory, bookstore: Path) -> Path:
    """One venv for the generated projects fuzzed or run here, made once.

    The bookstore brings the dependencies every generated project shares; each
    project is then installed into it by ``install_project`` at little cost.
    """
    venv = tmp_path_factory.mktemp("shared") / "venv"
    new_venv(venv)
    install_project(venv, bookstore)
    return venv
