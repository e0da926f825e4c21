"""The copier template as a git repository with one tagged commit per fastgen release.

copier can only update a project from a git template whose versions are PEP 440 tags:
it re-renders the project's old version from its tag. So fastgen ships the template of
every release (``template_history/<version>.tar.gz``, written by
``scripts/snapshot_template.py`` at release time) plus the live one, and materialises
them as commits with fixed dates in ``~/.cache/fastgen/template`` — the same history,
with the same hashes, on every machine. Projects record that path with a literal ``~``
(copier expands it), so their answers file is machine-independent and a project made
by an older fastgen can be updated by a newer one, offline.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from packaging.version import Version

from fastgen import __version__
from fastgen.errors import FastgenError

PACKAGE = Path(__file__).resolve().parents[1]  # the fastgen package
PACKAGE_TEMPLATE = PACKAGE / "_template"
REPO_ROOT = PACKAGE.parents[1]
HISTORY = PACKAGE / "template_history"
SOURCE_PATH = "~/.cache/fastgen/template"
# What a template's copier.yml loads to render (``_jinja_extensions``).
LIVE_EXTENSION = b"fastgen.copier_ext.FastgenExtension"
# Part of the stamp: a cache built another way (loose objects) is rebuilt.
_LAYOUT = b"packed\0"


def live_template_root() -> Path:
    """Where ``copier.yml`` and ``templates/`` are: in the wheel, or in a source checkout."""
    if (PACKAGE_TEMPLATE / "copier.yml").is_file():
        return PACKAGE_TEMPLATE
    if (REPO_ROOT / "copier.yml").is_file():
        return REPO_ROOT
    raise FastgenError("fastgen's template is missing from this installation")


def live_template_files() -> dict[str, bytes]:
    root = live_template_root()
    paths = [root / "copier.yml", *(root / "templates").rglob("*")]
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(paths)
        if p.is_file() and "__pycache__" not in p.parts
    }


def released_versions(history: Path | None = None) -> list[tuple[str, Path]]:
    """Snapshots of earlier releases, oldest first (the running version excluded)."""
    history = history or HISTORY
    found = [(p.name.removesuffix(".tar.gz"), p) for p in history.glob("*.tar.gz")]
    found = [(v, p) for v, p in found if Version(v) < Version(__version__)]
    return sorted(found, key=lambda item: Version(item[0]))


def snapshot_files(tarball: Path) -> dict[str, bytes]:
    with tarfile.open(tarball, "r:gz") as archive:
        return {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
            if member.isfile()
        }


def write_snapshot(files: dict[str, bytes], tarball: Path) -> None:
    """A reproducible archive: sorted members, zero times and owners."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(files[name]), 0o644, 0
            archive.addfile(info, io.BytesIO(files[name]))
    tarball.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))


def with_own_extension(version: str, files: dict[str, bytes]) -> dict[str, bytes]:
    """A release's template, its ``copier.yml`` loading that release's own copier
    extension where ``fastgen.releases`` keeps it: rendered through today's, the
    old template would not give back what the release wrote, and an update would
    take the difference for the user's edits (``fastgen/releases/__init__.py``)."""
    module = f"fastgen.releases.v{version.replace('.', '_')}"
    if importlib.util.find_spec(module) is None:
        return files
    own = f"{module}.copier_ext.FastgenExtension".encode()
    return {**files, "copier.yml": files["copier.yml"].replace(LIVE_EXTENSION, own)}


def template_source() -> str:
    """Make sure the template repository is current and return the ``_src_path`` to use."""
    target = Path(SOURCE_PATH).expanduser()
    versions = [
        (v, with_own_extension(v, snapshot_files(p))) for v, p in released_versions()
    ]
    versions.append((__version__, live_template_files()))
    digest = hashlib.sha256(_LAYOUT)
    for version, files in versions:
        digest.update(version.encode() + b"\0")
        for name, data in files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    if not _is_current(target, digest.hexdigest()):
        # Several fastgen processes may start on a cold cache at once (parallel CI
        # jobs sharing a HOME): one builds while the others wait, then find it
        # current. Without the lock each rebuilt it, deleting the repository under
        # the others' renders. Imported here: a current cache takes no lock.
        from filelock import FileLock

        target.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(target.with_name(f"{target.name}.lock")):
            if not _is_current(target, digest.hexdigest()):
                _build(target, versions, digest.hexdigest())
    return SOURCE_PATH


def _is_current(target: Path, digest: str) -> bool:
    stamp = target / ".git" / "fastgen-stamp"
    return stamp.is_file() and stamp.read_text() == digest


def _build(
    target: Path, versions: list[tuple[str, dict[str, bytes]]], stamp: str
) -> None:
    staging = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        _commit_versions(staging, versions)
        (staging / ".git" / "fastgen-stamp").write_text(stamp)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    except OSError as exc:
        raise FastgenError(f"cannot prepare the template in {target}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already unless it failed


def _commit_versions(
    staging: Path, versions: list[tuple[str, dict[str, bytes]]]
) -> None:
    """Each version's files as one commit tagged with the version, oldest first."""
    _git(staging, "init", "-q", "-b", "main")
    for index, (version, files) in enumerate(versions):
        for child in staging.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _git(staging, "add", "-A")
        date = f"2000-01-01T00:{index // 60:02d}:{index % 60:02d}Z"
        _git(
            staging,
            "commit",
            "-q",
            "--no-gpg-sign",
            "-m",
            f"fastgen template {version}",
            date=date,
        )
        _git(staging, "tag", version)
    # One pack instead of loose objects: copier clones the repository on every
    # render (hard-linking each object file) and deletes the clone after.
    _git(staging, "repack", "-a", "-d", "-q")


def _git(directory: Path, *args: str, date: str = "2000-01-01T00:00:00Z") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "fastgen",
        "GIT_AUTHOR_EMAIL": "fastgen@localhost",
        "GIT_COMMITTER_NAME": "fastgen",
        "GIT_COMMITTER_EMAIL": "fastgen@localhost",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    try:
        subprocess.run(
            ["git", *args], cwd=directory, env=env, check=True, capture_output=True
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc)
        raise FastgenError(f"cannot prepare the template with git: {detail!r}") from exc
