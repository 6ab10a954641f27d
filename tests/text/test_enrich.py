"""Mentions, hashtags linked in the text and tags appended: placement, rules, and fit."""

from __future__ import annotations

import re

import pytest

from composer.text import count, split
from composer.text.enrich import EnrichError, Extras, as_tag, link_terms
from tests.text.checks import assert_valid_thread

REPORT = " ".join(
    f"Paragraph {n}: the observers in Kazakhstan noted pressure on voters at polling stations."
    for n in range(1, 16)
)


@pytest.mark.parametrize(
    ("term", "tag"),
    [
        ("Kazakhstan", "#Kazakhstan"),
        ("#KazakhstanElections", "#KazakhstanElections"),
        ("Human Rights", "#HumanRights"),
        ("human rights watch", "#HumanRightsWatch"),
        ("Jean-Pierre", "#JeanPierre"),
        ("Казахстан", "#Казахстан"),
        ("права человека", "#ПраваЧеловека"),
        ("Қазақстан", "#Қазақстан"),
    ],
)
def test_as_tag(term: str, tag: str) -> None:
    assert as_tag(term) == tag


@pytest.mark.parametrize("term", ["2026", "#", " - "])
def test_terms_that_cannot_be_tags(term: str) -> None:
    with pytest.raises(EnrichError):
        as_tag(term)


LINK_CASES = [
    (
        "first occurrence only",
        "Kazakhstan votes. Kazakhstan counts.",
        ["Kazakhstan"],
        "#Kazakhstan votes. Kazakhstan counts.",
    ),
    (
        "case-insensitive, keeps the case written",
        "In kazakhstan today",
        ["Kazakhstan"],
        "In #kazakhstan today",
    ),
    (
        "whole words only",
        "Kazakhstani voters; Kazakhstan",
        ["Kazakhstan"],
        "Kazakhstani voters; #Kazakhstan",
    ),
    (
        "never inside a URL",
        "https://kazakhstan.example/x and Kazakhstan",
        ["Kazakhstan"],
        "https://kazakhstan.example/x and #Kazakhstan",
    ),
    ("never inside a bare domain", "see osce.org, then OSCE", ["OSCE"], "see osce.org, then #OSCE"),
    ("never inside a mention", "@OSCE said OSCE", ["OSCE"], "@OSCE said #OSCE"),
    ("an existing hashtag is left alone", "#OSCE and OSCE", ["OSCE"], "#OSCE and OSCE"),
    ("several words", "The human rights situation", ["Human Rights"], "The #HumanRights situation"),
    ("words across a line break", "human\nrights", ["Human Rights"], "#HumanRights"),
    (
        "cyrillic",
        "Выборы в Казахстане. Казахстан голосует.",
        ["Казахстан"],
        "Выборы в Казахстане. #Казахстан голосует.",
    ),
    ("kazakh", "Қазақстан сайлауы", ["Қазақстан"], "#Қазақстан сайлауы"),
    ("missing term changes nothing", "Nothing here", ["Kazakhstan"], "Nothing here"),
]


@pytest.mark.parametrize(
    ("text", "terms", "expected"), [c[1:] for c in LINK_CASES], ids=[c[0] for c in LINK_CASES]
)
def test_link_terms(text: str, terms: list[str], expected: str) -> None:
    assert link_terms(text, terms)[0] == expected


def test_extras_blocks() -> None:
    extras = Extras(("@a", "@b", "@c"), "spread", ("#T",), "last")
    assert [extras.block(i, 5) for i in range(1, 6)] == ["\n\n@a", "\n\n@b", "\n\n@c", "", "\n\n#T"]
    # More mentions than posts: the rest go into the last post.
    assert [extras.block(i, 2) for i in (1, 2)] == ["\n\n@a", "\n\n@b @c #T"]
    first = Extras(("@a", "@b"), "first", ("#T",), "first")
    assert [first.block(i, 3) for i in (1, 2, 3)] == ["\n\n@a @b #T", "", ""]
    with pytest.raises(EnrichError, match="unknown mention placement"):
        Extras(("@a",), "middle")  # type: ignore[arg-type]


