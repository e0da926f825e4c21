"""Python identifiers for names written in an OpenAPI document.

``find pet by id`` -> ``find_pet_by_id``, ``post-/files/v3/files`` ->
``post_files_v3_files``, ``listMenuItems`` -> ``list_menu_items``. Collisions get
``_2``, ``_3``... in document order, after names that needed no change have been placed.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Sequence


def python_identifier(text: str, *, prefix: str) -> str:
    """A lower_snake_case identifier for ``text``; ``prefix`` leads when it would not."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    )
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", ascii_text)
    words = re.sub(r"([a-z])([A-Z])", r"\1_\2", words)
    words = re.sub(r"([0-9])([A-Z][a-z])", r"\1_\2", words)
    name = re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"{prefix}_{name}".rstrip("_")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def unique_names(originals: Sequence[str | None], bases: Sequence[str]) -> list[str]:
    """Make ``bases`` unique, deterministically.

    A base equal to its original (the document already used a clean identifier) keeps
    its name; the others take the base, or the first free ``base_N`` (N from 2), in
    order.
    """
    names: list[str | None] = [None] * len(bases)
    taken: set[str] = set()
    for i, (original, base) in enumerate(zip(originals, bases, strict=True)):
        if original == base and base not in taken:
            names[i] = base
            taken.add(base)
    for i, base in enumerate(bases):
        if names[i] is None:
            name, n = base, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            names[i] = name
            taken.add(name)
    return [name for name in names if name is not None]


def default_service_name(title: str) -> str:
    """A service (package) name from ``info.title``: ``Redocly Cafe`` -> ``redocly_cafe``."""
    return python_identifier(title, prefix="service")[:40].rstrip("_") or "service"
