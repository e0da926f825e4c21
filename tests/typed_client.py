"""Drive a live generated app through a client openapi-python-client makes from it.

What an API consumer does: fetch the app's own ``/openapi.json``, generate a typed
client (``openapi-python-client generate``), and call the operations through its
``sync_detailed`` functions. ``TypedClient.call`` checks every answer as that
consumer would need it: its status is one the served document lists for the
operation (else the client returns ``parsed=None``), and ``parsed`` is the client's
model for that status, holding exactly what the server sent (no field the model
does not declare, none it dropped or read otherwise).

``documents()`` is the set this applies to: every example, and every corpus
document with a table (``x-fastgen-resource``).
"""

from __future__ import annotations

import csv
import datetime
import enum
import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_type_hints

import httpx

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
BIN = Path(sys.executable).parent


def documents() -> list[Path]:
    """Every example, then every corpus document that has a table."""
    from fastgen.spec.openapi import load_openapi

    with (CORPUS / "MANIFEST.tsv").open(newline="") as manifest:
        corpus = [
            CORPUS / row["file"] for row in csv.DictReader(manifest, delimiter="\t")
        ]
    tables = [
        path
        for path in corpus
        if any(
            "x-fastgen-resource" in schema
            for schema in load_openapi(path)[0]
            .get("components", {})
            .get("schemas", {})
            .values()
        )
    ]
    return sorted((REPO / "examples").glob("*.yaml")) + tables


