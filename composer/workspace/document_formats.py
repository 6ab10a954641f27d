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
)
from composer.text.platform_facts import FACTS

# An image larger than this no platform takes (Mastodon's 16 MB is the most): left out.
IMAGE_CAP = max(facts.media.max_bytes for facts in FACTS.values())
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class DocumentError(ComposerError, ValueError):
    """A document that cannot be imported: missing, too large, of an unknown format,
    encrypted, without text, or a web address that gives no page; one line for the user."""


@dataclass(frozen=True, slots=True)
class FoundImage:
    """An image in a document: its alt text (or caption), its name there, and its bytes
    when the document holds them (Word, OpenDocument), else where it is (`src`: a web
    address, or a path relative to an HTML file)."""

    alt: str
    name: str
    data: bytes | None = None
    src: str | None = None
    skipped: str = ""  # why it is left out, when the reader knows already


def over_image_cap(size: int | None = None) -> str:
    """Why an image (of `size` bytes) is left out."""
    said = f"{size / 1024 / 1024:.1f} MB is " if size is not None else ""
    return f"{said}more than the {IMAGE_CAP // 1024 // 1024} MB any platform takes"


@dataclass(slots=True)
class Read:
    """A document's blocks (an image block's text is its index in `images`), with what the
    document says about itself."""

    blocks: list[Block]
    removed: Removed = field(default_factory=Removed)
    title: str | None = None  # the document's metadata, else its first heading
    language: str | None = None  # as the document declares it
    images: list[FoundImage] = field(default_factory=list)

    def add_image(self, image: FoundImage) -> None:
        self.blocks.append(Block(str(len(self.images)), "image"))
        self.images.append(image)


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
    return Read(
        list(cleaned.blocks), cleaned.removed, _pdf_title(document) or cleaned.first_heading
    )


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
    read = Read([])
    blocks = read.blocks
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
        if style == "Caption" and blocks and blocks[-1].kind == "image":
            _caption(read, text)
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
        for image in _docx_images(part, document.part):
            read.add_image(image)
    notes = _docx_footnotes(data)
    read.removed = Removed(footnotes=len(notes), footnotes_dropped=footnotes == "drop")
    properties = document.core_properties
    read.title = (properties.title or "").strip() or _first_heading(blocks)
    read.language = (properties.language or "").strip() or None
    if notes and footnotes == "end":
        blocks += [Block("Notes", "heading"), *(Block(f"{n}. {t}") for n, t in enumerate(notes, 1))]
    return read


def _docx_images(paragraph: Any, document_part: Any) -> Iterator[FoundImage]:
    """A Word paragraph's pictures (inline or anchored), each with its alt text: the
    drawing's description (`descr` of `wp:docPr`), else its title."""
    for drawing in paragraph._p.xpath(".//w:drawing"):
        described = drawing.xpath(".//wp:docPr")
        alt = ""
        if described:
            alt = described[0].get("descr") or described[0].get("title") or ""
        for embed in drawing.xpath(".//a:blip/@r:embed"):
            image_part = document_part.related_parts.get(embed)
            if image_part is not None:
                name = str(image_part.partname).rsplit("/", 1)[-1]
                yield FoundImage(" ".join(alt.split()), name, data=image_part.blob)


def _caption(read: Read, caption: str) -> None:
    """A caption under an image without alt text becomes its alt text (it stays text too)."""
    index = int(read.blocks[-1].text)
    image = read.images[index]
    if not image.alt and caption.strip():
        read.images[index] = FoundImage(" ".join(caption.split()), image.name, image.data)


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
    reader = _OdtReader(data)
    reader.blocks_of(document.text)
    read = reader.read
    read.removed = Removed(footnotes=len(reader.notes), footnotes_dropped=footnotes == "drop")
    read.title = _first_heading(read.blocks)
    if reader.notes and footnotes == "end":
        read.blocks += [
            Block("Notes", "heading"),
            *(Block(f"{n}. {note}") for n, note in enumerate(reader.notes, 1)),
        ]
    for element in document.meta.getElementsByType(dc.Title):
        read.title = " ".join(str(element).split()) or read.title
    for element in document.meta.getElementsByType(dc.Language):
        read.language = str(element).strip() or None
    return read


