"""String formats pydantic reads into objects (``format: uri`` is an ``AnyUrl``,
``ipv4`` an ``IPv4Address``, ``time``, ``duration``, ``byte``, ``password``) in an
OpenAPI table: each column stores what the API answers, on SQLite here (PostgreSQL
and MariaDB in their own modules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import assert_generated_tests_pass

pytestmark = pytest.mark.e2e


def test_string_formats_on_sqlite(server_bookstore: Path, server_formats: Path) -> None:
    """The project's whole suite, its generated list tests of every such column
    and formats_probe.py's writes, reads, updates and filters over HTTP."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_formats)
