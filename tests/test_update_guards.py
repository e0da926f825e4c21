"""What an update must never do: delete files git cannot restore, drop edits to a
generated file the spec no longer makes, or call a tree with conflicts up to date.

Each test is a case an audit of user edits against regeneration found (exit 0, work
gone or the answer wrong); see tests/test_update.py for the everyday scenarios.
"""

from __future__ import annotations

from pathlib import Path

from fastgen.api import new_project

from .conftest import EXAMPLE, git, run_fastgen


def committed(root: Path) -> Path:
    project = new_project(EXAMPLE, root / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def more_replicas(project: Path) -> None:
    spec = project / "fastgen.yaml"
    text = spec.read_text()
    assert "replicas: 2 " in text
    spec.write_text(text.replace("replicas: 2 ", "replicas: 3 ", 1))


def test_a_project_its_repository_ignores_is_refused_not_wiped(
    tmp_path: Path,
) -> None:
    """scripts/demo.sh makes bookstore/ in a fastgen checkout that ignores it: the
    update used to delete every file copier did not rewrite and say "Already up to
    date.", and check crashed with a traceback."""
    outer = tmp_path / "checkout"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    (outer / ".gitignore").write_text("/bookstore/\n")
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "checkout")
    project = new_project(EXAMPLE, outer / "bookstore")
    files = sorted(p for p in project.rglob("*") if p.is_file())
    router = project / "src" / "bookstore" / "routers" / "book.py"
    router.write_text(router.read_text() + "# my edit\n")
    more_replicas(project)
    for command in (["check"], ["update", "--dry-run"], ["update"]):
        result = run_fastgen(*command, cwd=project)
        assert result.returncode == 1, (command, result.stdout)
        assert "Traceback" not in result.stderr, command
        assert "the git repository around it ignores it" in result.stderr, command
        assert "git init && git add -A" in result.stderr, command
    assert sorted(p for p in project.rglob("*") if p.is_file()) == files
    assert router.read_text().endswith("# my edit\n")


