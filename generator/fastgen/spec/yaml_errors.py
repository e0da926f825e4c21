"""PyYAML's syntax errors as problems a person can act on.

PyYAML reports where it *noticed* a problem, which is often the line after the
mistake: an unclosed ``{`` on line 10 is noticed at the next key on line 11. Its
``context_mark`` says where the broken construct began. A problem is located where
the fix goes (the unclosed bracket or quote, the misindented line, the tab), says
what is wrong in plain words, and names where PyYAML noticed it when that differs.
"""

from __future__ import annotations

import re

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


def syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    """The located, plain-worded problem for a YAML (or JSON) syntax error."""
    context, problem = exc.context or "", exc.problem or ""
    start, noticed = _position(exc.context_mark), _position(exc.problem_mark)
    at = noticed or start or (1, 1)
    here = f"{at[0]}:{at[1]}"

    def located(position: tuple[int, int], message: str) -> Problem:
        return Problem(file, *position, f"invalid YAML: {message}")

    flow = re.fullmatch(r"while parsing a (flow mapping|flow sequence)", context)
    expected = re.fullmatch(r"expected ',' or '[\]}]', but got '(.*)'", problem)
    if flow and expected and start:
        opener, closer = _FLOW[flow.group(1)]
        found = _found(expected.group(1))
        if expected.group(1) == "<stream end>":
            return located(
                start,
                f"'{opener}' opened here is never closed: no '{closer}' before "
                f"the end of the file (noticed at {here})",
            )
        return located(
            start,
            f"'{opener}' opened here is not closed where expected: at {here} found "
            f"{found} where ',' or '{closer}' should be (a missing '{closer}', or a "
            "missing ',' between entries)",
        )
    if "quoted scalar" in context and start:
        quote = '"' if "double" in context else "'"
        if "end of stream" in problem or "document separator" in problem:
            return located(
                start,
                "unclosed quote: the string opened here has no closing quote "
                f"(noticed at {here})",
            )
        escape = re.fullmatch(r"found unknown escape character '(.*)'", problem)
        if escape and quote == '"':
            return located(
                at,
                f"unknown escape '\\{escape.group(1)}' in a double-quoted string; "
                "write '\\\\' for a backslash, or use single quotes",
            )
    if "'\\t'" in problem:
        return located(
            at,
            "a tab character: YAML indents with spaces only; replace the tab with "
            "spaces",
        )
    block = re.fullmatch(r"while parsing a block (mapping|collection)", context)
    if block and problem.startswith("expected <block end>") and start:
        kind = "mapping" if block.group(1) == "mapping" else "list"
        found = _found(problem.rpartition("found ")[2].strip("'"))
        return located(
            at,
            f"inconsistent indentation: {found} at column {at[1]} does not fit the "
            f"{kind} that starts at {start[0]}:{start[1]}; indent it like the "
            "entries it belongs with",
        )
    if context == "while scanning a simple key" and start:
        return located(
            start,
            "this line is neither 'key: value' nor a list item ('- '): a missing "
            f"':' after the key? (noticed at {here})",
        )
    if problem == "mapping values are not allowed here":
        return located(
            at,
            "a ': ' where no key can start: quote the value if the colon is part "
            "of it, or put the key on a line of its own",
        )
    alias = re.fullmatch(r"found undefined alias '(.*)'", problem)
    if alias:
        name = alias.group(1)
        return located(at, f"undefined alias '*{name}': no anchor '&{name}' before it")
    anchor = re.fullmatch(r"found duplicate anchor '(.*)'; first occurrence", context)
    if anchor and start:
        return located(
            at,
            f"anchor '&{anchor.group(1)}' is defined again here (first at "
            f"{start[0]}:{start[1]}); give each anchor its own name",
        )
    if "expected a single document" in context:
        return located(
            at, "a second document ('---'); a spec file holds exactly one document"
        )
    detail = f" ({context} at {start[0]}:{start[1]})" if context and start else ""
    return located(at, f"{problem or context or 'not YAML'}{detail}")


def _position(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _found(token: str) -> str:
    return _TOKENS.get(token, f"'{token}'")
