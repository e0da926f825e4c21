"""The generated project on a real PostgreSQL: its whole test suite, and its migrations.

The server is Debian's `postgresql`, started here on 127.0.0.1 with a throwaway data
directory (`.ci/run` installs the package). Without the binaries the test is skipped
with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import assert_generated_tests_pass, free_port

pytestmark = pytest.mark.e2e


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def as_postgres(*args: str | Path) -> None:
    """initdb and the server refuse to run as root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run(
        [*prefix, *map(str, args)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{args[0]}: {result.stderr}"


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL server URL (user postgres, trust auth, databases created on demand)."""
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    # Not under pytest's tmp dir: the postgres user cannot enter root's 0700 folders.
    root = Path(tempfile.mkdtemp(prefix="fastgen-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", free_port()
    as_postgres(
        binaries / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    as_postgres(
        binaries / "pg_ctl",
        "-D",
        data,
        "-o",
        options,
        "-l",
        root / "log",
        "-w",
        "start",
    )
    try:
        yield f"postgres@127.0.0.1:{port}"
    finally:
        as_postgres(binaries / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def createdb(postgres: str, name: str) -> str:
    host, port = postgres.split("@")[1].split(":")
    binaries = postgres_bin()
    assert binaries is not None
    subprocess.run(
        [binaries / "createdb", "-h", host, "-p", port, "-U", "postgres", name],
        check=True,
        capture_output=True,
    )
    return f"postgresql+asyncpg://{postgres}/{name}"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of its own (Debian package redis-server)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=1),
            ):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


def test_generated_tests_pass_on_postgresql_and_redis(
    server_bookstore: Path, postgres: str, redis_url: str
) -> None:
    """As the generated CI workflow runs them: TEST_DATABASE_URL and TEST_REDIS_URL
    naming its PostgreSQL and Redis service containers."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(
        python, server_bookstore, createdb(postgres, "tests"), redis_url=redis_url
    )


def test_datetimes_keep_their_instant_on_postgresql(
    server_bookstore: Path, server_nasty: Path, postgres: str
) -> None:
    """The bookstore has no datetime column: tests/specs/nasty.yaml's database test
    (a UTCTimestamp round trip), table tests (datetimes sent with +02:00),
    aggregates (every function, min and max of datetimes among them) and lists (a
    cursor holding a datetime)."""
    assert_generated_tests_pass(
        server_bookstore / ".venv" / "bin" / "python",
        server_nasty,
        createdb(postgres, "nasty"),
        "tests/test_database.py",
        "tests/test_a_resource_with_a_rather_long_name.py",
        "tests/test_aggregates.py",
        "tests/test_lists.py",
    )


def test_names_of_every_kind_on_postgresql(
    server_bookstore: Path, server_names: Path, postgres: str
) -> None:
    """Tables and columns named class, from, metadata, self, json... (quoted by
    SQLAlchemy, aliased in Python): the routes' tests and the migrations both ways."""
    url = createdb(postgres, "names")
    assert_generated_tests_pass(
        server_bookstore / ".venv" / "bin" / "python",
        server_names,
        url,
        "tests/test_class_.py",
        "tests/test_settings.py",
        "tests/test_endpoints_.py",
    )
    env = {**os.environ, "DATABASE_URL": createdb(postgres, "names_migrated")}
    alembic = server_bookstore / ".venv" / "bin" / "alembic"
    for step in (["upgrade", "head"], ["downgrade", "base"]):
        result = subprocess.run(
            [alembic, *step],
            cwd=server_names,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]


def test_migrations_apply_to_postgresql(server_bookstore: Path, postgres: str) -> None:
    env = {**os.environ, "DATABASE_URL": createdb(postgres, "migrated")}
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


def test_migrations_wait_for_the_lock_other_replicas_hold(
    server_bookstore: Path, postgres: str
) -> None:
    """Kubernetes runs `alembic upgrade head` in every new pod's init container, so
    several may start at once: migrations/env.py takes an advisory lock first, and
    an upgrade waits while another session holds it, then applies."""
    url = createdb(postgres, "replicas")
    host, port = postgres.split("@")[1].split(":")
    binaries = postgres_bin()
    assert binaries is not None
    holder = subprocess.Popen(
        [binaries / "psql", "-h", host, "-p", port, "-U", "postgres", "replicas"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin and holder.stdout
    holder.stdin.write(
        "SELECT pg_advisory_lock(hashtext('bookstore migrations'));\nSELECT 'held';\n"
    )
    holder.stdin.flush()
    while "held" not in holder.stdout.readline():
        pass
    upgrade = subprocess.Popen(
        [".venv/bin/alembic", "upgrade", "head"],
        cwd=server_bookstore,
        env={**os.environ, "DATABASE_URL": url},
        stderr=subprocess.PIPE,
        text=True,
    )
    with pytest.raises(subprocess.TimeoutExpired):
        upgrade.wait(timeout=5)  # waiting for the lock, not migrating
    holder.communicate("\\q\n", timeout=10)  # the session ends: the lock is free
    _, stderr = upgrade.communicate(timeout=60)
    assert upgrade.returncode == 0, stderr


PLAN = """
import asyncio, json, os, sys

import httpx
from sqlalchemy import event, text

from bookstore.hooks.settings import Settings
from bookstore.main import create_app
from bookstore.models import Author, Base, Book


async def main():
    app = create_app(Settings(database_url=sys.argv[1], create_schema=False))
    async with app.router.lifespan_context(app):
        engine = app.state.engine
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with app.state.session_factory() as session:
            session.add_all(Author(id=n, name=f"author {n}") for n in range(1, 21))
            await session.flush()
            session.add_all(
                Book(title=f"title {n}", isbn=f"isbn-{n}", price=n, author_id=n % 20 + 1)
                for n in range(2000)
            )
            await session.commit()
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
        seen = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2:4]))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get("/books", params={"author_id": 3, "sort": "-title"})
        assert page.status_code == 200, page.text
        statement, parameters = seen[0]
        async with engine.connect() as connection:
            # Whether an index can serve it, whatever the planner prefers for 2,000 rows.
            await connection.execute(text("SET enable_seqscan = off"))
            plan = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            print(json.dumps([row[0] for row in plan]))


asyncio.run(main())
"""


BILLING_PLAN = """
import asyncio, datetime as dt, json, sys

import httpx
from sqlalchemy import event, text

from billing.hooks.settings import Settings
from billing.main import create_app
from billing.models import Base, Documents


async def main():
    app = create_app(Settings(database_url=sys.argv[1], create_schema=False))
    async with app.router.lifespan_context(app):
        engine = app.state.engine
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with app.state.session_factory() as session:
            day = dt.date(2024, 1, 1)
            session.add_all(
                Documents(
                    partner_id=n % 20 + 1,
                    type="invoice",
                    fulfillment_date=day,
                    due_date=day + dt.timedelta(days=n),
                    payment_method="cash",
                    language="en",
                    currency="EUR",
                )
                for n in range(2000)
            )
            await session.commit()
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
        seen = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2:4]))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            params = {"partner_id": 3, "sort": "-due_date"}
            page = await client.get("/documents", params=params)
        assert page.status_code == 200, page.text
        statement, parameters = seen[0]
        async with engine.connect() as connection:
            await connection.execute(text("SET enable_seqscan = off"))
            plan = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            print(json.dumps([row[0] for row in plan]))


asyncio.run(main())
"""


def _plan(python: Path, project: Path, script: str, url: str, tmp_path: Path) -> str:
    """PostgreSQL's plan (EXPLAIN's lines) of the first statement ``script`` runs."""
    path = tmp_path / "plan.py"
    path.write_text(script)
    done = subprocess.run(
        [python, path, url],
        check=False,
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert done.returncode == 0, done.stderr
    return "\n".join(json.loads(done.stdout))


def test_a_filtered_sorted_page_is_served_by_an_index(
    server_bookstore: Path, postgres: str, tmp_path: Path
) -> None:
    """PostgreSQL's plan for ``GET /books?author_id=3&sort=-title``: the filter
    reads the index fastgen created for the ref, not every row."""
    python = server_bookstore / ".venv" / "bin" / "python"
    url = createdb(postgres, "plan")
    plan = _plan(python, server_bookstore, PLAN, url, tmp_path)
    assert "ix_book_author_id" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_openapi_lists_on_postgresql(
    server_bookstore: Path, server_billing: Path, postgres: str, tmp_path: Path
) -> None:
    """examples/billing.yaml's GET /documents (x-fastgen-resource list): its generated
    list tests (filters, sort, cursors, counts, expand) pass on PostgreSQL, and
    ``?partner_id=3&sort=-due_date`` reads the index its filter implies."""
    python = server_bookstore / ".venv" / "bin" / "python"
    url = createdb(postgres, "billing")
    assert_generated_tests_pass(python, server_billing, url, "tests/test_lists.py")
    url = createdb(postgres, "billing_plan")
    plan = _plan(python, server_billing, BILLING_PLAN, url, tmp_path)
    assert "ix_documents_partner_id" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_string_formats_on_postgresql(
    server_bookstore: Path, server_formats: Path, postgres: str
) -> None:
    """tests/specs/openapi/formats.yaml: a URL, an IP address, a time, a duration
    stored as the API answers them, and read, updated and filtered by (the
    project's whole suite with formats_probe.py)."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_formats, createdb(postgres, "formats"))
