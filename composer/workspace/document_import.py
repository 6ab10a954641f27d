"""`draft import`: a PDF, Word, OpenDocument or HTML file, or a web page by its address,
made into a new draft (front matter `title`, `language`, `source`; the body cleaned by
`composer.text.document_cleanup`; its images saved beside it, `document_images`), and what
was removed on the way; or, a statement in several languages, one draft per language
(`import_by_language`, the parts cut by `composer.text.language_parts`).

Which format a file is comes from its bytes, not its name (a text file renamed .pdf is
refused as what it is). A web page is fetched through `composer.web` (one deadline, a size
cap, few redirects, as link cards are), and only an HTML answer is taken. Nothing is
written on an error.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from composer.text.document_cleanup import Block, Footnotes, Removed, render
from composer.text.language_parts import language_parts, script_language
from composer.text.options import check_option
from composer.web import decode_page
from composer.workspace.document_formats import (
    DocumentError,
    Read,
    read_docx,
    read_html,
    read_odt,
    read_pdf,
)
from composer.workspace.document_images import ImportedImage, resolve_images, save_images
from composer.workspace.drafts import Draft, new_draft

__all__ = [
    "LANGUAGE_PER_PART",
    "MAX_BYTES",
    "DocumentError",
    "Imported",
    "ImportedImage",
    "draft_heading",
    "import_by_language",
    "import_document",
    "is_web_address",
    "languages_found",
    "write_imported",
]

MAX_BYTES = 20 * 1024 * 1024  # a statement is kilobytes to a few megabytes of PDF
FETCH_TIMEOUT = 20.0  # seconds for the whole page
# Languages the detector chooses among: the teams' own (en, ru, kk) and their neighbours'.
DETECTED_LANGUAGES = ("en", "ru", "kk", "uk", "ky", "uz", "tg", "be", "de", "fr", "es", "tr")
_SURE = 0.8  # below this the detector's guess is left out rather than written
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Why a language cannot be given with one draft per language (the CLI's flags, the TUI's field).
LANGUAGE_PER_PART = "each part's language is its own"


@dataclass(frozen=True, slots=True)
class Imported:
    """A document made into a draft, not yet written."""

    title: str
    language: str | None
    source: str
    body: str
    removed: Removed
    images: tuple[ImportedImage, ...] = ()  # saved beside the draft by `write_imported`
    notes: tuple[str, ...] = ()  # images left out, or without alt text: one line each

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"title": self.title}
        if self.language:
            meta["language"] = self.language
        meta["source"] = self.source
        return meta

    def text(self) -> str:
        """The draft file's text: front matter and body."""
        return Draft(body=self.body, meta=self.meta).text()


def import_document(
    source: str,
    *,
    title: str | None = None,
    language: str | None = None,
    footnotes: Footnotes = "end",
) -> Imported:
    """Read a file or fetch a web page (`http://` or `https://`) and make its draft."""
    refusal = check_option("language", language) if language is not None else None
    if refusal is not None:
        raise DocumentError(refusal)
    return _whole(_read_document(source, footnotes), title, language)


def import_by_language(
    source: str, *, title: str | None = None, footnotes: Footnotes = "end"
) -> list[Imported]:
    """One draft per language of a statement written in several (`language_parts`), in
    the order the languages come; one draft when it has only one. A part's title is its
    first heading, else the document's title (or `title`) and its language: "... (RU)"."""
    document = _read_document(source, footnotes)
    parts = language_parts(document.blocks, _paragraph_language)
    if len(parts) == 1:
        return [_whole(document, title)]
    base = (title or document.read.title or document.stem).strip()
    drafts = []
    for part in parts:
        body = render(part.blocks)
        tag = f" ({part.language.upper()})" if part.language else ""
        lines = {block.text for block in part.blocks if block.kind == "image"}
        drafts.append(
            Imported(
                title=f"{title.strip()}{tag}" if title else part.first_heading or base + tag,
                language=part.language or _language(None, body),
                source=document.origin,
                body=body,
                removed=document.read.removed,
                images=tuple(i for i in document.images if any(i.path in ln for ln in lines)),
                notes=tuple(document.notes),
            )
        )
    return drafts


def languages_found(drafts: Sequence[Imported]) -> str:
    """What `import_by_language` found, in one line: "one language found (en): one draft",
    "2 languages found (en, ru): 2 drafts"."""
    languages = ", ".join(imported.language or "unknown" for imported in drafts)
    if len(drafts) == 1:
        return f"one language found ({languages}): one draft"
    return f"{len(drafts)} languages found ({languages}): {len(drafts)} drafts"


def draft_heading(number: int, imported: Imported, total: int) -> str:
    """The line before each draft when several are shown one after another (a dry run)."""
    return f"--- draft {number} of {total} ({imported.language or 'unknown'}) ---"


def _whole(document: _Document, title: str | None, language: str | None = None) -> Imported:
    """The document as one draft."""
    body = render(document.blocks)
    return Imported(
        title=(title or document.read.title or _first_line(body) or document.stem).strip(),
        language=language or _language(document.read.language, body),
        source=document.origin,
        body=body,
        removed=document.read.removed,
        images=tuple(document.images),
        notes=tuple(document.notes),
    )


