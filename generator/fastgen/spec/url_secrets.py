"""Passwords a spec would write into the generated project.

A database or Redis URL in the spec becomes a default in ``settings.py`` (so the
image), a line of the README and part of the project's copy of the spec: a password
in it ends up in every clone and every image. It is a located warning (an error
with ``--strict``): the URL works, but the password belongs in the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastgen.spec.loader import Positions
from fastgen.spec.problems import Loc, Problem, dotted

# Where a spec's settings hold a URL, and the variable that sets it at run time.
URL_SETTINGS: tuple[tuple[Loc, str], ...] = (
    (("database", "url"), "DATABASE_URL"),
    (("database", "read_url"), "DATABASE_READ_URL"),
    (("cache", "redis_url"), "REDIS_URL"),
)


def url_password_warnings(
    settings: Any, prefix: Loc, positions: Positions
) -> Iterator[Problem]:
    """A warning per URL of ``settings`` (the native spec, or the OpenAPI
    document's ``x-fastgen`` at ``prefix``) that holds a password."""
    for path, variable in URL_SETTINGS:
        value = settings
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and holds_password(value):
            loc = (*prefix, *path)
            yield positions.problem(
                loc,
                f"{dotted(loc)}: the URL holds a password, which would be written "
                "into settings.py (so into the image), the README and the "
                f"project's copy of the spec: leave it out and set {variable} "
                "where the service runs",
            )


def holds_password(url: str) -> bool:
    """Whether ``url`` carries a password: ``user:pw@host`` or ``?password=``."""
    try:
        parts = urlsplit(url)
        return bool(parts.password) or "password" in parse_qs(parts.query)
    except ValueError:  # not a URL at all: the settings' own check says so
        return False
