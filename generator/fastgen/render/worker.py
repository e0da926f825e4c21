"""copier's worker, carrying fastgen's render session and batching subprocesses.

This is the one module that subclasses or calls copier's private API: copier's public
``run_copy`` / ``run_update`` take neither a worker class nor per-render state, and
fastgen needs both (see ``FastgenWorker``). tests/test_copier_private.py fails loudly
when a copier release changes what is overridden or read here. (The only other
module that touches copier's internals, ``copier_prompts``, swaps names copier
imports while it imports; tests/test_copier_prompts.py guards that.)
"""

from __future__ import annotations

import shutil
import time
from functools import cached_property
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from copier._main import Worker
from copier._template import Template
from copier._vcs import CLONE_PREFIX, get_git
from jinja2 import Environment
from jinja2.sandbox import SandboxedEnvironment
from plumbum import ProcessExecutionError
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from fastgen import __version__
from fastgen.errors import FastgenError
from fastgen.render.bytecode import TemplateBytecodeCache
from fastgen.render.formatting import format_python_batch
from fastgen.render.template_repo import SOURCE_PATH, released_versions

CHECKOUTS = "~/.cache/fastgen/checkouts"
# The temporary directory copier's update renders the old side into
# (``Worker._apply_update``; tests/test_copier_private.py checks the name).
OLD_COPY_PREFIX = "copier._main.old_copy."
_STALE_AFTER = 3600  # seconds


