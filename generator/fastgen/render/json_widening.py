"""Whether a JSON column's new schema accepts every value its old one accepted.

An OpenAPI array or object property is a JSON column, and ``migrations/schema.json``
records its schema (``json_schema``: ``$ref``s inlined, annotations left out). A row
stored under the old schema must pass the answer model of the new one, or every
answer including it fails. ``narrowings`` proves a change a widening keyword by
keyword, over the keywords named here; whatever it cannot prove (an unknown keyword,
a changed ``pattern`` or ``format``) is a reason, with its keyword path, so the change
stays refused unless acknowledged. An ``enum``'s values are checked one by one
against the new number and string keywords (``json_values``).

A recursive schema is recorded with its ``$ref`` back into itself as a JSON pointer
from the recorded schema's root (``#/properties/kids/items``). Two such nodes are
compared coinductively: the pair is assumed to hold while its parts are proven, and
meeting it again below an item or a property (a smaller value) uses the assumption.

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
from typing import Any, NamedTuple
from urllib.parse import unquote

from fastgen.render.json_values import UNTOLD, bounds, number, refusals

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
# The formats that bound a number, narrowest first: each takes every number the
# ones before it take (int32 and int64 integers, float and double the IEEE ranges).
_NUMBER_FORMATS = ("int32", "int64", "float", "double")


class _Walk(NamedTuple):
    """Where a comparison is: the two whole schemas (what a ``$ref`` points into),
    how many items or properties down, and the pairs of ``$ref`` targets assumed
    to hold, each with the depth it was assumed at."""

    roots: tuple[Schema, Schema]
    depth: int = 0
    assumed: Mapping[tuple[int, int], int] = {}

    def down(self) -> _Walk:
        return self._replace(depth=self.depth + 1)


_Compare = Callable[[Mapping[str, Any], Mapping[str, Any], str, _Walk], list[str]]


def narrowings(old: Schema, new: Schema) -> list[str]:
    """Why ``new`` may refuse a value ``old`` accepts, one reason per keyword path
    (``items/maxLength: lowered from 10 to 5``); none when it accepts them all."""
    if old == new:
        return []
    whole = {(id(old), id(new)): 0}  # a $ref to "#" on both sides: these two
    return _compare(old, new, "", _Walk((old, new), assumed=whole))


def recorded_narrowings(old: str | None, new: str | None) -> list[str]:
    """``narrowings`` of two schemas as ``schema.json`` records them (JSON text);
    none where either is unknown (a file written before fastgen recorded them, or
    a column no longer JSON, which its type change reports)."""
    if old is None or new is None or old == new:
        return []
    return narrowings(json.loads(old), json.loads(new))


def _at(path: str, keyword: str) -> str:
    return f"{path}/{keyword}" if path else keyword


def _compare(old: Schema, new: Schema, path: str, walk: _Walk) -> list[str]:
    if new is True or new == {} or old is False or (old == new and not _refers(old)):
        return []
    old = {} if old is True else old
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return [f"{path or '(the schema)'}: accepts no value now"]
    if list(old) == ["$ref"] or list(new) == ["$ref"]:
        return _recursion(old, new, path, walk)
    flat_old, flat_new = _flat(old), _flat(new)
    if flat_old is None:
        if any(not _compare(part, new, path, walk) for part in _parts(old)):
            return []  # the old values pass each part, and this one is enough
        return [f"{_at(path, 'allOf')}: parts that overlap, not compared"]
    if flat_new is None and not isinstance(new["allOf"], list):
        return [f"{_at(path, 'allOf')}: not a list, not compared"]
    if flat_new is None:  # the value must pass each part
        rest = {key: value for key, value in new.items() if key != "allOf"}
        return [
            *(
                reason
                for i, part in enumerate(new["allOf"])
                for reason in _compare(flat_old, part, _at(path, f"allOf/{i}"), walk)
            ),
            *_compare(flat_old, rest, path, walk),
        ]
    for side in (flat_old, flat_new):
        if unknown := sorted(set(side) - _KNOWN):
            return [f"{_at(path, unknown[0])}: a keyword not compared"]
        if "$ref" in side:  # left where the schema refers to itself
            return [f"{_at(path, '$ref')}: a recursive schema changed, not compared"]
    return _alternatives(flat_old, flat_new, path, walk)


def _refers(schema: Schema) -> bool:
    """Whether ``schema`` holds a ``$ref``: equal text may then point elsewhere."""
    return '"$ref"' in json.dumps(schema)


def _recursion(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    """A ``$ref`` on either side: its target compared, the pair assumed to hold
    meanwhile; met again, the assumption holds once a value was taken apart."""
    old_target, new_target = _target(old, walk.roots[0]), _target(new, walk.roots[1])
    if old_target is None or new_target is None:
        return [f"{_at(path, '$ref')}: a recursive schema changed, not compared"]
    pair = (id(old_target), id(new_target))  # both alive while the pair is assumed
    if pair in walk.assumed:
        if walk.assumed[pair] < walk.depth:
            return []
        why = "refers to itself with no item or property between, not compared"
        return [f"{_at(path, '$ref')}: {why}"]
    assumed = {**walk.assumed, pair: walk.depth}
    return _compare(old_target, new_target, path, walk._replace(assumed=assumed))


def _target(schema: Mapping[str, Any], root: Schema) -> Schema | None:
    """What a ``$ref`` to a JSON pointer into ``root`` points at (``schema`` itself
    where it is no ``$ref``); None where it leads nowhere, or only to ``$ref``s."""
    seen: set[str] = set()
    while isinstance(schema, Mapping) and list(schema) == ["$ref"]:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#") or ref in seen:
            return None
        seen.add(ref)
        node = root
        for part in unquote(ref[1:]).split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            elif isinstance(node, Mapping) and key in node:
                node = node[key]
            else:
                return None
        schema = node
    return schema


def _parts(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Each ``allOf`` part of ``schema`` merged with its other keywords, where
    they merge: a schema that takes every value ``schema`` takes."""
    parts = schema.get("allOf")
    rest = {key: value for key, value in schema.items() if key != "allOf"}
    found = []
    for part in parts if isinstance(parts, list) else ():
        flat = _flat(part) if isinstance(part, Mapping) else None
        merged = _merged(rest, flat) if flat is not None else None
        if merged is not None:
            found.append(merged)
    return found


