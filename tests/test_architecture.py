"""The direction of imports issue 13 sets holds: checked by import-linter.

The contracts are in pyproject.toml (``[tool.importlinter]``): cli and copier_ext on
top, then api (the one module that uses both sides), then render and spec (neither
imports the other), then model and errors; and model imports nothing else of
fastgen. No import is exempt.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = (
    "one direction: cli | copier_ext -> api -> render | spec -> model",
    "the service model imports nothing else of fastgen",
)


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for name in CONTRACTS:
        assert f"{name} KEPT" in output, output


def test_the_model_does_not_import_the_package_root_either() -> None:
    """import-linter's contracts name fastgen's subpackages; ``import fastgen`` (say,
    for ``__version__``) would pass them, and the model must import nothing of it."""
    found = []
    generator = REPO / "generator"
    for module in sorted((generator / "fastgen" / "model").rglob("*.py")):
        package = module.parent.relative_to(generator).parts  # ("fastgen", "model")
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else ()
                names = [".".join([*base, *filter(None, [node.module])])]
            found += [
                f"{module.name}: {name}"
                for name in names
                if name.split(".")[0] == "fastgen"
                and not name.startswith("fastgen.model")
            ]
    assert not found, found


def test_every_template_helper_is_one_hop_from_its_module() -> None:
    """docs/architecture.md: a TEMPLATE_HELPERS entry names its module
    (``orm.orm_column``), is a name imported from it, or comes in with a module's
    ``HELPERS`` tuple (``*api_code.HELPERS``) and is defined in that module."""
    from fastgen import copier_ext

    tree = ast.parse(Path(copier_ext.__file__).read_text())
    imported = {
        alias.asname or alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    [entries] = [
        node.value.elts
        for node in tree.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "TEMPLATE_HELPERS"
        and isinstance(node.value, ast.Tuple)
    ]
    where: dict[str, str] = {}  # helper name -> the module the entry points to
    for entry in entries:
        if isinstance(entry, ast.Starred):
            assert isinstance(entry.value, ast.Attribute), ast.unparse(entry)
            assert entry.value.attr == "HELPERS", ast.unparse(entry)
            module = getattr(copier_ext, ast.unparse(entry.value.value))
            where |= {helper.__name__: module.__name__ for helper in module.HELPERS}
        elif isinstance(entry, ast.Attribute):
            module = getattr(copier_ext, ast.unparse(entry.value))
            where[entry.attr] = module.__name__
        else:
            assert isinstance(entry, ast.Name), ast.unparse(entry)
            where[entry.id] = imported[entry.id]
    strays = [
        f"{helper.__name__} is defined in {helper.__module__}, not {where[helper.__name__]}"
        for helper in copier_ext.TEMPLATE_HELPERS
        if helper.__module__ != where[helper.__name__]
    ]
    assert not strays
    assert len(where) == len(copier_ext.TEMPLATE_HELPERS)