@pytest.mark.parametrize("placement", ["first", "spread", "last"])
@pytest.mark.parametrize("platform_name", ["x", "bluesky", "mastodon"])
def test_mention_placements_fit(placement: str, platform_name: str) -> None:
    mentions = [
        "@hrw@mastodon.social",
        "@freedomhouse@mastodon.social",
        "@osce_odihr@mastodon.social",
    ]
    if platform_name != "mastodon":
        mentions = ["@hrw", "@freedomhouse", "@osce_odihr"]
    thread = split(
        REPORT,
        platform_name,
        mentions=mentions,
        mention_placement=placement,  # type: ignore[arg-type]
        tags=["KazakhstanElections", "#HumanRights"],
    )
    assert_valid_thread(thread)
    posts = thread.posts
    joined = [p.extras for p in posts]
    if placement == "first":
        assert posts[0].extras == "\n\n" + " ".join(mentions)
        assert all(m not in p.text for p in posts[1:] for m in mentions)
    elif placement == "spread":
        for index, mention in enumerate(mentions):
            assert posts[index].extras.startswith("\n\n" + mention)
    else:
        assert posts[-1].extras.startswith("\n\n" + " ".join(mentions))
    assert posts[-1].text.endswith("#KazakhstanElections #HumanRights")
    assert sum("#KazakhstanElections" in e for e in joined) == 1


def test_mentions_never_run_together() -> None:
    thread = split("Short report.", "mastodon", mentions=["@a@x.social", "@b@y.social"])
    assert "@a@x.social @b@y.social" in thread.posts[0].text
    assert count(thread.posts[0].text, "mastodon") == len("Short report.\n\n@a @b")


def test_many_mentions_and_tags_still_fit_on_every_post() -> None:
    mentions = [f"@observer_{n:02d}" for n in range(12)]
    for placement in ("first", "spread", "last"):
        thread = split(REPORT, "x", mentions=mentions, mention_placement=placement)  # type: ignore[arg-type]
        assert_valid_thread(thread)
        assert all(m in " ".join(p.text for p in thread.posts) for m in mentions)


def test_hashtag_terms_are_linked_before_splitting() -> None:
    thread = split(REPORT, "x", hashtag_terms=["Kazakhstan", "polling stations"])
    assert_valid_thread(thread)
    text = " ".join(p.text for p in thread.posts)
    assert text.count("#Kazakhstan") == 1 and text.count("#PollingStations") == 1
    assert thread.linked_tags == ["#Kazakhstan", "#PollingStations"]


def test_a_single_post_carries_everything() -> None:
    thread = split("Short report.", "x", mentions=["@hrw"], tags=["OSCE"], tag_placement="first")
    assert [p.text for p in thread.posts] == ["Short report.\n\n@hrw #OSCE"]


def test_plain_names_for_contacts_without_handles() -> None:
    thread = split("Short report.", "bluesky", mentions=["Human Rights Watch", "@fh.org"])
    assert thread.posts[0].text == "Short report.\n\nHuman Rights Watch @fh.org"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Human Rights Watch's country page. Human rights matter.",
            "Human Rights Watch's country page. #HumanRights matter.",
        ),
        (
            "Almaty Human Rights Bureau; and Human Rights.",
            "Almaty Human Rights Bureau; and #HumanRights.",
        ),
        ("In Kazakhstan, votes.", "In #Kazakhstan, votes."),  # sentence start: not a name
        ("Vote. Human Rights day", "Vote. #HumanRights day"),
        ("Kazakhstan human rights defenders", "#Kazakhstan #HumanRights defenders"),
    ],
)
def test_a_term_inside_a_longer_capitalised_name_is_not_tagged(text: str, expected: str) -> None:
    assert link_terms(text, ["Human Rights", "Kazakhstan"])[0] == expected


def test_a_term_inside_a_contacts_name_is_not_tagged() -> None:
    name = "Kazakhstan Bureau for Human Rights and Rule of Law"
    text = f"The {name} says: Human Rights first."
    linked, made = link_terms(text, ["Human Rights"], [name])
    assert linked == f"The {name} says: #HumanRights first." and made == ["#HumanRights"]


@pytest.mark.parametrize(
    ("mentions", "tags", "message"),
    [
        (("@hrw\x1b[2J",), (), "mention 1 holds a control or bidi character (U+001B)"),
        (("@a", "@b\u202e"), (), "mention 2 holds a control or bidi character (U+202E)"),
        ((), ("#Vote\u2069",), "hashtag 1 holds a control or bidi character (U+2069)"),
    ],
)
def test_controls_in_mentions_and_tags_are_refused(
    mentions: tuple[str, ...], tags: tuple[str, ...], message: str
) -> None:
    with pytest.raises(EnrichError, match=re.escape(message)):
        Extras(mentions, "first", tags, "last")
