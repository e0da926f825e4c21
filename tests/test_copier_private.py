"""What fastgen takes from copier's private API still exists as it expects.

``fastgen.render.worker`` is the one module that reaches past copier's public
``run_copy`` / ``run_update`` (they take no worker class and no per-render state). A
copier release that renames or reshapes what it overrides fails here, by name, instead
of silently rendering without fastgen's session or batching.
"""

from __future__ import annotations

import dataclasses
import inspect
from functools import cached_property

import copier
import pytest
from copier._main import Worker
from copier._vcs import get_git

from fastgen.render.session import RenderSession
from fastgen.render.worker import FastgenWorker

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


def test_the_session_survives_copiers_derived_workers() -> None:
    """copier renders an update's old and new side with ``dataclasses.replace(self,
    ...)``: a field is copied, an attribute would be lost."""
    session = RenderSession()
    worker = FastgenWorker(src_path="unused", session=session)
    derived = dataclasses.replace(worker, quiet=True)
    assert derived.session is session
    assert "session" in {f.name for f in dataclasses.fields(FastgenWorker)}