class _OdtReader:
    """Walks an OpenDocument text body: headings, paragraphs, lists (flattened), tables'
    rows, sections; links with their address; footnotes collected apart; pictures
    (`draw:frame` holding a `draw:image`) after the paragraph they are anchored in."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read = Read([])
        self.blocks = self.read.blocks
        self.notes: list[str] = []
        self.frames: list[FoundImage] = []  # of the paragraph being read

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
            for image in self.frames:
                self.read.add_image(image)
            self.frames.clear()

    def frame(self, frame: Any) -> None:
        """A picture's bytes from the file, and its alt text: the frame's description
        (`svg:desc`), else its title (`svg:title`)."""
        from odf.namespaces import XLINKNS

        texts = {_local(c): " ".join(str(c).split()) for c in frame.childNodes}
        alt = texts.get("desc") or texts.get("title") or ""
        for child in frame.childNodes:
            if _local(child) == "text-box":  # a captioned picture: its caption is its alt
                for paragraph in child.childNodes:
                    before = len(self.frames)
                    caption = " ".join(self.text_of(paragraph).split())
                    for index in range(before, len(self.frames)):
                        found = self.frames[index]
                        if not found.alt and caption:
                            self.frames[index] = FoundImage(caption, found.name, found.data)
            href = child.attributes.get((XLINKNS, "href"), "") if _local(child) == "image" else ""
            if href:
                name = href.rsplit("/", 1)[-1]
                self.frames.append(_zipped_image(self.data, href, alt, name))

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
            elif local == "frame":
                self.frame(child)
            elif local not in ("bookmark", "bookmark-start", "bookmark-end", "soft-page-break"):
                pieces.append(self.text_of(child))
        return "".join(pieces)


def _zipped_image(data: bytes, member: str, alt: str, name: str) -> FoundImage:
    """An image a document holds in its zip, unread when it is over `IMAGE_CAP`."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = archive.getinfo(member).file_size
            if size > IMAGE_CAP:
                return FoundImage(alt, name, skipped=over_image_cap(size))
            return FoundImage(alt, name, data=archive.read(member))
    except (KeyError, zipfile.BadZipFile, OSError):
        return FoundImage(alt, name, skipped="not found in the document")


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
        include_images=True,
        favor_recall=True,
    )
    if not extracted:
        raise DocumentError(f"{name}: no article text found in the page")
    root = ElementTree.fromstring(extracted)
    main = root.find("main")
    read = Read([])
    _html_blocks(main if main is not None else root, read, url)
    if not any(block.text.strip() for block in read.blocks if block.kind != "image"):
        raise DocumentError(f"{name}: no article text found in the page")
    metadata = trafilatura.extract_metadata(html)
    read.title = (metadata.title if metadata is not None else None) or _first_heading(read.blocks)
    declared = re.search(r"<html[^>]*?\slang=[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)", html)
    read.language = declared.group(1) if declared else None
    return read


def _html_blocks(element: ElementTree.Element, read: Read, base: str | None) -> None:
    blocks = read.blocks
    for child in element:
        if child.tag == "head":
            blocks.append(Block(_inline(child, base), "heading"))
        elif child.tag in ("p", "quote", "code"):
            blocks.append(Block(_inline(child, base)))
            for graphic in child.iter("graphic"):  # an image inside the paragraph: after it
                _html_image(graphic, read, base)
        elif child.tag == "graphic":
            _html_image(child, read, base)
        elif child.tag == "list":
            for item in child:
                if item.tag == "item":
                    blocks.append(Block("- " + _inline(item, base), "item"))
        elif child.tag == "table":
            for row in child.iter("row"):
                cells = [_inline(cell, base) for cell in row]
                blocks.append(Block("; ".join(c for c in cells if c.strip())))
        elif child.tag in ("div", "section"):
            _html_blocks(child, read, base)


def _html_image(graphic: ElementTree.Element, read: Read, base: str | None) -> None:
    """An `img` as trafilatura gives it (`graphic`: its address, alt text and title)."""
    src = (graphic.get("src") or "").strip()
    if not src:
        return
    if base is not None:
        src = urljoin(base, src)
    alt = " ".join((graphic.get("alt") or graphic.get("title") or "").split())
    name = urlsplit(src).path.rstrip("/").rsplit("/", 1)[-1] or "image"
    read.add_image(FoundImage(alt, name, src=src))


def _inline(element: ElementTree.Element, base: str | None) -> str:
    pieces = [element.text or ""]
    for child in element:
        if child.tag == "ref":
            pieces.append(_link(_inline(child, base), child.get("target"), base))
        elif child.tag == "lb":
            pieces.append(" ")
        elif child.tag not in ("list", "graphic"):
            pieces.append(_inline(child, base))
        pieces.append(child.tail or "")
    return " ".join("".join(pieces).split())
