"""A schema's ``pattern`` as the generated app checks it, and as Python's ``re`` reads it.

A document writes patterns in ECMA-262's dialect (JSON Schema's); the app's models
check them with pydantic, whose Rust regex engine reads ``\\p{L}``, ``(?<name>...)``
and ``\\u{e9}``, and where that engine refuses a pattern (a lookaround) the models
use Python's ``re``. ``app_check`` is that check, the last word on a sample.
``python_pattern`` rewrites what ``re`` cannot read into what it can, matching the
same strings or fewer among the characters a sample is made of: the search for
samples (``regex_samples``) walks ``re``'s parse of it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache

from pydantic_core import SchemaError, SchemaValidator, core_schema

# Characters of a property found outside the sample alphabet (Greek, say).
OUTSIDE = 32
# General categories by the long names Unicode gives them (and the Rust crate takes).
CATEGORIES = {
    "letter": "l", "casedletter": "lc", "uppercaseletter": "lu",
    "lowercaseletter": "ll", "titlecaseletter": "lt", "modifierletter": "lm",
    "otherletter": "lo", "mark": "m", "combiningmark": "m", "nonspacingmark": "mn",
    "spacingmark": "mc", "enclosingmark": "me", "number": "n", "decimalnumber": "nd",
    "digit": "nd", "letternumber": "nl", "othernumber": "no", "punctuation": "p",
    "connectorpunctuation": "pc", "dashpunctuation": "pd", "openpunctuation": "ps",
    "closepunctuation": "pe", "initialpunctuation": "pi", "finalpunctuation": "pf",
    "otherpunctuation": "po", "symbol": "s", "mathsymbol": "sm",
    "currencysymbol": "sc", "modifiersymbol": "sk", "othersymbol": "so",
    "separator": "z", "spaceseparator": "zs", "lineseparator": "zl",
    "paragraphseparator": "zp", "other": "c", "control": "cc", "format": "cf",
    "privateuse": "co", "unassigned": "cn",
}  # fmt: skip
# Properties of one character that Python can tell (narrower where it is close).
BINARY: dict[str, Callable[[str], bool]] = {
    "any": lambda c: True,
    "ascii": lambda c: ord(c) < 128,
    "alphabetic": str.isalpha,
    "alpha": str.isalpha,
    "whitespace": str.isspace,
    "wspace": str.isspace,
    "space": str.isspace,
    "uppercase": lambda c: unicodedata.category(c) == "Lu",
    "upper": lambda c: unicodedata.category(c) == "Lu",
    "lowercase": lambda c: unicodedata.category(c) == "Ll",
    "lower": lambda c: unicodedata.category(c) == "Ll",
}
# Four-letter script codes, by the word their characters' names begin with.
SCRIPT_CODES = {
    "latn": "latin", "grek": "greek", "cyrl": "cyrillic", "arab": "arabic",
    "hebr": "hebrew", "hira": "hiragana", "kana": "katakana", "hang": "hangul",
    "thai": "thai", "deva": "devanagari", "armn": "armenian", "geor": "georgian",
}  # fmt: skip
# The POSIX classes the Rust crate reads inside a class ([[:alpha:]]): ASCII.
POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f",
    "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9",
    "graph": "!-~", "lower": "a-z", "print": " -~",
    "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}  # fmt: skip
_PROPERTY = re.compile(r"\\([pP])(?:\{([^}]*)\}|(\w))")
_CODE_POINT = re.compile(r"\\[ux]\{([0-9A-Fa-f]{1,6})\}")
_POSIX = re.compile(r"\[:(\^?)([a-z]+):\]")


@cache
def app_check(pattern: str) -> Callable[[str], bool] | None:
    """Whether the app's models accept a string under ``pattern``: pydantic's
    Rust engine, Python's ``re`` where Rust refuses it (datamodel-code-generator
    sets the model's ``regex_engine`` so); None where neither compiles it."""
    schema = core_schema.str_schema(pattern=pattern)
    for config in (None, core_schema.CoreConfig(regex_engine="python-re")):
        try:
            return SchemaValidator(schema, config).isinstance_python
        except SchemaError:
            continue
    return None


