"""Compiled file templates kept between runs.

copier renders from a fresh clone of the template every time, so Jinja's own bytecode
cache, keyed by the file's path, never hits, and every run compiled the ~50 file
templates again (bench/README.md, "Speed targets of issue 13": 0.84x the bookstore's
CPU with this cache). Here the key is the template's name within the template plus a
fingerprint of everything else the compiled code depends on; Jinja still checks the
source's checksum, so an edited template compiles again.
"""

from __future__ import annotations

import hashlib
import sys
from importlib.metadata import version
from pathlib import Path

from jinja2 import Environment, Template
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from fastgen import __version__

CACHE_DIR = "~/.cache/fastgen/jinja"
# The extension's preprocess hook rewrites every Python template before it compiles.
_EXTENSION = Path(__file__).resolve().parents[1] / "copier_ext.py"


class TemplateBytecodeCache(FileSystemBytecodeCache):
    """Bytecode keyed by template name and the environment, not the clone's path."""

    def __init__(self, environment: Environment) -> None:
        directory = Path(CACHE_DIR).expanduser()
        directory.mkdir(parents=True, exist_ok=True)
        super().__init__(str(directory))
        self.fingerprint = fingerprint(environment)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.fingerprint}|{name}".encode()).hexdigest()

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        bucket = super().get_bucket(environment, name, filename, source)
        if bucket.code is not None:
            # Compiling runs the extensions' preprocess hooks, and copier's yield tag
            # resets its state there: a template loaded from the cache runs them too.
            environment.preprocess(source, name, filename)
        return bucket


def from_string(environment: Environment, source: str) -> Template | None:
    """``Environment.from_string(source)`` with its code kept in the environment's
    ``TemplateBytecodeCache``; None when it has none (plain copier).

    copier renders every path of the template (``src/{{ package }}``, the answers
    file's name, ...) from a string: ~40 compiles per render, ~0.02 s of CPU.
    """
    cache = environment.bytecode_cache
    if not isinstance(cache, TemplateBytecodeCache):
        return None
    digest = hashlib.sha256(source.encode()).hexdigest()
    bucket = cache.get_bucket(environment, f"<string {digest}>", None, source)
    if bucket.code is None:
        bucket.code = environment.compile(source)
        cache.set_bucket(bucket)
    return environment.template_class.from_code(
        environment, bucket.code, environment.make_globals(None), None
    )


def fingerprint(environment: Environment) -> str:
    """What compiled code depends on besides the source: the versions that compile it,
    the extensions' code and the environment's syntax and options."""
    options = (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.autoescape,
        environment.optimized,
        environment.sandboxed,
        sorted(environment.extensions),
    )
    parts = [
        __version__,
        version("copier"),
        version("jinja2"),
        sys.version,
        repr(options),
        hashlib.sha256(_EXTENSION.read_bytes()).hexdigest(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
