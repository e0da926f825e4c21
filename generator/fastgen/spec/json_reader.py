"""A ``.json`` input read as JSON, not as YAML: JSON's own syntax (a trailing comma,
a single quote, ``NaN`` are refused, located at ``LINE:COL``), and the position of
every value and mapping key, as the YAML reader keeps them.

The text is checked by the ``json`` module first, so the walk that records the
positions only ever sees valid JSON.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import TYPE_CHECKING, Any

from fastgen.spec.problems import Loc, Problem, SpecError

if TYPE_CHECKING:
    from fastgen.spec.loader import Positions

# One token of valid JSON, whitespace included; NaN and Infinity, which the json
# module accepts, are found so that they can be refused.
_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
      (?P<string>")
    | (?P<number>-?(?:0|[1-9][0-9]*)(?P<real>(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?))
    | (?P<punct>[{}\[\]:,])
    | (?P<literal>true|false|null)
    | (?P<constant>-?Infinity|NaN)
    )""",
    re.VERBOSE,
)
_LITERALS = {"true": True, "false": False, "null": None}


def load_json(text: str, positions: Positions) -> Any:
    """Parse JSON ``text``, filling ``positions`` (whose file names it in messages)."""
    display = positions.file
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SpecError([Problem(display, 1, 1, "the document is empty")])
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError([_syntax_problem(exc, display)]) from None
    except (RecursionError, ValueError) as exc:  # nested too deeply, a huge number
        problem = Problem(display, 1, 1, f"invalid JSON: {exc}")
        raise SpecError([problem]) from None
    walk = _Walk(text, positions)
    try:
        data = walk.value(())
    except RecursionError:  # the walk takes two frames a level, json.loads one
        problem = Problem(display, 1, 1, "invalid JSON: nested too deeply")
        raise SpecError([problem]) from None
    if walk.problems:
        raise SpecError(walk.problems)
    return data


def _syntax_problem(exc: json.JSONDecodeError, display: str) -> Problem:
    """json's error, located; a trailing comma (which YAML and JavaScript take) at
    the comma, in words."""
    before = exc.doc[: exc.pos].rstrip(" \t\n\r")
    closing = exc.doc[exc.pos : exc.pos + 1]
    if before.endswith(",") and closing in ("}", "]"):
        walk = _Walk(exc.doc, None)
        line, column = walk.where(len(before) - 1)
        message = (
            f"invalid JSON: a trailing comma before '{closing}' (JSON allows none)"
        )
        return Problem(display, line, column, message)
    said = next(
        (words for msg, words in _SAID.items() if exc.msg.startswith(msg)), exc.msg
    )
    return Problem(display, exc.lineno, exc.colno, f"invalid JSON: {said}")


# The json module's messages, as a person would say them.
_SAID = {
    "Expecting ',' delimiter": "a ',' is missing before this (between two entries)",
    "Expecting ':' delimiter": "a ':' is missing after the key",
    "Expecting property name enclosed in double quotes": (
        "expected a key in double quotes (JSON has no single quotes or bare keys)"
    ),
    "Expecting value": "expected a value (a string in double quotes, a number, "
    "true, false, null, an object or an array)",
    "Extra data": "more text after the end of the document",
    "Unterminated string starting": "a string opened here is never closed",
    "Invalid control character": "a control character in a string: write it "
    "escaped (\\t, \\n)",
    "Invalid \\escape": "an escape JSON does not have",
}


class _Walk:
    """Reads valid JSON token by token, recording where each value and key starts."""

    def __init__(self, text: str, positions: Positions | None) -> None:
        self.text = text
        self.at = 0
        self.positions = positions
        self.problems: list[Problem] = []
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, index: int) -> tuple[int, int]:
        """The 1-based line and column of ``index``."""
        line = bisect.bisect_right(self.lines, index)
        return line, index - self.lines[line - 1] + 1

    def token(self) -> re.Match[str]:
        """The next token; ``self.at`` is past it (for a string, past its opening
        quote only)."""
        match = _TOKEN.match(self.text, self.at)
        assert match is not None and match.lastgroup, "checked by json.loads"
        self.at = match.end()
        return match

    def peek(self) -> str:
        """The first character of the next token (nothing is consumed)."""
        match = _TOKEN.match(self.text, self.at)
        assert match is not None and match.lastgroup, "checked by json.loads"
        return self.text[match.start(match.lastgroup)]

    def value(self, loc: Loc) -> Any:
        assert self.positions is not None
        match = self.token()
        kind = match.lastgroup or ""
        start = match.start(kind)
        self.positions.values[loc] = self.where(start)
        if kind == "string":
            text, self.at = json.decoder.scanstring(self.text, self.at)
            return text
        token = match[kind]
        if kind == "number":
            return float(token) if match["real"] else int(token)
        if kind == "literal":
            return _LITERALS[token]
        if kind == "constant":
            message = f"invalid JSON: {token} is not a JSON value (JSON has no NaN or Infinity)"
            self.problems.append(
                Problem(self.positions.file, *self.where(start), message)
            )
            return None
        return self.mapping(loc) if token == "{" else self.sequence(loc)

    def sequence(self, loc: Loc) -> list[Any]:
        items: list[Any] = []
        if self.peek() == "]":
            self.token()
            return items
        while True:
            items.append(self.value((*loc, len(items))))
            if self.token()["punct"] == "]":
                return items

    def mapping(self, loc: Loc) -> dict[str, Any]:
        assert self.positions is not None
        result: dict[str, Any] = {}
        if self.peek() == "}":
            self.token()
            return result
        while True:
            start = self.token().start("string")
            key, self.at = json.decoder.scanstring(self.text, self.at)
            self.token()  # the ':'
            if key in result:  # reported, its value read past and left out
                message = f"duplicate key {key!r}; each key may appear once"
                self.problems.append(
                    Problem(self.positions.file, *self.where(start), message)
                )
                kept = self.positions
                self.positions = type(kept)(kept.file)
                self.value((*loc, key))
                self.positions = kept
            else:
                self.positions.keys[(*loc, key)] = self.where(start)
                result[key] = self.value((*loc, key))
            if self.token()["punct"] == "}":
                return result
