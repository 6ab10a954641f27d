"""Bluesky rich-text facets and record keys, computed from the exact text that is published.

Bluesky shows a link, a mention or a tag as such only when the post's record carries a
*facet* for it: a feature (`#link {uri}`, `#mention {did}`, `#tag {tag}`) and the span it
covers as UTF-8 byte offsets (`byteStart` inclusive, `byteEnd` exclusive) into the post's
text. `facets()` finds them; `to_record_facets()` turns them into the record's JSON once the
client has resolved mention handles to DIDs. Both are pure, so the TUI preview and the
published post can never disagree.

- Links are the URLs twitter-text finds (composer.text.entities), with or without a
  protocol; the facet's `uri` is the full URL, "https://" added to a bare domain.
- Mentions are `@handle.domain` Bluesky handles: a domain name of two labels or more, whose
  top-level domain is a real one (or `.test`, which development servers use), after the
  start of the text, a space or an opening bracket or quote. A trailing "." ends a sentence,
  not the handle. The facet keeps the handle; the client resolves it to a DID.
- Tags are the hashtags twitter-text finds (letters of any script, digits, "_"), the value
  without "#", at most 64 graphemes and 640 UTF-8 bytes, and never digits only.

Overlaps are settled as twitter-text does (by start, the earlier entity wins), so the
"@hrw.org" of a mention is no bare-domain link and a "#fragment" inside a URL is no tag.

`new_tid()` makes a TID, the 13-character timestamp identifier Bluesky uses as record key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from composer.text._tlds import COUNTRY_TLDS, GENERIC_TLDS
from composer.text.entities import extract_hashtags, extract_urls
from composer.text.graphemes import grapheme_count
from composer.text.patterns import compile_on_use

__all__ = [
    "FACET_TYPES",
    "TID_ALPHABET",
    "Facet",
    "facets",
    "new_tid",
    "tid_clock_id",
    "tid_timestamp",
    "to_record_facets",
]

FacetKind = Literal["link", "mention", "tag"]

FACET_TYPES: dict[str, str] = {
    "link": "app.bsky.richtext.facet#link",
    "mention": "app.bsky.richtext.facet#mention",
    "tag": "app.bsky.richtext.facet#tag",
}
MAX_TAG_GRAPHEMES = 64
MAX_TAG_BYTES = 640

_TLDS = frozenset(tld.lower() for tld in (*GENERIC_TLDS, *COUNTRY_TLDS)) | {"test"}
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# "@" after the start, a space or an opening bracket/quote; then labels joined by dots, the
# last one starting with a letter; not followed by more handle characters.
_MENTION = compile_on_use(
    rf"(?<![^\s(\[{{\"'«“‘„])[@＠]((?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?)"
    r"(?![A-Za-z0-9_-]|\.[A-Za-z0-9]|@)"
)
_MAX_HANDLE_LENGTH = 253


@dataclass(frozen=True, slots=True)
class Facet:
    """One link, mention or tag of a text, with its UTF-8 byte span."""

    kind: FacetKind
    byte_start: int  # UTF-8 byte offset, inclusive
    byte_end: int  # UTF-8 byte offset, exclusive
    start: int  # code-point index in the str, inclusive
    end: int  # exclusive
    text: str  # the text covered, e.g. "example.com/a", "@hrw.org", "#OSCE"
    value: str  # the full URL, the handle (without "@") or the tag (without "#")

    @property
    def uri(self) -> str | None:
        return self.value if self.kind == "link" else None

    @property
    def handle(self) -> str | None:
        return self.value if self.kind == "mention" else None

    @property
    def tag(self) -> str | None:
        return self.value if self.kind == "tag" else None


def _full_url(url: str) -> str:
    return url if re.match(r"(?i)https?://", url) else "https://" + url


def _mentions(text: str) -> list[tuple[int, int, str]]:
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for match in _MENTION.finditer(text):
        handle = match[1]
        if len(handle) > _MAX_HANDLE_LENGTH or handle.rsplit(".", 1)[1].lower() not in _TLDS:
            continue
        found.append((match.start(), match.end(), handle.lower()))
    return found


def _valid_tag(tag: str) -> bool:
    return (
        not tag.isdigit()
        and grapheme_count(tag) <= MAX_TAG_GRAPHEMES
        and len(tag.encode("utf-8", "surrogatepass")) <= MAX_TAG_BYTES
    )


def facets(text: str) -> list[Facet]:
    """The links, mentions and tags of `text`, in order, without overlaps."""
    candidates: list[tuple[int, int, FacetKind, str]] = [
        *((url.start, url.end, "link", _full_url(url.value)) for url in extract_urls(text)),
        *((start, end, "mention", handle) for start, end, handle in _mentions(text)),
        *(
            (tag.start, tag.end, "tag", tag.value)
            for tag in extract_hashtags(text)
            if _valid_tag(tag.value)
        ),
    ]
    kept: list[tuple[int, int, FacetKind, str]] = []
    for candidate in sorted(candidates, key=lambda item: item[0]):  # stable: links first
        if not kept or kept[-1][1] <= candidate[0]:
            kept.append(candidate)

    result: list[Facet] = []
    position = offset = 0  # the code-point index and its UTF-8 byte offset
    for start, end, kind, value in kept:
        offset += len(text[position:start].encode("utf-8", "surrogatepass"))
        byte_start = offset
        offset += len(text[start:end].encode("utf-8", "surrogatepass"))
        position = end
        result.append(Facet(kind, byte_start, offset, start, end, text[start:end], value))
    return result


def to_record_facets(found: list[Facet], dids: dict[str, str]) -> list[dict[str, object]]:
    """`app.bsky.richtext.facet` objects for a post record.

    `dids` maps handles (lower case, without "@") to DIDs; a mention whose DID is unknown is
    left out, so it shows as plain text rather than linking to nobody.
    """
    records: list[dict[str, object]] = []
    for facet in found:
        feature: dict[str, str]
        if facet.kind == "link":
            feature = {"$type": FACET_TYPES["link"], "uri": facet.value}
        elif facet.kind == "mention":
            did = dids.get(facet.value) or dids.get(facet.value.lower())
            if not did:
                continue
            feature = {"$type": FACET_TYPES["mention"], "did": did}
        else:
            feature = {"$type": FACET_TYPES["tag"], "tag": facet.value}
        records.append(
            {
                "index": {"byteStart": facet.byte_start, "byteEnd": facet.byte_end},
                "features": [feature],
            }
        )
    return records


# --- TIDs ---------------------------------------------------------------------------------------

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = compile_on_use(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
MAX_TID_TIMESTAMP = (1 << 53) - 1
MAX_TID_CLOCK_ID = (1 << 10) - 1


def new_tid(clock_us: int, clock_id: int) -> str:
    """The TID of a microsecond timestamp (53 bits) and a clock id (10 bits).

    A 64-bit integer (top bit 0) written as 13 base32-sortable characters, most significant
    first, so TIDs sort as their timestamps do. The caller passes the clock: this is pure.
    """
    if not 0 <= clock_us <= MAX_TID_TIMESTAMP:
        raise ValueError(f"TID timestamp out of range (0..2**53-1 microseconds): {clock_us}")
    if not 0 <= clock_id <= MAX_TID_CLOCK_ID:
        raise ValueError(f"TID clock id out of range (0..1023): {clock_id}")
    value = (clock_us << 10) | clock_id
    return "".join(TID_ALPHABET[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def _tid_value(tid: str) -> int:
    if not TID_PATTERN.fullmatch(tid):
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for char in tid:
        value = (value << 5) | TID_ALPHABET.index(char)
    return value


def tid_timestamp(tid: str) -> int:
    """The microsecond timestamp of a TID (ValueError if it is not one)."""
    return _tid_value(tid) >> 10


def tid_clock_id(tid: str) -> int:
    """The clock id of a TID (ValueError if it is not one)."""
    return _tid_value(tid) & MAX_TID_CLOCK_ID
