"""Import blocks for generated modules, laid out exactly as ruff's isort rules do.

Templates whose imports depend on the spec (which column types a model uses) get them
from here, so generated code is ruff-clean without running ruff after rendering.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

LINE_LENGTH = 88
Import = tuple[str, str | None]  # (module, name) ; name None means `import module`


def _member_key(name: str) -> tuple[int, str]:
    # ruff's order-by-type: CONSTANTS, then Classes, then everything else.
    if name.isupper() and len(name) > 1:
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return (group, name.lower())


def _section(module: str, first_party: str) -> int:
    root = module.split(" ")[0].split(".")[0]
    # Generated tests import their helpers from conftest (tests/ is a ruff `src`).
    if root in (first_party, "conftest"):
        return 2
    if root in sys.stdlib_module_names or root == "__future__":
        return 0
    return 1


def _from_line(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    body = "".join(f"    {name},\n" for name in names)
    return f"from {module} import (\n{body})"


def render_imports(imports: Iterable[Import], first_party: str) -> str:
    """The import block (sections separated by one blank line), without a trailing newline."""
    sections: dict[int, tuple[set[str], dict[str, set[str]]]] = {}
    for module, name in imports:
        plain, froms = sections.setdefault(_section(module, first_party), (set(), {}))
        if name is None:
            plain.add(module)
        else:
            froms.setdefault(module, set()).add(name)
    blocks = []
    for key in sorted(sections):
        plain, froms = sections[key]
        lines = [f"import {m}" for m in sorted(plain, key=str.lower)]
        for module in sorted(froms, key=str.lower):
            names = sorted(froms[module], key=_member_key)
            # Without combine-as-imports, each aliased name gets its own statement.
            plain_names = [n for n in names if " as " not in n]
            if plain_names:
                lines.append(_from_line(module, plain_names))
            lines += [_from_line(module, [n]) for n in names if " as " in n]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
