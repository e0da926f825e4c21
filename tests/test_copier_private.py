"""What fastgen takes from copier's private API still exists as it expects.

``fastgen.render.worker`` is the one module that subclasses or calls past copier's
public ``run_copy`` / ``run_update`` (they take no worker class and no per-render
state; ``copier_prompts`` only swaps names while copier imports, guarded by
tests/test_copier_prompts.py). A
copier release that renames or reshapes what it overrides fails here, by name, instead
of silently rendering without fastgen's session or batching.
"""

from __future__ import annotations

import dataclasses
import inspect
from functools import cached_property
from pathlib import Path

import copier
import pytest
from copier._main import Worker
from copier._template import Template
from copier._vcs import CLONE_PREFIX, get_git

from fastgen import __version__
from fastgen.render.session import RenderSession
from fastgen.render.template_repo import released_versions, template_source
from fastgen.render.worker import FastgenWorker, checkout

OVERRIDDEN = (
    "_render_template",
    "_render_file",
    "_render_string",
    "_render_allowed",
    "_sync_git_index_executable_bit",
)


@pytest.mark.parametrize("name", OVERRIDDEN)
def test_overridden_methods_keep_their_signatures(name: str) -> None:
    theirs = getattr(Worker, name, None)
    assert callable(theirs), f"copier {copier.__version__}: Worker.{name} is gone"
    ours = getattr(FastgenWorker, name)
    assert inspect.signature(ours).parameters.keys() == (
        inspect.signature(theirs).parameters.keys()
    ), f"copier {copier.__version__}: Worker.{name} changed its parameters"


def test_the_properties_it_overrides_are_still_properties() -> None:
    assert isinstance(inspect.getattr_static(Worker, "jinja_env"), cached_property)
    assert isinstance(inspect.getattr_static(Worker, "answers_relpath"), property)
    assert callable(get_git)


def test_the_attributes_it_reads_still_exist() -> None:
    """What the overrides read of copier's worker and template besides the methods."""
    fields = {f.name for f in dataclasses.fields(Worker)}
    assert {"answers_file", "pretend"} <= fields, f"copier {copier.__version__}"
    assert isinstance(inspect.getattr_static(Worker, "subproject"), cached_property)
    template_fields = {f.name for f in dataclasses.fields(Template)}
    assert "ref" in template_fields, f"copier {copier.__version__}"
    for name in ("url_expanded", "answers_relpath"):
        assert isinstance(inspect.getattr_static(Template, name), cached_property), name


def test_the_session_survives_copiers_derived_workers() -> None:
    """copier renders an update's old and new side with ``dataclasses.replace(self,
    ...)``: a field is copied, an attribute would be lost."""
    session = RenderSession()
    worker = FastgenWorker(src_path="unused", session=session)
    derived = dataclasses.replace(worker, quiet=True)
    assert derived.session is session
    assert "session" in {f.name for f in dataclasses.fields(FastgenWorker)}


def test_the_template_is_still_copiers_with_a_cached_clone() -> None:
    """FastgenWorker.template sets what copier's Template.local_abspath computes."""
    assert isinstance(inspect.getattr_static(Worker, "template"), cached_property)
    assert isinstance(
        inspect.getattr_static(Template, "local_abspath"), cached_property
    )
    assert "_temp_clone_path" in {f.name for f in dataclasses.fields(Template)}
    assert CLONE_PREFIX


def _working_copy(root: Path) -> dict[str, object]:
    git = get_git(root)
    return {
        "files": {
            path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mode)
            for path in sorted(root.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(root).parts
        },
        "describe": git("describe", "--tags", "--always"),
        "head": git("rev-parse", "HEAD"),
        "index": git("ls-files", "--stage"),
        "status": git("status", "--porcelain"),
    }


def test_fastgens_checkout_of_a_version_is_the_one_copier_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    source = template_source()
    versions = [version for version, _ in released_versions()] + [__version__]
    for version in versions:
        with monkeypatch.context() as patched:
            # fastgen's own checkout, not copier's clone with a fast path of its own
            patched.setattr("copier._template.clone", _not_called)
            ours = FastgenWorker(src_path=source, vcs_ref=version).template
            ours_path = ours.local_abspath
        theirs = Template(url=source, ref=version)
        try:
            assert ours_path.parent == (home / ".cache/fastgen/checkouts").resolve()
            assert theirs.local_abspath != ours_path
            assert _working_copy(ours_path) == (_working_copy(theirs.local_abspath)), (
                version
            )
            assert (ours.commit, ours.commit_hash) == (
                theirs.commit,
                theirs.commit_hash,
            )
            assert ours.commit == version
        finally:
            ours._cleanup()
            theirs._cleanup()
        # Kept for the next render, which reuses it without cloning.
        assert ours_path.is_dir()
        with monkeypatch.context() as patched:
            patched.setattr("copier._template.clone", _not_called)
            patched.setattr("fastgen.render.worker.mkdtemp", _not_called)
            again = FastgenWorker(src_path=source, vcs_ref=version).template
            assert again.local_abspath == ours_path
    assert not list((home / ".cache/fastgen/checkouts").glob(f"{CLONE_PREFIX}*"))


def test_a_moved_tag_gets_a_checkout_of_its_new_commit(tmp_path: Path) -> None:
    """The template repository is rebuilt (its tags moved) when fastgen's template
    changes: a kept copy of the old commit is never rendered from again."""
    source = tmp_path / "repo"
    source.mkdir()
    git = get_git(context_dir=source)["-c", "user.name=t", "-c", "user.email=t@t"]
    git("init", "-q")
    (source / "copier.yml").write_text("a: 1\n")
    git("add", "-A")
    git("commit", "-q", "-m", "one")
    git("tag", "1.0.0")
    with pytest.MonkeyPatch.context() as patched:
        patched.setenv("HOME", str(tmp_path / "home"))
        first = checkout(source, "1.0.0")
        (source / "copier.yml").write_text("a: 2\n")
        git("commit", "-q", "-am", "two")
        git("tag", "-f", "1.0.0")
        second = checkout(source, "1.0.0")
    assert first != second
    assert (first / "copier.yml").read_text() == "a: 1\n"
    assert (second / "copier.yml").read_text() == "a: 2\n"
    assert second.name == f"1.0.0-{git('rev-parse', 'HEAD').strip()}"


def _not_called(*args: object, **kwargs: object) -> str:
    raise AssertionError(f"copier's clone{args}")


def test_the_old_side_still_renders_into_the_directory_fastgen_recognises() -> None:
    """FastgenWorker keeps the files of an update's old side (``old_render``) when it
    renders into copier's ``old_copy`` temporary directory."""
    from copier import _main

    from fastgen.render.worker import OLD_COPY_PREFIX

    source = inspect.getsource(Worker._apply_update)
    assert 'prefix=f"{__name__}.old_copy."' in source, f"copier {copier.__version__}"
    assert OLD_COPY_PREFIX == f"{_main.__name__}.old_copy."
    assert "old_render" in {f.name for f in dataclasses.fields(FastgenWorker)}
