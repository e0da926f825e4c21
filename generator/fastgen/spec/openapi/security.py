"""Security schemes and the requirements operations place on callers.

Supported: http bearer and basic, apiKey in a header, query parameter or cookie, and
oauth2 / openIdConnect (served as bearer tokens; the project's auth hook validates them).
A scheme fastgen cannot serve is an error where an operation requires it, and a warning
where it is only declared.
"""

from __future__ import annotations

from typing import Any, cast

from fastgen.spec.openapi.description import (
    SchemeKind,
    SecurityRequirement,
    SecurityScheme,
)
from fastgen.spec.openapi.refs import Resolver
from fastgen.spec.openapi.shape import mapping
from fastgen.spec.problems import Loc, did_you_mean

SCHEMES: Loc = ("components", "securitySchemes")
TYPES = ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS")
API_KEY_LOCATIONS = ("header", "query", "cookie")


class Security:
    """The document's schemes, and the requirements that use them."""

    def __init__(self, document: dict[str, Any], resolver: Resolver) -> None:
        self.resolver = resolver
        self.report = resolver.report
        self.schemes: dict[str, SecurityScheme] = {}
        self.unsupported: dict[str, str] = {}  # name -> why
        self.used: set[str] = set()
        components = mapping(document.get("components"), ("components",), None, "")
        declared = mapping(
            components.get("securitySchemes"), SCHEMES, self.report, "securitySchemes"
        )
        for name, node in declared.items():
            self._scheme(str(name), node, (*SCHEMES, name))
        self.default = self.requirements(document.get("security"), ("security",))

    def requirements(
        self, node: Any, loc: Loc
    ) -> tuple[SecurityRequirement, ...] | None:
        """The requirements at ``loc``; None when the key is absent."""
        if node is None:
            return None
        if not isinstance(node, list):
            self.report.error(loc, "security must be a list of requirement objects")
            return ()
        result = []
        for i, entry in enumerate(node):
            if not isinstance(entry, dict):
                self.report.error((*loc, i), "a security requirement must be a mapping")
                continue
            schemes = []
            for name, scopes in entry.items():
                if self._usable(str(name), (*loc, i, name)):
                    listed = scopes if isinstance(scopes, list) else []
                    schemes.append((str(name), tuple(str(s) for s in listed)))
            result.append(SecurityRequirement(tuple(schemes)))
        return tuple(result)

    def declared(self) -> tuple[SecurityScheme, ...]:
        """The supported schemes, in document order; warns about unusable unused ones."""
        for name, why in self.unsupported.items():
            if name not in self.used:
                self.report.warn(
                    (*SCHEMES, name),
                    f"{why}; no operation requires it, so it is ignored",
                )
        return tuple(self.schemes.values())

    def _usable(self, name: str, loc: Loc) -> bool:
        self.used.add(name)
        if name in self.schemes:
            return True
        if name in self.unsupported:
            self.report.error(
                loc,
                f"requires security scheme {name!r}: {self.unsupported[name]}",
                key=True,
            )
            return False
        known = [*self.schemes, *self.unsupported]
        self.report.error(
            loc,
            f"no security scheme named {name!r} in components/securitySchemes"
            f"{did_you_mean(name, known)}",
            key=True,
        )
        return False

    def _scheme(self, name: str, node: Any, loc: Loc) -> None:
        resolved = self.resolver.resolve(node, loc)
        if resolved is None:
            return
        scheme, loc = resolved
        if not isinstance(scheme, dict):
            self.report.error(loc, "a security scheme must be a mapping")
            return
        kind = scheme.get("type")
        if kind not in TYPES:
            self.report.error(
                (*loc, "type"),
                f"type: {kind!r} is not a security scheme type; expected one of: "
                f"{', '.join(TYPES)}{did_you_mean(str(kind), list(TYPES))}",
            )
            return
        fields = self._fields(scheme, kind, loc)
        if isinstance(fields, str):
            self.unsupported[name] = fields
            return
        self.schemes[name] = SecurityScheme(
            name=name,
            description=str(scheme.get("description") or ""),
            source=self.report.source_map.source(loc),
            **fields,
        )

    def _fields(
        self, scheme: dict[str, Any], kind: str, loc: Loc
    ) -> dict[str, Any] | str:
        """The SecurityScheme fields of a supported scheme, or why it is unsupported."""
        base: dict[str, Any] = {
            "parameter_name": None,
            "location": None,
            "bearer_format": None,
            "scopes": (),
        }
        if kind == "http":
            http = str(scheme.get("scheme", "")).lower()
            if http not in ("bearer", "basic"):
                return (
                    f"http scheme {scheme.get('scheme')!r} is not supported; fastgen "
                    "serves http bearer and basic"
                )
            bearer_format = scheme.get("bearerFormat")
            return base | {
                "kind": cast(SchemeKind, f"http_{http}"),
                "bearer_format": str(bearer_format) if bearer_format else None,
            }
        if kind == "apiKey":
            where, key_name = scheme.get("in"), scheme.get("name")
            if where not in API_KEY_LOCATIONS or not isinstance(key_name, str):
                return (
                    "an apiKey scheme needs 'name' and 'in' (header, query or cookie)"
                )
            return base | {
                "kind": "api_key",
                "parameter_name": key_name,
                "location": where,
            }
        if kind == "oauth2":
            return base | {"kind": "oauth2", "scopes": _scopes(scheme.get("flows"))}
        if kind == "openIdConnect":
            return base | {"kind": "openid_connect"}
        return (
            "mutualTLS is not supported: client certificates are checked by the TLS "
            "terminator, not the application"
        )


def _scopes(flows: Any) -> tuple[str, ...]:
    scopes: dict[str, None] = {}
    for flow in (flows or {}).values() if isinstance(flows, dict) else ():
        if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
            scopes.update(dict.fromkeys(str(s) for s in flow["scopes"]))
    return tuple(scopes)
