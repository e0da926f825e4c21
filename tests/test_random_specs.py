"""Random valid native specs generate ruff-clean projects that pass their own tests.

Names are drawn to collide: with hard and soft keywords, builtins, the attributes of
SQLAlchemy's declarative base and pydantic's BaseModel, FastAPI's argument names, the
generated project's own modules, classes and locals, and with each other. Each wire
name must survive exactly (columns, JSON keys, the served /openapi.json).

CI runs a few examples with a fixed seed; ``FASTGEN_RANDOM_SPECS=200`` runs more
(generate + ruff), ``FASTGEN_RANDOM_SPECS_E2E=20`` more installed ones.
"""

from __future__ import annotations

import json
import keyword
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st

from fastgen.api import new_project
from fastgen.spec.loader import Positions
from fastgen.spec.native.listing import LIST_PARAMETERS
from fastgen.spec.native.validate import validate_data

from .conftest import REPO, install_project, ruff

# Every name below, in one spec (and its refs): always one of the examples.
NAMES_SPEC = yaml.safe_load((REPO / "tests" / "specs" / "names.yaml").read_text())
# Subsets of the operations and other shapes whose code once had unused names.
SUBSETS_SPEC = yaml.safe_load((REPO / "tests" / "specs" / "subsets.yaml").read_text())

NAMES = (
    # hard and soft keywords
    *("class", "from", "import", "def", "return", "lambda", "global", "pass"),
    *("match", "case", "type"),
    # builtins
    *("str", "int", "float", "bool", "list", "dict", "id", "format", "filter"),
    *("input", "hash", "object", "len", "min", "max"),
    # SQLAlchemy, pydantic, FastAPI
    *("metadata", "registry", "mapped_column", "query", "session", "json"),
    *("copy", "schema", "validate", "model_config", "model_dump", "construct"),
    *("fields", "self", "cls", "request", "response", "body", "path", "header"),
    # the generated project's modules, classes and locals
    *("cache", "settings", "models", "main", "db", "deps", "health", "metrics"),
    *("hooks", "endpoints", "jobs", "common", "database", "api_router", "router"),
    *("payload", "row", "rows", "n", "app", "client", "name", "value", "limit"),
    *("offset", "page", "base", "string", "text", "date", "uuid", "decimal"),
    *("resource", "cache_layer", "dt", "numbers", "add"),
    # each other's aliases
    *("class_", "metadata_", "from_", "str_", "self_", "import_", "page_resource"),
)
SCALARS = (
    *("string", "text", "integer", "float", "decimal", "boolean", "date"),
    *("datetime", "uuid", "json"),
)
TYPES = (*SCALARS, "enum")
KEY_TYPES = ("integer", "string", "uuid")
INDEXABLE = ("string", "integer", "uuid", "date")
DEFAULTS: dict[str, Any] = {
    "string": "x",
    "text": "some text",
    "integer": 7,
    "float": 1.5,
    "decimal": "2.50",
    "boolean": True,
    "json": {"a": [1, 2]},
}
OPERATIONS = (
    ["list", "get", "create", "update", "delete"],
    ["list", "get", "create", "update", "delete", "export"],
    ["list", "create"],
    ["get", "create", "delete"],
)


@st.composite
def fields(draw: st.DrawFn, earlier: list[str], own: str) -> dict[str, Any]:
    """The fields of one resource; refs point at earlier resources (or, optional, itself)."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    if draw(st.booleans()):  # a natural primary key: the first field
        key_type = draw(st.sampled_from(KEY_TYPES))
    else:
        names = [n for n in names if n != "id"] or ["value"]
        key_type = None
    result: dict[str, Any] = {}
    for i, name in enumerate(names):
        field: dict[str, Any]
        if key_type is not None and i == 0:
            field = {"type": key_type, "primary_key": True}
            if key_type == "string":
                field["max_length"] = 40
            result[name] = field
            continue
        targets = [*earlier, own]
        kind = draw(st.sampled_from((*TYPES, "ref") if targets else TYPES))
        field = {"type": kind}
        if kind == "ref":
            target = draw(st.sampled_from(targets))
            field["to"] = target
            if target == own:
                field["required"] = False
        elif kind == "enum":
            field["values"] = draw(
                st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)
            )
        if kind == "string" and draw(st.booleans()):
            field["max_length"] = draw(st.sampled_from((30, 200)))
        unique = kind in INDEXABLE and draw(st.booleans())
        if unique:
            field[draw(st.sampled_from(("unique", "index")))] = True
        elif kind != "ref" and draw(st.booleans()):
            field["required"] = False
        if not unique and draw(st.booleans()):
            if kind == "enum":
                field["default"] = field["values"][-1]
            elif kind in DEFAULTS:
                field["default"] = DEFAULTS[kind]
        result[name] = field
    return result


def columns(resource: dict[str, Any]) -> dict[str, Any]:
    """A drawn resource's fields, with the implicit ``id`` key when it has no other."""
    fields = resource["fields"]
    if any(f.get("primary_key") for f in fields.values()):
        return fields
    return {"id": {"type": "integer", "primary_key": True}, **fields}


