"""Regeneration after a spec change keeps every hand edit, shows conflicts, migrates.

Each scenario is the one a team lives through: generate, commit, edit by hand, commit,
change fastgen.yaml in a pull request, regenerate — with `fastgen update` and with the
plain copier command — then install the result, run its tests and upgrade a database
created from the old spec.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import EXAMPLE, git, new_venv, pip_install, run_fastgen

ROUTER_ADDITION = '''

@router.get("/count/all")
async def count_authors(session: SessionDep) -> int:
    """Hand-written: how many authors there are."""
    return len((await session.scalars(select(Author))).all())
'''


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def generate_and_hand_edit(root: Path) -> Path:
    """A committed project carrying the kinds of hand edits users make."""
    project = new_project(EXAMPLE, root / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    pkg = project / "src" / "bookstore"
    router = pkg / "routers" / "author.py"
    router.write_text(router.read_text() + ROUTER_ADDITION)
    edit(
        router,
        '"""One author by primary key, or 404."""',
        '"""Fetch an author (edited)."""',
    )
    edit(
        pkg / "hooks" / "settings.py",
        '    """The service\'s settings;',
        '    greeting: str = "hello"\n\n    """The service\'s settings;',
    )
    (pkg / "settings.py").write_text(
        (pkg / "settings.py").read_text() + "# tuned by hand\n"
    )
    (project / "README.md").write_text(
        (project / "README.md").read_text() + "\nOur notes.\n"
    )
    git(project, "commit", "-qam", "hand edits")
    return project


def change_spec(project: Path) -> None:
    """Add a resource and a field, change a ttl, add an invalidated_by."""
    spec = project / "fastgen.yaml"
    edit(spec, "      get: {ttl: 300}", "      get: {ttl: 301}")
    edit(
        spec,
        "      bio: {type: text, required: false}",
        "      bio: {type: text, required: false}\n"
        "      country: {type: string, max_length: 2, default: 'NO'}",
    )
    edit(
        spec,
        "      list: {ttl: 60}\nendpoints:",
        "      list: {ttl: 60, invalidated_by: [publisher.create]}\n"
        "  publisher:\n    path: /publishers\n    fields:\n"
        "      name: {type: string, unique: true}\nendpoints:",
    )
    git(project, "commit", "-qam", "spec change")


def assert_hand_edits_survived(project: Path) -> None:
    pkg = project / "src" / "bookstore"
    router = (pkg / "routers" / "author.py").read_text()
    assert "async def count_authors" in router
    assert '"""Fetch an author (edited)."""' in router
    assert 'greeting: str = "hello"' in (pkg / "hooks" / "settings.py").read_text()
    assert "# tuned by hand" in (pkg / "settings.py").read_text()
    assert "Our notes." in (project / "README.md").read_text()


def assert_spec_applied(project: Path) -> None:
    pkg = project / "src" / "bookstore"
    config = (pkg / "cache_config.py").read_text()
    assert "ttl=301," in config and "ttl=300," not in config
    assert '"publisher.create": (("book.list", False),),' in config
    assert "country: Mapped[str]" in (pkg / "models" / "author.py").read_text()
    for path in ("routers/publisher.py", "models/publisher.py", "schemas/publisher.py"):
        assert (pkg / path).is_file(), path
    assert (project / "tests" / "test_publisher.py").is_file()


