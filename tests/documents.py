"""Documents made by the tests, as a coalition's statement arrives: a PDF set line by line
(running header, page footer, a paragraph across a page, a word hyphenated at a line end, a
footnote), a Word file, an OpenDocument file and a web page; and what each should import as."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

HEADER = "Coalition for Fair Elections - Joint Statement"
TITLE = "Statement on the Parliamentary Elections"

# The PDF's lines, page by page: (text, size); "" is a blank line's space. "^1" is a
# superscript footnote marker.
PDF_PAGES: list[list[tuple[str, float]]] = [
    [
        (TITLE, 16),
        ("", 0),
        ("The coalition deployed observers to forty polling stations in", 11),
        ("six regions on election day and followed the count until the", 11),
        ("morning. Observers were present for the opening, the vote and", 11),
        ("the count in every station they visited.", 11),
        ("", 0),
        ("In most stations the count was closed to observers, who were", 11),
        ("asked to leave the room before the ballot boxes were opened.^1 In", 11),
        ("several stations the protocols were signed before the count was", 11),
        ("com-", 11),
    ],
    [
        ("pleted, and the results were entered into the system without the", 11),
        ("signatures of the members of the commission.", 11),
        ("", 0),
        ("The coalition calls on the Central Election Commission to:", 11),
        ("- publish the protocols of every polling station;", 11),
        ("- let observers stay in the room during the count.", 11),
    ],
    [
        ("The coalition will publish its full report within a month and", 11),
        ("remains ready to meet the commission.", 11),
    ],
]
FOOTNOTE = "1 Reports from 31 of the 40 stations; the list is in the annex."

PDF_BODY = (
    f"{TITLE}\n\n"
    "The coalition deployed observers to forty polling stations in six regions on election "
    "day and followed the count until the morning. Observers were present for the opening, "
    "the vote and the count in every station they visited.\n\n"
    "In most stations the count was closed to observers, who were asked to leave the room "
    "before the ballot boxes were opened. In several stations the protocols were signed "
    "before the count was completed, and the results were entered into the system without "
    "the signatures of the members of the commission.\n\n"
    "The coalition calls on the Central Election Commission to:\n\n"
    "- publish the protocols of every polling station;\n"
    "- let observers stay in the room during the count.\n\n"
    "The coalition will publish its full report within a month and remains ready to meet "
    "the commission.\n\n"
    "Notes\n\n"
    "1. Reports from 31 of the 40 stations; the list is in the annex.\n"
)


def statement_pdf(*, password: str | None = None) -> bytes:
    """The three-page statement as a PDF (with a user password: encrypted)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_title(TITLE)
    if password is not None:
        pdf.set_encryption(owner_password="owner", user_password=password)
    for number, lines in enumerate(PDF_PAGES, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.text(72, 40, HEADER)
        top = 90.0
        for text, size in lines:
            if not text:
                top += 14
                continue
            pdf.set_font("Helvetica", size=size)
            marker = "^1" in text
            plain = text.replace("^1", "")
            if marker:
                before, after = text.split("^1")
                pdf.text(72, top, before)
                x = 72 + pdf.get_string_width(before)
                pdf.set_font("Helvetica", size=7)
                pdf.text(x, top - 4, "1")
                pdf.set_font("Helvetica", size=size)
                pdf.text(x + pdf.get_string_width("1 "), top, after.strip())
            else:
                pdf.text(72, top, plain)
            top += size * 1.3 if size > 11 else 14
            if size > 11:
                top += 10
        if number == 1:
            pdf.set_font("Helvetica", size=8)
            pdf.text(72, 760, FOOTNOTE)
        pdf.set_font("Helvetica", size=9)
        pdf.text(280, 810, f"Page {number} of {len(PDF_PAGES)}")
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A "scan": one page holding an image and no text."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("RGB", (200, 100), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=72, y=72, w=400)
    return bytes(pdf.output())


# Files the import refuses, each with the start of its one-line reason: (name, its bytes or
# None for a missing file, the reason). Both the command's and the dialog's tests use them.
REFUSED_FILES: list[tuple[str, Callable[[], bytes] | None, str]] = [
    ("locked.pdf", lambda: statement_pdf(password="secret"), "the PDF is encrypted"),
    ("scan.pdf", image_only_pdf, "has no text layer (a scan?): run OCR first"),
    ("notes.pdf", lambda: b"Plain text, renamed.\n", "not a PDF, Word (.docx)"),
    ("missing.pdf", None, "missing.pdf: no such file"),
]


DOCX_BODY = (
    "Findings of the mission\n\n"
    "The mission observed the vote in forty stations (https://example.org/report) and found "
    "the count closed.\n\n"
    "- Ballots were counted in closed rooms.\n"
    "- Observers were sent out.\n\n"
    "The coalition calls for a recount.\n\n"
    "Notes\n\n"
    "1. Stations 1 to 40 of district 7.\n\n"
    "2. The annex lists them.\n"
)


def statement_docx(path: Path) -> None:
    """A Word file with a heading, a paragraph with a link, a bulleted list."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = "Mission findings"
    document.add_heading("Findings of the mission", level=1)
    paragraph = document.add_paragraph("The mission observed the vote in ")
    relation = paragraph.part.relate_to(
        "https://example.org/report", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "forty stations"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    paragraph.add_run(" and found the count closed.")
    document.add_paragraph("Ballots were counted in closed rooms.", style="List Bullet")
    document.add_paragraph("Observers were sent out.", style="List Bullet")
    document.add_paragraph("The coalition calls for a recount.")
    document.save(str(path))
    _add_footnotes(path, ["Stations 1 to 40 of district 7.", "The annex lists them."])


def _add_footnotes(path: Path, notes: list[str]) -> None:
    """A footnotes part, as Word writes it (its separators first), added to the file."""
    import zipfile

    word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    separators = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
    )
    bodies = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space='
        f'"preserve"> {note}</w:t></w:r></w:p></w:footnote>'
        for n, note in enumerate(notes, 1)
    )
    xml = f'<?xml version="1.0"?><w:footnotes xmlns:w="{word}">{separators}{bodies}</w:footnotes>'
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/footnotes.xml", xml)


ODT_BODY = (
    "Итоги наблюдения\n\n"
    "Коалиция наблюдала за голосованием на сорока участках (https://example.org/ru) и "
    "отметила закрытый подсчёт голосов.\n\n"
    "- Бюллетени считали в закрытых комнатах.\n"
    "- Наблюдателей удаляли.\n\n"
    "Notes\n\n"
    "1. Отчёты с 31 из 40 участков.\n"
)


def statement_odt(path: Path) -> None:
    """An OpenDocument text in Russian: a heading, a link, a list and a footnote."""
    from odf import dc, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Итоги наблюдения за выборами"))
    document.text.addElement(text.H(outlinelevel=1, text="Итоги наблюдения"))
    paragraph = text.P(text="Коалиция наблюдала за голосованием на ")
    paragraph.addElement(text.A(href="https://example.org/ru", text="сорока участках"))
    paragraph.addText(" и отметила закрытый подсчёт голосов.")
    note = text.Note(noteclass="footnote", id="ftn1")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="Отчёты с 31 из 40 участков."))
    note.addElement(body)
    paragraph.addElement(note)
    document.text.addElement(paragraph)
    items = text.List()
    for line in ("Бюллетени считали в закрытых комнатах.", "Наблюдателей удаляли."):
        item = text.ListItem()
        item.addElement(text.P(text=line))
        items.addElement(item)
    document.text.addElement(items)
    document.save(str(path))


STATEMENT_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Statement on the elections | Coalition</title>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li>
<li><a href="/donate">Donate</a></li></ul></nav>
<article>
<h1>Statement on the elections</h1>
<p>The coalition observed the vote in <a href="/report.pdf">forty stations</a> across the
country and found that the count was closed to observers in most of them.</p>
<h2>Findings</h2>
<ul><li>Ballots were counted in closed rooms.</li><li>Observers were sent out.</li></ul>
<p>The coalition calls on the commission to publish the results of every station without
delay, as the law requires.</p>
</article>
<footer><p>© 2026 Coalition for Fair Elections. All rights reserved.</p>
<p>Subscribe to our newsletter.</p></footer>
</body></html>
"""


def html_body(base: str) -> str:
    """The page's article as the draft's body, its relative link made whole with `base`."""
    return (
        "Statement on the elections\n\n"
        f"The coalition observed the vote in forty stations ({base}/report.pdf) across the "
        "country and found that the count was closed to observers in most of them.\n\n"
        "Findings\n\n"
        "- Ballots were counted in closed rooms.\n"
        "- Observers were sent out.\n\n"
        "The coalition calls on the commission to publish the results of every station "
        "without delay, as the law requires.\n"
    )


# Two pages of two columns each: (left column, right column); "" is a blank line's space.
COLUMN_PAGES = (
    (
        [
            "The coalition observed the vote in forty",
            "stations. In most of them the count was",
            "closed to observers, who were asked to",
            "leave the room before the boxes were",
        ],
        [
            "opened. The protocols were signed before",
            "the count was completed.",
            "",
            "The coalition calls on the commission to",
        ],
    ),
    (
        ["publish the protocols of every station", "without delay."],
        ["It remains ready to meet the commission."],
    ),
)
COLUMNS_BODY = (
    "The coalition observed the vote in forty stations. In most of them the count was closed "
    "to observers, who were asked to leave the room before the boxes were opened. The "
    "protocols were signed before the count was completed.\n\n"
    "The coalition calls on the commission to publish the protocols of every station without "
    "delay.\n\n"
    "It remains ready to meet the commission.\n"
)


def two_column_pdf() -> bytes:
    """Pages set in two columns, a paragraph going on from the left column to the right one
    and another from one page to the next, with a running header and page numbers."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    for number, columns in enumerate(COLUMN_PAGES, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.text(72, 40, "Coalition statement")
        pdf.set_font("Helvetica", size=10)
        for x, column in zip((50, 310), columns, strict=True):
            for row, text in enumerate(column):
                if text:
                    pdf.text(x, 90 + 13 * row, text)
        pdf.set_font("Helvetica", size=9)
        pdf.text(290, 810, str(number))
    return bytes(pdf.output())


# --- images --------------------------------------------------------------------------------


def picture(colour: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    """A small PNG (each colour a different file)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def saved_name(document_stem: str, data: bytes, suffix: str = ".png") -> str:
    """Where `draft import` saves an image, relative to the drafts folder."""
    import hashlib

    return f"images/{document_stem}-{hashlib.sha256(data).hexdigest()[:10]}{suffix}"


COUNT_ALT = "Observers outside the closed door of the counting room"


def illustrated_docx(path: Path) -> None:
    """A Word file with a heading, a list, a picture with alt text and one without."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Observed count"
    document.add_heading("The count", level=1)
    document.add_paragraph("The count was closed to observers in most of the stations.")
    document.add_paragraph("Ballots were counted in closed rooms.", style="List Bullet")
    document.add_paragraph("Observers were sent out.", style="List Bullet")
    described = document.add_paragraph().add_run().add_picture(io.BytesIO(picture("red")))
    described._inline.docPr.set("descr", COUNT_ALT)
    document.add_paragraph("A protocol signed before the count ended:")
    document.add_paragraph().add_run().add_picture(io.BytesIO(picture("blue")))
    document.save(str(path))


def illustrated_docx_body(stem: str) -> str:
    return (
        "The count\n\n"
        "The count was closed to observers in most of the stations.\n\n"
        "- Ballots were counted in closed rooms.\n"
        "- Observers were sent out.\n\n"
        f"![{COUNT_ALT}]({saved_name(stem, picture('red'))})\n\n"
        "A protocol signed before the count ended:\n\n"
        f"![]({saved_name(stem, picture('blue'))})\n"
    )


def illustrated_odt(path: Path) -> None:
    """An OpenDocument text with a picture described by its frame (svg:desc)."""
    from odf import draw, svg, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.text.addElement(text.H(outlinelevel=1, text="Подсчёт голосов"))
    document.text.addElement(text.P(text="Подсчёт голосов был закрыт для наблюдателей."))
    href = document.addPictureFromString(picture("green"), "image/png")
    frame = draw.Frame(width="4cm", height="3cm", anchortype="as-char")
    frame.addElement(draw.Image(href=href))
    frame.addElement(svg.Desc(text="Закрытая дверь комнаты подсчёта"))
    holder = text.P()
    holder.addElement(frame)
    document.text.addElement(holder)
    document.text.addElement(text.P(text="Коалиция требует пересчёта."))
    document.save(str(path))


def illustrated_odt_body(stem: str) -> str:
    return (
        "Подсчёт голосов\n\n"
        "Подсчёт голосов был закрыт для наблюдателей.\n\n"
        f"![Закрытая дверь комнаты подсчёта]({saved_name(stem, picture('green'))})\n\n"
        "Коалиция требует пересчёта.\n"
    )


ILLUSTRATED_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The count</title></head><body>
<nav><a href="/">Home</a> <a href="/donate">Donate</a></nav>
<article>
<h1>The count</h1>
<p>The coalition observed the vote in forty stations across the country and found that the
count was closed to observers in most of them.</p>
<img src="pics/door.png" alt="The closed door of the counting room">
<p>The coalition calls on the commission to publish the results of every station without
delay, as the law requires.</p>
<img src="pics/protocol.png">
<p>It remains ready to meet the commission at any time and in any place.</p>
</article></body></html>
"""


def illustrated_html_body(stem: str) -> str:
    return (
        "The count\n\n"
        "The coalition observed the vote in forty stations across the country and found that "
        "the count was closed to observers in most of them.\n\n"
        f"![The closed door of the counting room]({saved_name(stem, picture('red'))})\n\n"
        "The coalition calls on the commission to publish the results of every station "
        "without delay, as the law requires.\n\n"
        f"![]({saved_name(stem, picture('blue'))})\n\n"
        "It remains ready to meet the commission at any time and in any place.\n"
    )


# --- several languages ---------------------------------------------------------------------

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core

EN_TITLE = "Statement on the Parliamentary Elections"
RU_TITLE = "Заявление о парламентских выборах"
# (text, size) per page: English on the first, Russian (with a name in Latin letters) on the
# second.
TWO_LANGUAGE_PAGES: list[list[tuple[str, float]]] = [
    [
        (EN_TITLE, 16),
        ("", 0),
        ("The coalition deployed observers to forty polling stations in", 11),
        ("six regions on election day and followed the count until the", 11),
        ("morning. In most stations the count was closed to observers.", 11),
        ("", 0),
        ("The coalition calls on the commission to publish the protocols.", 11),
    ],
    [
        (RU_TITLE, 16),
        ("", 0),
        ("Коалиция направила наблюдателей на сорок избирательных", 11),
        ("участков в шести регионах и следила за подсчётом голосов", 11),
        ("до утра. На большинстве участков подсчёт был закрыт.", 11),
        ("", 0),
        ("John Smith, Head of Mission", 11),
        ("", 0),
        ("Коалиция призывает комиссию опубликовать протоколы.", 11),
    ],
]
TWO_LANGUAGE_EN = (
    f"{EN_TITLE}\n\n"
    "The coalition deployed observers to forty polling stations in six regions on election "
    "day and followed the count until the morning. In most stations the count was closed to "
    "observers.\n\n"
    "The coalition calls on the commission to publish the protocols.\n"
)
TWO_LANGUAGE_RU = (
    f"{RU_TITLE}\n\n"
    "Коалиция направила наблюдателей на сорок избирательных участков в шести регионах и "
    "следила за подсчётом голосов до утра. На большинстве участков подсчёт был закрыт.\n\n"
    "John Smith, Head of Mission\n\n"
    "Коалиция призывает комиссию опубликовать протоколы.\n"
)


def two_language_pdf() -> bytes:
    """A statement in English on its first page and in Russian on its second."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("DejaVu", fname=str(UNICODE_FONT))
    for lines in TWO_LANGUAGE_PAGES:
        pdf.add_page()
        top = 90.0
        for text, size in lines:
            if not text:
                top += 14
                continue
            pdf.set_font("DejaVu", size=size)
            pdf.text(72, top, text)
            top += size * 1.3 + 10 if size > 11 else 14
    return bytes(pdf.output())


THREE_LANGUAGE_PARTS = {
    "en": (
        "Statement on the elections",
        "The coalition deployed observers to forty polling stations in six regions and "
        "followed the count until the morning.",
        "In most stations the count was closed to observers, who were asked to leave.",
    ),
    "ru": (
        "Заявление о выборах",
        "Коалиция направила наблюдателей на сорок участков в шести регионах и следила за "
        "подсчётом голосов до утра.",
        "На большинстве участков подсчёт был закрыт, наблюдателей просили выйти.",
    ),
    "kk": (
        "Сайлау туралы мәлімдеме",
        "Коалиция алты өңірдегі қырық сайлау учаскесіне бақылаушылар жіберіп, дауыстарды "
        "санауды таңертеңге дейін қадағалады.",
        "Учаскелердің көбінде санау бақылаушыларға жабық болды, оларды шығарып жіберді.",
    ),
}


def three_language_html() -> str:
    """A statement in English, Russian and Kazakh, one after the other, in one page."""
    sections = "".join(
        f"<h2>{heading}</h2><p>{first}</p><p>{second}</p>"
        for heading, first, second in THREE_LANGUAGE_PARTS.values()
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Statement</title></head>'
        f"<body><article>{sections}</article></body></html>\n"
    )


def three_language_body(language: str) -> str:
    heading, first, second = THREE_LANGUAGE_PARTS[language]
    return f"{heading}\n\n{first}\n\n{second}\n"
