"""A link's card fetched from its page: `fetch_card(url, thumb_max_bytes)`.

The page is read with a short total deadline (`TIMEOUT`), at most `MAX_PAGE_BYTES` of it (the
head is at the start: the rest is not read), following at most `MAX_REDIRECTS` redirects,
over http or https only, decoded by the charset the server or the page names (a Russian
news site in windows-1251 included). Its `og:image` (`MAX_IMAGE_BYTES` at most, the same
deadline) goes through the image pipeline (`prepare_data`: upright, no metadata, downscaled
under the thumbnail limit). A page that cannot be read is a LinkCardError (the caller warns
and sends a plain link); a picture that cannot be read leaves the card without one.

Any http(s) address is fetched, loopback and private ones included: the link is the
author's own, published for everyone to follow, and the request carries no secret.

Cards are cached in the media cache folder (`card-<sha256 of the URL and limit>.json`, the
thumbnail inside), reused for `CARD_MAX_AGE` seconds and pruned with the prepared images
(`MediaCache.prune`), so the preview, `--dry-run` and publishing fetch a page once.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from composer.errors import ComposerError
from composer.media.cache import MediaCache, default_cache
from composer.media.errors import MediaError
from composer.media.limits import Limits
from composer.media.pipeline import prepare_data
from composer.text import Thread
from composer.text.display import terminal_safe
from composer.text.link_cards import TITLE_MAX, LinkCard, card_links, card_text
from composer.text.page_head import page_meta
from composer.text.platform_facts import FACTS
from composer.web import WebError, decode_page, fetch, web_client

__all__ = [
    "CARD_MAX_AGE",
    "MAX_IMAGE_BYTES",
    "MAX_PAGE_BYTES",
    "TIMEOUT",
    "LinkCardError",
    "ThreadCards",
    "fetch_card",
    "thread_cards",
]

TIMEOUT = 5.0  # seconds for the whole page (connecting, redirects, reading), and for its picture
MAX_PAGE_BYTES = 1_000_000
MAX_IMAGE_BYTES = 5_000_000
_PARALLEL = 4  # pages fetched at a time
# A page that could not be read is not asked again for this long by the same process (the
# preview, then the schedule dialog), so a dead link does not cost its timeout twice.
FAILURE_MEMORY = 60.0
_FAILED: dict[str, tuple[float, LinkCardError]] = {}
CARD_MAX_AGE = 24 * 3600.0  # a cached card older than this is fetched again
CACHE_VERSION = 1  # bump when what a cached card holds changes
THUMB_MAX_SIDE = 2000  # pixels: what a card shows, at most
_USER_AGENT = "thread-composer (link card)"


class LinkCardError(ComposerError):
    """A link whose page gave no card; the message (one line, terminal-safe) says why."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(terminal_safe(f"no link card for {url}: {problem}"))
        self.url = url


