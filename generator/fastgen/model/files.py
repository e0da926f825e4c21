"""Where a project keeps its input: the file names both input kinds use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NATIVE_FILE = "fastgen.yaml"
OPENAPI_FILE = "openapi.yaml"
SPEC_FILES = (NATIVE_FILE, OPENAPI_FILE)
# The JSON Schema of fastgen.yaml inside a project (generated, so updates keep it
# current), and the modeline that points editors running the YAML language server at it.
SCHEMA_FILE = ".fastgen/fastgen.schema.json"
SCHEMA_MODELINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
_MODELINE_PREFIX = "# yaml-language-server:"


def is_openapi(data: Any) -> bool:
    """True for an OpenAPI (or Swagger) document: it has an ``openapi``/``swagger`` key."""
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data)


def spec_file_name(data: Any) -> str:
    """The name of the file a project keeps its input in."""
    return OPENAPI_FILE if is_openapi(data) else NATIVE_FILE


def project_file_text(data: Any, text: str) -> str:
    """The text of a project's input file, made from the user's ``text``.

    A fastgen.yaml starts with the schema modeline (replacing a modeline of the
    user's, whose relative path would point elsewhere from the project); the rest is
    the user's text, comments and all. Being a comment, it reads back as the same
    spec. An OpenAPI document is kept as it is: the fastgen schema does not describe
    it, and editors recognise OpenAPI by its ``openapi:`` key.
    """
    if is_openapi(data):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    first, rest = text.split(newline, 1) if newline in text else (text, "")
    if first.startswith(_MODELINE_PREFIX):
        text = rest
    return SCHEMA_MODELINE + newline + text


def project_spec(project: Path) -> Path | None:
    """The input file of a generated project, or None when it has none."""
    for name in SPEC_FILES:
        if (project / name).is_file():
            return project / name
    return None
