"""Link cards fetched from pages served on loopback: Open Graph and its fallbacks, Cyrillic
pages in windows-1251 and UTF-8, a huge page read only up to the cap, a slow page and a 404
(warnings, never failures), a picture downscaled under Bluesky's thumbnail limit, one too
large to fetch, the cache."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from composer.media.link_cards import (
    CARD_MAX_AGE,
    MAX_IMAGE_BYTES,
    MAX_PAGE_BYTES,
    LinkCardError,
    fetch_card,
    thread_cards,
)
from composer.text import split
from composer.text.platform_facts import FACTS
from tests.fakes.pages import Page, PageServer

THUMB_LIMIT = FACTS["bluesky"].link_card_thumb_max_bytes or 0
RU_TITLE = "Наблюдатели ОБСЕ: выборы без конкуренции"
RU_DESCRIPTION = "Доклад миссии о выборах в Казахстане — «серьёзные нарушения»."


def noise_jpeg(size: tuple[int, int], quality: int = 90) -> bytes:
    """A picture that compresses badly: its file is far larger than its size suggests."""
    image = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def og_page(title: str, description: str, image: str | None = None, charset: str = "utf-8") -> str:
    picture = f'<meta property="og:image" content="{image}">' if image else ""
    return (
        f'<!doctype html><html><head><meta charset="{charset}">'
        f"<title>Site title</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:description" content="{description}">{picture}'
        "</head><body><p>Text</p></body></html>"
    )


def test_open_graph_card_with_its_picture_under_the_thumbnail_limit(
    pages: PageServer, tmp_path: Path
) -> None:
    picture = noise_jpeg((1500, 1000))
    assert len(picture) > THUMB_LIMIT  # it must be made smaller
    pages.serve("/photo.jpg", Page(picture, content_type="image/jpeg"))
    page = og_page("OSCE &amp; elections", "Observers &quot;concerned&quot;", "/photo.jpg")
    url = pages.serve("/report", Page(page.encode()))
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert (card.uri, card.title, card.description) == (
        url,
        "OSCE & elections",
        'Observers "concerned"',
    )
    assert card.thumb is not None and card.thumb_mime == "image/jpeg"
    assert len(card.thumb) <= THUMB_LIMIT
    with Image.open(io.BytesIO(card.thumb)) as thumb:
        assert thumb.format == "JPEG"
        assert abs(thumb.width / thumb.height - 1.5) < 0.01  # downscaled, never cropped
    assert card.summary == f"OSCE & elections — {card.domain}"


@pytest.mark.parametrize(
    ("content_type", "charset_in_page"),
    [
        ("text/html; charset=windows-1251", "windows-1251"),  # the server says
        ("text/html", "windows-1251"),  # only the page says
        ("text/html; charset=utf-8", "utf-8"),
    ],
    ids=["cp1251-header", "cp1251-meta", "utf-8"],
)
def test_cyrillic_pages_in_their_own_charset(
    pages: PageServer, tmp_path: Path, content_type: str, charset_in_page: str
) -> None:
    body = og_page(RU_TITLE, RU_DESCRIPTION, charset=charset_in_page).encode(charset_in_page)
    url = pages.serve("/ru", Page(body, content_type=content_type))
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert (card.title, card.description) == (RU_TITLE, RU_DESCRIPTION)
    assert card.thumb is None


def test_title_and_description_fallbacks_are_plain_text(pages: PageServer, tmp_path: Path) -> None:
    long = "word " * 400
    body = (
        "<html><head><title>\n  Report:\x1b[31m red\u202e  text &lt;b&gt; </title>"
        f'<meta name="description" content="{long}"></head>'
        '<body><meta property="og:title" content="not in the head"></body></html>'
    )
    url = pages.serve("/plain", Page(body.encode()))
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert card.title == "Report: [31m red text <b>"
    assert len(card.description) == 1000 and card.description.endswith("…")
    assert card.thumb is None


def test_twitter_tags_when_there_is_no_open_graph(pages: PageServer, tmp_path: Path) -> None:
    pages.serve("/t.png", Page(_png(), content_type="image/png"))
    body = (
        '<head><meta name="twitter:title" content="From Twitter tags">'
        '<meta name="twitter:image" content="t.png"></head>'
    )
    url = pages.serve("/tw/page", Page(body.encode()))
    pages.pages["/tw/t.png"] = pages.pages["/t.png"]  # relative to the page's address
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert card.title == "From Twitter tags" and card.thumb is not None
    assert pages.hits["/tw/t.png"] == 1


def test_a_huge_page_is_read_only_up_to_the_cap(pages: PageServer, tmp_path: Path) -> None:
    head = og_page("Huge", "A page of 40 MB").encode()
    body = head + b"<p>" + b"x" * (40 * 1024 * 1024) + b"</p>"
    url = pages.serve("/huge", Page(body))
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert card.title == "Huge"
    # The server could write no more than the reader took and the sockets' buffers hold.
    assert pages.sent["/huge"] < len(body) / 2
    assert len(body) > MAX_PAGE_BYTES


def test_a_slow_page_is_a_warning(pages: PageServer, tmp_path: Path) -> None:
    url = pages.serve("/slow", Page(og_page("Slow", "Late").encode(), delay=30))
    with pytest.raises(LinkCardError, match=r"no answer within 0\.5 seconds"):
        fetch_card(url, THUMB_LIMIT, cache=tmp_path, timeout=0.5)


def test_a_missing_page_is_a_warning(pages: PageServer, tmp_path: Path) -> None:
    with pytest.raises(LinkCardError, match="answered 404"):
        fetch_card(pages.url + "/gone", THUMB_LIMIT, cache=tmp_path)


def test_not_a_web_page(pages: PageServer, tmp_path: Path) -> None:
    url = pages.serve("/file.pdf", Page(b"%PDF-1.7", content_type="application/pdf"))
    with pytest.raises(LinkCardError, match="not a web page"):
        fetch_card(url, THUMB_LIMIT, cache=tmp_path)


@pytest.mark.parametrize("url", ["ftp://example.org/a", "file:///etc/passwd", "javascript:x"])
def test_only_http_and_https_are_fetched(url: str, tmp_path: Path) -> None:
    with pytest.raises(LinkCardError, match="only http and https"):
        fetch_card(url, THUMB_LIMIT, cache=tmp_path)


def test_a_picture_too_large_to_fetch_leaves_a_card_without_one(
    pages: PageServer, tmp_path: Path
) -> None:
    big = noise_jpeg((2400, 1600), quality=95)
    while len(big) <= MAX_IMAGE_BYTES:
        big += big  # trailing bytes: still a JPEG to a decoder, but over the cap
    pages.serve("/big.jpg", Page(big, content_type="image/jpeg"))
    url = pages.serve("/with-big", Page(og_page("Big picture", "", "/big.jpg").encode()))
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert card.title == "Big picture" and card.thumb is None
    assert pages.sent["/big.jpg"] < len(big)


def test_a_card_is_fetched_once_then_from_the_cache(pages: PageServer, tmp_path: Path) -> None:
    pages.serve("/p.png", Page(_png(), content_type="image/png"))
    url = pages.serve("/cached", Page(og_page("First", "one", "/p.png").encode()))
    first = fetch_card(url, THUMB_LIMIT, cache=tmp_path, now=1000.0)
    pages.serve("/cached", Page(og_page("Changed", "two").encode()))
    again = fetch_card(url, THUMB_LIMIT, cache=tmp_path, now=1000.0 + 60)
    assert again == first and pages.hits["/cached"] == 1
    later = fetch_card(url, THUMB_LIMIT, cache=tmp_path, now=1000.0 + CARD_MAX_AGE + 1)
    assert later.title == "Changed" and later.thumb is None and pages.hits["/cached"] == 2


def test_thread_cards_one_fetch_per_link_and_a_warning_for_a_dead_one(
    pages: PageServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real-looking links (loopback addresses are not links to Bluesky's facets), reached
    # through the page server acting as a proxy.
    monkeypatch.setenv("HTTP_PROXY", pages.url)
    pages.serve("/report", Page(og_page("The report", "Its summary").encode()))
    text = (
        "The mission published its report: http://osce.example.org/report today.\n\n"
        "Read it again at http://osce.example.org/report and the old one at "
        "http://osce.example.org/gone\n\n"
        "The old one: http://osce.example.org/gone"
    )
    thread = split(text, "bluesky", limit=120, numbering="{i}/{n}")
    assert len(thread.posts) >= 3
    found = thread_cards(thread, "bluesky", cache=tmp_path)
    titles = [card.title if card else None for card in found.cards]
    assert titles[0] == "The report" and titles[1] == "The report"
    assert titles[-1] is None
    assert pages.hits["/report"] == 1 and pages.hits["/gone"] == 1
    assert found.warnings == (
        f"post {len(thread.posts)}: no link card for http://osce.example.org/gone: "
        "the server answered 404 (a plain link instead)",
    )


def test_no_cards_made_on_platforms_that_build_their_own(pages: PageServer) -> None:
    thread = split("See https://osce.example.org/report", "mastodon")
    assert thread_cards(thread, "mastodon").cards == (None,)
    assert sum(pages.hits.values()) == 0


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 315), (10, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()