def run_in(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(project / ".venv" / "bin" / args[0]), *args[1:]],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.e2e
def test_fastgen_update_keeps_edits_migrates_and_passes_its_tests(
    tmp_path: Path,
) -> None:
    project = generate_and_hand_edit(tmp_path)
    pip_install(new_venv(project / ".venv"), "-e", f"{project}[dev]")
    old_db = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    created = run_in(project, "alembic", "upgrade", "head")
    assert created.returncode == 0, created.stderr  # default URL: ./bookstore.db
    (project / "bookstore.db").rename(tmp_path / "old.db")

    change_spec(project)
    assert run_fastgen("check", cwd=project).returncode == 1
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Migration: migrations/versions/" in result.stdout
    assert "  M migrations/schema.json" in result.stdout  # rewritten with it
    assert_hand_edits_survived(project)
    assert_spec_applied(project)
    assert not git(project, "diff", "--name-only", "--diff-filter=U")

    upgrade = subprocess.run(
        [str(project / ".venv/bin/alembic"), "upgrade", "head"],
        cwd=project,
        env={**os.environ, "DATABASE_URL": old_db},
        capture_output=True,
        text=True,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    tests = run_in(project, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert (
        "test_publisher.py"
        in run_in(project, "python", "-m", "pytest", "--collect-only", "-q").stdout
    )

    git(project, "add", "-A")
    git(project, "commit", "-qm", "regenerated")
    checked = run_fastgen("check", cwd=project)
    assert checked.returncode == 0, checked.stderr
    assert "Up to date" in checked.stdout


def test_update_refuses_a_dirty_tree(tmp_path: Path) -> None:
    project = generate_and_hand_edit(tmp_path)
    edit(project / "fastgen.yaml", "      get: {ttl: 300}", "      get: {ttl: 301}")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 1
    assert "commit fastgen.yaml" in result.stderr
    assert "ttl=300," in (project / "src" / "bookstore" / "cache_config.py").read_text()


def test_update_outside_git_says_how_to_start(tmp_path: Path) -> None:
    """``fastgen new`` makes no repository; an update, a dry run or a check then
    says what to run (not git's own "not a git repository" message)."""
    project = tmp_path / "bookstore"
    made = run_fastgen("new", str(EXAMPLE), "-o", str(project))
    assert "git init && git add -A && git commit -m generated" in made.stdout
    for command in (["update"], ["update", "--dry-run"], ["check"]):
        result = run_fastgen(*command, "-p", str(project))
        assert result.returncode == 1, command
        assert "is not in a git repository" in result.stderr, command
        assert "git init && git add -A && git commit -m generated" in result.stderr


def test_dry_run_shows_the_change_and_touches_nothing(tmp_path: Path) -> None:
    project = generate_and_hand_edit(tmp_path)
    change_spec(project)
    before = git(project, "rev-parse", "HEAD")
    result = run_fastgen("update", "--dry-run", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "-        ttl=300," in result.stdout and "+        ttl=301," in result.stdout
    assert "A src/bookstore/routers/publisher.py" in result.stdout
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == before


def test_conflicting_edit_exits_1_with_markers_and_loses_nothing(
    tmp_path: Path,
) -> None:
    project = generate_and_hand_edit(tmp_path)
    config = project / "src" / "bookstore" / "cache_config.py"
    edit(config, "        ttl=300,", "        ttl=250,  # tuned by hand")
    git(project, "commit", "-qam", "tuned ttl")
    change_spec(project)
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 1
    assert "C src/bookstore/cache_config.py" in result.stdout
    text = config.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert "ttl=250,  # tuned by hand" in text and "ttl=301," in text
    assert_hand_edits_survived(project)


def copier_update(project: Path) -> subprocess.CompletedProcess[str]:
    """Plain ``copier update`` with the project's fastgen.yaml as the spec answer."""
    copier = Path(sys.executable).parent / "copier"
    spec = (project / "fastgen.yaml").read_text()
    return subprocess.run(
        [str(copier), "update", "--trust", "--defaults", "--data", f"spec={spec}"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_plain_copier_update_then_migrate(tmp_path: Path) -> None:
    project = generate_and_hand_edit(tmp_path)
    change_spec(project)
    result = copier_update(project)
    assert result.returncode == 0, result.stderr
    assert "run `fastgen migrate`" in result.stderr + result.stdout
    assert_hand_edits_survived(project)
    assert_spec_applied(project)
    migrated = run_fastgen("migrate", cwd=project)
    assert migrated.returncode == 0, migrated.stderr
    assert "Migration: " in migrated.stdout
    assert run_fastgen("migrate", cwd=project).stdout.startswith(
        "The migrations already"
    )


def test_a_new_default_is_recorded_without_a_revision(tmp_path: Path) -> None:
    """A changed default alters no column (its server default only fills the rows a
    new column finds): no revision, but schema.json records it, so the project is
    not left "changed, run fastgen migrate" for ever."""
    project = generate_and_hand_edit(tmp_path)
    change_spec(project)
    assert run_fastgen("update", cwd=project).returncode == 0
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    versions = sorted((project / "migrations" / "versions").iterdir())
    edit(project / "fastgen.yaml", "default: 'NO'", "default: 'SE'")
    git(project, "commit", "-qam", "another default")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Migration:" not in result.stdout
    assert "  M migrations/schema.json" in result.stdout
    assert sorted((project / "migrations" / "versions").iterdir()) == versions
    assert '"backfill": "\\"SE\\""' in (project / "migrations/schema.json").read_text()
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    assert run_fastgen("check", cwd=project).returncode == 0
    result = copier_update(project)
    assert result.returncode == 0, result.stderr
    assert "fastgen migrate" not in result.stderr + result.stdout
    # The same after a plain copier update: `fastgen migrate` records it, and says so.
    edit(project / "fastgen.yaml", "default: 'SE'", "default: 'DK'")
    git(project, "commit", "-qam", "a third default")
    result = copier_update(project)
    assert "run `fastgen migrate`" in result.stderr + result.stdout
    migrated = run_fastgen("migrate", cwd=project)
    assert migrated.returncode == 0, migrated.stderr
    assert "migrations/schema.json now records what changed" in migrated.stdout
    assert '"backfill": "\\"DK\\""' in (project / "migrations/schema.json").read_text()
    assert sorted((project / "migrations" / "versions").iterdir()) == versions


def test_plain_copier_update_without_the_spec_warns(tmp_path: Path) -> None:
    project = generate_and_hand_edit(tmp_path)
    change_spec(project)
    copier = Path(sys.executable).parent / "copier"
    result = subprocess.run(
        [str(copier), "update", "--trust", "--defaults"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "WARNING: fastgen.yaml differs" in result.stderr + result.stdout
    assert "ttl=300," in (project / "src" / "bookstore" / "cache_config.py").read_text()


def test_removed_endpoint_keeps_the_users_file(tmp_path: Path) -> None:
    project = generate_and_hand_edit(tmp_path)
    hook = project / "src" / "bookstore" / "hooks" / "endpoints" / "reindex.py"
    hook.write_text(hook.read_text() + "# my reindex logic\n")
    git(project, "commit", "-qam", "reindex logic")
    spec = project / "fastgen.yaml"
    spec.write_text(spec.read_text().split("  reindex:")[0])
    git(project, "commit", "-qam", "drop reindex")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Kept (yours; the spec no longer uses it): " in result.stdout
    assert hook.read_text().endswith("# my reindex logic\n")
    routes = (project / "src" / "bookstore" / "routers" / "endpoints.py").read_text()
    assert "reindex" not in routes


@pytest.mark.parametrize("edited", [False, True])
def test_a_renamed_endpoints_kept_hook_says_whether_it_holds_edits(
    tmp_path: Path, edited: bool
) -> None:
    """The hint beside a kept hook and a new one asks to move code only when the
    old file holds some; as fastgen created it, there is none to move."""
    project = new_project(EXAMPLE, tmp_path / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    hooks = project / "src" / "bookstore" / "hooks" / "endpoints"
    if edited:
        old = hooks / "reindex.py"
        old.write_text(old.read_text() + "# my reindex logic\n")
        git(project, "commit", "-qam", "reindex logic")
    spec = project / "fastgen.yaml"
    spec.write_text(spec.read_text().replace("  reindex:\n", "  rebuild_index:\n"))
    git(project, "commit", "-qam", "reindex renamed")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    new = "src/bookstore/hooks/endpoints/rebuild_index.py"
    assert f"  A {new}" in result.stdout
    said = result.stderr.replace("\n", " ")
    if edited:
        assert (
            f"If the spec renamed it, move your code to {new}: the old file is no "
            "longer called." in said
        )
    else:
        assert (
            f"If the spec renamed it, {new} replaces it; the old file has no edits "
            "of yours (it is as fastgen created it), so you can delete it." in said
        )
    assert ("move your code" in said) is edited
    assert ("delete it" in said) is not edited


REINDEX = (
    "  reindex:\n    method: POST\n    path: /admin/reindex\n    background: true\n"
)
PING = "  ping_admin:\n    method: GET\n    path: /admin/ping\n"


def test_removed_endpoint_names_its_test_left_in_the_users_file(
    tmp_path: Path,
) -> None:
    """tests/test_custom_endpoints.py is the user's, so an update leaves the test of
    an endpoint the spec removed, which then fails (404): the update names it."""
    spec = tmp_path / "bookstore.yaml"
    spec.write_text(EXAMPLE.read_text().replace(REINDEX, REINDEX + PING))
    project = new_project(spec, tmp_path / "bookstore")
    tests = project / "tests" / "test_custom_endpoints.py"
    tests.write_text(
        tests.read_text() + "\n\ndef test_reindex_twice() -> None:\n    pass\n"
    )
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated, with a test of ours")
    edit(project / "fastgen.yaml", REINDEX, "")
    git(project, "commit", "-qam", "drop reindex")
    named = (
        "Your test: tests/test_custom_endpoints.py::test_reindex still calls "
        "POST /admin/reindex, which the spec no longer has: remove the test"
    )
    assert named in run_fastgen("update", "--dry-run", cwd=project).stdout
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    assert named in result.stdout
    assert "test_ping_admin" not in result.stdout
    assert "test_reindex_twice" not in result.stdout
    assert "async def test_reindex(" in tests.read_text()  # the user's file, untouched


@pytest.mark.e2e
def test_pip_installed_fastgen_generates_and_updates(tmp_path: Path) -> None:
    """From a wheel, with an empty home: the template ships inside the package."""
    repo = Path(__file__).resolve().parents[1]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(wheels),
            str(repo),
        ],
        check=True,
        capture_output=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheel = next(wheels.glob("fastgen_service-*.whl"))
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    fastgen = str(venv / "bin" / "fastgen")
    subprocess.run(
        [fastgen, "new", str(EXAMPLE), "-o", "bookstore"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    project = tmp_path / "bookstore"
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    change_spec(project)
    result = subprocess.run(
        [fastgen, "update"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert_spec_applied(project)


@pytest.mark.parametrize("example", ["bookstore.yaml", "petstore.yaml"])
def test_the_tests_named_are_those_the_templates_write(
    example: str, tmp_path: Path
) -> None:
    """render/user_tests.py names the tests of the user's test files as the
    templates write them: a template renaming one would silence the report."""
    from fastgen.render.user_tests import _functions, generated_tests
    from fastgen.spec.inputs import read_input_file

    spec = EXAMPLE.parent / example
    project = new_project(spec, tmp_path / "project")
    named = generated_tests(read_input_file(spec).model)
    assert any(named.values())
    for name, tests in named.items():
        assert set(tests) == _functions(project / name), name
