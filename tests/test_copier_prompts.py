"""fastgen imports copier with stand-ins for its prompt stack (render/copier_prompts.py).

The stand-ins mirror copier's import lines. A copier release that imports another name
from questionary, prompt_toolkit or pygments, or uses one other than by calling it,
fails here by name instead of failing when a user is prompted.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import copier

from fastgen.render.copier_prompts import IMPORTED, PACKAGES

COPIER = Path(copier.__file__).parent


def _prompt_imports(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.partition(".")[0] in PACKAGES:
                    found[alias.name] = ()  # a module import: no stand-in covers it
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.partition(".")[0] in PACKAGES
        ):
            names = tuple(sorted(alias.name for alias in node.names))
            found[node.module] = found.get(node.module, ()) + names
    return found


def _copier_modules() -> dict[str, ast.Module]:
    return {
        "copier." + ".".join(path.relative_to(COPIER).with_suffix("").parts): (
            ast.parse(path.read_text(encoding="utf-8"))
        )
        for path in sorted(COPIER.rglob("*.py"))
    }


def test_copier_imports_exactly_the_names_that_have_stand_ins() -> None:
    found = {
        module: imports
        for module, tree in _copier_modules().items()
        if (imports := _prompt_imports(tree))
    }
    expected = {
        module: {source: tuple(sorted(names)) for source, names in imports.items()}
        for module, imports in IMPORTED.items()
    }
    assert found == expected, (
        f"copier {copier.__version__} changed its prompt imports: "
        "update fastgen/render/copier_prompts.py IMPORTED"
    )


def _annotations(tree: ast.Module) -> set[int]:
    """ids of every node inside an annotation (never evaluated: future annotations)."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
        elif isinstance(node, ast.arg | ast.AnnAssign) and node.annotation:
            roots.append(node.annotation)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def test_copier_only_calls_the_names_or_passes_them_to_one() -> None:
    """A stand-in works when called (or passed to another one's call); an isinstance
    check or an attribute of the class would see the stand-in."""
    modules = _copier_modules()
    misuses = []
    for module, imports in IMPORTED.items():
        tree = modules[module]
        assert "annotations" in {
            alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == "__future__"
            for alias in node.names
        }, f"{module} evaluates its annotations now: a stand-in could be one"
        names = {name for source_names in imports.values() for name in source_names}
        in_annotations = _annotations(tree)
        allowed: set[int] = set()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
            ):
                allowed.add(id(node.func))
                allowed.update(id(arg) for arg in node.args)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Name)
                and node.id in names
                and id(node) not in allowed | in_annotations
            ):
                misuses.append(f"{module}:{node.lineno} uses {node.id}")
    assert not misuses, f"copier {copier.__version__}: {misuses}"


PROBE = """
import json, sys
import fastgen.render.project  # imports copier the way fastgen does
loaded = sorted({m.partition(".")[0] for m in sys.modules} & {"questionary",
    "prompt_toolkit", "pygments", "wcwidth"})
import copier._main, copier._user_data
from copier._jinja_ext import SandboxedEnvironment
from copier._user_data import AnswersMap, Question

def question(**kwargs):
    return Question(var_name="q", answers=AnswersMap(), context={},
                    jinja_env=SandboxedEnvironment(), **kwargs)

lexer = question(type="yaml").get_questionary_structure()["lexer"]
choices = question(type="str", choices=["a", "b"]).get_questionary_structure()
import questionary, prompt_toolkit.lexers, pygments.lexers.data
print(json.dumps({
    "loaded_by_fastgen": loaded,
    "lexer": type(lexer) is prompt_toolkit.lexers.PygmentsLexer,
    "yaml": lexer.pygments_lexer.__class__ is pygments.lexers.data.YamlLexer,
    "choices": all(type(c) is questionary.Choice for c in choices["choices"]),
    "confirm": copier._main.confirm is questionary.confirm,
    "unsafe_prompt": copier._main.unsafe_prompt is questionary.unsafe_prompt,
    "json_lexer": copier._user_data.JsonLexer is pygments.lexers.data.JsonLexer,
}))
"""


def test_fastgen_loads_no_prompt_stack_and_a_prompt_gets_the_real_one() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == {
        "loaded_by_fastgen": [],
        "lexer": True,
        "yaml": True,
        "choices": True,
        "confirm": True,
        "unsafe_prompt": True,
        "json_lexer": True,
    }