def fetch_card(
    url: str,
    thumb_max_bytes: int,
    *,
    cache: Path | None = None,
    timeout: float = TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    now: float | None = None,
) -> LinkCard:
    """The card of the page at `url`, its picture (if any) within `thumb_max_bytes`: from the
    cache when fetched in the last `CARD_MAX_AGE` seconds. Raises LinkCardError."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise LinkCardError(url, f"only http and https pages are read, not {scheme or 'this'}:")
    now = time.time() if now is None else now
    store = MediaCache(cache) if cache is not None else default_cache()
    name = _entry_name(url, thumb_max_bytes)
    cached = _cached(store, name, url, now)
    if cached is not None:
        return cached
    remembered = str(store.path(name))
    failed = _FAILED.get(remembered)
    if failed is not None and 0 <= now - failed[0] < FAILURE_MEMORY:
        raise failed[1]
    try:
        card = _fetch(url, thumb_max_bytes, cache, timeout, transport)
    except LinkCardError as error:
        _FAILED[remembered] = (now, error)
        raise
    _FAILED.pop(remembered, None)
    with contextlib.suppress(OSError):  # the cache only saves time
        store.put_bytes(name, _to_json(card, now))
    return card


def _fetch(
    url: str,
    thumb_max_bytes: int,
    cache: Path | None,
    timeout: float,
    transport: httpx.BaseTransport | None,
) -> LinkCard:
    with web_client(timeout=timeout, user_agent=_USER_AGENT, transport=transport) as http:
        try:
            page = fetch(http, url, cap=MAX_PAGE_BYTES, timeout=timeout)
        except WebError as error:
            raise LinkCardError(url, error.reason) from None
        final_url = page.url
        try:
            meta = page_meta(decode_page(page.data, page.charset), final_url)
        except Exception as error:  # the parser takes anything; this is a last guard
            raise LinkCardError(
                url, f"the page could not be read ({type(error).__name__})"
            ) from None
        thumb = None
        if meta.image is not None:
            with contextlib.suppress(WebError, MediaError):
                picture = fetch(
                    http,
                    meta.image,
                    cap=MAX_IMAGE_BYTES,
                    timeout=timeout,
                    types=("image/",),
                    over_cap=f"picture larger than {MAX_IMAGE_BYTES:,} bytes",
                )
                thumb = prepare_data(
                    picture.data,
                    Path(urlsplit(meta.image).path or "image"),
                    Limits(max_bytes=thumb_max_bytes, max_side=THUMB_MAX_SIDE),
                    cache=cache,
                )
    return LinkCard(
        uri=url,
        title=meta.title or card_text(urlsplit(final_url).hostname or url, TITLE_MAX),
        description=meta.description or "",
        thumb=thumb.data if thumb is not None else None,
        thumb_mime=thumb.mime if thumb is not None else None,
    )


@dataclass(frozen=True, slots=True)
class ThreadCards:
    """Each post's card (None: no link, an image, or a page that gave none) and a warning
    for each page that could not be read (it goes out as a plain link)."""

    cards: tuple[LinkCard | None, ...]
    warnings: tuple[str, ...] = ()


def thread_cards(
    thread: Thread,
    platform: str,
    *,
    cache: Path | None = None,
    timeout: float = TIMEOUT,
) -> ThreadCards:
    """The cards of `thread`'s posts on `platform` (`card_links`: each post's first link,
    unless it carries images), each page fetched once (`fetch_card`), several at a time."""
    limit = FACTS[platform].link_card_thumb_max_bytes
    links = card_links([p.text for p in thread.posts], [bool(p.media) for p in thread.posts])
    wanted = list(dict.fromkeys(link for link in links if link is not None))
    if limit is None or not wanted:
        return ThreadCards(tuple(None for _ in links))

    def fetch(url: str) -> LinkCard | LinkCardError:
        try:
            return fetch_card(url, limit, cache=cache, timeout=timeout)
        except LinkCardError as error:
            return error

    with ThreadPoolExecutor(max_workers=min(len(wanted), _PARALLEL)) as pool:
        found = dict(zip(wanted, pool.map(fetch, wanted), strict=True))
    cards: list[LinkCard | None] = []
    warnings: list[str] = []
    for index, link in enumerate(links, start=1):
        result = found.get(link) if link is not None else None
        if isinstance(result, LinkCardError):
            warnings.append(f"post {index}: {result} (a plain link instead)")
            result = None
        cards.append(result)
    return ThreadCards(tuple(cards), tuple(warnings))


def _entry_name(url: str, thumb_max_bytes: int) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}|{thumb_max_bytes}|{url}".encode()).hexdigest()
    return f"card-{digest[:40]}.json"


def _to_json(card: LinkCard, now: float) -> bytes:
    value: dict[str, Any] = {
        "fetched": now,
        "uri": card.uri,
        "title": card.title,
        "description": card.description,
        "thumb_mime": card.thumb_mime,
        "thumb": base64.b64encode(card.thumb).decode("ascii") if card.thumb else None,
    }
    return json.dumps(value, ensure_ascii=False).encode()


def _cached(store: MediaCache, name: str, url: str, now: float) -> LinkCard | None:
    """The cached card `name` if it is whole, for `url`, and young enough; else None."""
    try:
        value = json.loads(store.path(name).read_bytes())
        fetched = float(value["fetched"])
        thumb = value["thumb"]
        card = LinkCard(
            uri=str(value["uri"]),
            title=str(value["title"]),
            description=str(value["description"]),
            thumb=base64.b64decode(thumb, validate=True) if thumb else None,
            thumb_mime=str(value["thumb_mime"]) if thumb else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none yet, or damaged: fetched again
    if card.uri != url or not 0 <= now - fetched < CARD_MAX_AGE:
        return None
    store.touch(name)
    return card
