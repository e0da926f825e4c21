"""PyYAML's syntax errors as problems a person can act on.

PyYAML reports where it *noticed* a problem, which is often the line after the
mistake: an unclosed ``{`` on line 10 is noticed at the next key on line 11. Its
``context_mark`` says where the broken construct began. A problem is located where
the fix goes (the unclosed bracket or quote, the misindented line, the tab), says
what is wrong in plain words, and names where PyYAML noticed it when that differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from fastgen.spec.problems import Problem

# PyYAML's names for the tokens it found, as a person would say them.
_TOKENS = {
    "<stream end>": "the end of the file",
    "<block end>": "a line indented less",
    "<block mapping start>": "a new key",
    "<block sequence start>": "a list item",
    "<scalar>": "a value",
    "?": "a new key",
    "-": "a list item ('-')",
}
_FLOW = {"flow mapping": ("{", "}"), "flow sequence": ("[", "]")}
# (line, column), 1-based.
Position = tuple[int, int]
# Where the fix goes, and what to say.
Located = tuple[Position, str]


def syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    """The located, plain-worded problem for a YAML (or JSON) syntax error."""
    start, noticed = _position(exc.context_mark), _position(exc.problem_mark)
    error = _Error(
        exc.context or "", exc.problem or "", start, noticed or start or (1, 1)
    )
    for rule in _RULES:
        found = rule(error)
        if found is not None:
            position, message = found
            return Problem(file, *position, f"invalid YAML: {message}")
    detail = f" ({error.context} at {_at(start)})" if error.context and start else ""
    message = f"{error.problem or error.context or 'not YAML'}{detail}"
    return Problem(file, *error.at, f"invalid YAML: {message}")


@dataclass(frozen=True)
class _Error:
    """What PyYAML said, and where."""

    context: str  # the construct being parsed, e.g. "while parsing a flow mapping"
    problem: str  # what PyYAML found wrong there
    start: Position | None  # where that construct began
    at: Position  # where PyYAML noticed the problem (else where the construct began)

    @property
    def here(self) -> str:
        return _at(self.at)


def _unclosed_flow(error: _Error) -> Located | None:
    flow = re.fullmatch(r"while parsing a (flow mapping|flow sequence)", error.context)
    expected = re.fullmatch(r"expected ',' or '[\]}]', but got '(.*)'", error.problem)
    if not (flow and expected and error.start):
        return None
    opener, closer = _FLOW[flow.group(1)]
    if expected.group(1) == "<stream end>":
        return error.start, (
            f"'{opener}' opened here is never closed: no '{closer}' before "
            f"the end of the file (noticed at {error.here})"
        )
    return error.start, (
        f"'{opener}' opened here is not closed where expected: at {error.here} found "
        f"{_found(expected.group(1))} where ',' or '{closer}' should be (a missing "
        f"'{closer}', or a missing ',' between entries)"
    )


def _quoted(error: _Error) -> Located | None:
    if "quoted scalar" not in error.context or not error.start:
        return None
    if "end of stream" in error.problem or "document separator" in error.problem:
        return error.start, (
            "unclosed quote: the string opened here has no closing quote "
            f"(noticed at {error.here})"
        )
    escape = re.fullmatch(r"found unknown escape character '(.*)'", error.problem)
    if escape and "double" in error.context:
        return error.at, (
            f"unknown escape '\\{escape.group(1)}' in a double-quoted string; "
            "write '\\\\' for a backslash, or use single quotes"
        )
    return None


def _tab(error: _Error) -> Located | None:
    if "'\\t'" not in error.problem:
        return None
    return error.at, (
        "a tab character: YAML indents with spaces only; replace the tab with spaces"
    )


def _indentation(error: _Error) -> Located | None:
    block = re.fullmatch(r"while parsing a block (mapping|collection)", error.context)
    if not (block and error.problem.startswith("expected <block end>") and error.start):
        return None
    kind = "mapping" if block.group(1) == "mapping" else "list"
    found = _found(error.problem.rpartition("found ")[2].strip("'"))
    return error.at, (
        f"inconsistent indentation: {found} at column {error.at[1]} does not fit the "
        f"{kind} that starts at {_at(error.start)}; indent it like the "
        "entries it belongs with"
    )


def _not_a_key(error: _Error) -> Located | None:
    if error.context != "while scanning a simple key" or not error.start:
        return None
    return error.start, (
        "this line is neither 'key: value' nor a list item ('- '): a missing "
        f"':' after the key? (noticed at {error.here})"
    )


def _stray_colon(error: _Error) -> Located | None:
    if error.problem != "mapping values are not allowed here":
        return None
    return error.at, (
        "a ': ' where no key can start: quote the value if the colon is part "
        "of it, or put the key on a line of its own"
    )


def _undefined_alias(error: _Error) -> Located | None:
    alias = re.fullmatch(r"found undefined alias '(.*)'", error.problem)
    if not alias:
        return None
    name = alias.group(1)
    return error.at, f"undefined alias '*{name}': no anchor '&{name}' before it"


def _duplicate_anchor(error: _Error) -> Located | None:
    pattern = r"found duplicate anchor '(.*)'; first occurrence"
    anchor = re.fullmatch(pattern, error.context)
    if not (anchor and error.start):
        return None
    return error.at, (
        f"anchor '&{anchor.group(1)}' is defined again here (first at "
        f"{_at(error.start)}); give each anchor its own name"
    )


def _second_document(error: _Error) -> Located | None:
    if "expected a single document" not in error.context:
        return None
    return error.at, "a second document ('---'); a spec file holds exactly one document"


# Each rule recognises one kind of error; in order, the first that does words it.
_RULES: tuple[Callable[[_Error], Located | None], ...] = (
    _unclosed_flow,
    _quoted,
    _tab,
    _indentation,
    _not_a_key,
    _stray_colon,
    _undefined_alias,
    _duplicate_anchor,
    _second_document,
)


def _at(position: Position) -> str:
    return f"{position[0]}:{position[1]}"


def _position(mark: yaml.Mark | None) -> Position | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _found(token: str) -> str:
    return _TOKENS.get(token, f"'{token}'")
