"""A password in a spec's database or Redis URL is a located warning: it would be
written into settings.py (so into the image), the README and the project's copy
of the spec (docs/deploying.md: no secret value is written in a generated file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.spec.inputs import read_input_file
from fastgen.spec.problems import SpecError
from fastgen.spec.url_secrets import holds_password

NATIVE = """\
fastgen: 1
service: {name: pwsvc}
database:
  url: postgresql+asyncpg://app:S3cret@db.internal:5432/app
  read_url: postgresql+asyncpg://reader@replica/app
cache:
  redis_url: redis://:R3dis@cache:6379/0
resources:
  item:
    path: /items
    fields:
      name: {type: string}
"""

OPENAPI = """\
openapi: 3.0.3
info: {title: pw api, version: 1.0.0}
x-fastgen:
  database:
    read_url: "postgresql+asyncpg://reader@replica/app?password=hunter2"
paths:
  /ping:
    get:
      operationId: ping
      responses:
        '200': {description: ok}
"""


def located(path: Path) -> list[tuple[int, int, str]]:
    return [
        (w.line, w.column, w.message.split(":")[0])
        for w in read_input_file(path).warnings
    ]


def test_a_password_in_a_native_url_is_a_located_warning(tmp_path: Path) -> None:
    path = tmp_path / "fastgen.yaml"
    path.write_text(NATIVE)
    assert located(path) == [(4, 8, "database.url"), (7, 14, "cache.redis_url")]
    (warning,) = [w for w in read_input_file(path).warnings if w.line == 4]
    assert "set DATABASE_URL where the service runs" in warning.message
    with pytest.raises(SpecError):
        read_input_file(path, strict=True)


def test_a_password_in_an_openapi_url_is_a_located_warning(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(OPENAPI)
    assert located(path) == [(5, 15, "x-fastgen.database.read_url")]


def test_urls_without_a_password_are_quiet(tmp_path: Path) -> None:
    path = tmp_path / "fastgen.yaml"
    path.write_text(NATIVE.replace(":S3cret", "").replace(":R3dis@", ""))
    assert read_input_file(path).warnings == ()


@pytest.mark.parametrize(
    ("url", "holds"),
    [
        ("postgresql+asyncpg://app:pw@host/db", True),
        ("mysql+aiomysql://app@host/db?password=pw&charset=utf8mb4", True),
        ("redis://:pw@cache:6379/0", True),
        ("postgresql+asyncpg://app@host/db", False),
        ("sqlite+aiosqlite:///./app.db", False),
        ("redis://cache:6379/0", False),
        ("postgresql://app:pw@[::1", False),  # not a URL: its own check says so
    ],
)
def test_holds_password(url: str, holds: bool) -> None:
    assert holds_password(url) is holds
