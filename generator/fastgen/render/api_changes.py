"""What a spec change means for API clients: the breaking and compatible changes
between two OpenAPI documents.

Both input kinds are compared as OpenAPI documents: an OpenAPI input as written
(bundled), a native spec as its app serves it (``render/api_contract.py``). The
differ is ours and small on purpose. oasdiff, the reference tool, is a Go binary;
the Python packages on PyPI are unmaintained (swagger-diff 2020, openapispecdiff
2022, impoasdiff 2023) or first releases of a few months with no track record, and
fastgen needs the verdict per operation and per field with its direction (a field a
client sends or receives), which decides whether a change breaks a client. It
follows oasdiff's rules for the changes a generated service can make:

* breaking: a removed path, operation, parameter or body field; a changed type; a
  new required parameter or request field; a request that accepts less (an enum
  value, null, a tighter ``maxLength``/``maximum``/``minimum``/``pattern``); a
  response that may carry more (a new enum value, null, an absent field); a success
  status removed or changed;
* compatible: everything added that no client has to send, and requests that accept
  more.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Request limits: a smaller upper or a larger lower bound accepts less.
_UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_JSON_MEDIA = re.compile(r"^application/([\w.+-]+\+)?json\b")


@dataclass(frozen=True)
class ApiChange:
    """One change a client can notice, on one operation (``where``)."""

    breaking: bool
    where: str  # "GET /books/{book_id}"
    what: str  # "response field `name` removed"

    def __str__(self) -> str:
        kind = "breaking" if self.breaking else "compatible"
        return f"{kind}: {self.where}: {self.what}"


class _Walk:
    """The changes found so far, and the two documents their ``$ref``s point into."""

    def __init__(self, old: Document, new: Document) -> None:
        self.old, self.new = old, new
        self.changes: list[ApiChange] = []
        self.where = ""
        self._open: set[tuple[int, int]] = set()

    def add(self, breaking: bool, what: str) -> None:
        self.changes.append(ApiChange(breaking, self.where, what))

    @contextmanager
    def descend(self, old: Any, new: Any) -> Iterator[bool]:
        """Enter a pair of schemas: False when it is already being compared further
        up (a recursive schema), which would never end."""
        pair = (id(old), id(new))
        if pair in self._open:
            yield False
            return
        self._open.add(pair)
        try:
            yield True
        finally:
            self._open.discard(pair)


def _resolve(document: Document, item: Any) -> Any:
    """Follow local ``$ref``s (``#/components/...``) to what they name."""
    for _ in range(32):  # a chain of refs, never a cycle of them
        if not isinstance(item, dict) or not isinstance(item.get("$ref"), str):
            return item
        ref = item["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part, {}) if isinstance(target, dict) else {}
        item = target
    return {}


def _operations(document: Document) -> dict[tuple[str, str], tuple[str, Any, list]]:
    """``(METHOD, path pattern) -> (path, operation, path-level parameters)``.

    The pattern blanks parameter names: renaming ``{id}`` changes no request."""
    found: dict[tuple[str, str], tuple[str, Any, list]] = {}
    for path, item in (document.get("paths") or {}).items():
        item = _resolve(document, item)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        pattern = re.sub(r"\{[^{}]*\}", "{}", path)
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                found[method.upper(), pattern] = (path, item[method], shared)
    return found


def api_changes(old: Document, new: Document) -> list[ApiChange]:
    """Every client-visible change from ``old`` to ``new``, the breaking ones first."""
    walk = _Walk(old, new)
    before, after = _operations(old), _operations(new)
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[1], k[0])):
        method = key[0]
        if key not in after:
            walk.where = f"{method} {before[key][0]}"
            walk.add(True, "operation removed")
        elif key not in before:
            walk.where = f"{method} {after[key][0]}"
            walk.add(False, "operation added")
        else:
            walk.where = f"{method} {after[key][0]}"
            _operation(walk, before[key], after[key])
    return sorted(walk.changes, key=lambda change: not change.breaking)


