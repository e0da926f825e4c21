"""Bundle an OpenAPI document spread over several files into one self-contained document.

External ``$ref``s are resolved relative to the file they are written in:

- a schema target is hoisted into ``components/schemas/<Name>`` (named after the last
  pointer segment or the file, made unique by ``_2``, ``_3``... in the order met) and
  replaced by an internal ref, so shared and recursive schemas stay shared and finite;
- any other target (path item, parameter, response...) is copied in place;
- a target in the root document becomes an internal ``#/...`` ref;
- a non-YAML/JSON target (a code sample, a Markdown description) is tolerated under
  ``x-`` extensions, examples and descriptions, and replaced by the file's text (or a
  ``<not bundled: REF>`` placeholder when it cannot be read).

The ``SourceMap`` returned with the document reports every construct in the file that
holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastgen.spec.loader import Positions, load_document, load_text
from fastgen.spec.openapi.pointer import (
    PointerError,
    follow,
    is_remote,
    pointer,
    split_ref,
)
from fastgen.spec.openapi.report import Report
from fastgen.spec.openapi.sourcemap import SourceMap
from fastgen.spec.openapi.structure import Kind, child_kind
from fastgen.spec.openapi.version import openapi_version
from fastgen.spec.problems import Loc, SpecError, did_you_mean

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
SCHEMAS: Loc = ("components", "schemas")
_TOLERANT_KINDS = (Kind.EXTENSION, Kind.EXAMPLES, Kind.EXAMPLE)
_TEXT_KEYS = ("description", "summary")


def load_openapi(
    path: Path, loaded: tuple[Any, Positions] | None = None
) -> tuple[dict[str, Any], SourceMap]:
    """Load an OpenAPI 3.0/3.1 document and everything it refers to, as one document.

    ``loaded`` is the root file already parsed (``load_document(path)``), so a caller
    that read it to learn its kind does not parse it again. Raises ``SpecError`` with
    every problem, each located in the file that has it.
    """
    data, positions = loaded if loaded is not None else load_document(path)
    source_map = SourceMap(positions)
    openapi_version(data, source_map)
    root = _File(path.resolve(), str(path), data, positions)
    document = _Bundler(root, source_map).run()
    return document, source_map


@dataclass(frozen=True)
class _File:
    path: Path  # resolved: the file's identity
    display: str  # as the user would write it, for messages
    data: Any
    positions: Positions


@dataclass(frozen=True)
class _Target:
    file: _File
    loc: Loc
    node: Any

    @property
    def key(self) -> tuple[Path, Loc]:
        return (self.file.path, self.loc)


class _Bundler:
    def __init__(self, root: _File, source_map: SourceMap) -> None:
        self.root = root
        self.files: dict[Path, _File] = {root.path: root}
        self.map = source_map
        self.report = Report(source_map)
        self.hoisted: dict[str, Any] = {}
        self.names: dict[tuple[Path, Loc], str] = {}
        self.taken: set[str] = set()
        self.inlining: list[tuple[Path, Loc]] = []

    def run(self) -> dict[str, Any]:
        components = self.root.data.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        schemas = schemas if isinstance(schemas, dict) else {}
        self.taken = {str(name).casefold() for name in schemas}
        for name, node in schemas.items():
            self._adopt(name, node)
        document = self._copy(self.root.data, self.root, (), (), Kind.ROOT)
        if self.hoisted:
            self._add_hoisted(document)
        self.report.raise_if_errors()
        return document

    def _add_hoisted(self, document: dict[str, Any]) -> None:
        components = document.setdefault("components", {})
        if not isinstance(components, dict):
            self.report.error(("components",), "components must be a mapping")
            return
        schemas = components.setdefault("schemas", {})
        if not isinstance(schemas, dict):
            self.report.error(SCHEMAS, "components/schemas must be a mapping")
            return
        schemas.update(self.hoisted)

    def _adopt(self, name: str, node: Any) -> None:
        """``components/schemas/Pet: {$ref: pet.yaml}`` keeps the name Pet for its target."""
        if not (isinstance(node, dict) and list(node) == ["$ref"]):
            return
        ref = node["$ref"]
        if not isinstance(ref, str) or ref.startswith("#"):
            return
        target = self._target(ref, self.root, (*SCHEMAS, name, "$ref"), tolerant=False)
        if isinstance(target, _Target) and target.file is not self.root:
            self.names.setdefault(target.key, name)

    def _copy(self, node: Any, file: _File, src: Loc, out: Loc, kind: Kind) -> Any:
        if kind is Kind.DATA:
            return _plain(node)
        if isinstance(node, dict):
            if kind is Kind.MAPPING:
                return {k: self._mapping(v, file, (*out, k)) for k, v in node.items()}
            if "$ref" in node:
                return self._ref(node, file, src, out, kind)
            return {
                k: self._copy(v, file, (*src, k), (*out, k), child_kind(kind, k, v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [
                self._copy(v, file, (*src, i), (*out, i), child_kind(kind, i, v))
                for i, v in enumerate(node)
            ]
        return _plain(node)

    def _ref(
        self, node: dict[str, Any], file: _File, src: Loc, out: Loc, kind: Kind
    ) -> Any:
        ref = node["$ref"]
        site = (*out, "$ref")
        siblings = {
            k: self._copy(v, file, (*src, k), (*out, k), child_kind(kind, k, v))
            for k, v in node.items()
            if k != "$ref"
        }
        if not isinstance(ref, str):
            self.report.error(site, "$ref must be a string")
            return siblings
        tolerant = kind in _TOLERANT_KINDS or (bool(out) and out[-1] in _TEXT_KEYS)
        target = self._target(ref, file, site, tolerant=tolerant)
        if target is None:
            return {"$ref": ref, **siblings}
        if isinstance(target, str):
            return target
        if target.file is self.root:
            return {"$ref": pointer(target.loc), **siblings}
        if kind is Kind.SCHEMA:
            if out[:-1] == SCHEMAS and self.names.get(target.key) == out[-1]:
                return {**self._inline(target, out, kind, site), **siblings}
            return {"$ref": pointer((*SCHEMAS, self._hoist(target))), **siblings}
        content = self._inline(target, out, kind, site)
        return {**content, **siblings} if isinstance(content, dict) else content

    def _mapping(self, value: Any, file: _File, out: Loc) -> Any:
        """A discriminator mapping value that is a ``$ref`` string, bundled like one."""
        looks_like_ref = isinstance(value, str) and (
            "#" in value or "/" in value or value.endswith(DOCUMENT_SUFFIXES)
        )
        if not looks_like_ref:
            return value
        target = self._target(value, file, out, tolerant=False)
        if not isinstance(target, _Target):
            return value
        if target.file is self.root:
            return pointer(target.loc)
        return pointer((*SCHEMAS, self._hoist(target)))

    def _target(
        self, ref: str, file: _File, site: Loc, *, tolerant: bool
    ) -> _Target | str | None:
        """What ``ref`` (written in ``file``) points to; None after reporting why not."""
        if is_remote(ref):
            self.report.error(
                site,
                f"$ref {ref!r}: remote references are not supported; download the "
                "document and refer to it by a relative path",
            )
            return None
        file_part, segments = split_ref(ref)
        if segments is None:
            self.report.error(
                site,
                f"$ref {ref!r}: only JSON-pointer fragments ('#/...') are supported",
            )
            return None
        target_file: _File | None = file
        if file_part:
            path = file.path.parent / file_part
            display = os.path.normpath(
                os.path.join(os.path.dirname(file.display), file_part)
            )
            if path.suffix.lower() not in DOCUMENT_SUFFIXES:
                if tolerant:
                    return _text_of(path, ref)
                self.report.error(
                    site,
                    f"$ref {ref!r}: not a YAML or JSON document; only x- extensions, "
                    "examples and descriptions may refer to other kinds of files",
                )
                return None
            target_file = self._file(path, display, site, ref)
        if target_file is None:
            return None
        try:
            node, loc = follow(target_file.data, segments)
        except PointerError as exc:
            hint = did_you_mean(exc.segment, exc.options)
            self.report.error(
                site,
                f"$ref {ref!r}: {target_file.display} has no {exc.segment!r} at "
                f"{pointer(exc.parent)}{hint}",
            )
            return None
        return _Target(target_file, loc, node)

    def _file(self, path: Path, display: str, site: Loc, ref: str) -> _File | None:
        resolved = path.resolve()
        if resolved in self.files:
            return self.files[resolved]
        try:
            text = resolved.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.report.error(site, f"$ref {ref!r}: file not found: {display}")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.report.error(site, f"$ref {ref!r}: cannot read {display}: {exc}")
            return None
        try:
            data, positions = load_text(text, display)
        except SpecError as exc:
            self.report.extend(exc.problems)
            return None
        loaded = _File(resolved, display, data, positions)
        self.files[resolved] = loaded
        return loaded

    def _hoist(self, target: _Target) -> str:
        name = self.names.get(target.key)
        if name is not None:
            return name
        name = self._fresh_name(target)
        self.names[target.key] = name
        out = (*SCHEMAS, name)
        self.hoisted[name] = None  # claim the position: order of first use
        self.hoisted[name] = self._inline(target, out, Kind.SCHEMA, out, hoisted=True)
        return name

    def _fresh_name(self, target: _Target) -> str:
        words = [part for part in target.loc if isinstance(part, str)]
        base = words[-1] if words else Path(target.file.display).stem
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("_") or "Schema"
        name, n = base, 2
        while name.casefold() in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name.casefold())
        return name

    def _inline(
        self, target: _Target, out: Loc, kind: Kind, site: Loc, *, hoisted: bool = False
    ) -> Any:
        if target.key in self.inlining:
            self.report.error(
                site,
                f"circular $ref: {target.file.display}{pointer(target.loc)} contains "
                "itself",
            )
            return {}
        self.inlining.append(target.key)
        self.map.add(out, target.file.positions, target.loc, hoisted=hoisted)
        try:
            return self._copy(target.node, target.file, target.loc, out, kind)
        finally:
            self.inlining.pop()


def _plain(value: Any) -> Any:
    """A JSON-compatible copy: YAML timestamps become ISO 8601 strings.

    OpenAPI documents must be JSON-compatible. An unquoted date is read as its text
    (YAML 1.2, ``yaml12.py``); only an explicit ``!!timestamp`` makes a date.
    """
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text_of(path: Path, ref: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return f"<not bundled: {ref}>"
