"""Turn loaded data into a validated ``FastgenSpec`` or a ``SpecError`` listing every problem.

Two passes: pydantic checks shapes and types; ``_SemanticChecks`` checks what pydantic cannot
see (references between resources, duplicate routes, keys that only make sense together).
Every problem is located with the loader's position map.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from fastgen.releases.v0_1_0.errors import Problem, SpecError
from fastgen.releases.v0_1_0.spec.loader import Loc, Positions, load_document
from fastgen.releases.v0_1_0.spec.model import CachePolicySpec, EndpointSpec, FastgenSpec

WRITE_OPERATIONS = ("create", "update", "delete")
PATH_PARAM_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def load_spec(path: Path) -> FastgenSpec:
    """Load and validate a native spec file; raise ``SpecError`` with every problem."""
    data, positions = load_document(path)
    return validate_data(data, positions)


def validate_data(data: Any, positions: Positions) -> FastgenSpec:
    """Validate loaded data (shape first, then cross-references)."""
    if not isinstance(data, dict):
        raise SpecError([positions.problem((), "the spec must be a mapping of keys")])
    if "fastgen" not in data and "openapi" in data:
        raise SpecError(
            [positions.problem(("openapi",), "OpenAPI input is not supported yet")]
        )
    try:
        spec = FastgenSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(pydantic_problems(exc, positions)) from None
    problems = list(_SemanticChecks(spec, positions).run())
    if problems:
        raise SpecError(problems)
    return spec


def _dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc) or "<document>"


def _allowed_keys(parent: Loc, root: type[BaseModel] = FastgenSpec) -> list[str]:
    # Dict containers add a level: resources.<name>.fields.<name> etc.
    model: Any = root
    i = 0
    parts = list(parent)
    while i < len(parts):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(str(parts[i]))
        if field is None:
            return []
        annotation = field.annotation
        origin = getattr(annotation, "__origin__", None)
        args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
        if origin is dict:
            model = args[-1]
            i += 2
            if i > len(parts):
                return []
            continue
        model = args[0] if args and origin is not None else annotation
        i += 1
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def pydantic_problems(
    exc: ValidationError,
    positions: Positions,
    *,
    model: type[BaseModel] = FastgenSpec,
    prefix: Loc = (),
) -> list[Problem]:
    """Located problems for ``model``'s validation errors.

    ``prefix`` is where the validated value sits in ``positions``' document (e.g. an
    OpenAPI ``x-fastgen-cache`` annotation); messages name keys from there.
    """
    problems: dict[tuple[Loc, str], Problem] = {}
    for error in exc.errors():
        relative = tuple(p for p in error["loc"] if not _is_union_tag(p))
        key_error = bool(relative) and relative[-1] == "[key]"
        if key_error:
            relative = relative[:-1]
        loc = (*prefix, *relative)
        kind = error["type"]
        where = _dotted(loc)
        if kind == "extra_forbidden":
            allowed = _allowed_keys(relative[:-1], model)
            hint = did_you_mean(str(loc[-1]), allowed)
            message = (
                f"unknown key {loc[-1]!r} in {_dotted(loc[:-1])}; expected one of: "
                f"{', '.join(allowed)}{hint}"
            )
            problem = positions.problem(loc, message, key=True)
        elif kind == "missing":
            message = f"missing required key {loc[-1]!r} in {_dotted(loc[:-1])}"
            problem = positions.problem(loc[:-1], message)
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            options = re.findall(r"'([^']*)'", expected)
            hint = did_you_mean(str(error["input"]), options)
            message = (
                f"{where}: {error['input']!r} is not allowed; expected {expected}{hint}"
            )
            problem = positions.problem(loc, message, key=key_error)
        else:
            text = error["msg"].removeprefix("Value error, ")
            got = (
                ""
                if kind in ("value_error", "assertion_error")
                else f" (got {error['input']!r})"
            )
            message = f"{where}: {text}{got}"
            problem = positions.problem(loc, message, key=key_error)
        problems.setdefault((loc, kind), problem)
    return list(problems.values())


def _is_union_tag(part: str | int) -> bool:
    # pydantic inserts the union member's name (e.g. 'str', 'int') into union locs.
    return isinstance(part, str) and (
        part in {"str", "int", "float", "bool", "none", "list[str]"}
        or part.startswith(("function-", "constrained-str", "lax-", "json-or-python"))
    )


def did_you_mean(word: str, options: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def warm_problems(policy: CachePolicySpec, *, has_path_params: bool) -> list[str]:
    """Why ``policy.warm`` cannot be honoured; empty when it can (or is off)."""
    if not policy.warm:
        return []
    problems = []
    if has_path_params:
        problems.append(
            "only endpoints without path parameters can be warmed at startup"
        )
    if policy.scope == "private":
        problems.append(
            "private entries belong to a caller and cannot be warmed at startup"
        )
    return problems


class _SemanticChecks:
    """Cross-reference checks over a shape-valid spec."""

    def __init__(self, spec: FastgenSpec, positions: Positions) -> None:
        self.spec = spec
        self.pos = positions

    def run(self) -> Iterator[Problem]:
        yield from self._fields()
        yield from self._required_ref_cycles()
        yield from self._operations()
        yield from self._endpoints()
        yield from self._routes()
        yield from self._policies()

    def _fields(self) -> Iterator[Problem]:
        from fastgen.releases.v0_1_0.service import default_problem

        for rname, resource in self.spec.resources.items():
            primary = []
            for fname, field in resource.fields.items():
                loc: Loc = ("resources", rname, "fields", fname)
                if field.type == "enum":
                    if not field.values:
                        yield self.pos.problem(
                            loc,
                            f"{_dotted(loc)}: an enum needs 'values', a non-empty list",
                        )
                    elif len(set(field.values)) != len(field.values):
                        yield self.pos.problem(
                            (*loc, "values"),
                            f"{_dotted(loc)}.values: values must be unique",
                        )
                elif field.values is not None:
                    yield self.pos.problem(
                        (*loc, "values"),
                        f"{_dotted(loc)}.values: only fields of type enum take 'values'",
                        key=True,
                    )
                if field.type == "ref":
                    if field.to is None:
                        yield self.pos.problem(
                            loc,
                            f"{_dotted(loc)}: a ref needs 'to', the resource it points to",
                        )
                    elif field.to not in self.spec.resources:
                        hint = did_you_mean(field.to, list(self.spec.resources))
                        yield self.pos.problem(
                            (*loc, "to"),
                            f"{_dotted(loc)}.to: no resource named {field.to!r}; expected "
                            f"one of: {', '.join(self.spec.resources)}{hint}",
                        )
                elif field.to is not None:
                    yield self.pos.problem(
                        (*loc, "to"),
                        f"{_dotted(loc)}.to: only fields of type ref take 'to'",
                        key=True,
                    )
                if field.max_length is not None and field.type != "string":
                    yield self.pos.problem(
                        (*loc, "max_length"),
                        f"{_dotted(loc)}.max_length: only fields of type string take "
                        "max_length",
                        key=True,
                    )
                if field.primary_key:
                    primary.append(fname)
                    if field.type not in ("integer", "string", "uuid"):
                        yield self.pos.problem(
                            (*loc, "primary_key"),
                            f"{_dotted(loc)}.primary_key: a primary key must be integer, "
                            f"string or uuid, not {field.type}",
                        )
                if field.default is not None:
                    message = default_problem(field)
                    if message:
                        yield self.pos.problem(
                            (*loc, "default"), f"{_dotted(loc)}.default: {message}"
                        )
            if len(primary) > 1:
                yield self.pos.problem(
                    ("resources", rname, "fields", primary[1]),
                    f"resources.{rname}: only one field may be the primary key "
                    f"(found {', '.join(primary)})",
                )
            if not resource.fields:
                yield self.pos.problem(
                    ("resources", rname, "fields"),
                    f"resources.{rname}.fields: a resource needs at least one field",
                )

    def _required_ref_cycles(self) -> Iterator[Problem]:
        """A cycle of required refs can never be satisfied: no first row could exist."""
        edges = {
            rname: [
                (fname, f.to)
                for fname, f in r.fields.items()
                if f.type == "ref" and f.required and f.to in self.spec.resources
            ]
            for rname, r in self.spec.resources.items()
        }
        reported: set[str] = set()
        for start in edges:
            stack = [(start, [start])]
            while stack:
                node, trail = stack.pop()
                for fname, target in edges[node]:
                    if target == start and start not in reported:
                        reported.update(trail)
                        loc: Loc = ("resources", node, "fields", fname)
                        yield self.pos.problem(
                            loc,
                            f"{_dotted(loc)}: required refs form a cycle "
                            f"({' -> '.join([*trail, start])}); make one of them "
                            "required: false",
                        )
                    elif target not in trail:
                        stack.append((target, [*trail, target]))

    def _operations(self) -> Iterator[Problem]:
        for rname, resource in self.spec.resources.items():
            seen: set[str] = set()
            for i, op in enumerate(resource.operations):
                if op in seen:
                    yield self.pos.problem(
                        ("resources", rname, "operations", i),
                        f"resources.{rname}.operations: {op!r} is listed twice",
                    )
                seen.add(op)
            for op in resource.cache:
                if op not in seen:
                    yield self.pos.problem(
                        ("resources", rname, "cache", op),
                        f"resources.{rname}.cache.{op}: the resource has no {op!r} "
                        f"operation; add it to operations or remove this policy",
                        key=True,
                    )

    def _endpoints(self) -> Iterator[Problem]:
        for ename, endpoint in self.spec.endpoints.items():
            loc: Loc = ("endpoints", ename)
            if ename in self.spec.resources:
                yield self.pos.problem(
                    loc, f"endpoints.{ename}: a resource has the same name", key=True
                )
            if endpoint.cache is not None and endpoint.method != "GET":
                yield self.pos.problem(
                    (*loc, "cache"),
                    f"endpoints.{ename}.cache: only GET endpoints can be cached "
                    f"(this one is {endpoint.method})",
                    key=True,
                )
            if endpoint.background and endpoint.method == "GET":
                yield self.pos.problem(
                    (*loc, "background"),
                    f"endpoints.{ename}.background: a GET endpoint cannot run in the "
                    "background; use POST",
                    key=True,
                )
            if endpoint.background and endpoint.response is not None:
                yield self.pos.problem(
                    (*loc, "response"),
                    f"endpoints.{ename}.response: a background endpoint answers 202 "
                    "without a body; remove response",
                    key=True,
                )
            path_params = PATH_PARAM_RE.findall(endpoint.path)
            for pname in endpoint.params:
                if pname not in path_params:
                    yield self.pos.problem(
                        (*loc, "params", pname),
                        f"endpoints.{ename}.params.{pname}: not a parameter of path "
                        f"{endpoint.path!r}",
                        key=True,
                    )
            if len(set(path_params)) != len(path_params):
                yield self.pos.problem(
                    (*loc, "path"), f"endpoints.{ename}.path: a parameter appears twice"
                )

    def _routes(self) -> Iterator[Problem]:
        seen: dict[tuple[str, str], str] = {}
        for method, path, loc, owner in self._all_routes():
            shape = PATH_PARAM_RE.sub("{}", path.rstrip("/") or "/")
            key = (method, shape)
            if key in seen:
                yield self.pos.problem(
                    loc,
                    f"{_dotted(loc)}: {method} {path} is already served by {seen[key]}; "
                    "paths must be unique",
                )
            else:
                seen[key] = owner

    def _all_routes(self) -> Iterator[tuple[str, str, Loc, str]]:
        reserved = ("/healthz", "/readyz", "/metrics")
        for rname, resource in self.spec.resources.items():
            loc: Loc = ("resources", rname, "path")
            base = resource.path
            if base in reserved:
                yield ("GET", base, loc, "the service itself")
            methods = {
                "list": [("GET", base)],
                "create": [("POST", base)],
                "get": [("GET", base + "/{id}")],
                "update": [("PATCH", base + "/{id}"), ("PUT", base + "/{id}")],
                "delete": [("DELETE", base + "/{id}")],
            }
            for op in resource.operations:
                for method, path in methods[op]:
                    yield (method, path, loc, f"resources.{rname}")
        for path in reserved:
            yield ("GET", path, (), "the service itself")
        for ename, endpoint in self.spec.endpoints.items():
            yield (
                endpoint.method,
                endpoint.path,
                ("endpoints", ename, "path"),
                f"endpoints.{ename}",
            )

    def _policies(self) -> Iterator[Problem]:
        for loc, policy, endpoint in self._all_policies():
            for i, target in enumerate(policy.invalidated_by):
                message = self._invalidator_problem(target)
                if message:
                    yield self.pos.problem(
                        (*loc, "invalidated_by", i),
                        f"{_dotted(loc)}.invalidated_by: {message}",
                    )
            has_params = (
                loc[-1] == "get"
                if endpoint is None
                else bool(PATH_PARAM_RE.search(endpoint.path))
            )
            for message in warm_problems(policy, has_path_params=has_params):
                yield self.pos.problem(
                    (*loc, "warm"), f"{_dotted(loc)}.warm: {message}"
                )

    def _all_policies(
        self,
    ) -> Iterator[tuple[Loc, CachePolicySpec, EndpointSpec | None]]:
        for rname, resource in self.spec.resources.items():
            for op, policy in resource.cache.items():
                yield ("resources", rname, "cache", op), policy, None
        for ename, endpoint in self.spec.endpoints.items():
            if endpoint.cache is not None:
                yield ("endpoints", ename, "cache"), endpoint.cache, endpoint

    def _invalidator_problem(self, target: str) -> str | None:
        if "." in target:
            rname, _, op = target.partition(".")
            resource = self.spec.resources.get(rname)
            if resource is None:
                hint = did_you_mean(rname, list(self.spec.resources))
                return f"{target!r} names no resource {rname!r}{hint}"
            writes = [w for w in WRITE_OPERATIONS if w in resource.operations]
            if op not in writes:
                return f"{target!r}: expected one of {', '.join(f'{rname}.{w}' for w in writes)}"
            return None
        endpoint = self.spec.endpoints.get(target)
        if endpoint is None:
            candidates = [
                *(f"{r}.{w}" for r in self.spec.resources for w in WRITE_OPERATIONS),
                *self.spec.endpoints,
            ]
            hint = did_you_mean(target, candidates)
            return (
                f"{target!r} is neither 'resource.operation' nor an endpoint name{hint}"
            )
        if endpoint.method == "GET":
            return f"{target!r} is a GET endpoint; only writes can invalidate"
        return None