def test_an_uncommitted_project_in_a_repository_is_refused_by_check(
    tmp_path: Path,
) -> None:
    """Made inside a repository and never committed: check cloned the repository,
    found no project in the clone and crashed with a traceback."""
    outer = tmp_path / "monorepo"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    (outer / "README.md").write_text("services\n")
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "monorepo")
    project = new_project(EXAMPLE, outer / "bookstore")
    result = run_fastgen("check", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert "(its files are not committed)" in result.stderr
    assert "git add -A && git commit -m generated" in result.stderr


def test_generated_files_git_ignores_are_refused_not_deleted(tmp_path: Path) -> None:
    """A team keeps nginx/ out of git: copier saw it as deleted by the user and the
    update removed it from the disk, exit 0, without a word."""
    project = committed(tmp_path)
    with (project / ".gitignore").open("a") as ignore:
        ignore.write("nginx/\n")
    git(project, "rm", "-rq", "--cached", "nginx")
    conf = project / "nginx" / "nginx.conf"
    conf.write_text(conf.read_text() + "# tuned by hand\n")
    more_replicas(project)
    git(project, "commit", "-qam", "nginx is managed elsewhere; 3 replicas")
    for command in (["check"], ["update"]):
        result = run_fastgen(*command, cwd=project)
        assert result.returncode == 1, (command, result.stdout)
        assert "git ignores these generated files" in result.stderr, command
        assert "nginx/" in result.stderr, command
    assert conf.read_text().endswith("# tuned by hand\n")
    assert git(project, "status", "--porcelain") == ""


def test_ignored_files_the_template_does_not_render_are_fine(tmp_path: Path) -> None:
    """A venv, caches, egg-info and .env are ignored too: they do not stop an
    update."""
    project = committed(tmp_path)
    made = ".venv/bin/python", ".env", "src/bookstore/__pycache__/x.pyc"
    for name in (*made, "src/bookstore.egg-info/PKG-INFO"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("x")
    more_replicas(project)
    git(project, "commit", "-qam", "3 replicas")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "  M docker-compose.yml" in result.stdout
    assert (project / ".env").read_text() == "x"


ROUTE = '''

@router.get("/{book_id}/cover")
async def book_cover(book_id: int) -> dict[str, str]:
    """Hand-written: where the cover image is."""
    return {"cover": f"/static/{book_id}.png"}
'''


def edit_book_files(project: Path) -> Path:
    """Hand edits to book's generated router and its hook; the package folder."""
    pkg = project / "src" / "bookstore"
    router = pkg / "routers" / "book.py"
    router.write_text(router.read_text() + ROUTE)
    hook = pkg / "hooks" / "resources" / "book.py"
    hook.write_text(hook.read_text() + "# strip titles\n")
    git(project, "commit", "-qam", "cover route, title rule")
    return pkg


def test_a_renamed_resource_keeps_the_edits_to_its_old_files(tmp_path: Path) -> None:
    """``renamed_from`` deleted routers/book.py with the team's route in it, exit 0;
    the team's hook for book was "Kept" while volume's empty stub ran instead."""
    project = committed(tmp_path)
    pkg = edit_book_files(project)
    spec = project / "fastgen.yaml"
    text = spec.read_text().replace(
        "  book:\n    path: /books\n",
        "  volume:\n    path: /volumes\n    renamed_from: book\n",
    )
    spec.write_text(text.replace("      from: book ", "      from: volume "))
    git(project, "commit", "-qam", "book is now volume")
    # The edited hook first: moved by the team before anything is written
    # (render/renamed_hooks.py), then the update keeps the router's edits.
    refused = run_fastgen("update", cwd=project)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    hooks = "src/bookstore/hooks/resources"
    assert f"git mv {hooks}/book.py {hooks}/volume.py" in refused.stderr
    assert git(project, "status", "--porcelain") == ""
    git(project, "mv", f"{hooks}/book.py", f"{hooks}/volume.py")
    hook = project / hooks / "volume.py"
    hook.write_text(hook.read_text().replace("Book", "Volume"))
    git(project, "commit", "-qam", "the hook moves with the resource")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "C src/bookstore/routers/book.py: kept, with your edits" in result.stdout
    assert (pkg / "routers" / "book.py").read_text().endswith(ROUTE)
    assert (pkg / "routers" / "volume.py").is_file()
    assert hook.read_text().endswith("# strip titles\n")
    # Unedited files of the old name go as before.
    assert not (pkg / "models" / "book.py").exists()
    assert not (pkg / "schemas" / "book.py").exists()


def test_a_removed_resource_keeps_the_routes_added_to_it(tmp_path: Path) -> None:
    """--allow-data-loss acknowledges dropped rows, not dropped code."""
    project = committed(tmp_path)
    pkg = edit_book_files(project)
    spec = project / "fastgen.yaml"
    text = spec.read_text()
    book = text[text.index("  book:\n") : text.index("endpoints:\n")]
    stats = text[text.index("  author_stats:") : text.index("  reindex:")]
    spec.write_text(text.replace(book, "").replace(stats, ""))
    git(project, "commit", "-qam", "no more books")
    result = run_fastgen("update", "--allow-data-loss", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "C src/bookstore/routers/book.py: kept" in result.stdout
    assert (pkg / "routers" / "book.py").read_text().endswith(ROUTE)
    assert not (pkg / "models" / "book.py").exists()


def test_check_fails_on_committed_conflict_markers(tmp_path: Path) -> None:
    """An update's conflict committed as is: the answers already record the new spec,
    so check said "Up to date" and the generated CI passed an unparsable manifest."""
    project = committed(tmp_path)
    hpa = project / "deploy" / "kubernetes" / "hpa.yaml"
    text = hpa.read_text()
    assert "minReplicas: 2" in text
    hpa.write_text(text.replace("minReplicas: 2", "minReplicas: 4"))
    git(project, "commit", "-qam", "four at least")
    more_replicas(project)
    git(project, "commit", "-qam", "3 replicas")
    assert run_fastgen("update", cwd=project).returncode == 1
    assert "<<<<<<< " in hpa.read_text()
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated (conflict left in)")
    result = run_fastgen("check", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "Up to date" not in result.stdout
    assert "  C deploy/kubernetes/hpa.yaml" in result.stderr
    assert "1 committed file(s) have unresolved conflicts" in result.stderr
    hpa.write_text(text.replace("minReplicas: 2", "minReplicas: 4"))
    (project / "src" / "x.py.rej").write_text("@@ a reject\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "resolved hpa, a .rej slipped in")
    result = run_fastgen("check", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "  C src/x.py.rej" in result.stderr
