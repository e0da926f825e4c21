"""Security schemes as FastAPI security dependencies, and the requirements of routes."""

from __future__ import annotations

from fastgen.model.naming import python_identifier
from fastgen.model.service import ApiRequirementModel, ApiSchemeModel
from fastgen.render.literals import pystr
from fastgen.spec.openapi.compile.context import Context
from fastgen.spec.openapi.description import Operation, SecurityScheme

API_KEY_CLASSES = {"header": "Header", "query": "Query", "cookie": "Cookie"}


def scheme_model(scheme: SecurityScheme) -> ApiSchemeModel:
    """The FastAPI dependency that reads a scheme's credential (None when absent)."""
    name = pystr(scheme.name)
    description = pystr(scheme.description) if scheme.description else None
    extra = f", description={description}" if description else ""
    if scheme.kind == "http_basic":
        factory = f"HTTPBasic(scheme_name={name}, auto_error=False{extra})"
        annotation = "HTTPBasicCredentials | None"
        source = ("header", "authorization")
    elif scheme.kind == "api_key":
        where = API_KEY_CLASSES[scheme.location or "header"]
        factory = (
            f"APIKey{where}(name={pystr(scheme.parameter_name or '')}, "
            f"scheme_name={name}, auto_error=False{extra})"
        )
        annotation = "str | None"
        source = (scheme.location or "header", scheme.parameter_name or "")
    else:
        bearer = (
            f", bearerFormat={pystr(scheme.bearer_format)}"
            if scheme.bearer_format
            else ""
        )
        factory = f"HTTPBearer(scheme_name={name}, auto_error=False{extra}{bearer})"
        annotation = "HTTPAuthorizationCredentials | None"
        source = ("header", "authorization")
    return ApiSchemeModel(
        name=scheme.name,
        var=python_identifier(scheme.name, prefix="scheme"),
        factory=factory,
        annotation=annotation,
        location=source[0],
        parameter=source[1].lower() if source[0] == "header" else source[1],
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
    condition = " or ".join(
        " and ".join(f"{n} is not None" for n in a) for a in alternatives
    )
    by_var = {s.var: s for s in schemes}
    described = " or ".join(" and ".join(a) for a in alternatives)
    model = ApiRequirementModel(
        function=function,
        schemes=tuple(by_var[v] for v in used),
        condition=condition,
        description=f"401 unless the request carries {described}.",
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
            if scheme.factory.startswith("HTTPBasic"):
                headers[scheme.parameter] = "Basic dGVzdDp0ZXN0"
            elif scheme.parameter == "authorization":
                headers[scheme.parameter] = "Bearer test-token"
            else:
                headers[scheme.parameter] = "test"
        return headers
    return None
