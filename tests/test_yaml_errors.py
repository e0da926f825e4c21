"""YAML and JSON syntax errors name where the broken construct starts, in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fastgen.spec import loader
from fastgen.spec.problems import SpecError

from .conftest import run_fastgen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "a: 1\nb: {x: 1, y: 2\nc: 3\n",
            "2:4: invalid YAML: '{' opened here is not closed where expected: at 3:2 "
            "found ':' where ',' or '}' should be (a missing '}', or a missing ',' "
            "between entries)",
            id="unclosed-brace",
        ),
        pytest.param(
            "a: [b\n",
            "1:4: invalid YAML: '[' opened here is never closed: no ']' before the "
            "end of the file (noticed at 2:1)",
            id="unclosed-bracket-at-end",
        ),
        pytest.param(
            '{"a": 1,\n "b": [1, 2,\n "c": 3}\n',
            "2:7: invalid YAML: '[' opened here is not closed where expected: at 3:8 "
            "found '}' where ',' or ']' should be (a missing ']', or a missing ',' "
            "between entries)",
            id="json-unclosed-array",
        ),
        pytest.param(
            '{"a": [1, 2] "b": 2}\n',
            "1:1: invalid YAML: '{' opened here is not closed where expected: at 1:14 "
            "found a value where ',' or '}' should be (a missing '}', or a missing "
            "',' between entries)",
            id="json-missing-comma",
        ),
        pytest.param(
            "a:\n\tb: 1\n",
            "2:1: invalid YAML: a tab character: YAML indents with spaces only; "
            "replace the tab with spaces",
            id="tab",
        ),
        pytest.param(
            "a:\n  b: 1\n c: 2\n",
            "3:2: invalid YAML: inconsistent indentation: a new key at column 2 does "
            "not fit the mapping that starts at 1:1; indent it like the entries it "
            "belongs with",
            id="indentation",
        ),
        pytest.param(
            "a:\n  - 1\n  b: 2\n",
            "3:3: invalid YAML: inconsistent indentation: a new key at column 3 does "
            "not fit the list that starts at 2:3; indent it like the entries it "
            "belongs with",
            id="key-among-list-items",
        ),
        pytest.param(
            'a: "hello\nb: 2\n',
            "1:4: invalid YAML: unclosed quote: the string opened here has no "
            "closing quote (noticed at 3:1)",
            id="unclosed-quote",
        ),
        pytest.param(
            'a: "x\\d"\n',
            "1:7: invalid YAML: unknown escape '\\d' in a double-quoted string; "
            "write '\\\\' for a backslash, or use single quotes",
            id="unknown-escape",
        ),
        pytest.param(
            "a: 1\nb\nc: 2\n",
            "2:1: invalid YAML: this line is neither 'key: value' nor a list item "
            "('- '): a missing ':' after the key? (noticed at 3:1)",
            id="missing-colon",
        ),
        pytest.param(
            "a: b: c\n",
            "1:5: invalid YAML: a ': ' where no key can start: quote the value if the "
            "colon is part of it, or put the key on a line of its own",
            id="colon-in-value",
        ),
        pytest.param(
            "a: *x\n",
            "1:4: invalid YAML: undefined alias '*x': no anchor '&x' before it",
            id="undefined-alias",
        ),
        pytest.param(
            "a: &x 1\nb: &x 2\n",
            "2:4: invalid YAML: anchor '&x' is defined again here (first at 1:4); "
            "give each anchor its own name",
            id="duplicate-anchor",
        ),
        pytest.param(
            "a:\n  b: &x\n    c: *x\n",
            "3:5: invalid YAML: a.b.c: an alias of a mapping or list it is part of "
            "(a recursive structure); expected a value of its own",
            id="recursive-alias",
        ),
        pytest.param(
            "a: &x [1, *x]\n",
            "1:1: invalid YAML: a: an alias of a mapping or list it is part of "
            "(a recursive structure); expected a value of its own",
            id="recursive-alias-in-a-list",
        ),
        pytest.param(
            "a: 1\n---\nb: 2\n",
            "2:1: invalid YAML: a second document ('---'); a spec file holds exactly "
            "one document",
            id="two-documents",
        ),
        pytest.param(
            "a: 1\na: 2\n",
            "2:1: duplicate key 'a'; each key may appear once",
            id="duplicate-key",
        ),
    ],
)
def test_syntax_error_message(text: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        loader.load_text(text, "x.yaml")
    assert [str(p) for p in caught.value.problems] == [f"x.yaml:{expected}"]


def test_nested_aliases_cannot_blow_a_small_file_up() -> None:
    """A "billion laughs": six lines that would repeat a million values (a minute
    and gigabytes) stop once aliases have repeated the bound, at the alias."""
    lines = ["a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    for level in range(1, 6):
        lines.append(
            f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]"
        )
    with pytest.raises(SpecError) as caught:
        loader.load_text("\n".join(lines) + "\n", "x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        (
            f"x.yaml:5:1: invalid YAML: a4: aliases repeat more than "
            f"{loader.MAX_ALIASED_VALUES} values (nested aliases multiply them); "
            "expected fewer, or the values written out"
        )
    ]


def test_aliases_within_the_bound_are_read() -> None:
    data, positions = loader.load_text("a: &x {b: [1, 2]}\nc: *x\nd: *x\n", "x.yaml")
    assert data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": {"b": [1, 2]}}
    assert positions.of(("d", "b", 1)) == (1, 15)


@pytest.mark.parametrize("loader_class", [yaml.SafeLoader, loader.FAST_LOADER])
def test_both_parsers_give_the_same_message(loader_class: type) -> None:
    """libyaml's terser errors are parsed again by the pure-Python loader."""
    text = "a: 1\nb: {x: 1\nc: 3\n"
    with pytest.raises(SpecError) as caught:
        loader.load_text(text, "x.yaml")
    assert str(caught.value.problems[0]).startswith("x.yaml:2:4: invalid YAML: '{'")


def test_unclosed_brace_in_a_spec_is_located_at_the_brace(tmp_path: Path) -> None:
    lines = ["fastgen: 1", "service:", "  name: shop"] + [f"# {n}" for n in range(6)]
    lines += ["resources:", "  item: {fields: {name: str}", "  other: 1"]
    spec = tmp_path / "fastgen.yaml"
    spec.write_text("\n".join(lines) + "\n")
    result = run_fastgen("validate", str(spec))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"{spec}:11:9: invalid YAML: '{{' opened here is not closed where expected: "
        "at 12:3 found a value where ',' or '}' should be (a missing '}', or a "
        "missing ',' between entries)"
    )
