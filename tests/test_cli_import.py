"""`thread-composer draft import FILE|URL` as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents import (
    DOCX_BODY,
    PDF_BODY,
    REFUSED_FILES,
    RU_TITLE,
    STATEMENT_HTML,
    TITLE,
    TWO_LANGUAGE_RU,
    UNICODE_FONT,
    html_body,
    illustrated_docx,
    illustrated_docx_body,
    picture,
    saved_name,
    statement_docx,
    statement_pdf,
    three_language_body,
    three_language_html,
    two_language_pdf,
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
    REFUSED_FILES,
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


def test_images_saved_beside_the_draft_with_a_warning(tmp_path: Path) -> None:
    illustrated_docx(tmp_path / "report.docx")
    result = composer("draft", "import", "report.docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["drafts/observed-count.md", "2 images saved"]
    assert result.stderr.strip() == (
        "1 image without alt text (describe each in the draft's ![...] before publishing): "
        + saved_name("report", picture("blue"))
    )
    assert (tmp_path / "drafts" / saved_name("report", picture("red"))).read_bytes() == (
        picture("red")
    )
    # The draft's images are found where its lines say: `split` sees them.
    shown = composer("split", "drafts/observed-count.md", "-p", "mastodon", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "[image: report-" in shown.stdout and "40x30" in shown.stdout


def test_dry_run_saves_no_image(tmp_path: Path) -> None:
    illustrated_docx(tmp_path / "report.docx")
    result = composer("draft", "import", "report.docx", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(illustrated_docx_body("report"))
    assert result.stderr.splitlines()[-1] == "2 images to save"
    assert not (tmp_path / "drafts").exists()


@pytest.mark.skipif(not UNICODE_FONT.is_file(), reason=f"a Cyrillic font: {UNICODE_FONT}")
def test_split_languages_writes_one_draft_per_language(tmp_path: Path) -> None:
    (tmp_path / "statement.pdf").write_bytes(two_language_pdf())
    result = composer("draft", "import", "statement.pdf", "--split-languages", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "drafts/statement-on-the-parliamentary-elections.md (en)",
        "drafts/zayavlenie-o-parlamentskih-vyborah.md (ru)",
        "nothing removed",
    ]
    russian = (tmp_path / "drafts" / "zayavlenie-o-parlamentskih-vyborah.md").read_text("utf-8")
    assert russian == (
        f'+++\ntitle = "{RU_TITLE}"\nlanguage = "ru"\nsource = "statement.pdf"\n+++\n'
        + TWO_LANGUAGE_RU
    )


def test_split_languages_dry_run_shows_each(tmp_path: Path) -> None:
    (tmp_path / "s.html").write_text(three_language_html(), encoding="utf-8")
    result = composer("draft", "import", "s.html", "--split-languages", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    heads = [line for line in result.stdout.splitlines() if line.startswith("--- draft")]
    assert heads == [
        "--- draft 1 of 3 (en) ---",
        "--- draft 2 of 3 (ru) ---",
        "--- draft 3 of 3 (kk) ---",
    ]
    assert three_language_body("kk") in result.stdout
    assert 'language = "kk"' in result.stdout
    assert not (tmp_path / "drafts").exists()


def test_split_languages_of_a_document_in_one(tmp_path: Path) -> None:
    (tmp_path / "s.pdf").write_bytes(statement_pdf())
    result = composer("draft", "import", "s.pdf", "--split-languages", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "drafts/statement-on-the-parliamentary-elections.md",
        "one language found (en): one draft",
    ]
    refused = composer("draft", "import", "s.pdf", "--split-languages", "--language", "ru")
    assert refused.returncode == 2 and "--split-languages" in refused.stderr
