"""The generated project on a real MariaDB: its whole test suite, and its migrations.

The server is Debian's `mariadb-server`, started here on 127.0.0.1 with a throwaway
data directory (`.ci/run` installs the package); the project reaches it through its
`mysql` extra (aiomysql) with the same code that runs on SQLite and PostgreSQL.
Without the binaries the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import assert_generated_tests_pass, free_port

pytestmark = pytest.mark.e2e

MARIADBD = Path("/usr/sbin/mariadbd")
INSTALL_DB = Path("/usr/bin/mariadb-install-db")
CLIENT = Path("/usr/bin/mariadb")


@pytest.fixture(scope="module")
def mariadb() -> Iterator[str]:
    """A MariaDB server address (user root, no password, databases created on demand)."""
    if not (MARIADBD.exists() and INSTALL_DB.exists()):
        pytest.skip("MariaDB is not installed (Debian package mariadb-server)")
    # Not under pytest's tmp dir: the mysql user cannot enter root's 0700 folders.
    root = Path(tempfile.mkdtemp(prefix="fastgen-mariadb-"))
    user = "mysql" if os.geteuid() == 0 else os.environ.get("USER", "")
    if os.geteuid() == 0:
        shutil.chown(root, "mysql")
    data, port, socket = root / "data", free_port(), root / "sock"
    result = subprocess.run(
        [INSTALL_DB, f"--user={user}", f"--datadir={data}", "--skip-test-db"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    server = subprocess.Popen(
        [
            MARIADBD,
            "--no-defaults",
            f"--user={user}",
            f"--datadir={data}",
            f"--socket={socket}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={root / 'pid'}",
            # Throwaway data: no grant checks, no durability.
            "--skip-grant-tables",
            "--innodb-flush-log-at-trx-commit=0",
            "--skip-log-bin",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while mysql(socket, "SELECT 1").returncode != 0:
            assert server.poll() is None, server.stderr and server.stderr.read()
            assert time.monotonic() < deadline, "MariaDB did not start within 60 s"
            time.sleep(0.2)
        yield f"root@127.0.0.1:{port}|{socket}"
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def mysql(socket: Path, statement: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLIENT, f"--socket={socket}", "-uroot", "-e", statement],
        capture_output=True,
        text=True,
        check=False,
    )


def createdb(mariadb: str, name: str) -> str:
    address, socket = mariadb.split("|")
    result = mysql(Path(socket), f"CREATE DATABASE {name}")
    assert result.returncode == 0, result.stderr
    return f"mysql+aiomysql://{address}/{name}"


def test_generated_tests_pass_on_mariadb(server_bookstore: Path, mariadb: str) -> None:
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_bookstore, createdb(mariadb, "tests"))


def test_openapi_lists_on_mariadb(
    server_bookstore: Path, server_billing: Path, mariadb: str
) -> None:
    """examples/billing.yaml's GET /documents (x-fastgen-resource list): filters,
    sort, cursors, counts and expand over HTTP on MariaDB."""
    python = server_bookstore / ".venv" / "bin" / "python"
    url = createdb(mariadb, "billing")
    assert_generated_tests_pass(python, server_billing, url, "tests/test_lists.py")


def test_every_field_type_on_mariadb(
    server_bookstore: Path, server_nasty: Path, mariadb: str
) -> None:
    """tests/specs/nasty.yaml: enum, JSON, UUID, decimal and boolean defaults,
    datetimes with offsets, long names: its whole generated suite."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_nasty, createdb(mariadb, "nasty"))


def test_names_of_every_kind_on_mariadb(
    server_bookstore: Path, server_names: Path, mariadb: str
) -> None:
    """tests/specs/names.yaml: tables and columns named class, from, match, metadata
    (reserved words in MariaDB too, quoted by SQLAlchemy): its whole generated suite."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_names, createdb(mariadb, "names"))


def test_migrations_apply_to_mariadb(server_bookstore: Path, mariadb: str) -> None:
    env = {**os.environ, "DATABASE_URL": createdb(mariadb, "migrated")}
    for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        result = subprocess.run(
            [".venv/bin/alembic", *step],
            cwd=server_bookstore,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_string_formats_on_mariadb(
    server_bookstore: Path, server_formats: Path, mariadb: str
) -> None:
    """tests/specs/openapi/formats.yaml: a URL, an IP address, a time, a duration
    stored as the API answers them, and read, updated and filtered by (the
    project's whole suite with formats_probe.py)."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_formats, createdb(mariadb, "formats"))