class TypedClient:
    """The client openapi-python-client generates from the app at ``base``."""

    def __init__(
        self, base: str, workdir: Path, name: str, *, strict: bool = True
    ) -> None:
        self.document = httpx.get(f"{base}/openapi.json", timeout=10).json()
        spec = workdir / "openapi.json"
        spec.write_text(json.dumps(self.document))
        package = f"{name}_typed_client"
        result = subprocess.run(
            [BIN / "openapi-python-client", "generate", "--path", spec]
            + ["--output-path", workdir / package, "--meta", "none"],
            capture_output=True,
            text=True,
            check=False,
            # ruff, which formats the client, is beside this Python
            env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        # Unless ``strict``, what the client leaves out is only recorded (a corpus
        # document's binary answers); the caller must not expect it.
        self.omitted = omissions(result.stdout + result.stderr)
        if strict:
            self.check_omissions(result.stdout + result.stderr)
        sys.path.insert(0, str(workdir))
        try:
            self.package = importlib.import_module(package)
        finally:
            sys.path.remove(str(workdir))
        self.models = importlib.import_module(f"{package}.models")
        self.base = base

    def check_omissions(self, output: str) -> None:
        """What the generator left out of the client, from its warnings: only an
        NDJSON stream's success (the native ``export``: openapi-python-client reads
        JSON bodies only, so that answer has no model)."""
        for method, path in omissions(output):
            operation = self.operation(method, path)
            media = [
                list(r.get("content", {})) for r in operation["responses"].values()
            ]
            assert ["application/x-ndjson"] in media, output

    def operation(self, method: str, path: str) -> dict[str, Any]:
        """The served document's operation at ``method path`` (path as templated)."""
        return self.document["paths"][path][method]

    def function(self, method: str, path: str) -> ModuleType:
        """The client's module of that operation (its ``sync_detailed``)."""
        from openapi_python_client.strings import PythonIdentifier

        name = PythonIdentifier(self.operation(method, path)["operationId"], "")
        root = Path(self.package.__file__).parent
        (found,) = root.glob(f"api/*/{name}.py")
        tag = found.parent.name
        return importlib.import_module(f"{self.package.__name__}.api.{tag}.{name}")

    def body(self, method: str, path: str, value: Mapping[str, Any]) -> Any:
        """``value`` as the client's request body model of the operation.

        The model's ``from_dict`` checks no types, so a value of the wrong type
        reaches the server as it was written (the way to send an invalid body).
        """
        hints = get_type_hints(self.function(method, path).sync_detailed)
        model = hints["body"]
        return model.from_dict(dict(value))

    def call(
        self,
        method: str,
        path: str,
        status: int,
        /,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> Any:
        """Call ``method path`` through the client; check and return its answer.

        ``status`` is the one expected (positional: an operation may take a
        parameter called ``status``). The answer must be listed for the operation
        and parse into the client's model for it, with every field the server sent.
        """
        if json_body is not None:
            arguments["body"] = self.body(method, path, json_body)
        response = self.send(method, path, status, headers, arguments)
        where = f"{method.upper()} {path} -> {response.status_code}"
        declared = self.declared(method, path, status)
        assert declared is not None, f"{where}: status not in the served document"
        kind, schema = reading(declared) or ("none", None)
        if kind == "text":
            assert response.parsed == response.content.decode(), (
                where,
                response.parsed,
            )
            return response
        if schema is None:
            assert response.parsed is None, where
            assert not response.content, (where, response.content)
            return response
        assert response.parsed is not None, (where, "not parsed", response.content)
        self.check(where, schema, response.parsed, json.loads(response.content))
        return response

    def call_unmodelled(
        self,
        method: str,
        path: str,
        status: int,
        /,
        *,
        headers: Mapping[str, str] | None = None,
        **arguments: Any,
    ) -> Any:
        """``call`` for an answer the client has no model for: the served document
        lists no response for ``status`` (nor its range, nor ``default``), or one
        without a body it reads (openapi-python-client leaves that out). The client
        must still read it, as ``parsed=None``."""
        declared = self.declared(method, path, status)
        where = f"{method.upper()} {path} -> {status}"
        assert declared is None or reading(declared) is None, (where, declared)
        response = self.send(method, path, status, headers, arguments)
        assert response.parsed is None, (where, response.parsed)
        return response

    def send(
        self,
        method: str,
        path: str,
        status: int,
        headers: Mapping[str, str] | None,
        arguments: dict[str, Any],
    ) -> Any:
        """The client's answer to ``method path``, which must have ``status``."""
        module = self.function(method, path)
        hints = get_type_hints(module.sync_detailed)
        for name, value in arguments.items():
            arguments[name] = as_enum(hints[name], value)
        # A client per call, closed after it: the headers are this call's own.
        client = self.package.Client(
            base_url=self.base, headers=dict(headers or {}), timeout=10
        )
        try:
            with client:
                response = module.sync_detailed(client=client, **arguments)
        except Exception as error:  # what the client's user would get: a crash
            raise AssertionError(
                f"{method.upper()} {path} (expecting {status}): the client cannot "
                f"read the answer: {error!r}"
            ) from error
        where = f"{method.upper()} {path} -> {response.status_code}"
        assert response.status_code == status, (where, response.content)
        return response

    def declared(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        """The response the served document lists for ``status``: the exact one,
        else its range (``5XX``), else ``default`` (as the client matches them)."""
        responses = self.operation(method, path)["responses"]
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in responses:
                return responses[key]
        return None

    def check(self, where: str, schema: dict[str, Any], parsed: Any, sent: Any) -> None:
        """``parsed`` is the model ``schema`` names and holds what was ``sent``."""
        if "$ref" in schema:
            from openapi_python_client.strings import ClassName

            name = ClassName(schema["$ref"].rsplit("/", 1)[-1], "")
            model = getattr(self.models, name)
            assert isinstance(parsed, model), (where, name, parsed)
        if isinstance(parsed, list):
            assert isinstance(sent, list), (where, sent)
            assert len(parsed) == len(sent), (where, parsed, sent)
            items = schema.get("items", {})
            for one, that in zip(parsed, sent, strict=True):
                self.check(where, items, one, that)
            return
        assert undeclared(parsed) == [], (where, "fields the model lacks", sent)
        value = parsed.to_dict() if hasattr(parsed, "to_dict") else parsed
        assert same(value, sent), (where, value, sent)


def omissions(output: str) -> dict[tuple[str, str], str]:
    """What openapi-python-client left out, from its warnings: (method, path) of
    the operation -> the reason it gives (the line after the warning)."""
    found: dict[tuple[str, str], str] = {}
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("WARNING"):
            continue
        operation = re.match(r"WARNING parsing (\w+) (\S+) ", line)
        assert operation, output
        reason = lines[number + 1] if number + 1 < len(lines) else ""
        found[operation[1].lower(), operation[2]] = f"{line} {reason}".strip()
    return found


def reading(response: Mapping[str, Any]) -> tuple[str, Any] | None:
    """How the client reads a response's body, as openapi-python-client does (the
    first media type it knows): ``("json", schema)``, ``("text", None)`` (a
    ``str``), or None (no body it reads: ``parsed`` is None)."""
    for media, content in response.get("content", {}).items():
        if media == "application/json" or media.endswith("+json"):
            schema = content.get("schema")
            return ("json", schema) if schema is not None else None
        if media.startswith("text/"):
            return "text", None
    return None


def as_enum(hint: Any, value: Any) -> Any:
    """``value`` (or each item of it) as the enum of ``hint`` that has it, if any:
    the client takes a parameter's enum members, not their values."""
    if isinstance(value, list):
        return [as_enum(hint, item) for item in value]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value) if value in {e.value for e in hint} else value
    for member in get_args(hint):
        found = as_enum(member, value)
        if found is not value:
            return found
    return value


def undeclared(parsed: Any) -> list[str]:
    """The fields of ``parsed`` (and the models in it) its model does not declare.

    A model declaring no field is a free-form object (``ctx`` of a 422): all its
    fields are additional properties.
    """
    fields = getattr(type(parsed), "__attrs_attrs__", ())
    free_form = [f.name for f in fields] == ["additional_properties"]
    found = [] if free_form else list(getattr(parsed, "additional_properties", {}))
    for field in fields:
        value = getattr(parsed, field.name)
        for inner in value if isinstance(value, list) else [value]:
            found += undeclared(inner)
    return found


def same(value: Any, sent: Any) -> bool:
    """Whether the model's ``to_dict`` is what was sent; an instant may be written
    otherwise (``Z`` or ``+00:00``) as long as it is the same instant."""
    if isinstance(value, dict) and isinstance(sent, dict):
        return value.keys() == sent.keys() and all(
            same(value[k], sent[k]) for k in sent
        )
    if isinstance(value, list) and isinstance(sent, list):
        return len(value) == len(sent) and all(map(same, value, sent))
    if isinstance(value, str) and isinstance(sent, str) and value != sent:
        try:
            return datetime.datetime.fromisoformat(
                value
            ) == datetime.datetime.fromisoformat(sent)
        except ValueError:
            return False
    return value == sent and type(value) is type(sent)
