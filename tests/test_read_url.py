"""`database.read_url` reaches the one service model from both inputs, and the
generated settings; without it there is no replica (the e2e: test_read_replica.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from fastgen.spec.inputs import read_input

from .conftest import EXAMPLE, REPO

REPLICA = "postgresql+asyncpg://reader@replica/app"


def test_native_spec_read_url(tmp_path: Path) -> None:
    spec = yaml.safe_load(EXAMPLE.read_text())
    spec["database"]["read_url"] = REPLICA
    (tmp_path / "fastgen.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    _, service = read_input(tmp_path / "fastgen.yaml")
    assert service.database_read_url == REPLICA
    assert read_input(EXAMPLE)[1].database_read_url == ""


def test_openapi_x_fastgen_read_url(tmp_path: Path) -> None:
    source = REPO / "tests" / "specs" / "openapi" / "annotated.yaml"
    document = yaml.safe_load(source.read_text())
    document["x-fastgen"]["database"]["read_url"] = REPLICA
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    assert read_input(tmp_path / "openapi.yaml")[1].database_read_url == REPLICA
    assert read_input(source)[1].database_read_url == ""


def test_generated_settings_default_to_no_replica(bookstore: Path) -> None:
    settings = (bookstore / "src" / "bookstore" / "settings.py").read_text()
    assert "    database_read_url: str | None = None\n" in settings
