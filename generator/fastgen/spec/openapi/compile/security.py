"""Security schemes as FastAPI security dependencies, and the requirements of routes."""

from __future__ import annotations

from fastgen.model.naming import python_identifier
from fastgen.model.service import ApiRequirementModel, ApiSchemeModel
from fastgen.spec.openapi.compile.context import Context
from fastgen.spec.openapi.description import Operation, SecurityScheme


def scheme_model(scheme: SecurityScheme) -> ApiSchemeModel:
    """How a scheme's credential travels: an api_key where the scheme says, the
    others in the Authorization header."""
    if scheme.kind == "api_key":
        location = scheme.location or "header"
        parameter = scheme.parameter_name or ""
    else:
        location, parameter = "header", "authorization"
    return ApiSchemeModel(
        name=scheme.name,
        var=python_identifier(scheme.name, prefix="scheme"),
        kind=scheme.kind,
        location=location,
        parameter=parameter.lower() if location == "header" else parameter,
        key_name=scheme.parameter_name or "" if scheme.kind == "api_key" else None,
        description=scheme.description or None,
        bearer_format=scheme.bearer_format or None,
    )


def requirement_model(
    ctx: Context, op: Operation, schemes: tuple[ApiSchemeModel, ...]
) -> ApiRequirementModel | None:
    """The dependency that enforces an operation's security requirements."""
    if not op.security:
        return None
    by_name = {s.name: s for s in schemes}
    alternatives = []
    used: list[str] = []
    for requirement in op.security:
        names = [by_name[n].var for n, _ in requirement.schemes if n in by_name]
        if not names:
            return None  # anonymous access is one of the alternatives
        alternatives.append(names)
        used += [n for n in names if n not in used]
    function = "require_" + "_or_".join("_and_".join(a) for a in alternatives)
    by_var = {s.var: s for s in schemes}
    described = " or ".join(" and ".join(a) for a in alternatives)
    model = ApiRequirementModel(
        function=function,
        schemes=tuple(by_var[v] for v in used),
        alternatives=tuple(tuple(a) for a in alternatives),
        description=(
            f"401 unless the request carries {described} and the principal hook "
            "accepts it."
        ),
    )
    ctx.requirements.setdefault(function, model)
    return model


def credential_header(op: Operation, schemes: tuple[ApiSchemeModel, ...]) -> str | None:
    """Headers satisfying one of the operation's requirements (for tests).

    None when no requirement is met by headers alone (the tests then skip it).
    """
    by_name = {s.name: s for s in schemes}
    for requirement in op.security:
        used = [by_name.get(name) for name, _ in requirement.schemes]
        if any(s is None or s.location != "header" for s in used):
            continue
        headers = {}
        for scheme in used:
            assert scheme is not None
            if scheme.kind == "http_basic":
                headers[scheme.parameter] = "Basic dGVzdDp0ZXN0"
            elif scheme.parameter == "authorization":
                headers[scheme.parameter] = "Bearer test-token"
            else:
                headers[scheme.parameter] = "test"
        return headers
    return None
