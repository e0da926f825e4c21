"""Load YAML or JSON into plain Python data while remembering where every value came from.

PyYAML's composer gives each node a start mark; we walk the node tree once, construct
plain values and keep a map from each value's path (a tuple of keys and indexes) to its
position, so later validation errors can name ``file:line:column``. A ``.json`` file
is read as JSON instead (``json_reader.py``), with the same positions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fastgen.spec import yaml12
from fastgen.spec.json_reader import load_json
from fastgen.spec.problems import Loc, Problem, SpecError, dotted
from fastgen.spec.yaml_errors import syntax_problem

# libyaml's parser gives the same nodes and marks as PyYAML's pure-Python one, several
# times faster: parsing a large OpenAPI document was the biggest cost of `fastgen new`.
# Its syntax-error messages are terser, so a document it rejects is parsed again by
# the pure-Python loader for the message. Both read YAML 1.2's core schema (`NO` and
# `on` are strings), as OpenAPI and JSON Schema do (`yaml12.py`).
PURE_LOADER: Any = yaml12.SafeLoader
FAST_LOADER: Any = yaml12.CSafeLoader or PURE_LOADER


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded document starts, 1-based."""

    file: str
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The position of ``loc``, or of its nearest ancestor that has one."""
        while True:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for positions in table:
                if loc in positions:
                    return positions[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, column = self.of(loc, key=key)
        return Problem(self.file, line, column, message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


# The values YAML aliases may add to a document by repeating what an anchor holds:
# nested aliases multiply it at each level (a "billion laughs").
MAX_ALIASED_VALUES = 100_000


class _TooManyAliased(Exception):
    pass


class _Builder:
    """Builds the data of a node tree, in which an alias is its anchor's node again:
    a node within itself is refused, and so is repeating more than the bound."""

    def __init__(self, loader: Any, positions: Positions) -> None:
        self.loader = loader
        self.positions = positions
        self.problems: list[Problem] = []
        self.open: set[int] = set()  # the collections being built, around loc
        self.built: set[int] = set()  # the collections built once
        self.alias_at: Loc | None = None  # where the outermost repetition is
        self.aliased = 0  # the values built again, as an alias's

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if not isinstance(node, yaml.CollectionNode):
            return self._value(node, loc)
        if id(node) in self.open:
            self.problems.append(
                self.alias_problem(
                    loc,
                    "an alias of a mapping or list it is part of (a recursive "
                    "structure); expected a value of its own",
                )
            )
            return None
        outermost = id(node) in self.built and self.alias_at is None
        if outermost:
            self.alias_at = loc
        self.open.add(id(node))
        try:
            return self._value(node, loc)
        finally:
            self.open.discard(id(node))
            self.built.add(id(node))
            if outermost:
                self.alias_at = None

    def alias_problem(self, loc: Loc, what: str) -> Problem:
        """A problem of the alias at ``loc`` (its key; a list item's list)."""
        while loc and isinstance(loc[-1], int):
            loc = loc[:-1]
        return self.positions.problem(
            loc, f"invalid YAML: {dotted(loc)}: {what}", key=True
        )

    def _value(self, node: yaml.Node, loc: Loc) -> Any:
        if self.alias_at is not None:
            self.aliased += 1
            if self.aliased > MAX_ALIASED_VALUES:
                raise _TooManyAliased(self.alias_at)
        self.positions.values[loc] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | bool) or key is None:
                    self.problems.append(
                        self.positions.problem(loc, "mapping keys must be strings")
                    )
                    continue
                if isinstance(key, bool):  # `true:` is the key "true", as written
                    key = str(key_node.value)
                key = str(key) if not isinstance(key, str) else key
                if key in result:
                    line, column = _mark(key_node)
                    self.problems.append(
                        Problem(
                            self.positions.file,
                            line,
                            column,
                            f"duplicate key {key!r}; each key may appear once",
                        )
                    )
                    continue
                self.positions.keys[(*loc, key)] = _mark(key_node)
                result[key] = self.build(value_node, (*loc, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def load_document(path: Path) -> tuple[Any, Positions]:
    """Parse ``path`` (YAML or JSON) into data plus the position of every value."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(display, 1, 1, "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(display, 1, 1, f"cannot read file: {exc}")]) from None
    return load_text(text, display)


def load_text(text: str, display: str) -> tuple[Any, Positions]:
    """Parse a YAML/JSON string; ``display`` is the file name used in messages. A
    ``.json`` file is read as JSON (its syntax, its errors), and so is a JSON
    document under another name, anything else as YAML."""
    if display.lower().endswith(".json") or _json_document(text):
        positions = Positions(display)
        return load_json(text, positions), positions
    try:
        return _load(FAST_LOADER, text, display)
    except SpecError:
        if FAST_LOADER is PURE_LOADER:
            raise
        return _load(PURE_LOADER, text, display)


def _json_document(text: str) -> bool:
    """Whether ``text`` is a JSON object: a generated project keeps a ``.json``
    input as it was written, in ``openapi.yaml`` or ``fastgen.yaml``, and JSON reads
    it differently from YAML (a surrogate pair is one character)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    try:
        json.loads(text.removeprefix("\ufeff"))
    except (RecursionError, ValueError):  # YAML's flow style, or broken
        return False
    return True


def _load(loader_class: Any, text: str, display: str) -> tuple[Any, Positions]:
    positions = Positions(display)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError([Problem(display, 1, 1, "the document is empty")])
        builder = _Builder(loader, positions)
        data = builder.build(node, ())
    except _TooManyAliased as exc:
        message = (
            f"aliases repeat more than {MAX_ALIASED_VALUES} values (nested aliases "
            "multiply them); expected fewer, or the values written out"
        )
        raise SpecError([builder.alias_problem(exc.args[0], message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise SpecError([syntax_problem(exc, display)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(display, 1, 1, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise SpecError(builder.problems)
    return data, positions