def _alternatives(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    """Unions: each old member must pass, and each value pass some new member."""
    for key in ("anyOf", "oneOf"):
        if key not in old:
            continue
        members = _distributed(old, key)
        if members is None:
            return [f"{_at(path, key)}: beside other keywords, not compared"]
        return [
            reason for member in members for reason in _compare(member, new, path, walk)
        ]
    for key in ("anyOf", "oneOf"):
        if key not in new:
            continue
        rest = {k: v for k, v in new.items() if k != key}
        found = _compare(old, rest, path, walk)
        members = new[key] if isinstance(new[key], list) else []
        pieces = _by_type(old)
        if all(_compare(old, member, path, walk) for member in members) and (
            not pieces or any(_compare(piece, new, path, walk) for piece in pieces)
        ):
            found.append(
                f"{_at(path, key)}: no member accepts every value the old schema did"
            )
        return found
    return _plain(old, new, path, walk)


def _distributed(schema: Mapping[str, Any], key: str) -> list[Schema] | None:
    """The members of ``schema``'s union each merged with its other keywords (a
    ``oneOf`` read as an ``anyOf``, which takes no fewer values); None where one
    does not merge."""
    members = schema[key]
    if not isinstance(members, list):
        return None
    rest = {k: v for k, v in schema.items() if k != key}
    if not rest:
        return members
    found = []
    for member in members:
        flat = (
            {}
            if member is True
            else _flat(member)
            if isinstance(member, Mapping)
            else None
        )
        merged = _merged(rest, flat) if flat is not None else None
        if merged is None:
            return None
        found.append(merged)
    return found


def _by_type(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``schema`` split by the types it takes, which a union's members may take
    apart (``type: [string, "null"]`` to ``anyOf``); none where it takes one."""
    types = _types(schema)
    if types is None or len(types) < 2:
        return []
    rest = {key: value for key, value in schema.items() if key != "nullable"}
    return [{**rest, "type": kind} for kind in sorted(types)]


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


def _plain(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    """Two schemas without ``allOf``, ``anyOf`` and ``oneOf``."""
    old_types, new_types = _types(old), _types(new)
    if old_types is None and new_types is not None:
        found = [f"{_at(path, 'type')}: took any type, now only {_listed(new_types)}"]
    else:
        lost = sorted(t for t in old_types or () if not _admits(new_types, t))
        found = [f"{_at(path, 'type')}: no longer takes {t}" for t in lost]
    found += _enum(old, new, path)
    if "format" in new and not _wider_format(old.get("format"), new["format"]):
        was = old.get("format")
        change = f"changed from {was}" if was else "added"
        found.append(f"{_at(path, 'format')}: {change}, not compared")
    values = _values(old)
    if values is not None:  # each value against the number and string keywords
        held = [v for v in values if _admits(old_types, _value_type(v))]
        found += _each_value(held, old, new, path)
    for kinds, compare in _FAMILIES:
        if values is not None and kinds in (_NUMBERS, _STRINGS):
            continue
        if old_types is None or old_types & kinds:
            found += compare(old, new, path, walk)
    return found


def _wider_format(was: Any, now: Any) -> bool:
    if was == now:
        return True
    order = _NUMBER_FORMATS
    return was in order and now in order and order.index(was) < order.index(now)


def _each_value(
    values: list[Any], old: Mapping[str, Any], new: Mapping[str, Any], path: str
) -> list[str]:
    """The new number and string keywords that refuse a value ``old`` takes (one
    it refuses itself is none of its values)."""
    found: dict[str, None] = {}
    for value in values:
        if any(not why.endswith(UNTOLD) for _, why in refusals(value, old)):
            continue
        for keyword, why in refusals(value, new):
            found[f"{_at(path, keyword)}: {why}"] = None
    return list(found)


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
    types = _types(old)  # a value of a type old refuses is none of its values
    dropped = [
        v
        for v in held
        if _admits(types, _value_type(v)) and json.dumps(v, sort_keys=True) not in same
    ]
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


def _counts(keywords: tuple[str, str]) -> _Compare:
    low, high = keywords

    def compare(
        old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
    ) -> list[str]:
        return [
            *_limit(old.get(low), new.get(low), path, low, most=False),
            *_limit(old.get(high), new.get(high), path, high, most=True),
        ]

    return compare


def _numbers(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    found = []
    for upper, keyword in ((False, "minimum"), (True, "maximum")):
        was, now = bounds(old, upper), bounds(new, upper)
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
    if not (number(step) and number(old_step)) or step <= 0:
        return False
    ratio = Fraction(str(old_step)) / Fraction(str(step))
    return ratio.denominator == 1


def _strings(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    found = _counts(("minLength", "maxLength"))(old, new, path, walk)
    if "pattern" in new and new["pattern"] != old.get("pattern"):
        found.append(f"{_at(path, 'pattern')}: changed, not compared")
    return found


def _arrays(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    found = _counts(("minItems", "maxItems"))(old, new, path, walk)
    if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
        found.append(f"{_at(path, 'uniqueItems')}: added")
    items = new.get("items", True)
    if isinstance(items, list) or isinstance(old.get("items"), list):
        found.append(f"{_at(path, 'items')}: a list of schemas, not compared")
    else:
        found += _compare(
            old.get("items", True), items, _at(path, "items"), walk.down()
        )
    return found


def _objects(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, walk: _Walk
) -> list[str]:
    found = _counts(("minProperties", "maxProperties"))(old, new, path, walk)
    walk = walk.down()  # each comparison below is of a property's value
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
            found += _compare(old_props[name], rest, where, walk)
    for name, schema in sorted(new_props.items()):
        before = old_props.get(name, others)
        found += _compare(before, schema, _at(path, f"properties/{name}"), walk)
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
            walk,
        )
    return found


def _others(schema: Mapping[str, Any]) -> Schema:
    """The schema of an object's properties beyond its ``properties``: False when
    none is stored (the generated model ignores them)."""
    if "additionalProperties" in schema:
        return schema["additionalProperties"]
    return not schema.get("properties")


_NUMBERS, _STRINGS = frozenset({"integer", "number"}), frozenset({"string"})
_FAMILIES: tuple[tuple[frozenset[str], _Compare], ...] = (
    (_NUMBERS, _numbers),
    (_STRINGS, _strings),
    (frozenset({"array"}), _arrays),
    (frozenset({"object"}), _objects),
)
