"""Compiled templates are reused across template clones, and never stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader
from jinja2.ext import Extension

from fastgen.render.bytecode import TemplateBytecodeCache, from_string


class CountingExtension(Extension):
    """Counts preprocess calls (copier's yield tag resets its state in this hook)."""

    calls = 0

    def preprocess(
        self, source: str, name: str | None, filename: str | None = None
    ) -> str:
        CountingExtension.calls += 1
        return source.replace("@@", "preprocessed")


def clone(root: Path, text: str) -> Environment:
    """An environment over a fresh copy of a one-file template, as copier makes."""
    root.mkdir(parents=True)
    (root / "main.py.jinja").write_text(text)
    environment = Environment(
        loader=FileSystemLoader(root), extensions=[CountingExtension]
    )
    environment.bytecode_cache = TemplateBytecodeCache(environment)
    return environment


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    CountingExtension.calls = 0


def test_a_second_clone_loads_the_compiled_template(tmp_path: Path) -> None:
    first = clone(tmp_path / "a", "{{ x }} @@")
    assert first.get_template("main.py.jinja").render(x=1) == "1 preprocessed"
    cached = list((tmp_path / "home" / ".cache" / "fastgen" / "jinja").iterdir())
    assert len(cached) == 1

    second = clone(tmp_path / "b", "{{ x }} @@")
    compiled = []
    compile_source = second.compile

    def counted(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args)
        return compile_source(*args, **kwargs)

    second.compile = counted  # type: ignore[method-assign]
    assert second.get_template("main.py.jinja").render(x=2) == "2 preprocessed"
    assert compiled == []  # loaded, not compiled
    # The hook ran for the cache hit too, once per load.
    assert CountingExtension.calls == 2
    assert list(cached[0].parent.iterdir()) == cached


def test_an_edited_template_compiles_again(tmp_path: Path) -> None:
    clone(tmp_path / "a", "old {{ x }}").get_template("main.py.jinja").render(x=1)
    edited = clone(tmp_path / "b", "new {{ x }}")
    assert edited.get_template("main.py.jinja").render(x=1) == "new 1"


def test_another_environment_does_not_share_bytecode(tmp_path: Path) -> None:
    plain = clone(tmp_path / "a", "{{ x }}")
    other = Environment(
        loader=FileSystemLoader(tmp_path / "a"),
        variable_start_string="[[",
        variable_end_string="]]",
    )
    assert TemplateBytecodeCache(other).fingerprint != (
        TemplateBytecodeCache(plain).fingerprint
    )


def test_a_string_compiles_once_across_environments(tmp_path: Path) -> None:
    """copier renders each path of the template from a string: kept like a file's."""
    first = clone(tmp_path / "a", "")
    template = from_string(first, "src/{{ package }}/@@")
    assert template is not None
    assert template.render(package="shop") == "src/shop/preprocessed"

    second = clone(tmp_path / "b", "")
    compiled = []
    compile_source = second.compile

    def counted(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args)
        return compile_source(*args, **kwargs)

    second.compile = counted  # type: ignore[method-assign]
    again = from_string(second, "src/{{ package }}/@@")
    assert again is not None
    assert again.render(package="books") == "src/books/preprocessed"
    assert compiled == []
    assert CountingExtension.calls == 2  # the hook ran for the cache hit too
    other = from_string(second, "{{ package }}.py")
    assert other is not None
    assert other.render(package="x") == "x.py"
    assert len(compiled) == 1  # another string is not the first one's bucket


def test_without_fastgens_cache_a_string_is_left_to_jinja(tmp_path: Path) -> None:
    assert from_string(Environment(), "{{ x }}") is None
