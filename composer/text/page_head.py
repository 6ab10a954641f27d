"""What a page's head says about itself, for its link card: Open Graph tags (`og:title`,
`og:description`, `og:image`), else Twitter's (`twitter:title`...), else `<title>` and
`<meta name="description">`. Pure; apart from `link_cards.py` so that `split` does not load
`html.parser`.

The head is read with the standard library's `html.parser`, not an HTML library: a few
`<meta>` tags from the first megabyte of a page (capped by the fetcher) need no more, and it
never raises on broken markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from composer.text.link_cards import DESCRIPTION_MAX, TITLE_MAX, card_text

__all__ = ["PageMeta", "page_meta"]


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