def write_imported(folder: Path, imported: Imported) -> Path:
    """Write the draft as a new file in the drafts folder (never over another), its images
    first (in `images/` there); its path."""
    save_images(folder, imported.images)
    meta = {key: value for key, value in imported.meta.items() if key != "title"}
    return new_draft(folder, imported.title, meta, body=imported.body)


@dataclass(slots=True)
class _Document:
    """A document read, its image blocks made image lines (or left out)."""

    read: Read
    origin: str  # the file's name, or the address
    blocks: list[Block]
    images: list[ImportedImage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return Path(self.origin).stem


def _read_document(source: str, footnotes: Footnotes) -> _Document:
    folder: Path | None = None
    if is_web_address(source):
        html, final_url = _fetch_page(source)
        read = read_html(html, source, final_url)
        origin = source
    else:
        path = Path(source).expanduser()
        data = _read_file(path)
        read = _read_bytes(data, path.name, footnotes)
        origin, folder = path.name, path.parent
    if not any(block.text.strip() for block in read.blocks if block.kind != "image"):
        raise DocumentError(f"{source}: no text found in the document")
    resolved = resolve_images(read.images, origin, folder)
    blocks: list[Block] = []
    for block in read.blocks:
        if block.kind != "image":
            blocks.append(block)
        elif (line := resolved.lines[int(block.text)]) is not None:
            blocks.append(Block(line, "image"))
    read.removed.images = len(resolved.images)
    return _Document(read, origin, blocks, resolved.images, resolved.notes)


def is_web_address(source: str) -> bool:
    """Whether `source` is fetched (http:// or https://) rather than read as a file."""
    return re.match(r"(?i)https?://", source) is not None


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise DocumentError(f"{path}: not a file")
        if size > MAX_BYTES:
            raise DocumentError(
                f"{path}: {size / 1024 / 1024:.0f} MB is more than a document's "
                f"{MAX_BYTES // 1024 // 1024} MB"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except OSError as error:
        raise DocumentError(f"{path}: cannot read it ({error.strerror or error})") from None


def detect_format(data: bytes) -> str | None:
    """ "pdf", "docx", "odt" or "html" from the file's first bytes (and, for the two zip
    formats, what the zip holds); None for anything else."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                    return "odt"
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        return None
    text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
    if re.match(r"(<!--.*?-->\s*)*<(!doctype html|html|head|body)\b", text, re.DOTALL):
        return "html"
    return None


def _read_bytes(data: bytes, name: str, footnotes: Footnotes) -> Read:
    kind = detect_format(data)
    if kind == "pdf":
        return read_pdf(data, name, footnotes)
    if kind == "docx":
        return read_docx(data, name, footnotes)
    if kind == "odt":
        return read_odt(data, name, footnotes)
    if kind == "html":
        return read_html(decode_page(data, None), name)
    said = Path(name).suffix.lower()
    detail = f" (its name says {said}, its content does not)" if said else ""
    raise DocumentError(
        f"{name}: not a PDF, Word (.docx), OpenDocument (.odt) or HTML file{detail}"
    )


def _fetch_page(url: str) -> tuple[str, str]:
    """A web page's HTML and its address after redirects; a `DocumentError` for an answer
    that is not a page, too large, or none."""
    from composer.web import WebError, fetch, web_client

    try:
        with web_client(timeout=FETCH_TIMEOUT, user_agent="thread-composer (draft import)") as http:
            page = fetch(
                http,
                url,
                cap=MAX_BYTES,
                timeout=FETCH_TIMEOUT,
                over_cap=f"the page is larger than {MAX_BYTES // 1024 // 1024} MB",
            )
    except WebError as error:
        advice = ": download it and import the file" if error.failure == "type" else ""
        raise DocumentError(f"{error}{advice}") from None
    return decode_page(page.data, page.charset), page.url


def _language(declared: str | None, body: str) -> str | None:
    """The document's declared language, else the one its letters say (English, Russian,
    Kazakh: `script_language`), else the detector's if it is sure."""
    if declared and re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", declared):
        return declared
    return script_language(body) or detect_language(body)


def _paragraph_language(text: str) -> str | None:
    """A paragraph's language, for cutting a document into its languages' parts."""
    return script_language(text) or detect_language(text)


def detect_language(text: str) -> str | None:
    """The language of `text` among `DETECTED_LANGUAGES`, or None when unsure."""
    sample = " ".join(text.split())[:20_000]
    if len(sample) < 40:
        return None
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= _SURE else None


@cache
def _identifier() -> Any:
    """py3langid's model (numpy, 1.25 s to load): loaded once, and only when the letters do
    not tell the language."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTED_LANGUAGES))
    return identifier


def _first_line(body: str) -> str | None:
    line = next((line for line in body.splitlines() if line.strip()), "")
    return line[:80].rsplit(" ", 1)[0] if len(line) > 80 else line or None
