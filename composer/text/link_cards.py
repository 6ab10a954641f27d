"""Link cards (Bluesky's `app.bsky.embed.external`): which post gets one, what a page's head
says about itself, and the card's plain text. Pure: the fetching is `composer.media.link_cards`.

- A post gets a card for its first link (the links Bluesky's facets know, `facets.py`) when
  it carries no image: an image embed and a card cannot share a post.
- A page describes itself with Open Graph tags (`og:title`, `og:description`, `og:image`),
  else Twitter's (`twitter:title`...), else `<title>` and `<meta name="description">`.
  The head is read in `page_head.py` (apart: `html.parser` is loaded only when a page is).
- A card's text is plain text: entities unescaped (by the parser), controls and bidi
  overrides removed, whitespace collapsed, cut to `TITLE_MAX` / `DESCRIPTION_MAX` graphemes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from composer.text.facets import facets
from composer.text.graphemes import graphemes
from composer.text.patterns import compile_on_use

__all__ = [
    "DESCRIPTION_MAX",
    "TITLE_MAX",
    "LinkCard",
    "card_links",
    "card_text",
    "first_link",
]

TITLE_MAX = 300  # graphemes: a card shows two lines of it
DESCRIPTION_MAX = 1000

# Controls (newlines and tabs too: a card's text is one paragraph) and the bidi overrides
# and isolates that could make a title display as something else.
_UNWANTED = compile_on_use(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = compile_on_use(r"\s+")


@dataclass(frozen=True, slots=True)
class LinkCard:
    """A link's card as it is sent: the link, the page's title and description (plain
    text), and its picture made ready for upload (JPEG or PNG within the thumbnail limit),
    or none."""

    uri: str
    title: str
    description: str
    thumb: bytes | None = field(default=None, repr=False)
    thumb_mime: str | None = None

    @property
    def domain(self) -> str:
        """The link's host, without "www." (what the preview shows beside the title)."""
        host = urlsplit(self.uri).hostname or self.uri
        return host.removeprefix("www.")

    @property
    def summary(self) -> str:
        """ "title — domain": one line for the preview, `--dry-run` and `split`."""
        return f"{self.title or self.domain} — {self.domain}"

    def to_dict(self) -> dict[str, object]:
        """The card in `split --json` and `publish --dry-run --json` (the picture's type and
        size, not its bytes)."""
        thumb = {"mime": self.thumb_mime, "bytes": len(self.thumb)} if self.thumb else None
        return {
            "uri": self.uri,
            "title": self.title,
            "description": self.description,
            "thumb": thumb,
        }


def first_link(text: str) -> str | None:
    """The full URL of the first link Bluesky's facets find in `text`, or None."""
    for facet in facets(text):
        if facet.kind == "link":
            return facet.value
    return None


def card_links(texts: Sequence[str], has_media: Sequence[bool]) -> list[str | None]:
    """For each post, the link its card is for: its first link, unless it carries images."""
    return [
        None if media else first_link(text) for text, media in zip(texts, has_media, strict=True)
    ]


def card_text(text: str | None, limit: int) -> str:
    """`text` as a card shows it: no controls, whitespace collapsed, at most `limit`
    graphemes (cut ones end in "…")."""
    if not text:
        return ""
    clean = _SPACES.sub(" ", _UNWANTED.sub(" ", text)).strip()
    parts = graphemes(clean)
    if len(parts) <= limit:
        return clean
    return "".join(parts[: limit - 1]).rstrip() + "…"
