"""The generated CI workflow runs the project's tests twice: on SQLite, and on the
PostgreSQL and Redis of production as service containers (tests/test_postgres.py runs
the suite the same way against Debian's servers)."""

from __future__ import annotations

from pathlib import Path

import yaml


def test_ci_runs_the_tests_on_postgresql_and_redis_services(bookstore: Path) -> None:
    workflow = yaml.safe_load((bookstore / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    compose = yaml.safe_load((bookstore / "docker-compose.yml").read_text())
    postgres, redis = job["services"]["postgres"], job["services"]["redis"]
    # The images production runs (docker-compose.yml), each waited for until healthy.
    assert postgres["image"] == compose["services"]["postgres"]["image"]
    assert redis["image"] == compose["services"]["redis"]["image"]
    assert "--health-cmd" in postgres["options"] and "--health-cmd" in redis["options"]
    runs = [step for step in job["steps"] if step.get("run") == "pytest"]
    assert [step.get("env", {}) for step in runs] == [
        {},
        {
            "TEST_DATABASE_URL": "postgresql+asyncpg://app:app@localhost:5432/app",
            "TEST_REDIS_URL": "redis://localhost:6379/0",
        },
    ]
    env = postgres["env"]
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DB"]) == (
        "app",
        "app",
        "app",
    )
    assert postgres["ports"] == ["5432:5432"] and redis["ports"] == ["6379:6379"]
    # The names the generated tests read.
    conftest = (bookstore / "tests" / "conftest.py").read_text()
    assert 'os.environ.get("TEST_DATABASE_URL")' in conftest
    assert 'os.environ.get("TEST_REDIS_URL"' in conftest
