"""Strings that match a regular expression (a schema's ``pattern``).

Built from the parse tree of Python's own ``re`` (``re._parser``) of the pattern
(``pattern_dialect.python_pattern``: ECMA's and Rust's ``\\p{L}`` made readable):
each choice (a character of a class, an alternative, a repeat count) is drawn from
a seeded random source, so one pattern always gives the same strings, and each
string is kept only if the app's models accept it (``pattern_dialect.app_check``).
Characters are letters and digits wherever the pattern allows: a list filter's
``__in`` separates values by commas, and databases sort ASCII letters alike.
"""

from __future__ import annotations

import random
import re
import string
import warnings
from typing import Any

from fastgen.spec.openapi.compile.pattern_dialect import app_check, python_pattern

try:
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_parse  # type: ignore[no-redef]

ATTEMPTS = 400
# Lower-case letters and digits first (databases sort them alike, whatever the
# collation), upper-case letters where a class takes none of those; then other
# printable ASCII, the characters a list filter must quote, non-ASCII letters.
POOLS = (
    string.ascii_lowercase + string.digits,
    string.ascii_uppercase,
    "-_.~ " + "".join(c for c in string.punctuation if c not in '-_.~,"\\'),
    ',"\\',
    "".join(map(chr, range(0xC0, 0x250))),
)
ALPHABET = "".join(POOLS)
CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def matching_strings(
    pattern: str, low: int = 0, high: int | None = None, count: int = 8
) -> list[str]:
    """Up to ``count`` distinct strings of ``low`` to ``high`` characters that the
    app's models accept under ``pattern`` (fewer where the pattern has fewer, none
    where no attempt found one or the models check none). Raises ``re.error`` for a
    pattern ``re`` cannot read, even rewritten."""
    with warnings.catch_warnings():
        # re warns of a "[[" or "&&" that Rust reads as a nested set: the check says.
        warnings.simplefilter("ignore", FutureWarning)
        tree = sre_parse.parse(python_pattern(pattern, ALPHABET))
    accepts = app_check(pattern)
    if accepts is None:
        return []
    rng = random.Random(0)
    found: set[str] = set()
    for attempt in range(ATTEMPTS):
        # Repeats grow with the attempts: short strings first, long ones if needed.
        text = _emit(tree, rng, 1 + attempt // 40 + low, {})
        if len(text) < low:
            text += "a" * (low - len(text))  # an unanchored end takes more
        if (high is None or len(text) <= high) and accepts(text):
            found.add(text)
            if len(found) >= count:
                break
    return sorted(found)


def _emit(tree: Any, rng: random.Random, spread: int, groups: dict[int, str]) -> str:
    """A string for the parsed ``tree`` (``groups``: the text each group took)."""
    out = []
    for op, arg in tree:
        name = str(op)
        if name in ("LITERAL", "LITERAL_IGNORE", "LITERAL_UNI_IGNORE"):
            out.append(chr(arg))
        elif name in ("NOT_LITERAL", "NOT_LITERAL_IGNORE", "NOT_LITERAL_UNI_IGNORE"):
            out.append(_pick(rng, lambda c, arg=arg: c != chr(arg)))
        elif name == "ANY":
            out.append(_pick(rng, lambda c: c != "\n"))
        elif name == "IN":
            chosen = _pick(rng, lambda c, arg=arg: _in_class(arg, c))
            out.append(chosen or _named(rng, arg))
        elif name == "BRANCH":
            out.append(_emit(rng.choice(arg[1]), rng, spread, groups))
        elif name == "SUBPATTERN":
            text = _emit(arg[3], rng, spread, groups)
            if arg[0] is not None:
                groups[arg[0]] = text
            out.append(text)
        elif name == "ATOMIC_GROUP":
            out.append(_emit(arg, rng, spread, groups))
        elif name in REPEATS:
            least, most, inner = arg
            times = least + rng.randint(0, max(0, min(most - least, spread)))
            out += [_emit(inner, rng, spread, groups) for _ in range(times)]
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name == "GROUPREF_EXISTS":
            branch = arg[1] if arg[0] in groups else arg[2]
            out.append(_emit(branch or [], rng, spread, groups))
        # AT (anchors), ASSERT and ASSERT_NOT add nothing: the app's check judges.
    return "".join(out)


def _pick(rng: random.Random, allowed: Any) -> str:
    """A character ``allowed`` takes: a letter or digit where one is."""
    for pool in POOLS:
        chars = [c for c in pool if allowed(c)]
        if chars:
            return rng.choice(chars)
    return ""


def _named(rng: random.Random, items: list[tuple[Any, Any]]) -> str:
    """A character a class names (a Greek letter, say), where no pool has one."""
    if items and str(items[0][0]) == "NEGATE":
        return ""
    chars = [chr(arg) for op, arg in items if str(op) == "LITERAL"]
    chars += [chr(arg[0]) for op, arg in items if str(op) == "RANGE"]
    return rng.choice(chars) if chars else ""


def _in_class(items: list[tuple[Any, Any]], char: str) -> bool:
    """Whether ``char`` is in a character class of the parse tree."""
    negate = bool(items) and str(items[0][0]) == "NEGATE"
    hit = False
    for op, arg in items[negate:]:
        name = str(op)
        if name.startswith("LITERAL"):
            hit = ord(char) == arg or "IGNORE" in name and char.lower() == chr(arg)
        elif name.startswith("RANGE"):
            low, high = arg
            hit = (
                low <= ord(char) <= high
                or "IGNORE" in name
                and (low <= ord(char.lower()) <= high)
            )
        elif name == "CATEGORY":
            hit = bool(re.fullmatch(CATEGORIES.get(str(arg), "(?!)"), char))
        if hit:
            break
    return hit != negate
