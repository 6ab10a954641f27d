"""Link cards (Bluesky's `app.bsky.embed.external`): which post gets one, what a page's head
says about itself, and the card's plain text. Pure: the fetching is `composer.media.link_cards`.

- A post gets a card for its first link (the links Bluesky's facets know, `facets.py`) when
  it carries no image: an image embed and a card cannot share a post.
- A page describes itself with Open Graph tags (`og:title`, `og:description`, `og:image`),
  else Twitter's (`twitter:title`...), else `<title>` and `<meta name="description">`.
  The head is read with the standard library's `html.parser`, not an HTML library: a few
  `<meta>` tags from the first megabyte of a page (capped by the fetcher) need no more, and
  it never raises on broken markup.
- A card's text is plain text: entities unescaped (by the parser), controls and bidi
  overrides removed, whitespace collapsed, cut to `TITLE_MAX` / `DESCRIPTION_MAX` graphemes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from composer.text.facets import facets
from composer.text.graphemes import graphemes

__all__ = [
    "DESCRIPTION_MAX",
    "TITLE_MAX",
    "LinkCard",
    "PageMeta",
    "card_links",
    "card_text",
    "first_link",
    "page_meta",
]

TITLE_MAX = 300  # graphemes: a card shows two lines of it
DESCRIPTION_MAX = 1000

# Controls (newlines and tabs too: a card's text is one paragraph) and the bidi overrides
# and isolates that could make a title display as something else.
_UNWANTED = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


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


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page's head says about it (None: it does not say)."""

    title: str | None = None
    description: str | None = None
    image: str | None = None  # absolute http(s) URL


def page_meta(html: str, page_url: str) -> PageMeta:
    """The title, description and picture of the page at `page_url` (its final address,
    after redirects: a relative `og:image` is resolved against it) from its HTML."""
    parser = _HeadParser()
    parser.feed(html)
    parser.close()
    found = parser.found

    def first(*keys: str) -> str | None:
        for key in keys:
            value = found.get(key)
            if value and value.strip():
                return value
        return None

    image = first("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
    if image is not None:
        image = urljoin(page_url, image.strip())
        if urlsplit(image).scheme not in ("http", "https"):
            image = None  # a data: or javascript: address is never fetched
    return PageMeta(
        title=card_text(first("og:title", "twitter:title", "<title>"), TITLE_MAX) or None,
        description=card_text(
            first("og:description", "twitter:description", "description"), DESCRIPTION_MAX
        )
        or None,
        image=image,
    )


class _HeadParser(HTMLParser):
    """The first value of each `<meta property|name=... content=...>` and the `<title>`'s
    text; it stops reading at `<body>` (the card's tags are all in the head)."""

    _KEYS = frozenset(
        {
            "og:title",
            "og:description",
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:title",
            "twitter:description",
            "twitter:image",
            "description",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._title: list[str] | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "body":
            self._done = True
        elif tag == "title" and "<title>" not in self.found:
            self._title = []
        elif tag == "meta":
            values = {name.lower(): value for name, value in attrs if value is not None}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            content = values.get("content")
            if key in self._KEYS and content is not None:
                self.found.setdefault(key, content)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.found["<title>"] = "".join(self._title)
            self._title = None
