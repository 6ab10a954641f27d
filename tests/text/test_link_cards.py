"""Which post gets a link card, and what a page's head says (pure)."""

from __future__ import annotations

from composer.text import split
from composer.text.link_cards import card_links, first_link
from composer.text.page_head import page_meta


def test_a_post_with_an_image_gets_no_card() -> None:
    text = (
        "The report: https://osce.example.org/report\n\n![A chart](chart.png)\n\n---\n\n"
        "Another post, with https://hrw.example.org/a and https://hrw.example.org/b"
    )
    thread = split(text, "bluesky")
    links = card_links([p.text for p in thread.posts], [bool(p.media) for p in thread.posts])
    assert [bool(p.media) for p in thread.posts] == [True, False]
    assert links == [None, "https://hrw.example.org/a"]


def test_first_link_is_the_facet_uri() -> None:
    assert first_link("see example.kz/новость, then https://a.example.org") == (
        "https://example.kz/новость"
    )
    assert first_link("no link, only @hrw.org and #OSCE") is None


def test_open_graph_wins_and_relative_pictures_are_resolved() -> None:
    html = (
        '<head><title>Title tag</title><meta name="description" content="Meta description">'
        '<meta property="og:title" content="OG title"><meta property="OG:IMAGE" content="../p.jpg">'
        '<meta name="twitter:title" content="Twitter title"></head>'
    )
    meta = page_meta(html, "https://news.example.org/a/b/page.html")
    assert meta.title == "OG title"
    assert meta.description == "Meta description"
    assert meta.image == "https://news.example.org/a/p.jpg"


def test_a_picture_that_is_not_http_is_dropped() -> None:
    html = '<meta property="og:image" content="javascript:alert(1)"><title>T</title>'
    assert page_meta(html, "https://example.org/").image is None
    html = '<meta property="og:image" content="data:image/png;base64,AAAA">'
    assert page_meta(html, "https://example.org/").image is None


def test_broken_markup_does_not_raise() -> None:
    meta = page_meta("<html><head><title>Half <meta property=og:title content='x", "http://a.b/")
    assert meta.image is None
