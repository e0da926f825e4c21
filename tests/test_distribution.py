"""fastgen is installed as `fastgen-service`: PyPI's `fastgen` is someone else's.

Every install line and PyPI link that mentions fastgen — in this repository's docs and
templates and in a generated project — names `fastgen-service`, and the current
version wherever it pins one; a stray `pip install fastgen` would install a stranger's
package.
"""

import importlib.metadata
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from fastgen import __version__

from .conftest import REPO

DISTRIBUTION = "fastgen-service"
# `pip install ...`, `pipx install ...`, `uv tool install ...`, `uv pip install ...`
# and `uvx --from ...`: the arguments up to the end of the command.
INSTALL = re.compile(
    r"(?:\b(?:pip|pipx|uv tool|uv pip) install|\buvx --from)\s+([^`#&|;\n]*)"
)
PYPI = re.compile(r"pypi\.org/(?:project|simple)/([A-Za-z0-9._-]+)(?:/([^/\s)>]+))?")
REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(?:==(.+))?")
# In templates the pinned version is the one rendering them.
VERSIONS = {__version__, "{{ fastgen_version }}"}


def install_problems(text: str) -> tuple[int, list[str]]:
    """(how many fastgen requirements the text installs or links, what is wrong)."""
    seen, problems = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        found: list[tuple[str, str | None]] = []
        for match in INSTALL.finditer(line):
            for token in requirements(match):
                requirement = REQUIREMENT.fullmatch(token)
                if requirement:
                    found.append((requirement.group(1), requirement.group(2)))
        found += [(m.group(1), m.group(2)) for m in PYPI.finditer(line)]
        for name, version in found:
            if not name.lower().startswith("fastgen"):
                continue
            seen += 1
            if name != DISTRIBUTION:
                problems.append(f"{number}: {name!r} is not {DISTRIBUTION}: {line}")
            elif version is not None and version not in VERSIONS:
                problems.append(f"{number}: pins {version}, not {__version__}: {line}")
    return seen, problems


def requirements(match: re.Match[str]) -> list[str]:
    """The arguments of an install command that are not options."""
    try:
        arguments = shlex.split(match.group(1))
    except ValueError:  # an unbalanced quote in prose
        arguments = match.group(1).split()
    if match.group(0).startswith("uvx"):
        arguments = arguments[:1]  # what follows is the command to run
    return [argument for argument in arguments if not argument.startswith("-")]


def scan(root: Path, paths: list[Path]) -> tuple[int, list[str]]:
    seen, problems = 0, []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        count, found = install_problems(text)
        seen += count
        problems += [f"{path.relative_to(root)}:{p}" for p in found]
    return seen, problems


def files(root: Path, *tops: str) -> list[Path]:
    paths = []
    for top in tops:
        path = root / top
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        paths += [p for p in candidates if p.is_file() and "__pycache__" not in p.parts]
    return paths


def test_repository_docs_and_templates_install_fastgen_service() -> None:
    # template_history/ holds released templates as they were; they are not edited.
    paths = files(
        REPO, "README.md", "docs", "templates", "copier.yml", "examples", "scripts"
    )
    paths += files(REPO, ".ci", "bench/README.md", "generator/fastgen")
    seen, problems = scan(REPO, paths)
    assert not problems, "\n".join(problems)
    # README's pipx, uv tool and uvx lines, the template's CI pin, README and link.
    assert seen >= 7


def test_generated_project_installs_the_version_that_made_it(bookstore: Path) -> None:
    seen, problems = scan(bookstore, files(bookstore, "."))
    assert not problems, "\n".join(problems)
    ci = (bookstore / ".github" / "workflows" / "ci.yml").read_text()
    assert f"pip install '{DISTRIBUTION}=={__version__}'" in ci
    readme = (bookstore / "README.md").read_text()
    assert f"pipx install '{DISTRIBUTION}=={__version__}'" in readme
    assert f"uvx --from '{DISTRIBUTION}=={__version__}' fastgen update" in readme
    assert seen >= 4


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("pip install fastgen", "'fastgen' is not fastgen-service"),
        ("- run: pip install 'fastgen==0.2.0'", "'fastgen' is not fastgen-service"),
        ("`pipx install fastgen-cli`", "'fastgen-cli' is not fastgen-service"),
        ("uvx --from fastgen fastgen new x.yaml", "'fastgen' is not fastgen-service"),
        ("uv tool install 'fastgen-service==0.0.1'", "pins 0.0.1"),
        ("[fastgen](https://pypi.org/project/fastgen/)", "'fastgen' is not"),
        ("https://pypi.org/project/fastgen-service/0.0.1/", "pins 0.0.1"),
    ],
)
def test_the_scan_names_a_wrong_install_line(line: str, problem: str) -> None:
    seen, problems = install_problems(f"intro\n{line}\n")
    assert seen == 1
    assert len(problems) == 1 and problems[0].startswith("2: ")
    assert problem in problems[0]


@pytest.mark.parametrize(
    "line",
    [
        "pip install -e '.[dev]'",
        f"pipx install 'fastgen-service=={__version__}'",
        "uvx --from fastgen-service fastgen new spec.yaml",
        "pip install 'fastgen-service=={{ fastgen_version }}'",
        "[arq](https://pypi.org/project/arq/)",
    ],
)
def test_the_scan_accepts_right_install_lines(line: str) -> None:
    assert install_problems(line)[1] == []


def test_the_distribution_is_fastgen_service_and_its_command_fastgen() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"fastgen": "fastgen.cli:run"}
    installed = importlib.metadata.distribution(DISTRIBUTION)
    assert installed.version == __version__
    assert [e.name for e in installed.entry_points.select(group="console_scripts")] == [
        "fastgen"
    ]
