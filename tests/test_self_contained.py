"""Tests, scripts, benchmarks and CI read nothing outside the checkout.

A fresh clone with nothing beside it must run them (``.ci/run`` runs the suite from
such a clone). This scan catches the ways a path has reached outside before: a sibling
directory (``../shared``), a machine's absolute path, or climbing above the repository
root from ``__file__``, ``$0`` or a ``REPO`` constant.
"""

import re
from pathlib import Path

import pytest

from .conftest import REPO

SCANNED = ("tests", "scripts", "bench", ".ci")
# Data, not code that opens paths: the golden project's bytes and upstream documents
# (whose relative `$ref`s stay inside their own directories).
NOT_SCANNED = ("tests/golden", "tests/corpus")
# This file's own examples of what is refused.
THIS_FILE = "tests/test_self_contained.py"

SIBLING = re.compile(r"\.\.[/\\]shared\b|(?<![\w.~-])/work/")
JOIN_UP = re.compile(r"""/\s*["']\.\.["']""")
ROOT_UP = re.compile(r"\b[A-Z_]*(?:REPO|ROOT)[A-Z_]*\.(?:parent\b|parents\[)")
FILE_PARENTS = re.compile(
    r"__file__\)(?:\.resolve\(\))?(?:\.parents\[(\d+)\]|((?:\.parent\b)+))"
)
SCRIPT_UP = re.compile(
    r"""dirname\s+"?\$(?:0|\{BASH_SOURCE(?:\[0\])?\})"?\)"?((?:/\.\.)+)"""
)


def outside_references(relative: str, text: str) -> list[str]:
    """``LINE: why`` for each line of ``relative``'s text that reaches outside the repo."""
    depth = relative.count("/")  # directories between the repository root and the file
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        reasons = []
        if SIBLING.search(line):
            reasons.append("a path beside or outside the checkout")
        if JOIN_UP.search(line):
            reasons.append('joins ".." onto a path')
        if ROOT_UP.search(line):
            reasons.append("the parent of the repository root")
        for match in FILE_PARENTS.finditer(line):
            index, chain = match.groups()
            up = int(index) if index is not None else chain.count(".parent") - 1
            if up > depth:
                reasons.append("__file__'s parents above the repository root")
        for match in SCRIPT_UP.finditer(line):
            if match.group(1).count("..") > depth:
                reasons.append(
                    "the script's directory climbs above the repository root"
                )
        found.extend(f"{number}: {reason}: {line.strip()}" for reason in reasons)
    return found


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*")):
            relative = path.relative_to(REPO).as_posix()
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and relative != THIS_FILE
                and not relative.startswith(NOT_SCANNED)
            ):
                files.append(path)
    return files


def test_nothing_reaches_outside_the_checkout() -> None:
    files = scanned_files()
    assert any(p.name == "run" for p in files) and any(p.suffix == ".sh" for p in files)
    problems = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        relative = path.relative_to(REPO).as_posix()
        problems += [
            f"{relative}:{where}" for where in outside_references(relative, text)
        ]
    assert not problems, "reads outside the checkout:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        ("tests/test_x.py", 'CORPUS = Path("../shared/openapi-corpus")'),
        ("bench/x.py", 'data = Path("/work/shared/PITFALLS.md")'),
        ("tests/test_x.py", 'CORPUS = Path(__file__).resolve().parents[2] / "shared"'),
        ("tests/test_x.py", "HERE = Path(__file__).parent.parent.parent"),
        ("tests/load/x.py", "ROOT = Path(__file__).parents[3]"),
        ("tests/conftest.py", 'OTHER = REPO.parent / "main"'),
        ("bench/x.py", 'CORPUS = REPO / ".." / "shared"'),
        ("scripts/x.sh", 'cd "$(dirname "$0")/../.."'),
        (".ci/run", 'source "$(dirname "${BASH_SOURCE[0]}")/../../env"'),
    ],
)
def test_the_scan_names_each_way_out(relative: str, line: str) -> None:
    assert outside_references(relative, f"# first line\n{line}\n")[0].startswith("2: ")


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        ("tests/conftest.py", "REPO = Path(__file__).resolve().parents[1]"),
        ("tests/load/x.py", "REPO = Path(__file__).parents[2]"),
        ("bench/cache.py", "BENCH = Path(__file__).resolve().parent"),
        ("tests/test_x.py", "REPO = Path(__file__).parent.parent"),
        ("scripts/test.sh", 'cd "$(dirname "$0")/.."'),
        ("tests/test_x.py", "python = venv.parent / 'bin'"),
        (
            "tests/test_x.py",
            "ref = \"{$ref: '../openapi.yaml#/components/schemas/E'}\"",
        ),
    ],
)
def test_the_scan_allows_paths_inside_the_checkout(relative: str, line: str) -> None:
    assert outside_references(relative, line) == []