@st.composite
def list_spec(draw: st.DrawFn, cols: dict[str, Any]) -> dict[str, Any]:
    """A ``list:`` naming fields the list can filter, sort and match by (a name a
    list's own parameter takes, ``limit``, is not drawn as a filter)."""
    result: dict[str, Any] = {}
    comparable = [n for n, f in cols.items() if f["type"] != "json"]
    filterable = [n for n in comparable if n not in LIST_PARAMETERS]
    if draw(st.booleans()):
        result["filter"] = (
            draw(st.lists(st.sampled_from(filterable), max_size=4, unique=True))
            if filterable
            else []
        )
    sortable = [
        n for n in comparable if cols[n].get("required", True) or "default" in cols[n]
    ]
    if sortable and draw(st.booleans()):
        result["sort"] = draw(
            st.lists(st.sampled_from(sortable), max_size=3, unique=True)
        )
    strings = [
        n
        for n, f in cols.items()
        if f["type"] in ("string", "text") and n not in LIST_PARAMETERS
    ]
    if strings and draw(st.booleans()):
        matched = draw(
            st.lists(st.sampled_from(strings), min_size=1, max_size=2, unique=True)
        )
        result["match"] = {
            n: draw(st.sampled_from(("prefix", "contains"))) for n in matched
        }
    return result


@st.composite
def cache_policy(draw: st.DrawFn, *, warm: bool) -> dict[str, Any]:
    """A read's cache policy: strategies, backends, private entries, varying headers."""
    policy: dict[str, Any] = {"ttl": draw(st.sampled_from((0, 60, 31_536_000)))}
    strategy = draw(st.sampled_from(("ttl", "stale-while-revalidate", "none")))
    if strategy != "ttl":
        policy["strategy"] = strategy
    if strategy == "stale-while-revalidate" and draw(st.booleans()):
        policy["stale_ttl"] = draw(st.sampled_from((0, 30)))
    if draw(st.booleans()):
        policy["backend"] = draw(st.sampled_from(("memory", "redis", "tiered")))
    if draw(st.booleans()):
        policy["scope"] = "private"
    elif warm and draw(st.booleans()):
        policy["warm"] = True
    if draw(st.booleans()):
        headers = ("Accept-Language", "X-Tenant", "x-1")
        policy["vary"] = draw(
            st.lists(st.sampled_from(headers), max_size=2, unique=True)
        )
    return policy


