"""Draft files: Markdown with TOML front matter between `+++` lines.

    +++
    title = "OSCE: elections without competition"
    numbering = "{i}/{n}"
    hook = true
    +++
    The report...

The front matter is applied, never split. A line holding only `---` in the body forces a
post break (composer.text handles that).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FENCE = "+++"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
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
        "language",
        "mode",
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
    "language": str,
    "mode": str,
}


class DraftError(ValueError):
    """A draft that cannot be read or parsed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A parsed draft: its front matter and its body (the report)."""

    body: str
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    unknown_keys: tuple[str, ...] = ()

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
        value = self.meta.get("platforms", [])
        return [str(p) for p in value] if isinstance(value, list) else []


def parse_draft(text: str, name: str = "<draft>", path: Path | None = None) -> Draft:
    """Split a draft's text into front matter and body. Plain text is a draft with no meta."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        return Draft(body=text, path=path)
    closing = next((i for i, line in enumerate(lines) if i and line.strip() == FENCE), 0)
    if not closing:
        raise DraftError(f"{name}:1: front matter opened with {FENCE} is never closed")
    header = "".join(lines[1:closing])
    try:
        meta = tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        # tomllib counts lines from the start of the header; the file has one line before it.
        # (Python < 3.14 has the position only in the message.)
        message = str(error)
        found = _TOML_POSITION.search(message)
        reason = _TOML_POSITION.sub("", message).strip() or "invalid TOML"
        where = f"{name}:{int(found.group(1)) + 1}" if found else name
        column = f" (column {found.group(2)})" if found else ""
        raise DraftError(f"{where}: bad front matter: {reason}{column}") from None
    for key, expected in _TYPES.items():
        if key in meta and not isinstance(meta[key], expected):
            line_no = _line_of_key(lines, key, closing)
            kind = expected.__name__ if isinstance(expected, type) else "value"
            raise DraftError(f"{name}:{line_no}: {key} must be a {kind}, not {meta[key]!r}")
    unknown = tuple(sorted(set(meta) - KNOWN_KEYS))
    body = "".join(lines[closing + 1 :])
    return Draft(body=body, meta=meta, path=path, unknown_keys=unknown)


def _line_of_key(lines: list[str], key: str, closing: int) -> int:
    for number, line in enumerate(lines[1:closing], start=2):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 1


def read_text(source: str) -> tuple[str, str]:
    """The text of a file path, or of standard input for "-"; (text, display name)."""
    import sys

    if source == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        path = Path(source)
        name = source
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            raise DraftError(f"{name} is a folder, not a draft file") from None
        except FileNotFoundError:
            raise DraftError(f"{name}: no such file") from None
        except OSError as error:
            raise DraftError(f"cannot read {name}: {error.strerror or error}") from None
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as error:
        raise DraftError(
            f"{name} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None


def load_draft(source: str) -> Draft:
    """Read and parse a draft from a path or "-"."""
    text, name = read_text(source)
    return parse_draft(text, name, None if source == "-" else Path(source))
