"""The repository stands alone: its design documents are in it, what cites them finds them,
the one-page map names paths that exist, and nothing refers to material outside it (the
Bluesky PDS peer is in tools/bluesky-pds/)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PEER = ROOT / "tools" / "bluesky-pds"
TEXT_SUFFIXES = {".py", ".md", ".toml", ".sh", ".mjs", ".json", ".cfg", ".tcss", ""}
OUTSIDE = ("../" + "shared", "/work/" + "shared", "shared/" + "peers")  # not spelt out here


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = [ROOT / name for name in listed.split("\0") if name]
    return [
        path
        for path in files
        if path.is_file()
        and path.suffix in TEXT_SUFFIXES
        and "__snapshots__" not in path.parts
        and path.name != "package-lock.json"
    ]


def test_nothing_refers_to_material_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in tracked_text_files()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if any(outside in line for outside in OUTSIDE)
    ]
    assert found == []


# "DESIGN.md" or "PLATFORMS.md", and what follows it: a cited section is a quoted string.
CITATION = re.compile(r'(?P<prefix>[\w./-]*?)(?P<name>DESIGN|PLATFORMS)\.md(?P<rest>,\s*"[^"]+")?')


def citations() -> list[tuple[str, str, str, str | None]]:
    """(where, prefix, document, section) of every citation outside docs/."""
    found = []
    for path in tracked_text_files():
        if DOCS in path.parents or path == Path(__file__).resolve():
            continue  # the documents themselves, and this file, which names them
        text = path.read_text(errors="replace")
        # A citation may wrap: join each line with the next before matching.
        for match in CITATION.finditer(re.sub(r"\s*\n\s*(#\s*)?", " ", text)):
            rest = match["rest"]
            section = rest.split('"')[1] if rest else None
            where = str(path.relative_to(ROOT))
            found.append((where, match["prefix"], match["name"], section))
    return found


def headings(document: Path) -> list[str]:
    return [
        line.lstrip("#").strip()
        for line in document.read_text().splitlines()
        if line.startswith("#")
    ]


def test_the_code_cites_the_design_documents_in_docs() -> None:
    cited = citations()
    assert {"DESIGN", "PLATFORMS"} <= {name for _, _, name, _ in cited}  # the test sees them
    wrong = [(where, prefix + name) for where, prefix, name, _ in cited if prefix != "docs/"]
    assert wrong == []


def test_every_cited_section_exists() -> None:
    sections = [(where, name, s) for where, _, name, s in citations() if s is not None]
    assert sections  # the code cites sections, and the test finds them
    missing = [
        (where, f"{name}.md", section)
        for where, name, section in sections
        if section not in headings(DOCS / f"{name}.md")
    ]
    assert missing == []


# A path in backticks: composer/..., tests/..., benchmarks/..., tools/..., docs/..., .ci/...
PATH = re.compile(r"`((?:composer|tests|benchmarks|tools|docs|\.ci)/[\w./*-]*)`")


@pytest.mark.parametrize("document", ["MAP.md", "DESIGN.md", "PLATFORMS.md"])
def test_the_paths_a_document_names_exist(document: str) -> None:
    text = (DOCS / document).read_text()
    named = PATH.findall(text)
    if document == "MAP.md":
        assert len(named) > 40  # the map is mostly paths
    missing = [name for name in named if not list(ROOT.glob(name.rstrip("/")))]
    assert missing == []


def test_the_map_is_linked_from_the_readme() -> None:
    development = (ROOT / "README.md").read_text().split("## Development", 1)[1]
    assert "docs/MAP.md" in development.split("\n## ", 1)[0]


def test_the_pds_peer_is_in_the_repository_and_tests_use_it() -> None:
    from tests.pds import peer_folder

    for name in ("setup.sh", "start.sh", "start-pds.mjs", "package.json", "package-lock.json"):
        assert (PEER / name).is_file(), name
    assert (PEER / "node22" / "package-lock.json").is_file()
    if "BLUESKY_PDS_PEER" not in os.environ:
        assert peer_folder() == PEER
    assert "bash tools/bluesky-pds/setup.sh" in (ROOT / ".ci" / "run").read_text()


def test_start_without_setup_says_what_to_run(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(PEER / "start.sh")],
        env={**os.environ, "PDS_PEER_HOME": str(tmp_path / "nothing-here")},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "setup.sh" in lines[0] and str(tmp_path / "nothing-here") in lines[0]
