"""Import copier without its prompt stack, which fastgen never uses.

copier imports questionary, prompt_toolkit (with wcwidth and asyncio) and pygments at
module level, only to ask questions; fastgen answers the one question itself (the spec
as data, ``defaults=True``). Importing them is ~0.05 s of CPU, a tenth of
``fastgen new examples/bookstore.yaml`` (bench/README.md, "Speed targets of issue 13").

So while copier's modules import, the names they take from those packages
(``IMPORTED``) are stand-ins. The first call of any stand-in imports the real packages,
puts the real objects into copier's modules in place of every stand-in, and forwards
the call: copier prompts as before if it ever does. The stand-in modules are in
``sys.modules`` only while copier imports, so any other import gets the real packages.
When copier is already imported, or any of these packages is, copier is used as it is.

This depends on copier's import lines: tests/test_copier_prompts.py fails by name when
a copier release imports other names from these packages, or uses one other than by
calling it.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

# copier module -> {module it imports from: the names it imports}
IMPORTED: dict[str, dict[str, tuple[str, ...]]] = {
    "copier._main": {"questionary": ("confirm", "unsafe_prompt")},
    "copier._user_data": {
        "prompt_toolkit.lexers": ("PygmentsLexer",),
        "pygments.lexers.data": ("JsonLexer", "YamlLexer"),
        "questionary.prompts.common": ("Choice",),
    },
}
PACKAGES = ("questionary", "prompt_toolkit", "pygments")


class StandIn:
    """A name copier imported, standing for ``module.name`` until it is first used."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def real(self) -> Any:
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _use_real_packages()
        args = tuple(_real(arg) for arg in args)
        return self.real()(*args, **{key: _real(v) for key, v in kwargs.items()})

    def __repr__(self) -> str:
        return f"<stand-in for {self.module}.{self.name}>"


def import_copier() -> None:
    """Import copier, with stand-ins for its prompt stack when nothing loaded it yet."""
    if "copier" in sys.modules or any(
        name.partition(".")[0] in PACKAGES for name in sys.modules
    ):
        return
    stand_ins = _stand_in_modules()
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("copier")
        for module in IMPORTED:
            importlib.import_module(module)
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _stand_in_modules() -> dict[str, ModuleType]:
    """A module for every name copier imports from, and for each of their parents."""
    modules: dict[str, ModuleType] = {}
    for imports in IMPORTED.values():
        for source, names in imports.items():
            parts = source.split(".")
            for depth in range(1, len(parts) + 1):
                name = ".".join(parts[:depth])
                modules.setdefault(name, ModuleType(name, "fastgen stand-in"))
            for name in names:
                setattr(modules[source], name, StandIn(source, name))
    return modules


def _use_real_packages() -> None:
    """Put the real objects into copier's modules in place of every stand-in."""
    for module_name in IMPORTED:
        module = sys.modules[module_name]
        for name, value in list(vars(module).items()):
            if isinstance(value, StandIn):
                setattr(module, name, value.real())


def _real(value: Any) -> Any:
    return value.real() if isinstance(value, StandIn) else value