def _operation(walk: _Walk, old: tuple, new: tuple) -> None:
    _parameters(walk, _params(walk.old, old), _params(walk.new, new))
    _request_body(walk, old[1].get("requestBody"), new[1].get("requestBody"))
    old_ok = _successes(walk.old, old[1])
    new_ok = _successes(walk.new, new[1])
    if old_ok and new_ok and old_ok.keys() - new_ok.keys():
        # A client waiting for a status the operation no longer answers breaks.
        walk.add(True, f"success status {_codes(old_ok)} -> {_codes(new_ok)}")
        return
    if old_ok and new_ok.keys() - old_ok.keys():
        added = _codes({code: None for code in new_ok.keys() - old_ok.keys()})
        walk.add(False, f"success status {added} added")
    for code in sorted(old_ok.keys() & new_ok.keys()):
        old_schema, new_schema = old_ok[code], new_ok[code]
        if old_schema is not None and new_schema is not None:
            _schema(walk, old_schema, new_schema, "", request=False)


def _codes(responses: dict[str, Any]) -> str:
    return ", ".join(sorted(responses))


def _params(document: Document, op: tuple) -> dict[tuple[str, str], Any]:
    """``(location, key) -> parameter``: header names are case-insensitive, and a path
    parameter is keyed by its place in the path (a new name changes no request)."""
    places = re.findall(r"\{([^{}]*)\}", op[0])
    found: dict[tuple[str, str], Any] = {}
    for raw in [*op[2], *(op[1].get("parameters") or [])]:
        param = _resolve(document, raw)
        if isinstance(param, dict) and "name" in param:
            where, name = param.get("in", "query"), str(param["name"])
            if where == "header":
                name = name.lower()
            elif where == "path" and name in places:
                name = f"{{{places.index(name)}}}"
            found[where, name] = param
    return found


def _parameters(walk: _Walk, old: dict, new: dict) -> None:
    for key in sorted(old.keys() | new.keys()):
        label = f"{key[0]} parameter `{(new.get(key) or old[key])['name']}`"
        if key not in new:
            walk.add(True, f"{label} removed")
            continue
        required = bool(new[key].get("required")) or key[0] == "path"
        if key not in old:
            kind = "required" if required else "optional"
            walk.add(required, f"{label} added ({kind})")
            continue
        if required and not (old[key].get("required") or key[0] == "path"):
            walk.add(True, f"{label} is now required")
        old_schema, new_schema = old[key].get("schema"), new[key].get("schema")
        if isinstance(old_schema, dict) and isinstance(new_schema, dict):
            _schema(walk, old_schema, new_schema, label, request=True)


def _json_schema(document: Document, holder: Any) -> Any:
    """The schema of a body's JSON content (its first content otherwise)."""
    content = (_resolve(document, holder) or {}).get("content") or {}
    if not isinstance(content, dict) or not content:
        return None
    media = next((m for m in sorted(content) if _JSON_MEDIA.match(m)), None)
    chosen = content[media or next(iter(content))] or {}
    return chosen.get("schema") if isinstance(chosen, dict) else None


def _request_body(walk: _Walk, old: Any, new: Any) -> None:
    if new is None:
        if old is not None:
            walk.add(True, "request body removed")
        return
    new_body = _resolve(walk.new, new)
    if old is None:
        required = bool(new_body.get("required"))
        walk.add(
            required, f"request body added ({'required' if required else 'optional'})"
        )
        return
    if new_body.get("required") and not _resolve(walk.old, old).get("required"):
        walk.add(True, "request body is now required")
    old_schema, new_schema = _json_schema(walk.old, old), _json_schema(walk.new, new)
    if isinstance(old_schema, dict) and isinstance(new_schema, dict):
        _schema(walk, old_schema, new_schema, "", request=True)


