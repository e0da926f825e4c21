"""The security of an OpenAPI service's routes as their cache sees it: each
requirement's alternatives by scheme name (``security.py``), the check a private
cache policy runs (``cache_config.py``), and the requests its generated test sends."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from fastgen.model.policy import PolicyModel
from fastgen.model.service import (
    ApiOperationModel,
    ApiRequirementModel,
    ApiSchemeModel,
    ServiceModel,
)
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pysource import pytuple

# A request's credentials, by where each travels: (location, parameter) -> value.
Sent = dict[tuple[str, str], str]
# One probe of a private entry: the url and query of its list, the request filling
# the entry, another that must not be answered from it, and whether the route
# refuses that one.
Probe = tuple[str, dict[str, Any], Sent, Sent, bool]
# A caller's credentials, and another caller's (an AND group with one changed).
_CALLER, _OTHER = "A", "B"


def _alternatives(alternatives: Sequence[Sequence[str]]) -> str:
    """``(("key", "session"), ("bearer",))``: a tuple literal of scheme names."""
    items = [pytuple(alternative) for alternative in alternatives]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def api_requirement_alternatives(
    requirement: ApiRequirementModel, service: ServiceModel
) -> str:
    """A requirement's alternatives as ``carries`` takes them: scheme names."""
    names = {s.var: s.name for s in service.api_schemes}
    return _alternatives(
        [
            [names[var] for var in alternative]
            for alternative in requirement.alternatives
        ]
    )


def api_scheme_challenge(scheme: ApiSchemeModel, service: ServiceModel) -> str:
    """The challenge a 401 names ``scheme`` with (``_challenge``), a string literal."""
    return pystr(_challenge(scheme, service))


def _challenge(scheme: ApiSchemeModel, service: ServiceModel) -> str:
    """The challenge a 401 names ``scheme`` with in ``WWW-Authenticate`` (RFC 9110
    11.6.1): ``Basic`` with the realm and charset RFC 7617 asks for, ``Bearer`` for
    a token (RFC 6750; OAuth 2 and OpenID Connect too). An API key has no
    registered scheme: ``ApiKey``, which clients that do not know it ignore, names
    where the key travels (a 401 must carry some challenge, and ``Bearer`` would
    ask for a token the route does not read)."""
    realm = _quoted(service.title or service.package)
    if scheme.kind == "http_basic":
        return f'Basic realm={realm}, charset="UTF-8"'
    if scheme.kind == "api_key":
        where = _quoted(scheme.key_name or scheme.parameter)
        return f'ApiKey realm={realm}, in="{scheme.location}", name={where}'
    return f"Bearer realm={realm}"


def challenge_probes(service: ServiceModel) -> list[tuple[str, Any, str]]:
    """Per security requirement, a request of one of its operations sent without
    credentials, and the ``WWW-Authenticate`` its 401 carries: each scheme of its
    alternatives once, in their order."""
    probes: dict[str, tuple[str, Any, str]] = {}
    for op in service.api_operations:
        if op.dependency is None or op.sample is None or op.dependency in probes:
            continue
        (requirement,) = (
            r for r in service.api_requirements if r.function == op.dependency
        )
        schemes = {s.var: s for s in requirement.schemes}
        named = dict.fromkeys(v for alt in requirement.alternatives for v in alt)
        challenges = dict.fromkeys(_challenge(schemes[v], service) for v in named)
        probes[op.dependency] = (op.method, op.sample, ", ".join(challenges))
    return list(probes.values())


def _quoted(text: str) -> str:
    """``text`` as an HTTP quoted-string: printable ASCII (a header is latin-1;
    anything else is left out), its quotes and backslashes escaped."""
    kept = "".join(c for c in text if " " <= c <= "~")
    return '"' + kept.replace("\\", "\\\\").replace('"', '\\"') + '"'


def policy_security(policy: PolicyModel) -> str | None:
    """``carrying(("key",), ("bearer",))``: a private policy's check of its route's
    security, or None (a native spec's, or a public policy)."""
    if policy.security is None:
        return None
    return f"carrying({', '.join(pytuple(a) for a in policy.security)})"


