"""Make rendered Python match ``ruff format`` whatever the spec's names and strings.

Templates emit formatted code for ordinary specs, so the usual case costs nothing: only
a module with a line over the limit (long names, long literals) is piped through ruff,
which knows how to wrap it. The result is the same bytes ruff would produce.
"""

from __future__ import annotations

import subprocess

from ruff.__main__ import find_ruff_bin

from fastgen.releases.v0_1_0.errors import FastgenError
from fastgen.releases.v0_1_0.pyimports import LINE_LENGTH


def format_python(source: str, *, force: bool = False) -> str:
    """``source`` as ``ruff format`` writes it (with the generated project's settings)."""
    if not force and all(len(line) <= LINE_LENGTH for line in source.splitlines()):
        return source
    try:
        result = subprocess.run(
            [
                find_ruff_bin(),
                "format",
                "--isolated",
                "--line-length",
                str(LINE_LENGTH),
                "--stdin-filename",
                "generated.py",
                "-",
            ],
            input=source,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise FastgenError(f"generated code did not format: {detail}") from exc
    return result.stdout
