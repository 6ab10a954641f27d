"""Draft files: Markdown with TOML front matter between `+++` lines.

    +++
    title = "OSCE: elections without competition"
    numbering = "{i}/{n}"
    hook = true
    +++
    The report...

The front matter is applied, never split. It must open the file: `+++` alone at the start of
line 1. A `+++` line anywhere else in a draft without front matter (below a blank line or
typed text, or indented) is an error naming its line, never text to publish: settings must
not go out as post 1. A line holding only `---` in the body forces a post break
(composer.text handles that).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from composer.errors import ComposerError
from composer.text.controls import code_point, first_control
from composer.text.images import find_images
from composer.text.options import OPTION_KEYS, PostOptions, check_option
from composer.workspace.toml_lines import toml_problem

FENCE = "+++"
MAX_DRAFT_BYTES = 4 * 1024 * 1024  # a report is kilobytes; a bigger "draft" is a wrong file
KNOWN_KEYS = frozenset(
    {
        "title",
        "accounts",
        "platforms",
        "schedule",
        "timezone",
        "numbering",
        "hook",
        "mentions",
        "mention_placement",
        "hashtags",
        "hashtag_placement",
        "hashtag_terms",
        "language",
        "mode",
        "alt_text_required",
        "link_card",
        "source",  # where an imported draft came from (`draft import`)
        *OPTION_KEYS,
    }
)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "accounts": list,
    "platforms": list,
    "schedule": str,
    "timezone": str,
    "numbering": str,
    "hook": bool,
    "mentions": list,
    "mention_placement": str,
    "hashtags": list,
    "hashtag_placement": str,
    "hashtag_terms": list,
    "mode": str,
    "alt_text_required": bool,
    "link_card": bool,
    "source": str,
}


# Keys whose strings are single tokens (handles, tags, a language code): no control or bidi
# character at all.
_TOKENS = ("mentions", "hashtags", "hashtag_terms")  # and the options': parse_draft
_CHOICES: dict[str, tuple[str, ...]] = {
    "mention_placement": ("first", "spread", "last"),
    "hashtag_placement": ("first", "last"),
    "mode": ("balanced", "fewest", "cleanest"),
}


class DraftError(ComposerError, ValueError):
    """A draft that cannot be read or parsed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A parsed draft: its front matter and its body (the report)."""

    body: str
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    unknown_keys: tuple[str, ...] = ()
    header: str | None = None  # the front matter as written, kept for writing it back
    name: str = "<draft>"  # the file as messages name it
    first_line: int = 1  # the line of the file the body starts on

    @property
    def folder(self) -> Path:
        """The folder its image paths are relative to: the file's (the current one for a
        draft from standard input)."""
        return self.path.parent if self.path is not None else Path()

    @property
    def alt_text_required(self) -> bool | None:
        """Whether images need alt text to be published; None: the draft does not say."""
        value = self.meta.get("alt_text_required")
        return value if isinstance(value, bool) else None

    @property
    def link_card(self) -> bool | None:
        """Whether a Bluesky post's first link gets a card; None: the draft does not say."""
        value = self.meta.get("link_card")
        return value if isinstance(value, bool) else None

    @property
    def numbering(self) -> str | None:
        value = self.meta.get("numbering")
        return value if isinstance(value, str) else None

    @property
    def hook(self) -> bool:
        return bool(self.meta.get("hook", False))

    @property
    def mode(self) -> str | None:
        value = self.meta.get("mode")
        return value if isinstance(value, str) else None

    @property
    def platforms(self) -> list[str]:
        return self._strings("platforms")

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        if isinstance(value, str) and value.strip():
            return value.strip()
        text = find_images(self.body.replace("\r\n", "\n")).text  # an image line is no title
        first_line = text.strip().split("\n", 1)[0]
        return first_line[:60] + ("…" if len(first_line) > 60 else "")

    @property
    def accounts(self) -> list[str]:
        return self._strings("accounts")

    @property
    def mentions(self) -> list[str]:
        """Contact names (from the accounts file) or handles given directly ("@hrw")."""
        return self._strings("mentions")

    @property
    def mention_placement(self) -> str:
        return str(self.meta.get("mention_placement", "first"))

    @property
    def hashtags(self) -> list[str]:
        """Tags appended to the thread."""
        return self._strings("hashtags")

    @property
    def hashtag_placement(self) -> str:
        return str(self.meta.get("hashtag_placement", "last"))

    @property
    def hashtag_terms(self) -> list[str] | None:
        """The accounts file's hashtag terms linked in this draft; None (absent): all."""
        return self._strings("hashtag_terms") if "hashtag_terms" in self.meta else None

    @property
    def language(self) -> str | None:
        value = self.meta.get("language")
        return value if isinstance(value, str) else None

    @property
    def post_options(self) -> PostOptions:
        """The publishing options the draft sets (`language`, `visibility`, `replies`...);
        those it does not are its account's (composer.text.options)."""
        return PostOptions.from_mapping(self.meta)

    def _strings(self, key: str) -> list[str]:
        value = self.meta.get(key, [])
        return [str(item) for item in value] if isinstance(value, list) else []

    def text(self) -> str:
        """The draft as written to its file: front matter (as it was written, comments and
        all, or made from `meta`) and body."""
        if not self.meta and not self.header:
            return self.body
        header = self.header if self.header is not None else _tomlkit().dumps(self.meta)
        if header and not header.endswith("\n"):
            header += "\n"
        return f"{FENCE}\n{header}{FENCE}\n{self.body}"


