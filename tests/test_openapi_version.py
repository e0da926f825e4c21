"""Which documents fastgen reads as OpenAPI, and what it says about the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.spec.openapi import load_openapi
from fastgen.spec.problems import SpecError


def first_problem(tmp_path: Path, text: str) -> str:
    path = tmp_path / "api.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_openapi(path)
    return str(caught.value.problems[0]).removeprefix(f"{path}:")


@pytest.mark.parametrize("version", ["3.0.0", "3.0.3", "3.1.0", "3.1.1"])
def test_openapi_3_0_and_3_1_are_read(tmp_path: Path, version: str) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        f"openapi: {version}\ninfo: {{title: t, version: '1'}}\npaths: {{}}\n"
    )
    document, _ = load_openapi(path)
    assert document["openapi"] == version


def test_swagger_2_is_rejected_with_how_to_convert(tmp_path: Path) -> None:
    message = first_problem(tmp_path, "info: {title: t}\nswagger: '2.0'\npaths: {}\n")
    assert message == (
        "2:1: #/swagger: Swagger 2.0 documents are not supported; convert it to "
        f"OpenAPI 3 first, e.g. with `npx swagger2openapi {tmp_path}/api.yaml -o "
        "openapi.yaml`, or open it in https://editor.swagger.io and choose Edit > "
        "Convert to OpenAPI 3"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "openapi: 3.2.0\n",
            "1:10: #/openapi: openapi: '3.2.0' is not supported; fastgen reads OpenAPI "
            "3.0.x and 3.1.x",
            id="3.2",
        ),
        pytest.param(
            "openapi: 3.0\n",
            '1:10: #/openapi: openapi: 3.0 must be a string such as "3.0.3"; quote '
            "it, YAML reads an unquoted 3.0 as a number",
            id="number",
        ),
        pytest.param(
            "info: {title: t}\n",
            "1:1: #: missing 'openapi'; expected openapi: 3.0.x or 3.1.x",
            id="missing",
        ),
        pytest.param(
            "fastgen: 1\n",
            "1:1: #: missing 'openapi'; expected openapi: 3.0.x or 3.1.x (a native "
            "fastgen spec starts with 'fastgen: 1')",
            id="native",
        ),
        pytest.param(
            "- a\n", "1:1: #: an OpenAPI document must be a mapping of keys", id="list"
        ),
    ],
)
def test_other_documents_are_rejected_where_it_shows(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert first_problem(tmp_path, text) == expected
