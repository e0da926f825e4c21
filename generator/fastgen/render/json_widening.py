"""Whether a JSON column's new schema accepts every value its old one accepted.

An OpenAPI array or object property is a JSON column, and ``migrations/schema.json``
records its schema (``json_schema``: ``$ref``s inlined, annotations left out). A row
stored under the old schema must pass the answer model of the new one, or every
answer including it fails. ``narrowings`` proves a change a widening keyword by
keyword, over the keywords named here; whatever it cannot prove (an unknown keyword,
a changed ``pattern`` or ``format``, a recursive ``$ref``) is a reason, with its
keyword path, so the change stays refused unless acknowledged.

Beyond JSON Schema, it knows two things of the generated models: an object with
``properties`` and no ``additionalProperties`` stores no other property (the models
ignore them), and a ``oneOf`` is a union that takes a value any member takes. So a
property may be added to such an object, and one removed from it is a reason: its
values stay in the rows, where a property of that name added later would meet them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

Schema = Any  # a JSON Schema: a mapping, or True / False

_NUMBER = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)
_STRING = frozenset({"minLength", "maxLength", "pattern"})
_ARRAY = frozenset({"items", "minItems", "maxItems", "uniqueItems"})
_OBJECT = frozenset(
    {"properties", "required", "additionalProperties"}
    | {"minProperties", "maxProperties"}
)
_KNOWN = (
    frozenset({"type", "nullable", "enum", "const", "format", "allOf", "anyOf"})
    | {"oneOf", "$ref"}
    | _NUMBER
    | _STRING
    | _ARRAY
    | _OBJECT
)


def narrowings(old: Schema, new: Schema) -> list[str]:
    """Why ``new`` may refuse a value ``old`` accepts, one reason per keyword path
    (``items/maxLength: lowered from 10 to 5``); none when it accepts them all."""
    return _compare(old, new, "")


def recorded_narrowings(old: str | None, new: str | None) -> list[str]:
    """``narrowings`` of two schemas as ``schema.json`` records them (JSON text);
    none where either is unknown (a file written before fastgen recorded them, or
    a column no longer JSON, which its type change reports)."""
    if old is None or new is None or old == new:
        return []
    return narrowings(json.loads(old), json.loads(new))


def _at(path: str, keyword: str) -> str:
    return f"{path}/{keyword}" if path else keyword


def _compare(old: Schema, new: Schema, path: str) -> list[str]:
    if old == new or new is True or new == {} or old is False:
        return []
    old = {} if old is True else old
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return [f"{path or '(the schema)'}: accepts no value now"]
    flat_old, flat_new = _flat(old), _flat(new)
    if flat_old is None:
        return [f"{_at(path, 'allOf')}: parts that overlap, not compared"]
    if flat_new is None and not isinstance(new["allOf"], list):
        return [f"{_at(path, 'allOf')}: not a list, not compared"]
    if flat_new is None:  # the value must pass each part
        rest = {key: value for key, value in new.items() if key != "allOf"}
        return [
            *(
                reason
                for i, part in enumerate(new["allOf"])
                for reason in _compare(flat_old, part, _at(path, f"allOf/{i}"))
            ),
            *_compare(flat_old, rest, path),
        ]
    for side in (flat_old, flat_new):
        if unknown := sorted(set(side) - _KNOWN):
            return [f"{_at(path, unknown[0])}: a keyword not compared"]
        if "$ref" in side:  # left where the schema refers to itself
            return [f"{_at(path, '$ref')}: a recursive schema changed, not compared"]
    return _alternatives(flat_old, flat_new, path)


def _alternatives(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str
) -> list[str]:
    """Unions: each old member must pass, and each value pass some new member."""
    for key in ("anyOf", "oneOf"):
        if key not in old:
            continue
        if len(old) > 1 or not isinstance(old[key], list):
            return [f"{_at(path, key)}: beside other keywords, not compared"]
        return [reason for member in old[key] for reason in _compare(member, new, path)]
    for key in ("anyOf", "oneOf"):
        if key not in new:
            continue
        rest = {k: v for k, v in new.items() if k != key}
        found = _compare(old, rest, path)
        members = new[key] if isinstance(new[key], list) else []
        if all(_compare(old, member, path) for member in members):
            found.append(
                f"{_at(path, key)}: no member accepts every value the old schema did"
            )
        return found
    return _plain(old, new, path)


def _flat(schema: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``schema`` with its ``allOf`` parts merged into it (as the generated model
    merges them), or None where a merge could change what it accepts."""
    parts = schema.get("allOf")
    if parts is None:
        return schema
    if not isinstance(parts, list):
        return None
    merged: Mapping[str, Any] | None = {
        key: value for key, value in schema.items() if key != "allOf"
    }
    for part in parts:
        if part is True:
            continue
        flat = _flat(part) if isinstance(part, Mapping) else None
        if merged is None or flat is None:
            return None
        merged = _merged(merged, flat)
    return merged