@st.composite
def resource_spec(
    draw: st.DrawFn, i: int, name: str, earlier: list[str]
) -> dict[str, Any]:
    ops = draw(st.sampled_from(OPERATIONS))
    resource: dict[str, Any] = {
        "path": f"/r{i}",
        "fields": draw(fields(earlier, name)),
        "operations": list(ops),
    }
    if draw(st.booleans()):
        resource["extra_fields"] = "ignore"
    if "list" in ops and draw(st.booleans()):
        resource["list"] = draw(list_spec(columns(resource)))
    cache = {
        op: draw(cache_policy(warm=op == "list"))
        for op in ("list", "get")
        if op in ops and draw(st.booleans())
    }
    if cache:
        resource["cache"] = cache
    return resource


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid native spec whose resources, fields and endpoints have colliding
    names, with lists, cache policies, aggregates and hand-written endpoints."""
    resource_names = draw(
        st.lists(
            st.sampled_from([n for n in NAMES if n != "id"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    resources: dict[str, Any] = {}
    for i, rname in enumerate(resource_names):
        resources[rname] = draw(resource_spec(i, rname, list(resources)))
    spec: dict[str, Any] = {"fastgen": 1, "service": {"name": "randsvc"}}
    if draw(st.booleans()):
        spec["cache"] = {
            "backend": draw(st.sampled_from(("memory", "redis", "tiered")))
        }
    spec["resources"] = resources
    endpoints = draw(endpoint_specs(resources))
    if endpoints:
        spec["endpoints"] = endpoints
    return spec


# What an aggregate's where can compare a path parameter with, and what each of its
# functions takes (count: any column).
WHERE_TYPES = ("ref", "integer", "string", "uuid", "date", "enum")
AGGREGATE_TYPES = {
    "sum": ("integer", "float", "decimal"),
    "avg": ("integer", "float", "decimal"),
    "min": ("integer", "float", "decimal", "string", "date", "datetime", "enum"),
    "max": ("integer", "float", "decimal", "string", "date", "datetime", "enum"),
}
# Path parameters the generated code takes for itself (checks/endpoints.py).
RESERVED_PARAMS = ("session", "background", "cache", "queue", "response", "job")


@st.composite
def aggregate_endpoint(
    draw: st.DrawFn, i: int, resources: dict[str, Any]
) -> dict[str, Any]:
    """A GET computing ``fields`` over a resource's rows, where columns equal path
    parameters (named like the column, or not)."""
    rname = draw(st.sampled_from(sorted(resources)))
    cols = columns(resources[rname])
    wherable = [n for n, f in cols.items() if f["type"] in WHERE_TYPES]
    where: dict[str, str] = {}
    for column in (
        draw(st.lists(st.sampled_from(wherable), max_size=2, unique=True))
        if wherable
        else []
    ):
        param = draw(st.sampled_from((column, f"{column}_key", "value")))
        if param not in where.values() and param not in RESERVED_PARAMS:
            where[column] = param
    taken = {"query", *where.values()}
    taken |= {f"{where[c]}_found" for c in where if cols[c]["type"] == "ref"}
    names = draw(
        st.lists(
            st.sampled_from([n for n in NAMES if n not in taken]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    computed: dict[str, Any] = {}
    for name in names:
        function = draw(st.sampled_from(("count", *AGGREGATE_TYPES)))
        takes = [
            c
            for c, f in cols.items()
            if f["type"] in AGGREGATE_TYPES.get(function, (f["type"],))
        ]
        computed[name] = (
            {function: draw(st.sampled_from(takes))}
            if takes and draw(st.booleans())
            else "count"
        )
    path = f"/e{i}" + "".join(f"/{{{p}}}" for p in where.values())
    aggregate = {"from": rname, "where": where, "fields": computed}
    endpoint: dict[str, Any] = {"method": "GET", "path": path, "aggregate": aggregate}
    if draw(st.booleans()):
        endpoint["cache"] = draw(cache_policy(warm=not where))
    return endpoint


@st.composite
def custom_endpoint(draw: st.DrawFn, i: int) -> dict[str, Any]:
    """A hand-written route: typed path parameters, a response, in the background."""
    method = draw(st.sampled_from(("GET", "POST", "PUT", "PATCH", "DELETE")))
    params = draw(
        st.lists(
            st.sampled_from(("item_id", "slug", "value", "name")),
            max_size=2,
            unique=True,
        )
    )
    endpoint: dict[str, Any] = {
        "method": method,
        "path": f"/c{i}" + "".join(f"/{{{p}}}" for p in params),
    }
    typed = {p: draw(st.sampled_from(SCALARS)) for p in params if draw(st.booleans())}
    if typed:
        endpoint["params"] = typed
    if method != "GET" and draw(st.booleans()):
        endpoint["background"] = True
    elif draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
        endpoint["response"] = {n: draw(st.sampled_from(SCALARS)) for n in names}
    if method == "GET" and draw(st.booleans()):
        endpoint["cache"] = draw(cache_policy(warm=not params))
    return endpoint


@st.composite
def endpoint_specs(draw: st.DrawFn, resources: dict[str, Any]) -> dict[str, Any]:
    """Aggregates and hand-written routes, named from NAMES (not a hard keyword, a
    resource or a name of the generated router); a cached one is invalidated by
    some of the spec's writes."""
    taken = {*resources, "router", "enqueue", "dt", "uuid"}
    names = [n for n in NAMES if n not in taken and not keyword.iskeyword(n)]
    endpoints: dict[str, Any] = {}
    for i, name in enumerate(
        draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
    ):
        kind = (
            aggregate_endpoint(i, resources)
            if draw(st.booleans())
            else custom_endpoint(i)
        )
        endpoints[name] = draw(kind)
    writes = [
        f"{r}.{op}"
        for r, resource in resources.items()
        for op in ("create", "update", "delete")
        if op in resource["operations"]
    ]
    writes += [n for n, e in endpoints.items() if e["method"] != "GET"]
    for endpoint in endpoints.values():
        if "cache" in endpoint and writes and draw(st.booleans()):
            invalidators = st.lists(
                st.sampled_from(writes), min_size=1, max_size=2, unique=True
            )
            endpoint["cache"]["invalidated_by"] = draw(invalidators)
    return endpoints


def generate(spec: dict[str, Any], where: Path) -> Path:
    """Validate ``spec`` (it must be valid), write it and generate its project."""
    text = yaml.safe_dump(spec, sort_keys=False)
    note(text)
    validate_data(spec, Positions("spec.yaml"))
    path = where / "fastgen.yaml"
    path.write_text(text, encoding="utf-8")
    return new_project(path, where / "project")


