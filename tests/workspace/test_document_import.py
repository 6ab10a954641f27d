"""Documents made here imported as drafts: each compared with the draft it should make."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from composer.text import split
from composer.text.images import find_images
from composer.workspace import document_images, document_import
from composer.workspace.document_import import (
    DocumentError,
    detect_format,
    detect_language,
    import_by_language,
    import_document,
    write_imported,
)
from composer.workspace.drafts import load_draft
from tests.documents import (
    COLUMNS_BODY,
    DOCX_BODY,
    EN_TITLE,
    ILLUSTRATED_HTML,
    ODT_BODY,
    PDF_BODY,
    RU_TITLE,
    STATEMENT_HTML,
    TITLE,
    TWO_LANGUAGE_EN,
    TWO_LANGUAGE_RU,
    UNICODE_FONT,
    html_body,
    illustrated_docx,
    illustrated_docx_body,
    illustrated_html_body,
    illustrated_odt,
    illustrated_odt_body,
    image_only_pdf,
    picture,
    saved_name,
    statement_docx,
    statement_odt,
    statement_pdf,
    three_language_body,
    three_language_html,
    two_column_pdf,
    two_language_pdf,
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


# --- images --------------------------------------------------------------------------------


def test_docx_images_become_image_lines_and_files_beside_the_draft(tmp_path: Path) -> None:
    illustrated_docx(tmp_path / "report.docx")
    imported = import_document(str(tmp_path / "report.docx"))
    assert imported.body == illustrated_docx_body("report")
    assert imported.removed.summary() == "2 images saved"
    assert imported.removed.summary(written=False) == "2 images to save"
    without_alt = saved_name("report", picture("blue"))
    assert imported.notes == (
        "1 image without alt text (describe each in the draft's ![...] before publishing): "
        + without_alt,
    )
    path = write_imported(tmp_path / "drafts", imported)
    draft = load_draft(str(path))
    lines = find_images(draft.body).images
    assert [image.alt for _, image in lines] == [
        "Observers outside the closed door of the counting room",
        "",
    ]
    # Each image line names a file beside the draft, holding the document's picture.
    assert [(draft.folder / image.path).read_bytes() for _, image in lines] == [
        picture("red"),
        picture("blue"),
    ]
    # Imported again: the same files, none written twice.
    again = write_imported(tmp_path / "drafts", import_document(str(tmp_path / "report.docx")))
    assert again.name == "observed-count-2.md"
    assert len(list((tmp_path / "drafts" / "images").iterdir())) == 2


def test_odt_image_with_its_description(tmp_path: Path) -> None:
    illustrated_odt(tmp_path / "count.odt")
    imported = import_document(str(tmp_path / "count.odt"))
    assert imported.body == illustrated_odt_body("count")
    assert imported.notes == ()
    assert [image.data for image in imported.images] == [picture("green")]


def test_html_file_images_read_beside_it(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "door.png").write_bytes(picture("red"))
    (tmp_path / "pics" / "protocol.png").write_bytes(picture("blue"))
    (tmp_path / "page.html").write_text(ILLUSTRATED_HTML, encoding="utf-8")
    imported = import_document(str(tmp_path / "page.html"))
    assert imported.body == illustrated_html_body("page")
    assert imported.removed.summary() == "2 images saved"


def test_web_page_images_fetched(pages: PageServer) -> None:
    pages.serve("/news/pics/door.png", Page(picture("red"), content_type="image/png"))
    pages.serve("/news/pics/protocol.png", Page(picture("blue"), content_type="image/png"))
    url = pages.serve("/news/count", Page(ILLUSTRATED_HTML.encode()))
    imported = import_document(url)
    assert imported.body == illustrated_html_body("count")
    assert pages.hits["/news/pics/door.png"] == 1


def test_images_left_out_each_with_a_line(
    tmp_path: Path, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the platforms' cap, not found, or not an image a platform takes: left out."""
    big = picture("red", size=(400, 300))
    monkeypatch.setattr(document_images, "IMAGE_CAP", len(big) - 1)
    pages.serve("/pics/door.png", Page(big, content_type="image/png"))
    pages.serve("/pics/protocol.png", Page(b"<html>Moved</html>"))
    url = pages.serve("/count", Page(ILLUSTRATED_HTML.encode()))
    imported = import_document(url)
    assert "![" not in imported.body and not imported.images
    assert imported.notes == (
        "image door.png: more than the 16 MB any platform takes: left out",
        "image protocol.png: not an image (text/html): left out",
    )
    assert imported.removed.summary() == "nothing removed"
    monkeypatch.setattr(document_images, "IMAGE_CAP", 10 * len(big))
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "door.png").write_bytes(b"GIF-ish but not an image")
    (tmp_path / "page.html").write_text(ILLUSTRATED_HTML, encoding="utf-8")
    local = import_document(str(tmp_path / "page.html"))
    assert local.notes == (
        "image door.png: not a JPEG, PNG, GIF, WebP, TIFF or BMP image: left out",
        "image protocol.png: cannot read protocol.png (No such file or directory): left out",
    )