def _merged(a: Mapping[str, Any], b: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for one, other in ((a, b), (b, a)):
        if "additionalProperties" in one and "properties" in other:
            return None  # one part's additionalProperties would refuse the other's
    out = dict(a)
    for key, value in b.items():
        if key not in out or out[key] == value:
            out[key] = value
        elif key == "required" and _names(value) and _names(out[key]):
            out[key] = sorted(set(out[key]) | set(value))
        elif (
            key == "properties"
            and isinstance(value, Mapping)
            and isinstance(out[key], Mapping)
        ):
            mine = out[key]
            out[key] = {
                **mine,
                **{
                    name: schema
                    if mine.get(name, schema) == schema
                    else {"allOf": [mine[name], schema]}
                    for name, schema in value.items()
                },
            }
        else:
            return None
    return out


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def _value_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    kinds = {float: "number", str: "string", list: "array", dict: "object"}
    return kinds.get(type(value), "object")


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types ``schema`` admits (None: any); an ``enum``'s values' types."""
    declared = schema.get("type")
    if isinstance(declared, str):
        found: frozenset[str] | None = frozenset({declared})
    elif isinstance(declared, list):
        found = frozenset(t for t in declared if isinstance(t, str))
    else:
        found = None
    if found is not None and schema.get("nullable") is True:
        found |= {"null"}
    values = _values(schema)
    if values is not None:
        held = frozenset(_value_type(value) for value in values)
        found = (
            held if found is None else frozenset(t for t in held if _admits(found, t))
        )
    return found


def _admits(types: frozenset[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _values(schema: Mapping[str, Any]) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return enum if isinstance(enum, list) else None


def _plain(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
    """Two schemas without ``allOf``, ``anyOf`` and ``oneOf``."""
    old_types, new_types = _types(old), _types(new)
    if old_types is None and new_types is not None:
        found = [f"{_at(path, 'type')}: took any type, now only {_listed(new_types)}"]
    else:
        lost = sorted(t for t in old_types or () if not _admits(new_types, t))
        found = [f"{_at(path, 'type')}: no longer takes {t}" for t in lost]
    found += _enum(old, new, path)
    if "format" in new and new["format"] != old.get("format"):
        was = old.get("format")
        change = f"changed from {was}" if was else "added"
        found.append(f"{_at(path, 'format')}: {change}, not compared")
    for kinds, compare in _FAMILIES:
        if old_types is None or old_types & kinds:
            found += compare(old, new, path)
    return found


def _listed(types: frozenset[str]) -> str:
    return ", ".join(sorted(types)) or "no type"


def _enum(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
    allowed = _values(new)
    if allowed is None:
        return []
    keyword = "const" if "const" in new else "enum"
    held = _values(old)
    if held is None:
        return [f"{_at(path, keyword)}: added"]
    same = {json.dumps(value, sort_keys=True) for value in allowed}
    dropped = [v for v in held if json.dumps(v, sort_keys=True) not in same]
    if not dropped:
        return []
    return [f"{_at(path, keyword)}: drops {', '.join(map(json.dumps, dropped))}"]


def _limit(old: Any, new: Any, path: str, keyword: str, most: bool) -> list[str]:
    """A count's bound (``maxLength``, ``minItems``...): ``most`` for an upper one."""
    if new is None or (not most and new == 0):
        return []
    if not isinstance(new, int) or not isinstance(old, int | None):
        return [f"{_at(path, keyword)}: not a count, not compared"]
    if old is None:
        return [f"{_at(path, keyword)}: added ({new})"]
    if (new < old) if most else (new > old):
        word = "lowered" if most else "raised"
        return [f"{_at(path, keyword)}: {word} from {old} to {new}"]
    return []


def _counts(
    keywords: tuple[str, str],
) -> Callable[[Mapping[str, Any], Mapping[str, Any], str], list[str]]:
    low, high = keywords

    def compare(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
        return [
            *_limit(old.get(low), new.get(low), path, low, most=False),
            *_limit(old.get(high), new.get(high), path, high, most=True),
        ]

    return compare


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bounds(schema: Mapping[str, Any], upper: bool) -> list[tuple[Any, bool]] | None:
    """(bound, exclusive) for each lower (or upper) bound; None if one is malformed."""
    inclusive, exclusive = (
        ("maximum", "exclusiveMaximum") if upper else ("minimum", "exclusiveMinimum")
    )
    found = []
    flag = schema.get(exclusive)
    if inclusive in schema:
        if not _number(schema[inclusive]):
            return None
        found.append((schema[inclusive], flag is True))  # OpenAPI 3.0's boolean
    if _number(flag):
        found.append((flag, True))  # 3.1: the bound itself
    elif flag not in (None, True, False):
        return None
    return found


def _numbers(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
    found = []
    for upper, keyword in ((False, "minimum"), (True, "maximum")):
        was, now = _bounds(old, upper), _bounds(new, upper)
        if was is None or now is None:
            found.append(f"{_at(path, keyword)}: not a number, not compared")
            continue
        for bound, exclusive in now:
            if not any(_within(b, e, bound, exclusive, upper) for b, e in was):
                found.append(
                    f"{_at(path, keyword)}: {'lowered' if upper else 'raised'} to "
                    f"{bound}{' (exclusive)' if exclusive else ''}"
                    + (f" from {_shown(was)}" if was else "")
                )
    step, was_step = new.get("multipleOf"), old.get("multipleOf")
    if step is not None and not _divides(step, was_step):
        found.append(
            f"{_at(path, 'multipleOf')}: {step} takes values {was_step or 'any number'} did"
        )
    return found


def _within(old: Any, old_excl: bool, new: Any, new_excl: bool, upper: bool) -> bool:
    """Whether the old bound keeps every value inside the new one."""
    if old == new:
        return old_excl or not new_excl
    return old < new if upper else old > new


def _shown(bounds: list[tuple[Any, bool]]) -> str:
    return " and ".join(f"{b}{' (exclusive)' if e else ''}" for b, e in bounds)


def _divides(step: Any, old_step: Any) -> bool:
    if not (_number(step) and _number(old_step)) or step <= 0:
        return False
    ratio = Fraction(str(old_step)) / Fraction(str(step))
    return ratio.denominator == 1


def _strings(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
    found = _counts(("minLength", "maxLength"))(old, new, path)
    if "pattern" in new and new["pattern"] != old.get("pattern"):
        found.append(f"{_at(path, 'pattern')}: changed, not compared")
    return found


def _arrays(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
    found = _counts(("minItems", "maxItems"))(old, new, path)
    if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
        found.append(f"{_at(path, 'uniqueItems')}: added")
    items = new.get("items", True)
    if isinstance(items, list) or isinstance(old.get("items"), list):
        found.append(f"{_at(path, 'items')}: a list of schemas, not compared")
    else:
        found += _compare(old.get("items", True), items, _at(path, "items"))
    return found


def _objects(old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> list[str]:
    found = _counts(("minProperties", "maxProperties"))(old, new, path)
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    if not isinstance(old_props, Mapping) or not isinstance(new_props, Mapping):
        return [*found, f"{_at(path, 'properties')}: not a mapping, not compared"]
    others = _others(old)
    if not _names(old.get("required", [])) or not _names(new.get("required", [])):
        return [*found, f"{_at(path, 'required')}: not a list of names, not compared"]
    was, now = set(old.get("required", [])), set(new.get("required", []))
    found += [
        f"{_at(path, 'required')}: adds {name} (rows without it)"
        for name in sorted(now - was)
    ]
    rest = _others(new)  # what a removed property's stored values meet now
    for name in sorted(set(old_props) - set(new_props)):
        where = _at(path, f"properties/{name}")
        if rest is False:
            found.append(
                f"{where}: removed; rows keep its values, which a property of "
                "that name added later would meet"
            )
        else:
            found += _compare(old_props[name], rest, where)
    for name, schema in sorted(new_props.items()):
        before = old_props.get(name, others)
        found += _compare(before, schema, _at(path, f"properties/{name}"))
    if others is not False:
        if new_props and "additionalProperties" not in new:
            found.append(
                f"{_at(path, 'properties')}: rows may hold properties the old "
                "schema did not name, which later properties would meet"
            )
        found += _compare(
            others,
            new.get("additionalProperties", True),
            _at(path, "additionalProperties"),
        )
    return found


def _others(schema: Mapping[str, Any]) -> Schema:
    """The schema of an object's properties beyond its ``properties``: False when
    none is stored (the generated model ignores them)."""
    if "additionalProperties" in schema:
        return schema["additionalProperties"]
    return not schema.get("properties")


_FAMILIES: tuple[
    tuple[
        frozenset[str], Callable[[Mapping[str, Any], Mapping[str, Any], str], list[str]]
    ],
    ...,
] = (
    (frozenset({"integer", "number"}), _numbers),
    (frozenset({"string"}), _strings),
    (frozenset({"array"}), _arrays),
    (frozenset({"object"}), _objects),
)