@dataclass(config=ConfigDict(extra="forbid", arbitrary_types_allowed=True))
class FastgenWorker(Worker):
    """copier's worker with fastgen's session and the subprocesses of a render batched.

    - ``session`` is a field, so the workers copier derives for an update's old and
      new side (``dataclasses.replace``) carry it too; ``jinja_env`` hands it to the
      extension (``copier_ext``), which reads the compiled models from it.
    - copier asks git for ``core.fileMode`` for every file it writes (and does more
      only when that says ``false``): over a hundred processes per project. The
      setting does not change during a render, so one answer stands for all files.
    - Modules with a line over the limit need ruff to wrap them (``format_rendered``
      in copier_ext): they are written as rendered, then formatted together with one
      ruff process before the render returns, so every later step (an update's diff
      and merge) reads the same bytes as with one ruff process per module.
    - The template is fastgen's own repository (``render.template_repo``): a render
      of one of its version tags checks it out with one git process instead of
      copier's five (``template``).
    """

    # A RenderSession or None. Typed Any for pydantic: with the class named here the
    # dataclass built a validation schema of the whole service model it carries
    # (~60 dataclasses, 16 ms of every run's CPU) to check a value fastgen made.
    session: Any = None
    # A dict an update passes in: the old side's render (path -> bytes), which copier
    # deletes with its temporary directory, so an update can tell whether a file the
    # new render drops holds hand edits.
    old_render: Any = None

    @cached_property
    def jinja_env(self) -> SandboxedEnvironment:
        environment = super().jinja_env
        environment.fastgen_session = self.session  # type: ignore[attr-defined]
        environment.bytecode_cache = TemplateBytecodeCache(environment)
        return environment

    @cached_property
    def template(self) -> Template:
        """copier's template; a version of fastgen's own repository is rendered from
        a working copy kept between runs (``checkout``) instead of copier's clone.

        copier clones without a checkout, resolves the ref, checks it out and runs
        ``git submodule update``, and deletes the clone after the render. fastgen
        built the repository: every version is a tag of a commit of its own, with no
        submodules, so a clone at the tag is the same working copy
        (tests/test_copier_private.py compares the two), and a copy made once serves
        every render of that commit. Any other template or ref goes through copier's
        clone.
        """
        template = super().template
        versions = {version for version, _ in released_versions()} | {__version__}
        source = Path(SOURCE_PATH).expanduser()
        if template.ref in versions and Path(template.url_expanded) == source:
            # Template.local_abspath as copier makes it; no _temp_clone_path, so
            # copier's cleanup leaves the kept copy alone.
            template.local_abspath = checkout(source, template.ref)  # type: ignore[misc]
        return template

    @cached_property
    def _file_mode_ignored(self) -> bool:
        git = get_git(context_dir=self.subproject.local_abspath)
        try:
            setting = git("config", "--type=bool", "--get", "core.fileMode")
        except ProcessExecutionError:
            return False  # not a git repository, or unset: copier does nothing
        return setting.strip() == "false"

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        if self._file_mode_ignored:
            super()._sync_git_index_executable_bit(dst_relpath, src_mode)

    def _render_template(self) -> None:
        self._format_later: list[tuple[Path, str]] = []
        self.jinja_env.fastgen_deferred = []  # type: ignore[attr-defined]
        try:
            super()._render_template()
        finally:
            self.jinja_env.fastgen_deferred = None  # type: ignore[attr-defined]
        sources = [source for _, source in self._format_later]
        for (path, _), formatted in zip(
            self._format_later, format_python_batch(sources), strict=True
        ):
            path.write_bytes(formatted.encode())
        root = Path(self.dst_path)
        if self.old_render is not None and OLD_COPY_PREFIX in root.as_posix():
            self.old_render.update(
                (path.relative_to(root).as_posix(), path.read_bytes())
                for path in root.rglob("*")
                if path.is_file() and ".git" not in path.relative_to(root).parts
            )

    def _render_file(
        self,
        src_relpath: Path,
        dst_relpath: Path,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        deferred = self.jinja_env.fastgen_deferred  # type: ignore[attr-defined]
        before = len(deferred) if deferred is not None else 0
        self._written = False
        super()._render_file(src_relpath, dst_relpath, extra_context)
        if deferred is None or len(deferred) == before:
            return
        if len(deferred) > before + 1:
            raise FastgenError(f"{src_relpath}: a Python template includes another")
        if self._written:
            path = self.subproject.local_abspath / dst_relpath
            self._format_later.append((path, deferred[-1]))

    def _render_string(
        self, string: str, extra_context: dict[str, Any] | None = None
    ) -> str:
        # Most path parts ("src", "models.py") and the answers file name have no Jinja
        # syntax: they render as themselves, without building copier's render context.
        if _is_plain(self.jinja_env, string):
            self.jinja_env.preprocess(string)  # the hooks' side effects, as compiling
            return string
        return super()._render_string(string, extra_context)

    @property
    def answers_relpath(self) -> Path:
        path = str(self.answers_file or self.template.answers_relpath)
        if _is_plain(self.jinja_env, path):
            self.jinja_env.preprocess(path)
            return Path(path)
        return super().answers_relpath

    def _render_allowed(
        self,
        dst_relpath: Path,
        is_dir: bool = False,
        is_symlink: bool = False,
        expected_contents: bytes | Path = b"",
        expected_mode: int | None = None,
    ) -> bool:
        allowed = super()._render_allowed(
            dst_relpath, is_dir, is_symlink, expected_contents, expected_mode
        )
        self._written = allowed and not self.pretend
        return allowed


def _is_plain(environment: Environment, string: str) -> bool:
    """True when Jinja would render ``string`` as itself (it has no syntax at all)."""
    markers = (
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        "\r",
        "\n",
    )
    return not any(marker and marker in string for marker in markers)


def checkout(source: Path, tag: str) -> Path:
    """A working copy of ``tag`` of the template repository ``source``, made once per
    commit in ``CHECKOUTS`` and reused by every later render.

    Writing the ~120 files of a checkout was the largest cost of a render (~0.08 s of
    git's CPU of ~0.11 s per clone here); one ``rev-parse`` finds the tag's commit
    (the repository is rebuilt, its tags moved, when fastgen's template changes). A
    new copy is cloned aside and renamed into place, so a concurrent render sees
    either none or a whole one; copies of the same tag left by earlier rebuilds are
    removed once they are an hour old.
    """
    git = get_git(context_dir=source)
    commit = git("rev-parse", "--verify", f"{tag}^{{commit}}").strip()
    root = Path(CHECKOUTS).expanduser()
    path = root / f"{tag}-{commit}"
    if path.is_dir():
        return path.resolve()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(mkdtemp(prefix=CLONE_PREFIX, dir=root))
    try:
        get_git()("clone", "-q", "--branch", tag, "--", source, staging)
        staging.rename(path)
    except OSError:
        if not path.is_dir():  # another render put the same copy in place first
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for stale in root.glob(f"{tag}-*"):
        if stale != path and time.time() - stale.stat().st_mtime > _STALE_AFTER:
            shutil.rmtree(stale, ignore_errors=True)
    return path.resolve()