def assert_ruff_clean(project: Path) -> None:
    check = ruff("check", "--no-cache", ".", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = ruff("format", "--no-cache", "--check", ".", cwd=project)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def _examples(variable: str, default: int) -> int:
    return int(os.environ.get(variable, default))


def _found(
    resources: dict[str, Any], endpoints: dict[str, Any] | None = None
) -> dict[str, Any]:
    spec = {"fastgen": 1, "service": {"name": "randsvc"}, "resources": resources}
    return {**spec, "endpoints": endpoints} if endpoints else spec


# Specs the strategy found whose code ruff rejected.
FOUND = (
    # A list with nothing to filter, sort or expand (its key's ?limit= is every
    # list's): the query class kept a blank line after its docstring.
    _found(
        {
            "offset": {
                "path": "/r0",
                "fields": {"limit": {"type": "integer", "primary_key": True}},
                "operations": ["list", "create"],
            }
        }
    ),
    # A table named dt: the migration's foreign key "dt.id" read as a use of the
    # datetime module it then imported.
    _found(
        {
            "dt": {"path": "/r0", "fields": {"name": {"type": "string"}}},
            "client": {"path": "/r1", "fields": {"dt_id": {"type": "ref", "to": "dt"}}},
        }
    ),
    # An endpoint answering an empty object: its response class kept a blank line.
    _found(
        {},
        {
            "report": {"method": "GET", "path": "/report", "response": {}},
            "other": {"method": "GET", "path": "/other", "response": {"n": "integer"}},
        },
    ),
)


# A spec whose generated suite failed: the aggregate over an optional ref to its
# own table made the row the path names from the number of a row it counts, so a
# unique field repeated (409).
SELF_AGGREGATE = _found(
    {
        "node": {
            "path": "/nodes",
            "fields": {
                "parent": {"type": "ref", "to": "node", "required": False},
                "code": {"type": "integer", "unique": True},
            },
            "operations": ["get", "create"],
        }
    },
    {
        "children": {
            "method": "GET",
            "path": "/nodes/{value}/children",
            "aggregate": {
                "from": "node",
                "where": {"parent": "value"},
                "fields": {"n": "count"},
            },
        }
    },
)


@settings(
    max_examples=_examples("FASTGEN_RANDOM_SPECS", 25),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(spec=specs())
@example(spec=NAMES_SPEC)
@example(spec=SUBSETS_SPEC)
@example(spec=FOUND[0])
@example(spec=FOUND[1])
@example(spec=FOUND[2])
def test_random_spec_generates_ruff_clean_code(spec: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        assert_ruff_clean(generate(spec, Path(tmp)))


# What the running app publishes: each resource's JSON properties in /openapi.json.
OPENAPI_PROPERTIES = """
import json
from PACKAGE.main import create_app
document = create_app().openapi()
print(json.dumps({name: sorted(schema.get("properties", {}))
                  for name, schema in document["components"]["schemas"].items()}))
"""


def assert_wire_names_published(
    python: Path, project: Path, spec: dict[str, Any]
) -> None:
    """Each resource's fields, as the spec names them, are the properties of one
    schema of the running app's /openapi.json."""
    published = subprocess.run(
        [python, "-c", OPENAPI_PROPERTIES.replace("PACKAGE", spec["service"]["name"])],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    properties = json.loads(published.stdout)
    for resource in spec["resources"].values():
        wire = sorted(resource["fields"])
        if not any(f.get("primary_key") for f in resource["fields"].values()):
            wire = sorted([*wire, "id"])
        assert wire in properties.values(), (wire, properties)


@pytest.mark.e2e
def test_random_specs_install_and_pass_their_tests(shared_venv: Path) -> None:
    python = shared_venv / "bin" / "python"

    # No shrinking: each example is a generated project installed and its suite run
    # (~45 s), and a shrink tries dozens (500 s in one CI run): the failing spec is
    # reported as drawn (derandomized: the same spec on every run).
    @settings(
        max_examples=_examples("FASTGEN_RANDOM_SPECS_E2E", 3),
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    # tests/specs/names.yaml's suite runs in tests/test_e2e.py (with this check of
    # its published properties): here it would run a second time on SQLite.
    @given(spec=specs())
    @example(spec=SUBSETS_SPEC)
    @example(spec=SELF_AGGREGATE)
    def check(spec: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            project = generate(spec, Path(tmp))
            assert_ruff_clean(project)
            install_project(shared_venv, project)
            result = subprocess.run(
                [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
                cwd=project,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stdout[-4000:]
            assert_wire_names_published(python, project, spec)

    check()
