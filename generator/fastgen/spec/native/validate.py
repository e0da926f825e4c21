"""Turn loaded data into a validated ``FastgenSpec`` or a ``SpecError`` listing every problem.

Two passes: pydantic checks shapes and types, and its errors are located and worded
here; ``checks`` then finds what pydantic cannot see (references between resources,
duplicate routes, keys that only make sense together). Every problem is located with
the loader's position map.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from fastgen.spec.loader import Positions, load_document
from fastgen.spec.native.checks import semantic_problems
from fastgen.spec.native.model import FastgenSpec
from fastgen.spec.problems import Loc, Problem, SpecError, did_you_mean, dotted


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
    problems = list(semantic_problems(spec, positions))
    if problems:
        raise SpecError(problems)
    return spec


def _allowed_keys(parent: Loc, root: type[BaseModel] = FastgenSpec) -> list[str]:
    # Dict containers add a level: resources.<name>.fields.<name> etc.
    model: Any = root
    i = 0
    parts = list(parent)
    while i < len(parts):
        model = _model_in(model)
        if model is None:
            return []
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        field = fields.get(str(parts[i]))
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
    model = _model_in(model)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class in ``annotation``, looking through Annotated and unions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin not in (None, dict, list) else None


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
        where = dotted(loc)
        if kind == "extra_forbidden":
            allowed = _allowed_keys(relative[:-1], model)
            hint = did_you_mean(str(loc[-1]), allowed)
            message = (
                f"unknown key {loc[-1]!r} in {dotted(loc[:-1])}; expected one of: "
                f"{', '.join(allowed)}{hint}"
            )
            problem = positions.problem(loc, message, key=True)
        elif kind == "missing":
            message = f"missing required key {loc[-1]!r} in {dotted(loc[:-1])}"
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
        or part.startswith(
            ("function-", "constrained-str", "lax-", "json-or-python", "aggregate-")
        )
    )