@cache
def python_pattern(pattern: str, alphabet: str) -> str:
    """``pattern`` with the Rust and ECMA constructs ``re`` cannot read rewritten:
    a property (``\\p{L}``, ``\\P{Lu}``, ``\\p{Script=Greek}``) as the characters of
    ``alphabet`` it takes (or a few others where it takes none there), a named
    group ``(?<name>`` as ``(?P<name>``, ``\\u{e9}`` as ``\\U000000e9``, ``\\z`` as
    ``\\Z``, a POSIX class as its characters. Raises ``re.error`` for a property
    it cannot tell."""
    out: list[str] = []
    depth = 0  # inside a class: "[" opened and not closed
    i = 0
    while i < len(pattern):
        char = pattern[i]
        found = _PROPERTY.match(pattern, i) or _CODE_POINT.match(pattern, i)
        posix = _POSIX.match(pattern, i) if depth else None
        if found and found.re is _PROPERTY:
            ranges = _class_ranges(_property(found, alphabet))
            out.append(ranges if depth else f"[{ranges}]")
            i = found.end()
        elif found:
            out.append(f"\\U{int(found[1], 16):08x}")
            i = found.end()
        elif posix:
            out.append(_posix(posix))
            i = posix.end()
        elif char == "\\":
            out.append("\\Z" if pattern[i + 1 : i + 2] == "z" else pattern[i : i + 2])
            i += 2
        else:
            depth, text = _plain(pattern, i, depth)
            out.append(text)
            i += len(text)
    return "".join(out)


def _plain(pattern: str, i: int, depth: int) -> tuple[int, str]:
    """The text at ``i`` (no escape) as ``re`` reads it, and the class depth after."""
    named = pattern[i + 3 : i + 4] not in ("=", "!", "")
    if depth == 0 and pattern.startswith("(?<", i) and named:
        return depth, "(?P<"
    char = pattern[i]
    if char == "[":
        # "[]" and "[^]" open a class whose first member is "]" (Rust and re).
        start = i + 1 + (pattern[i + 1 : i + 2] == "^")
        closing = pattern[start : start + 1] == "]"
        return depth + 1, pattern[i : start + closing]
    if char == "]" and depth:
        return depth - 1, char
    return depth, char


def _posix(found: re.Match[str]) -> str:
    if found[2] not in POSIX:
        raise re.error(f"unknown POSIX class {found[0]!r}")
    if found[1]:
        raise re.error(f"a negated POSIX class {found[0]!r}")
    return POSIX[found[2]]


def _property(found: re.Match[str], alphabet: str) -> list[str]:
    """The characters of ``alphabet`` that ``\\p{...}`` (or ``\\P{...}``) takes."""
    name = found[2] if found[2] is not None else found[3]
    test = _property_test(name)
    if test is None:
        raise re.error(f"unknown property {found[0]!r}")
    negated = found[1] == "P"
    chars = [c for c in alphabet if test(c) != negated]
    if not chars and not negated:
        chars = _outside(test, alphabet)
    if not chars:
        raise re.error(f"no character found for {found[0]!r}")
    return chars


def _outside(test: Callable[[str], bool], alphabet: str) -> list[str]:
    taken = set(alphabet)
    found = []
    for point in range(0x80, 0x30000):
        char = chr(point)
        if not 0xD800 <= point < 0xE000 and char not in taken and test(char):
            found.append(char)
            if len(found) >= OUTSIDE:
                break
    return found


def _property_test(name: str) -> Callable[[str], bool] | None:
    """What tells a character of the property ``name`` (loosely written, as the Rust
    crate reads it: case, spaces, "_" and "-" aside), or None."""
    key, _, value = _loose(name).rpartition("=")
    if key in ("gc", "generalcategory"):
        return _category(value)
    if key in ("sc", "script", "scx", "scriptextensions"):
        return _script(value)
    if key:
        return None
    return _category(value) or BINARY.get(value) or _script(value)


def _category(value: str) -> Callable[[str], bool] | None:
    code = CATEGORIES.get(value, value)
    if code in ("lc", "l&"):
        return lambda c: unicodedata.category(c) in ("Lu", "Ll", "Lt")
    if len(code) == 1 and code in "lmnpszc":
        return lambda c: unicodedata.category(c)[0].lower() == code
    known = code in {v for v in CATEGORIES.values() if len(v) == 2} | {"cs"}
    return (lambda c: unicodedata.category(c).lower() == code) if known else None


def _script(value: str) -> Callable[[str], bool] | None:
    """A script, by the first word of its characters' names (narrower than the
    script: ``LATIN SMALL LETTER A``, ``GREEK SMALL LETTER ALPHA``)."""
    word = SCRIPT_CODES.get(value, value).upper()
    if len(word) < 3 or word in ("COMMON", "INHERITED", "ZYYY", "ZINH"):
        return None
    prefixes = ("CJK UNIFIED IDEOGRAPH",) if word in ("HAN", "HANI") else (word + " ",)
    return lambda c: unicodedata.name(c, "").startswith(prefixes)


def _loose(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).lower()


def _class_ranges(chars: list[str]) -> str:
    """The members of a character class holding ``chars``, as ranges of escapes."""
    points = sorted({ord(c) for c in chars})
    parts = []
    start = prev = points[0]
    for point in [*points[1:], sys.maxunicode + 2]:
        if point != prev + 1:
            first, last = _escaped(start), _escaped(prev)
            parts.append(first if start == prev else f"{first}-{last}")
            start = point
        prev = point
    return "".join(parts)


def _escaped(point: int) -> str:
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"
