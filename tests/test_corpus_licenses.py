"""Every document in tests/corpus/ has a recorded source and licence."""

import csv
import re

from .conftest import REPO

CORPUS = REPO / "tests" / "corpus"
OWN_FILES = {"README.md", "MANIFEST.tsv", "LICENSES.md"}


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def licence_sections() -> dict[str, str]:
    """LICENSES.md's ``## owner/name`` sections by repository."""
    text = (CORPUS / "LICENSES.md").read_text(encoding="utf-8")
    parts = re.split(r"^## (\S+)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def copied_root(row: dict[str, str]) -> str:
    """The file or directory of tests/corpus/ a manifest row copied."""
    return row["file"].split("/")[0]


def test_every_source_repository_has_a_licence_section() -> None:
    sections = licence_sections()
    missing = sorted({row["source_repo"] for row in manifest()} - set(sections))
    assert not missing, f"tests/corpus/LICENSES.md has no section for {missing}"
    for repo, section in sections.items():
        assert re.search(r"^Licence: ", section, re.MULTILINE), repo
        assert "Copyright" in section, repo


def test_each_section_names_the_files_and_commit_it_covers() -> None:
    sections = licence_sections()
    for row in manifest():
        section = sections[row["source_repo"]]
        assert f"`{copied_root(row)}" in section, (row["file"], row["source_repo"])
        assert row["commit"] in section, (row["file"], row["commit"])


def test_every_corpus_file_comes_from_a_manifest_row() -> None:
    roots = {copied_root(row) for row in manifest()}
    strays = [
        path.relative_to(CORPUS).as_posix()
        for path in sorted(CORPUS.rglob("*"))
        if path.is_file()
        and path.relative_to(CORPUS).as_posix() not in OWN_FILES
        and path.relative_to(CORPUS).parts[0] not in roots
    ]
    assert not strays, f"not in tests/corpus/MANIFEST.tsv: {strays}"