def _sent(schemes: Sequence[ApiSchemeModel], values: Sequence[str]) -> Sent | None:
    """What a client sends for these credentials; None when two of them would need
    one place (two schemes reading the Authorization header) with different values."""
    sent: Sent = {}
    for scheme, value in zip(schemes, values, strict=True):
        if scheme.kind == "http_basic":
            token = base64.b64encode(f"{value}:{value}".encode()).decode()
            value = f"Basic {token}"
        else:  # an API key holds what a bearer token sends: only the scheme differs
            value = f"Bearer {value}"
        place = (scheme.location, scheme.parameter)
        if sent.setdefault(place, value) != value:
            return None
    return sent


def _reads(scheme: ApiSchemeModel, sent: Sent) -> str | None:
    """The credential the scheme reads from the request, as FastAPI's does."""
    value = sent.get((scheme.location, scheme.parameter))
    if value is None or scheme.kind == "api_key":
        return value
    prefix = "Basic " if scheme.kind == "http_basic" else "Bearer "
    return value if value.startswith(prefix) else None


def _met(
    sent: Sent, alternatives: Sequence[Sequence[ApiSchemeModel]]
) -> tuple[int, tuple[str | None, ...]] | None:
    """The first alternative the request meets and its credentials, or None."""
    for index, alternative in enumerate(alternatives):
        values = tuple(_reads(s, sent) for s in alternative)
        if None not in values:
            return index, values
    return None


def _pairs(
    alternatives: Sequence[Sequence[ApiSchemeModel]], others: Sequence[ApiSchemeModel]
) -> list[tuple[Sequence[ApiSchemeModel], Sequence[ApiSchemeModel], list[str]]]:
    """(the caller's alternative, the other request's schemes, their values)."""
    first = alternatives[0]
    pairs = [(first, a, [_CALLER] * len(a)) for a in alternatives[1:]]
    pairs += [(first, [s], [_CALLER]) for s in others]
    for group in (a for a in alternatives if len(a) > 1):
        for k in range(len(group)):
            changed = [_OTHER if i == k else _CALLER for i in range(len(group))]
            pairs.append((group, group, changed))
            pairs.append(
                (group, [*group[:k], *group[k + 1 :]], [_CALLER] * (len(group) - 1))
            )
    return pairs


def private_cache_probes(service: ServiceModel) -> list[Probe]:
    """Requests that must not be answered from another caller's private entry, on the
    table lists (a cacheable 200 whatever the hooks) of private policies: under a
    scheme the route does not take (the route answers 401), under another of its
    alternatives, and with other credentials in an AND group."""
    by_name = {s.name: s for s in service.api_schemes}
    probes: list[Probe] = []
    for op in service.api_operations:
        policy, target = op.policy, _target(op)
        if op.crud != "list" or not target or not policy or not policy.security:
            continue
        alternatives = [[by_name[n] for n in a] for a in policy.security]
        taken = {n for a in policy.security for n in a}
        others = [s for s in service.api_schemes if s.name not in taken]
        for caller_schemes, schemes, values in _pairs(alternatives, others):
            caller = _sent(caller_schemes, [_CALLER] * len(caller_schemes))
            other = _sent(schemes, values)
            if caller is None or other is None:
                continue
            met = _met(other, alternatives)
            probe = (*target, caller, other, met is None)
            if met != _met(caller, alternatives) and probe not in probes:
                probes.append(probe)
    return probes


def _target(op: ApiOperationModel) -> tuple[str, dict[str, Any]] | None:
    """The url and query of a request the list answers (credentials aside)."""
    if op.sample is not None:
        return op.sample[0], op.sample[1]
    if "{" in op.route or op.required_params:
        return None
    return op.route, {}


def probe_request(sent: Sent) -> str:
    """``{"headers": {...}, "params": {...}}`` for httpx: cookies in one header."""
    request: dict[str, Any] = {"headers": {}, "params": {}}
    cookies = []
    for (location, name), value in sent.items():
        if location == "cookie":
            cookies.append(f"{name}={value}")
        else:
            request["headers" if location == "header" else "params"][name] = value
    if cookies:
        request["headers"]["cookie"] = "; ".join(cookies)
    return pyliteral(request)


def probe_id(url: str, sent: Sent) -> str:
    """A probe's test id: ``/pins x-api-key=Bearer A session=Bearer B``."""
    return " ".join([url, *(f"{name}={value}" for (_, name), value in sent.items())])


HELPERS = (
    api_requirement_alternatives,
    api_scheme_challenge,
    challenge_probes,
    policy_security,
    private_cache_probes,
    probe_request,
    probe_id,
)