def _closing_fence(lines: list[str], name: str) -> int:
    """The index of the line closing the front matter, 0 for a draft without one. A `+++`
    line that does not open the file is a DraftError naming it (in `name`, or "line N")."""

    def where(number: int) -> str:
        return f"{name}:{number}" if name else f"line {number}"

    if lines and lines[0].rstrip() == FENCE:
        closing = next((i for i, line in enumerate(lines) if i and line.strip() == FENCE), 0)
        if not closing:
            raise DraftError(f"{where(1)}: front matter opened with {FENCE} is never closed")
        return closing
    stray = next((i for i, line in enumerate(lines) if line.strip() == FENCE), None)
    if stray is None:
        return 0
    if stray == 0:
        fix = f"remove what is before {FENCE} on that line"
    elif all(not line.strip() for line in lines[:stray]):
        fix = "remove the blank line" + ("s" if stray > 1 else "") + " above it"
    else:
        fix = f"move the text above it below the closing {FENCE}"
    raise DraftError(
        f"{where(stray + 1)}: front matter ({FENCE}) must start at the beginning of line 1: {fix}"
    )


def body_line(text: str) -> int:
    """The line (0-based) where the body of `text` starts: after the front matter, if any.
    Text whose front matter is broken starts at line 0."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    try:
        closing = _closing_fence(lines, "")
    except DraftError:
        return 0
    return closing + 1 if closing else 0


def parse_draft(text: str, name: str = "<draft>", path: Path | None = None) -> Draft:
    """Split a draft's text into front matter and body. Plain text is a draft with no meta."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    closing = _closing_fence(lines, name)
    if not closing:
        _check_body(text, name, 1)
        return Draft(body=text, path=path, name=name)
    header = "".join(lines[1:closing])
    try:
        meta = tomllib.loads(header)
    except RecursionError:
        raise DraftError(f"{name}:2: bad front matter: values nested too deeply") from None
    except tomllib.TOMLDecodeError as error:
        # tomllib counts lines from the start of the header; the file has one line before it,
        # and the header's last line is the one before the closing fence.
        problem = toml_problem(error)
        if problem.line is None:
            line, where = closing, "at the end of the front matter"
        else:
            line, where = problem.line + 1, f"column {problem.column}"
        raise DraftError(f"{name}:{line}: bad front matter: {problem.reason} ({where})") from None
    for key, expected in _TYPES.items():
        if key in meta and not isinstance(meta[key], expected):
            line_no = _line_of_key(lines, key, closing)
            kind = expected.__name__ if isinstance(expected, type) else "value"
            raise DraftError(f"{name}:{line_no}: {key} must be a {kind}, not {meta[key]!r}")
    for key, allowed in _CHOICES.items():
        if key in meta and meta[key] not in allowed:
            line_no = _line_of_key(lines, key, closing)
            raise DraftError(
                f"{name}:{line_no}: {key} must be one of {', '.join(allowed)}, not {meta[key]!r}"
            )
    if "timezone" in meta:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only for a draft that sets one

        try:
            ZoneInfo(meta["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            line_no = _line_of_key(lines, "timezone", closing)
            raise DraftError(
                f"{name}:{line_no}: unknown time zone {meta['timezone']!r} "
                "(use an IANA name such as Asia/Almaty)"
            ) from None
    for key in ("accounts", "platforms", "mentions", "hashtags", "hashtag_terms"):
        if key in meta and not all(isinstance(item, str) for item in meta[key]):
            line_no = _line_of_key(lines, key, closing)
            raise DraftError(f"{name}:{line_no}: {key} must be a list of strings")
    for key in OPTION_KEYS:
        value = meta.get(key)
        # A language is a token (no control or bidi character); a content warning is text.
        token = key != "content_warning"
        index = first_control(value, token=token) if isinstance(value, str) else None
        if isinstance(value, str) and index is not None:
            line_no = _line_of_key(lines, key, closing)
            kind = "a control or bidi character" if token else "a control character"
            raise DraftError(
                f"{name}:{line_no}: {key} holds {kind} ({code_point(value[index])}): remove it"
            )
        refusal = check_option(key, value) if key in meta else None
        if refusal is not None:
            line_no = _line_of_key(lines, key, closing)
            raise DraftError(f"{name}:{line_no}: {refusal}")
    for key in _TOKENS:
        values = meta.get(key, [])
        for value in values if isinstance(values, list) else [values]:
            index = first_control(value, token=True)
            if index is not None:
                line_no = _line_of_key(lines, key, closing)
                raise DraftError(
                    f"{name}:{line_no}: {key} holds a control or bidi character "
                    f"({code_point(value[index])}): remove it"
                )
    unknown = tuple(sorted(set(meta) - KNOWN_KEYS))
    body = "".join(lines[closing + 1 :])
    _check_body(body, name, closing + 2 if closing else 1)
    return Draft(
        body=body,
        meta=meta,
        path=path,
        unknown_keys=unknown,
        header=header,
        name=name,
        first_line=closing + 2,
    )


def _check_body(body: str, name: str, first_line: int) -> None:
    """A control character in the report (other than newline and tab) is refused, naming
    its line: it would be published invisibly, or act on the reader's terminal."""
    index = first_control(body)
    if index is not None:
        line_no = first_line + body.count("\n", 0, index)
        raise DraftError(
            f"{name}:{line_no}: the text holds a control character "
            f"({code_point(body[index])}): remove it"
        )


def update_front_matter(text: str, changes: Mapping[str, Any]) -> str:
    """`text` (a draft) with the front-matter keys in `changes` set (None removes a key), and
    everything else kept byte for byte: other keys, comments, spacing and the body. A draft
    without front matter gets a +++ block. Raises DraftError when the front matter is broken."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    closing = _closing_fence(lines, "")
    if closing:
        opening, header, rest = lines[0], "".join(lines[1:closing]), "".join(lines[closing:])
    else:
        newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
        opening, header, rest = FENCE + newline, "", FENCE + newline + text
    tomlkit = _tomlkit()
    try:
        document = tomlkit.parse(header)
    except RecursionError:
        raise DraftError("bad front matter: values nested too deeply") from None
    except tomlkit.exceptions.ParseError as error:
        raise DraftError(f"bad front matter: {error}") from None
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    updated = document.as_string()
    if updated and not updated.endswith("\n"):
        updated += "\n"
    return f"{bom}{opening}{updated}{rest}"


def _line_of_key(lines: list[str], key: str, closing: int) -> int:
    for number, line in enumerate(lines[1:closing], start=2):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 1


def read_text(source: str) -> tuple[str, str]:
    """The text of a file path, or of standard input for "-"; (text, display name)."""
    import sys

    if source == "-":
        data = sys.stdin.buffer.read(MAX_DRAFT_BYTES + 1)
        name = "<stdin>"
        if len(data) > MAX_DRAFT_BYTES:
            raise DraftError(f"{name} is larger than {MAX_DRAFT_BYTES // 1024 // 1024} MB")
        return _decode(data, name), name
    return read_draft_file(Path(source), source), source


def read_draft_file(path: Path, name: str | None = None) -> str:
    """The text of the draft file at `path`: a regular file of at most MAX_DRAFT_BYTES of
    UTF-8. A FIFO, a device or a folder is refused without blocking or reading it."""
    name = name or str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DraftError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DraftError(f"{name} is a folder, not a draft file") from None
    except OSError as error:
        raise DraftError(f"cannot read {name}: {error.strerror or error}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DraftError(f"{name} is a folder, not a draft file")
        raise DraftError(f"{name} is not a regular file (a device, FIFO or socket)")
    if info.st_size > MAX_DRAFT_BYTES:
        os.close(fd)
        raise DraftError(f"{name} is larger than {MAX_DRAFT_BYTES // 1024 // 1024} MB")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_DRAFT_BYTES + 1)
        except OSError as error:
            raise DraftError(f"cannot read {name}: {error.strerror or error}") from None
    if len(data) > MAX_DRAFT_BYTES:  # grew while being read
        raise DraftError(f"{name} is larger than {MAX_DRAFT_BYTES // 1024 // 1024} MB")
    return _decode(data, name)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DraftError(
            f"{name} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None


def load_draft(source: str) -> Draft:
    """Read and parse a draft from a path or "-"."""
    text, name = read_text(source)
    return parse_draft(text, name, None if source == "-" else Path(source))


# --- the drafts folder ----------------------------------------------------------------------
_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцы", "abvgdezijklmnoprstufhcy", strict=True)),
        "ё": "e",
        "ж": "zh",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "ә": "a",
        "ғ": "g",
        "қ": "q",
        "ң": "n",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
    }
)


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """A line of `draft list`: what a draft is, or why it cannot be read."""

    name: str
    path: Path
    title: str
    modified: datetime
    characters: int
    error: str | None = None


def slug(title: str) -> str:
    """A file name from a title, in ASCII: "Выборы 2026: итоги" -> "vybory-2026-itogi"."""
    text = unicodedata.normalize("NFKD", title.lower().translate(_TRANSLIT))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "draft"


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a crash leaves either the old or the new text, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    import tempfile  # here: `split` only reads drafts, and tempfile is slow to import

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def new_draft(folder: Path, title: str, meta: dict[str, Any] | None = None, body: str = "") -> Path:
    """Create a draft file for `title` in `folder` (never overwriting one, even when other
    processes create the same title at the same moment); its path. No placeholder in the
    body: text there would be published as it stands."""
    base = slug(title)
    front: dict[str, Any] = {"title": title, **(meta or {})}
    folder.mkdir(parents=True, exist_ok=True)
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{base}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(Draft(body=body, meta=front).text())
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        number = 1
        while True:
            path = folder / (f"{base}.md" if number == 1 else f"{base}-{number}.md")
            try:
                os.link(temporary, path)  # atomic, whole, and fails when the name is taken
            except FileExistsError:
                number += 1
                continue
            except OSError as error:
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                if not _create_exclusively(path, Path(temporary)):  # no hard links here
                    number += 1
                    continue
            return path
    finally:
        Path(temporary).unlink(missing_ok=True)


def _create_exclusively(path: Path, source: Path) -> bool:
    """Copy `source` to a new file `path`; False when `path` exists already."""
    try:
        with open(path, "xb") as out:
            out.write(source.read_bytes())
            out.flush()
            os.fsync(out.fileno())
    except FileExistsError:
        return False
    return True


def resolve(folder: Path, name: str) -> Path:
    """A draft by path, or by name in the drafts folder (".md" optional)."""
    candidates = [Path(name), folder / name, folder / f"{name}.md"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = ", ".join(s.name for s in list_drafts(folder)) or "none"
    raise DraftError(f"no draft {name!r} in {folder}/ (drafts: {known})")


def draft_files(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """The draft files in `folder` (its `*.md` regular files; a draft's name is the file's
    stem), unread: what `list_drafts` reads and shell completion offers."""
    found: list[tuple[Path, os.stat_result]] = []
    if not folder.is_dir():
        return found
    for path in folder.glob("*.md"):
        if path.name.startswith("."):
            continue  # editor lock files (".#x.md", often dangling links) and temporaries
        try:
            info = path.stat()
        except OSError:
            continue  # a dangling link, or gone since the listing
        if stat.S_ISREG(info.st_mode):
            found.append((path, info))
    return found


def list_drafts(folder: Path) -> list[DraftSummary]:
    """The drafts in `folder`, newest first; unreadable ones say why."""
    summaries: list[DraftSummary] = []
    for path, info in draft_files(folder):
        modified = datetime.fromtimestamp(info.st_mtime, UTC)
        try:
            draft = load_draft(str(path))
        except DraftError as error:
            summaries.append(DraftSummary(path.stem, path, "", modified, 0, str(error)))
            continue
        summaries.append(
            DraftSummary(path.stem, path, draft.title, modified, len(draft.body.strip()))
        )
    summaries.sort(key=lambda s: (s.modified, s.name), reverse=True)
    return summaries


def _tomlkit() -> ModuleType:
    # tomlkit (which keeps comments and layout when a draft's front matter is rewritten) is
    # imported when first needed: `split` and `history` start without it.
    import tomlkit
    import tomlkit.exceptions

    return tomlkit