# --- several languages ---------------------------------------------------------------------


needs_font = pytest.mark.skipif(
    not UNICODE_FONT.is_file(), reason=f"a Cyrillic font for the test PDF: {UNICODE_FONT}"
)


@needs_font
def test_an_english_and_russian_pdf_makes_two_drafts(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(two_language_pdf())
    english, russian = import_by_language(str(path))
    assert (english.title, english.language, english.body) == (EN_TITLE, "en", TWO_LANGUAGE_EN)
    # The Latin name inside the Russian part ("John Smith, Head of Mission") stays in it.
    assert (russian.title, russian.language, russian.body) == (RU_TITLE, "ru", TWO_LANGUAGE_RU)
    assert english.source == russian.source == "statement.pdf"
    written = [write_imported(tmp_path / "drafts", part) for part in (english, russian)]
    assert [p.name for p in written] == [
        "statement-on-the-parliamentary-elections.md",
        "zayavlenie-o-parlamentskih-vyborah.md",
    ]
    assert load_draft(str(written[1])).meta["language"] == "ru"


def test_three_languages_three_drafts(tmp_path: Path) -> None:
    path = tmp_path / "statement.html"
    path.write_text(three_language_html(), encoding="utf-8")
    parts = import_by_language(str(path))
    assert [(p.language, p.title) for p in parts] == [
        ("en", "Statement on the elections"),
        ("ru", "Заявление о выборах"),
        ("kk", "Сайлау туралы мәлімдеме"),
    ]
    assert [p.body for p in parts] == [three_language_body(p.language or "") for p in parts]


def test_a_part_without_a_heading_takes_the_documents_title(tmp_path: Path) -> None:
    html = three_language_html().replace("<h2>", "<p>").replace("</h2>", "</p>")
    (tmp_path / "s.html").write_text(html, encoding="utf-8")
    parts = import_by_language(str(tmp_path / "s.html"))
    assert [p.title for p in parts] == ["Statement (EN)", "Statement (RU)", "Statement (KK)"]
    given = import_by_language(str(tmp_path / "s.html"), title="Joint")
    assert [p.title for p in given] == ["Joint (EN)", "Joint (RU)", "Joint (KK)"]
    files = {write_imported(tmp_path / "drafts", p).name for p in given}
    assert files == {"joint-en.md", "joint-ru.md", "joint-kk.md"}


def test_one_language_is_one_draft(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement_pdf())
    (only,) = import_by_language(str(path))
    assert only == import_document(str(path))


def test_images_go_with_their_part(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "door.png").write_bytes(picture("red"))
    html = three_language_html().replace(
        "</p><h2>Заявление", '</p><img src="pics/door.png" alt="Door"><h2>Заявление'
    )
    (tmp_path / "s.html").write_text(html, encoding="utf-8")
    english, russian, kazakh = import_by_language(str(tmp_path / "s.html"))
    assert f"![Door]({saved_name('s', picture('red'))})" in english.body
    assert len(english.images) == 1 and not russian.images and not kazakh.images


def test_the_letters_decide_without_loading_the_detector() -> None:
    code = (
        "import sys\n"
        "from composer.workspace.document_import import detect_language, _language\n"
        f"assert _language(None, {PDF_BODY!r}) == 'en'\n"
        "print('py3langid' in sys.modules)\n"
    )
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
