"""No function of fastgen over 60 lines, no module over 600 (issue 13).

A function fits on a screen and a module has one reason to change. The bounds count
physical lines: a function from its first decorator (or ``def``) to its last line, a
module from first line to last. generator/ holds no generated data, so nothing is
exempt for being data; fastgen/releases holds earlier releases' extensions frozen as
they shipped (0.1.0's had a 933-line module), not code that changes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "generator" / "fastgen"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 600


def offenders(package: Path = PACKAGE) -> dict[str, int]:
    """Every module and function over its bound, with its length in lines."""
    found: dict[str, int] = {}
    for path in sorted(package.rglob("*.py")):
        if "releases" in path.relative_to(package).parts[:1]:
            continue
        name = path.relative_to(package.parent).as_posix()
        text = path.read_text()
        length = len(text.splitlines())
        if length > MAX_MODULE_LINES:
            found[name] = length
        for qualname, lines in _functions(ast.parse(text, filename=name)):
            if lines > MAX_FUNCTION_LINES:
                found[f"{name}::{qualname}"] = lines
    return found


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, lines) of every function and method under ``node``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
            assert child.end_lineno is not None
            yield prefix + child.name, child.end_lineno - first + 1
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def _listing(names: dict[str, int]) -> str:
    return "\n".join(
        f"  {name}: {lines} lines" for name, lines in sorted(names.items())
    )


def test_no_function_or_module_over_the_bounds() -> None:
    over = offenders()
    assert not over, (
        f"over the bounds ({MAX_FUNCTION_LINES} lines a function, "
        f"{MAX_MODULE_LINES} a module); split them into well-named helpers:\n"
        + _listing(over)
    )


def test_the_measure(tmp_path: Path) -> None:
    """Modules, functions, methods, nested and decorated functions, at and past a bound."""
    body = "".join(f"        x{i} = {i}\n" for i in range(58))
    source = (
        "@decorator\n"  # counted: 61 lines
        "def decorated():\n" + body.replace("        ", "    ") + "    return 0\n"
        "class C:\n"
        "    def method(self):\n" + body + "        return 0\n"  # 60: within
        "def outer():\n"  # 62
        "    def inner():\n" + body + "        return 0\n"  # 60: within
        "    return inner\n"
    )
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "sub" / "code.py").write_text(source)
    (package / "big.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    (package / "fits.py").write_text("x = 1\n" * MAX_MODULE_LINES)
    assert offenders(package) == {
        "pkg/big.py": 601,
        "pkg/sub/code.py::decorated": 61,
        "pkg/sub/code.py::outer": 62,
    }
