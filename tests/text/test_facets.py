"""Bluesky facets (UTF-8 byte offsets) and TIDs."""

from __future__ import annotations

import re

import pytest

from composer.text.facets import (
    TID_ALPHABET,
    Facet,
    facets,
    new_tid,
    tid_clock_id,
    tid_timestamp,
    to_record_facets,
)

TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


def covered(text: str, facet: Facet) -> str:
    """The text a facet covers, sliced from the UTF-8 bytes as Bluesky does."""
    return text.encode()[facet.byte_start : facet.byte_end].decode()


def kinds(text: str) -> list[tuple[str, str, str]]:
    return [(facet.kind, covered(text, facet), facet.value) for facet in facets(text)]


PREFIXES = {
    "ascii": "Report: ",
    "cyrillic": "Доклад ОБСЕ: ",
    "kazakh": "Қазақстан сайлауы: ",
    "emoji": "👋🏽 🇰🇿 👨‍👩‍👧 ",
    "cjk": "日本語のテキスト ",
    "mixed": "Ёж 🦔 漢字 — ",
}


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
def test_byte_offsets_with_multibyte_text_before_and_after(prefix: str) -> None:
    text = (
        f"{prefix}see https://example.com/путь?q=1 and osce.org, ask @hrw.org "
        f"#Казахстан #OSCE {prefix}"
    )
    found = facets(text)
    assert [(f.kind, covered(text, f)) for f in found] == [
        ("link", "https://example.com/путь?q=1"),
        ("link", "osce.org"),
        ("mention", "@hrw.org"),
        ("tag", "#Казахстан"),
        ("tag", "#OSCE"),
    ]
    for facet in found:
        assert text[facet.start : facet.end] == facet.text == covered(text, facet)
        assert facet.byte_start == len(text[: facet.start].encode())
    if not prefix.isascii():  # offsets in bytes, not code points
        assert found[0].byte_start > found[0].start


def test_links_with_and_without_protocol() -> None:
    text = "Read http://a.example.com/x, https://osce.org/odihr and bsky.app/profile/x."
    assert kinds(text) == [
        ("link", "http://a.example.com/x", "http://a.example.com/x"),
        ("link", "https://osce.org/odihr", "https://osce.org/odihr"),
        ("link", "bsky.app/profile/x", "https://bsky.app/profile/x"),
    ]
    assert facets(text)[2].uri == "https://bsky.app/profile/x"


def test_mentions_are_domain_handles() -> None:
    text = "Thanks @Alice.test, (@hrw.org) and @name.bsky.social. Not @bob, a@b.org, @file.txt"
    assert kinds(text) == [
        ("mention", "@Alice.test", "alice.test"),
        ("mention", "@hrw.org", "hrw.org"),
        ("mention", "@name.bsky.social", "name.bsky.social"),
    ]
    assert facets("@hrw.org")[0].handle == "hrw.org"


def test_tags() -> None:
    text = "#Казахстан #Human_Rights #2024 #OSCE2024 x.com/#anchor #Сайлау."
    assert kinds(text) == [
        ("tag", "#Казахстан", "Казахстан"),
        ("tag", "#Human_Rights", "Human_Rights"),
        ("tag", "#OSCE2024", "OSCE2024"),
        ("link", "x.com/#anchor", "https://x.com/#anchor"),
        ("tag", "#Сайлау", "Сайлау"),
    ]
    assert facets("#Казахстан")[0].tag == "Казахстан"


def test_tag_length_limit_in_graphemes() -> None:
    assert [f.value for f in facets("#" + "я" * 64)] == ["я" * 64]
    assert facets("#" + "я" * 65) == []
    assert facets("#12345") == []


def test_no_entities() -> None:
    assert facets("") == []
    assert facets("Plain text, no links: e.g. a.m. 5 p.m.") == []


def test_to_record_facets_shape() -> None:
    text = "Привет @alice.test @nobody.test https://example.com #Тег"
    records = to_record_facets(facets(text), {"alice.test": "did:plc:alice"})
    assert records == [
        {
            "index": {"byteStart": 13, "byteEnd": 24},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}],
        },
        {
            "index": {"byteStart": 38, "byteEnd": 57},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}],
        },
        {
            "index": {"byteStart": 58, "byteEnd": 65},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Тег"}],
        },
    ]
    data = text.encode()
    assert data[13:24] == b"@alice.test"
    assert data[38:57] == b"https://example.com"
    assert data[58:65].decode() == "#Тег"


def test_tid_format() -> None:
    assert new_tid(0, 0) == "2222222222222"
    assert new_tid(2**53 - 1, 1023) == "bzzzzzzzzzzzz"
    now = new_tid(1_764_000_000_000_000, 7)
    assert TID.fullmatch(now)
    assert tid_timestamp(now) == 1_764_000_000_000_000
    assert tid_clock_id(now) == 7
    assert set(now) <= set(TID_ALPHABET)


def test_tid_sorts_as_time() -> None:
    times = [0, 1, 1023, 1024, 10**12, 1_700_000_000_000_000, 1_700_000_000_000_001, 2**53 - 1]
    tids = [new_tid(t, 1023 if i % 2 else 0) for i, t in enumerate(times)]
    assert tids == sorted(tids)
    assert new_tid(5, 1) > new_tid(5, 0)


@pytest.mark.parametrize(("clock_us", "clock_id"), [(-1, 0), (2**53, 0), (0, 1024), (0, -1)])
def test_tid_out_of_range(clock_us: int, clock_id: int) -> None:
    with pytest.raises(ValueError):
        new_tid(clock_us, clock_id)


def test_tid_parse_rejects_non_tids() -> None:
    with pytest.raises(ValueError):
        tid_timestamp("self")
    with pytest.raises(ValueError):
        tid_timestamp("k222222222222")  # first character beyond "j": the top bit set
