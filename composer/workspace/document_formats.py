"""Reading a document's text, format by format: PDF (pdfminer.six), Word (python-docx),
OpenDocument (odfpy) and web pages (trafilatura). Which format a file is, and writing the
draft: `document_import.py`.

Each library is imported inside its reader: `split`, `history` and `queue` start without them.
The PDF reader gives lines with their place and size to `composer.text.document_cleanup`,
which makes the paragraphs; the others know their paragraphs and give blocks.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from statistics import median
from typing import Any
from urllib.parse import urljoin, urlsplit

from composer.errors import ComposerError
from composer.text.document_cleanup import (
    Block,
    Footnotes,
    Line,
    Page,
    Removed,
    clean_pages,
    render,
)

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class DocumentError(ComposerError, ValueError):
    """A document that cannot be imported: missing, too large, of an unknown format,
    encrypted, without text, or a web address that gives no page; one line for the user."""


@dataclass(slots=True)
class Read:
    """A document's text as a draft's body, with what the document says about itself."""

    body: str
    removed: Removed = field(default_factory=Removed)
    title: str | None = None  # the document's metadata, else its first heading
    language: str | None = None  # as the document declares it


# --- PDF -----------------------------------------------------------------------------------


def read_pdf(data: bytes, name: str, footnotes: Footnotes) -> Read:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psexceptions import PSException

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise DocumentError(
            f"{name}: the PDF is encrypted (it needs a password to open): "
            "save an unprotected copy and import that"
        ) from None
    except (PSException, ValueError, KeyError, TypeError) as error:
        raise DocumentError(
            f"{name}: not a readable PDF ({error or type(error).__name__})"
        ) from None
    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[Page] = []
    try:
        for pdf_page in PDFPage.create_pages(document):
            interpreter.process_page(pdf_page)
            pages.append(Page(tuple(_pdf_lines(device.get_result()))))
    except (PSException, ValueError, KeyError, TypeError) as error:
        raise DocumentError(
            f"{name}: not a readable PDF ({error or type(error).__name__})"
        ) from None
    if not any(page.lines for page in pages):
        raise DocumentError(f"{name}: the PDF has no text layer (a scan?): run OCR first")
    cleaned = clean_pages(pages, footnotes)
    return Read(cleaned.text, cleaned.removed, _pdf_title(document) or cleaned.first_heading)


def _pdf_lines(layout: Any) -> Iterator[Line]:
    """A page's horizontal text lines in pdfminer's reading order (columns one after the
    other), each with its place from the top of the page, and superscript digits (a
    footnote's marker) written as such."""
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLineHorizontal

    height = layout.height
    for box in layout:
        if not isinstance(box, LTTextContainer):
            continue
        lines = [box] if isinstance(box, LTTextLineHorizontal) else list(box)
        for line in lines:
            if not isinstance(line, LTTextLineHorizontal):
                continue
            chars = [c for c in line if isinstance(c, LTChar)]
            if not chars or not line.get_text().strip():
                continue
            size = median(c.size for c in chars)
            base = median(c.y0 for c in chars if c.size >= size * 0.9)
            text = "".join(
                c.get_text().translate(_SUPERSCRIPT)
                if isinstance(c, LTChar)
                and c.get_text().isdigit()
                and c.size < size * 0.8
                and c.y0 > base + size * 0.2
                else c.get_text()
                for c in line
            )
            yield Line(
                text.rstrip("\n"),
                top=height - line.y1,
                bottom=height - line.y0,
                left=line.x0,
                right=line.x1,
                size=size,
            )


def _pdf_title(document: Any) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    for info in document.info:
        value = resolve1(info.get("Title"))
        if isinstance(value, bytes):
            value = decode_text(value)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


# --- Word ----------------------------------------------------------------------------------


def read_docx(data: bytes, name: str, footnotes: Footnotes = "end") -> Read:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.hyperlink import Hyperlink

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocumentError(f"{name}: not a readable Word file ({error})") from None
    blocks: list[Block] = []
    numbers: dict[str, int] = {}
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            for row in part.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                blocks.append(Block("; ".join(dict.fromkeys(c for c in cells if c))))
            continue
        pieces = []
        for inner in part.iter_inner_content():
            if isinstance(inner, Hyperlink):
                pieces.append(_link(inner.text, inner.url))
            else:
                pieces.append(inner.text)
        text = "".join(pieces)
        style = part.style.name if part.style is not None and part.style.name else ""
        numbered = part._p.pPr is not None and part._p.pPr.numPr is not None
        if style == "Title" or style.startswith("Heading"):
            blocks.append(Block(text, "heading"))
        elif style.startswith("List Number"):
            numbers[style] = numbers.get(style, 0) + 1
            blocks.append(Block(f"{numbers[style]}. {text}", "item"))
        elif style.startswith("List") or numbered:
            blocks.append(Block(f"- {text}", "item"))
        else:
            blocks.append(Block(text))
        if not style.startswith("List Number"):
            numbers.clear()
    notes = _docx_footnotes(data)
    removed = Removed(footnotes=len(notes), footnotes_dropped=footnotes == "drop")
    properties = document.core_properties
    title = (properties.title or "").strip() or _first_heading(blocks)
    if notes and footnotes == "end":
        blocks += [Block("Notes", "heading"), *(Block(f"{n}. {t}") for n, t in enumerate(notes, 1))]
    return Read(render(blocks), removed, title, (properties.language or "").strip() or None)


def _docx_footnotes(data: bytes) -> list[str]:
    """The footnotes of a Word file, in order (python-docx does not read them; their
    markers in the text it leaves out)."""
    import zipfile

    from docx.oxml.parser import parse_xml  # python-docx's own parser: no entities resolved

    word = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/footnotes.xml")
    except (KeyError, zipfile.BadZipFile):
        return []
    notes = []
    for note in parse_xml(xml).iter(f"{word}footnote"):
        if note.get(f"{word}type") in ("separator", "continuationSeparator"):
            continue
        text = " ".join("".join(t.text or "" for t in note.iter(f"{word}t")).split())
        if text:
            notes.append(text)
    return notes


def _first_heading(blocks: list[Block]) -> str | None:
    return next((" ".join(b.text.split()) for b in blocks if b.kind == "heading"), None)


def _link(text: str, url: str | None, base: str | None = None) -> str:
    """A link as the body keeps it: its text and its address, which a post can carry."""
    text = text.strip()
    if not url or url.startswith("#"):
        return text
    if base is not None:
        url = urljoin(base, url)
    if not urlsplit(url).scheme:
        return text  # relative, with nothing to make it whole
    address = url.removeprefix("mailto:")
    if not text or text in (url, address) or address in text:
        return text or address
    return f"{text} ({address})"


# --- OpenDocument --------------------------------------------------------------------------


def read_odt(data: bytes, name: str, footnotes: Footnotes) -> Read:
    from odf import dc
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as error:  # odfpy raises whatever its zip and XML parsing raised
        raise DocumentError(f"{name}: not a readable OpenDocument file ({error})") from None
    reader = _OdtReader()
    reader.blocks_of(document.text)
    blocks = reader.blocks
    removed = Removed(footnotes=len(reader.notes), footnotes_dropped=footnotes == "drop")
    if reader.notes and footnotes == "end":
        blocks = [
            *blocks,
            Block("Notes", "heading"),
            *(Block(f"{n}. {note}") for n, note in enumerate(reader.notes, 1)),
        ]
    title = language = None
    for element in document.meta.getElementsByType(dc.Title):
        title = " ".join(str(element).split()) or None
    for element in document.meta.getElementsByType(dc.Language):
        language = str(element).strip() or None
    return Read(render(blocks), removed, title or _first_heading(reader.blocks), language)


class _OdtReader:
    """Walks an OpenDocument text body: headings, paragraphs, lists (flattened), tables'
    rows, sections; links with their address; footnotes collected apart."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.notes: list[str] = []

    def blocks_of(self, element: Any, in_list: bool = False) -> None:
        for child in element.childNodes:
            local = _local(child)
            if local == "h":
                self.blocks.append(Block(self.text_of(child), "heading"))
            elif local == "p":
                text = self.text_of(child)
                self.blocks.append(Block(f"- {text}", "item") if in_list else Block(text))
            elif local in ("list", "list-item", "list-header"):
                self.blocks_of(child, in_list=True)
            elif local == "table-row":
                cells = [self.text_of(cell) for cell in child.childNodes]
                self.blocks.append(Block("; ".join(c for c in cells if c.strip())))
            elif local in ("section", "table", "table-rows", "table-header-rows", "index-body"):
                self.blocks_of(child, in_list)

    def text_of(self, element: Any) -> str:
        from odf.namespaces import TEXTNS, XLINKNS

        pieces: list[str] = []
        for child in element.childNodes:
            if child.nodeType == child.TEXT_NODE:
                pieces.append(child.data)
                continue
            local = _local(child)
            if local == "s":
                pieces.append(" " * int(child.attributes.get((TEXTNS, "c"), 1)))
            elif local in ("tab", "line-break"):
                pieces.append(" ")
            elif local == "a":
                pieces.append(_link(self.text_of(child), child.attributes.get((XLINKNS, "href"))))
            elif local == "note":
                for body in child.childNodes:
                    if _local(body) == "note-body":
                        paragraphs = [self.text_of(p) for p in body.childNodes]
                        self.notes.append(" ".join(" ".join(paragraphs).split()))
            elif local not in ("bookmark", "bookmark-start", "bookmark-end", "soft-page-break"):
                pieces.append(self.text_of(child))
        return "".join(pieces)


def _local(node: Any) -> str | None:
    qname = getattr(node, "qname", None)
    return qname[1] if qname else None


# --- web pages -----------------------------------------------------------------------------


def read_html(html: str, name: str, url: str | None = None) -> Read:
    """A web page's main text (not its menus, sidebars and footer), by trafilatura."""
    import trafilatura

    extracted = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_links=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    if not extracted:
        raise DocumentError(f"{name}: no article text found in the page")
    root = ElementTree.fromstring(extracted)
    main = root.find("main")
    blocks: list[Block] = []
    _html_blocks(main if main is not None else root, blocks, url)
    if not any(block.text.strip() for block in blocks):
        raise DocumentError(f"{name}: no article text found in the page")
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata is not None else None) or _first_heading(blocks)
    declared = re.search(r"<html[^>]*?\slang=[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)", html)
    return Read(render(blocks), title=title, language=declared.group(1) if declared else None)


def _html_blocks(element: ElementTree.Element, blocks: list[Block], base: str | None) -> None:
    for child in element:
        if child.tag == "head":
            blocks.append(Block(_inline(child, base), "heading"))
        elif child.tag in ("p", "quote", "code"):
            blocks.append(Block(_inline(child, base)))
        elif child.tag == "list":
            for item in child:
                if item.tag == "item":
                    blocks.append(Block("- " + _inline(item, base), "item"))
        elif child.tag == "table":
            for row in child.iter("row"):
                cells = [_inline(cell, base) for cell in row]
                blocks.append(Block("; ".join(c for c in cells if c.strip())))
        elif child.tag in ("div", "section"):
            _html_blocks(child, blocks, base)


def _inline(element: ElementTree.Element, base: str | None) -> str:
    pieces = [element.text or ""]
    for child in element:
        if child.tag == "ref":
            pieces.append(_link(_inline(child, base), child.get("target"), base))
        elif child.tag == "lb":
            pieces.append(" ")
        elif child.tag != "list":
            pieces.append(_inline(child, base))
        pieces.append(child.tail or "")
    return " ".join("".join(pieces).split())