def _successes(document: Document, op: Any) -> dict[str, Any]:
    """The 2xx responses (and ``2XX``) and each one's JSON schema."""
    responses = op.get("responses") or {}
    return {
        str(code).upper(): _json_schema(document, response)
        for code, response in responses.items()
        if str(code).startswith("2")
    }


def _subject(at: str, request: bool) -> str:
    side = "request" if request else "response"
    if not at:
        return f"{side} body"
    if " parameter `" in at:  # a parameter's schema, or its items' (``?sort=a,b``)
        return at.removesuffix("[]") + (" items" if at.endswith("`[]") else "")
    return at if at.endswith("`") else f"{side} field `{at}`"


def _kinds(document: Document, schema: Any) -> tuple[frozenset[str], bool]:
    """The JSON types a schema admits (``string(date)`` with a format) and whether
    it admits null, over OpenAPI 3.0's ``nullable`` and 3.1's type lists."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return frozenset(), False
    nullable = bool(schema.get("nullable"))
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else list(raw or [])
    kinds: set[str] = set()
    for name in types:
        if name == "null":
            nullable = True
        else:
            fmt = schema.get("format")
            kinds.add(f"{name}({fmt})" if fmt and name != "object" else name)
    for member in schema.get("anyOf") or schema.get("oneOf") or ():
        member_kinds, member_null = _kinds(document, member)
        kinds |= member_kinds
        nullable = nullable or member_null
    if not kinds and "properties" in schema:
        kinds.add("object")
    return frozenset(kinds), nullable


def _schema(walk: _Walk, old: Any, new: Any, at: str, *, request: bool) -> None:
    """The changes between two schemas of what a client sends (``request``) or gets."""
    old, new = _resolve(walk.old, old), _resolve(walk.new, new)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    with walk.descend(old, new) as first:
        if first:
            old, new = _merged(walk.old, old), _merged(walk.new, new)
            _compare(walk, old, new, at, request)


def _merged(document: Document, schema: Document, depth: int = 0) -> Document:
    """``schema`` with its ``allOf`` members merged in, as a client sees them
    together: their properties (the schema's own win), every ``required``, and the
    keywords the schema leaves to them (``type``, ``enum``, limits)."""
    members = schema.get("allOf")
    if not isinstance(members, list) or depth > 16:  # 16: a cycle of allOf refs
        return schema
    merged = {key: value for key, value in schema.items() if key != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = set(merged.get("required") or ())
    for member in members:
        member = _resolve(document, member)
        if not isinstance(member, dict):
            continue
        for key, value in _merged(document, member, depth + 1).items():
            if key == "properties" and isinstance(value, dict):
                properties = {**value, **properties}
            elif key == "required" and isinstance(value, list):
                required |= set(value)
            else:
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = sorted(required)
    return merged


def _compare(walk: _Walk, old: Document, new: Document, at: str, request: bool) -> None:
    subject = _subject(at, request)
    (old_kinds, old_null), (new_kinds, new_null) = (
        _kinds(walk.old, old),
        _kinds(walk.new, new),
    )
    if old_kinds and new_kinds and old_kinds != new_kinds:
        before, after = "|".join(sorted(old_kinds)), "|".join(sorted(new_kinds))
        walk.add(True, f"{subject} type {before} -> {after}")
        return
    if old_null != new_null:
        accepts_less = request and old_null
        if request:
            what = "accepts null" if new_null else "no longer accepts null"
        else:
            what = "may be null" if new_null else "is never null"
        walk.add(accepts_less or (not request and new_null), f"{subject} {what}")
    _enum(walk, old, new, subject, request)
    if request:
        _limits(walk, old, new, subject)
    _object(walk, old, new, at, request)
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        _schema(walk, old["items"], new["items"], f"{at or 'body'}[]", request=request)


def _enum(
    walk: _Walk, old: Document, new: Document, subject: str, request: bool
) -> None:
    """A request accepting fewer values, or a response sending more, breaks clients."""
    old_values, new_values = old.get("enum"), new.get("enum")
    if old_values is None and new_values is None:
        return
    if old_values is None or new_values is None:
        narrowed = (old_values is None) == request
        walk.add(narrowed, f"{subject} {'now' if new_values else 'no longer'} an enum")
        return
    removed = [v for v in old_values if v not in new_values]
    added = [v for v in new_values if v not in old_values]
    if removed:
        walk.add(request, f"{subject} enum value(s) removed: {_values(removed)}")
    if added:
        walk.add(not request, f"{subject} enum value(s) added: {_values(added)}")


def _values(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def _limits(walk: _Walk, old: Document, new: Document, subject: str) -> None:
    """A request's bounds and pattern: tighter ones refuse what clients sent."""
    for key in (*_UPPER, *_LOWER):
        before, after = old.get(key), new.get(key)
        if before == after or after is None and before is None:
            continue
        if after is None:
            narrowed = False
        elif before is None:
            narrowed = True
        else:
            narrowed = after < before if key in _UPPER else after > before
        walk.add(narrowed, f"{subject} {key} {_bound(before)} -> {_bound(after)}")
    if old.get("pattern") != new.get("pattern"):
        walk.add(
            new.get("pattern") is not None,
            f"{subject} pattern {old.get('pattern')!r} -> {new.get('pattern')!r}",
        )


def _bound(value: Any) -> str:
    return "none" if value is None else str(value)


def _object(walk: _Walk, old: Document, new: Document, at: str, request: bool) -> None:
    """Fields removed or added, and fields made required or optional."""
    old_props = old.get("properties") or {}
    new_props = new.get("properties") or {}
    old_required = set(old.get("required") or ())
    new_required = set(new.get("required") or ())
    side = "request" if request else "response"
    for name in sorted(old_props.keys() | new_props.keys()):
        path = f"{at}.{name}" if at and not at.endswith("`") else name
        label = f"{side} field `{path}`"
        if name not in new_props:
            walk.add(True, f"{label} removed")
        elif name not in old_props:
            required = name in new_required
            kind = "required" if required else "optional"
            walk.add(
                request and required,
                f"{label} added" + (f" ({kind})" if request else ""),
            )
        else:
            if request and name in new_required - old_required:
                walk.add(True, f"{label} is now required")
            if not request and name in old_required - new_required:
                walk.add(True, f"{label} may be absent")
            _schema(walk, old_props[name], new_props[name], path, request=request)


@dataclass(frozen=True)
class ApiReport:
    """The API changes between two versions of a spec, and their ``version``s."""

    since: str  # what the old side is: "origin/main", "the last update"
    changes: tuple[ApiChange, ...]
    old_version: str
    new_version: str

    @property
    def breaking(self) -> tuple[ApiChange, ...]:
        return tuple(change for change in self.changes if change.breaking)

    @property
    def major_bumped(self) -> bool:
        """Whether the version's major went up (``1.4.0`` -> ``2.0.0``)."""
        old, new = _major(self.old_version), _major(self.new_version)
        return old is not None and new is not None and new > old

    def lines(self) -> list[str]:
        """The report as printed: a heading, then one change per line."""
        if not self.changes:
            return [f"No API changes since {self.since}."]
        count = len(self.breaking)
        compatible = len(self.changes) - count
        return [
            f"API changes since {self.since} ({count} breaking, {compatible} compatible):",
            *(f"  {change}" for change in self.changes),
        ]


def _major(version: str) -> int | None:
    match = re.match(r"v?(\d+)", version.strip())
    return int(match.group(1)) if match else None


def api_report(since: str, old: Document, new: Document) -> ApiReport:
    """Compare two OpenAPI documents (an input's own, or ``served_document``'s)."""

    def version(document: Document) -> str:
        return str((document.get("info") or {}).get("version", ""))

    changes = tuple(api_changes(old, new))
    return ApiReport(since, changes, version(old), version(new))
