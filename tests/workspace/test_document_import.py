"""Documents made here imported as drafts: each compared with the draft it should make."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from composer.text import split
from composer.workspace import document_import
from composer.workspace.document_import import (
    DocumentError,
    detect_format,
    detect_language,
    import_document,
    write_imported,
)
from composer.workspace.drafts import load_draft
from tests.documents import (
    COLUMNS_BODY,
    DOCX_BODY,
    ODT_BODY,
    PDF_BODY,
    STATEMENT_HTML,
    TITLE,
    html_body,
    image_only_pdf,
    statement_docx,
    statement_odt,
    statement_pdf,
    two_column_pdf,
)
from tests.fakes.pages import Page, PageServer


def test_pdf_without_headers_page_numbers_and_breaks(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement_pdf())
    imported = import_document(str(path))
    assert imported.body == PDF_BODY
    assert (imported.title, imported.language, imported.source) == (TITLE, "en", "statement.pdf")
    assert imported.removed.summary() == (
        "removed 3 running headers, 3 page numbers; joined 1 hyphenated word; "
        "moved 1 footnote to the end"
    )


def test_pdf_footnotes_dropped(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement_pdf())
    imported = import_document(str(path), footnotes="drop", title="Mine", language="kk")
    assert imported.body == PDF_BODY.split("\n\nNotes\n")[0] + "\n"
    assert (imported.title, imported.language) == ("Mine", "kk")
    assert "1 footnote" in imported.removed.summary()


def _clean_cuts(text: str) -> int:
    """Posts of the thread for X that end where a sentence or a paragraph ends (the measure
    of benchmarks/bench_split.py: a cut at a line break inside a sentence is not clean)."""
    posts = split(text, "x").posts
    return sum(post.text.rstrip().endswith((".", "!", "?", ":", ";")) for post in posts[:-1])


def test_the_imported_pdf_splits_as_cleanly_as_the_text_typed_by_hand(tmp_path: Path) -> None:
    from pdfminer.high_level import extract_text

    data = statement_pdf()
    path = tmp_path / "statement.pdf"
    path.write_bytes(data)
    imported = import_document(str(path)).body
    typed = PDF_BODY
    pasted = extract_text(io.BytesIO(data))  # what copy and paste gives
    assert _clean_cuts(imported) >= _clean_cuts(typed) == len(split(typed, "x").posts) - 1
    # Pasted, the same statement is cut after "com-" and in the middle of sentences.
    assert _clean_cuts(pasted) < _clean_cuts(imported)
    assert len(split(imported, "x").posts) <= len(split(pasted, "x").posts)


def test_two_columns_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "columns.pdf"
    path.write_bytes(two_column_pdf())
    imported = import_document(str(path))
    assert imported.body == COLUMNS_BODY
    assert imported.removed.summary() == "removed 2 running headers, 2 page numbers"


def test_docx_heading_list_and_link(tmp_path: Path) -> None:
    path = tmp_path / "findings.docx"
    statement_docx(path)
    imported = import_document(str(path))
    assert imported.body == DOCX_BODY
    assert (imported.title, imported.language) == ("Mission findings", "en")
    dropped = import_document(str(path), footnotes="drop")
    assert dropped.body == DOCX_BODY.split("\n\nNotes\n")[0] + "\n"
    assert dropped.removed.summary() == "removed 2 footnotes"


def test_odt_in_russian_with_its_footnote(tmp_path: Path) -> None:
    path = tmp_path / "itogi.odt"
    statement_odt(path)
    imported = import_document(str(path))
    assert imported.body == ODT_BODY
    assert (imported.title, imported.language) == ("Итоги наблюдения за выборами", "ru")
    assert imported.removed.summary() == "moved 1 footnote to the end"


def test_web_page_without_its_menu_and_footer(pages: PageServer) -> None:
    url = pages.serve("/news/statement", Page(STATEMENT_HTML.encode()))
    imported = import_document(url)
    assert imported.body == html_body(pages.url)
    assert (imported.title, imported.language, imported.source) == (
        "Statement on the elections",
        "en",
        url,
    )
    assert "Donate" not in imported.body and "newsletter" not in imported.body


def test_written_as_a_new_draft_never_over_another(tmp_path: Path) -> None:
    path = tmp_path / "findings.docx"
    statement_docx(path)
    imported = import_document(str(path))
    drafts = tmp_path / "drafts"
    first, second = write_imported(drafts, imported), write_imported(drafts, imported)
    assert (first.name, second.name) == ("mission-findings.md", "mission-findings-2.md")
    draft = load_draft(str(first))
    assert draft.body == DOCX_BODY and not draft.unknown_keys
    assert draft.meta == {"title": "Mission findings", "language": "en", "source": "findings.docx"}
    assert first.read_text(encoding="utf-8") == imported.text()


def test_format_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    statement_docx(tmp_path / "a.docx")
    statement_odt(tmp_path / "a.odt")
    assert detect_format(statement_pdf()) == "pdf"
    assert detect_format((tmp_path / "a.docx").read_bytes()) == "docx"
    assert detect_format((tmp_path / "a.odt").read_bytes()) == "odt"
    assert detect_format(STATEMENT_HTML.encode()) == "html"
    assert detect_format(b"PK\x03\x04 not really a zip") is None
    assert detect_format(b"Just some text.\n") is None


def test_language_detected_only_when_sure() -> None:
    kazakh = "Коалиция қырық учаскеде дауыс беруді бақылады және дауыстарды санау жабық өтті."
    assert detect_language(kazakh) == "kk"
    assert detect_language("Short.") is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(statement_pdf(password="secret")), "the PDF is encrypted"),
        (lambda p: p.write_bytes(image_only_pdf()), "has no text layer (a scan?): run OCR first"),
        (
            lambda p: p.write_text("Plain text.\n"),
            "not a PDF, Word (.docx), OpenDocument (.odt) or HTML file (its name says .pdf",
        ),
        (lambda p: None, "no such file"),
    ],
)
def test_refused_files(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "statement.pdf"
    make(path)  # type: ignore[operator]
    with pytest.raises(DocumentError, match=r"^.*statement\.pdf: ") as caught:
        import_document(str(path))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.bad_input


def test_too_large_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as out:
        out.truncate(document_import.MAX_BYTES + 1)  # sparse: nothing is written to disk
    with pytest.raises(DocumentError, match="is more than a document's 20 MB"):
        import_document(str(path))


def test_refused_web_answers(pages: PageServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DocumentError, match="the server answered 404"):
        import_document(pages.url + "/missing")
    pdf = pages.serve("/s.pdf", Page(statement_pdf(), content_type="application/pdf"))
    with pytest.raises(DocumentError, match=r"not a web page \(application/pdf\)"):
        import_document(pdf)
    monkeypatch.setattr(document_import, "MAX_BYTES", 1000)
    big = pages.serve("/big", Page(b"<html><body>" + b"x" * 5000, chunk=100))
    with pytest.raises(DocumentError, match="larger than"):
        import_document(big)


def test_an_address_that_does_not_answer() -> None:
    with pytest.raises(DocumentError, match="no answer"):
        import_document("http://127.0.0.1:9/statement")
