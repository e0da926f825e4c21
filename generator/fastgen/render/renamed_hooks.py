"""A renamed resource's hooks (``renamed_from``): refused while they would stop running.

A resource's hooks live in ``hooks/resources/<module>.py``, created once and then the
user's. Renaming the resource creates a new, empty module under the new name, and the
old one no longer runs (nor imports, its model being renamed): a rule it enforced —
a 422 for a blank name, a normalised value — would silently stop. So an update that
renames a resource whose old hooks module was edited stops before writing anything
and says which file to move; an unedited one (as fastgen created it) carries nothing.
"""

from __future__ import annotations

from pathlib import Path

from fastgen.errors import FastgenError
from fastgen.model.service import ResourceModel, ServiceModel


class HooksNotMovedError(FastgenError):
    """An edited hooks module of a renamed resource would stop running."""


def refuse_orphaned_hooks(
    project: Path, old: ServiceModel | None, new: ServiceModel
) -> None:
    """Raise when a renamed resource's old hooks module holds edits and no module
    exists under its new name yet."""
    if old is None:
        return
    moves = []
    for resource in new.resources:
        before = _previous(resource, old)
        if before is None or before.module == resource.module:
            continue
        source = _hooks_file(old, before)
        target = _hooks_file(new, resource)
        orphaned = (project / source).is_file() and not (project / target).exists()
        if orphaned and edited(project, source):
            moves.append((source, target, before.class_name, resource.class_name))
    if moves:
        lines = [
            f"  git mv {source} {target}   (then {old_name} -> {new_name} in it)"
            for source, target, old_name, new_name in moves
        ]
        raise HooksNotMovedError(
            "renamed resources have hooks under their old names, which would stop "
            "running; move them, commit, and run the update again (nothing was "
            "written):\n" + "\n".join(lines)
        )


def _previous(resource: ResourceModel, old: ServiceModel) -> ResourceModel | None:
    """The resource of the stored spec that ``resource`` renames, if any."""
    if resource.renamed_from is None:
        return None
    return next((r for r in old.resources if r.table == resource.renamed_from), None)


def _hooks_file(service: ServiceModel, resource: ResourceModel) -> str:
    return f"src/{service.package}/hooks/resources/{resource.module}.py"


def edited(project: Path, name: str) -> bool:
    """Whether ``name`` differs from the content it was first committed with (as
    fastgen created it); a file git does not track counts as edited."""
    from fastgen.render.update import git  # update imports this module

    added = git(project, "log", "--diff-filter=A", "--format=%H", "--", name).split()
    if not added:
        return True
    first = git(project, "show", f"{added[-1]}:{name}")
    return first != (project / name).read_text(encoding="utf-8")
