"""`thread-composer draft import FILE|URL` as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents import (
    DOCX_BODY,
    PDF_BODY,
    STATEMENT_HTML,
    TITLE,
    html_body,
    image_only_pdf,
    statement_docx,
    statement_pdf,
)
from tests.fakes.pages import Page, PageServer
from tests.helpers import composer


def test_import_a_pdf_prints_the_draft_and_what_was_removed(tmp_path: Path) -> None:
    (tmp_path / "statement.pdf").write_bytes(statement_pdf())
    result = composer("draft", "import", "statement.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path_line, summary = result.stdout.splitlines()
    assert path_line == "drafts/statement-on-the-parliamentary-elections.md"
    assert summary == (
        "removed 3 running headers, 3 page numbers; joined 1 hyphenated word; "
        "moved 1 footnote to the end"
    )
    written = (tmp_path / path_line).read_text(encoding="utf-8")
    assert written == (
        f'+++\ntitle = "{TITLE}"\nlanguage = "en"\nsource = "statement.pdf"\n+++\n{PDF_BODY}'
    )
    # The draft is a draft like any other: it shows, and splits.
    shown = composer("draft", "show", "statement-on-the-parliamentary-elections", cwd=tmp_path)
    assert shown.returncode == 0 and "posts: x " in shown.stdout


def test_dry_run_prints_the_draft_and_writes_nothing(tmp_path: Path) -> None:
    statement_docx(tmp_path / "findings.docx")
    result = composer(
        "draft", "import", "findings.docx", "--dry-run", "--title", "Findings", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f'+++\ntitle = "Findings"\nlanguage = "en"\nsource = "findings.docx"\n+++\n{DOCX_BODY}'
    )
    assert result.stderr.strip() == "moved 2 footnotes to the end"
    assert not (tmp_path / "drafts").exists()


def test_footnotes_dropped_and_language_given(tmp_path: Path) -> None:
    (tmp_path / "s.pdf").write_bytes(statement_pdf())
    result = composer(
        "draft", "import", "s.pdf", "--footnotes", "drop", "--language", "ru", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "removed 3 running headers, 3 page numbers, 1 footnote; joined 1 hyphenated word"
    )
    text = (tmp_path / result.stdout.splitlines()[0]).read_text(encoding="utf-8")
    assert 'language = "ru"' in text and "Notes" not in text and "annex" not in text
    refused = composer("draft", "import", "s.pdf", "--language", "english!", cwd=tmp_path)
    assert refused.returncode == 2 and "language" in refused.stderr


def test_import_a_web_page(tmp_path: Path, pages: PageServer) -> None:
    url = pages.serve("/statement", Page(STATEMENT_HTML.encode()))
    result = composer("draft", "import", url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / result.stdout.splitlines()[0]).read_text(encoding="utf-8")
    assert text == (
        f'+++\ntitle = "Statement on the elections"\nlanguage = "en"\nsource = "{url}"\n+++\n'
        + html_body(pages.url)
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("locked.pdf", lambda: statement_pdf(password="secret"), "the PDF is encrypted"),
        ("scan.pdf", image_only_pdf, "has no text layer (a scan?): run OCR first"),
        ("notes.pdf", lambda: b"Plain text, renamed.\n", "not a PDF, Word (.docx)"),
        ("missing.pdf", None, "missing.pdf: no such file"),
    ],
)
def test_bad_files_are_one_line_exit_2_nothing_written(
    tmp_path: Path, name: str, content: object, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content())  # type: ignore[operator]
    result = composer("draft", "import", name, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "drafts").exists()


def test_a_file_over_the_cap(tmp_path: Path) -> None:
    with (tmp_path / "huge.docx").open("wb") as out:
        out.truncate(200 * 1024 * 1024)  # sparse
    result = composer("draft", "import", "huge.docx", cwd=tmp_path)
    assert result.returncode == 2
    assert "huge.docx: 200 MB is more than a document's 20 MB" in result.stderr
    assert not (tmp_path / "drafts").exists()


def test_bad_web_answers_are_one_line_exit_2(tmp_path: Path, pages: PageServer) -> None:
    pdf = pages.serve("/s.pdf", Page(statement_pdf(), content_type="application/pdf"))
    huge = pages.serve("/huge", Page(b"<html>" + b" " * (21 * 1024 * 1024), chunk=1024 * 1024))
    cases = [
        (pages.url + "/gone", "the server answered 404"),
        (pdf, "not a web page (application/pdf): download it and import the file"),
        (huge, "the page is larger than 20 MB"),
    ]
    for url, message in cases:
        result = composer("draft", "import", url, cwd=tmp_path)
        assert result.returncode == 2, url
        assert result.stderr.strip() == f"thread-composer: {url}: {message}"
    assert not (tmp_path / "drafts").exists()
