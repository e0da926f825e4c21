"""Make rendered Python match ``ruff format`` whatever the spec's names and strings.

Templates emit formatted code for ordinary specs, so the usual case costs nothing: only
a module with a line over the limit (long names, long literals) is piped through ruff,
which knows how to wrap it. The result is the same bytes ruff would produce.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ruff.__main__ import find_ruff_bin

from fastgen.errors import FastgenError
from fastgen.render.pyimports import LINE_LENGTH


def format_python(source: str, *, force: bool = False) -> str:
    """``source`` as ``ruff format`` writes it (with the generated project's settings)."""
    if not force and not needs_ruff(source):
        return source
    return _ruff_format("--stdin-filename", "generated.py", "-", source=source)


def needs_ruff(source: str) -> bool:
    """True when a line is over the limit: only ruff knows how to wrap it."""
    return any(len(line) > LINE_LENGTH for line in source.splitlines())


def format_python_batch(sources: list[str]) -> list[str]:
    """Each of ``sources`` as ``format_python(source, force=True)``, with one ruff process.

    A ruff process costs ~10 ms of CPU; a project with long names has dozens of
    modules to wrap.
    """
    if not sources:
        return []
    with tempfile.TemporaryDirectory(prefix="fastgen-format-") as scratch:
        paths = [Path(scratch) / f"module{index}.py" for index in range(len(sources))]
        for path, source in zip(paths, sources, strict=True):
            path.write_bytes(source.encode())
        _ruff_format(*map(str, paths))
        # Read as text, as format_python reads ruff's output (universal newlines).
        return [path.read_text(encoding="utf-8") for path in paths]


def _ruff_format(*args: str, source: str | None = None) -> str:
    command = [
        find_ruff_bin(),
        "format",
        "--isolated",
        "--line-length",
        str(LINE_LENGTH),
    ]
    try:
        result = subprocess.run(
            [*command, *args],
            input=source,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise FastgenError(f"generated code did not format: {detail}") from exc
    return result.stdout


def clean_python(source: str) -> str:
    """``source`` with imports sorted, unused ones dropped and old syntax upgraded
    (ruff's I, F401 and UP fixes), then ruff-formatted: for generated code fastgen
    does not write itself (datamodel-code-generator's API models)."""
    try:
        fixed = subprocess.run(
            [
                find_ruff_bin(),
                "check",
                "--isolated",
                "--line-length",
                str(LINE_LENGTH),
                "--select",
                "I,F401,UP",
                "--fix-only",
                "--exit-zero",
                "--stdin-filename",
                "generated.py",
                "-",
            ],
            input=source,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise FastgenError(f"generated models did not lint: {detail}") from exc
    return format_python(fixed, force=True)
