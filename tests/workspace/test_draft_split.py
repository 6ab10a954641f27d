"""A draft and the accounts file made into each platform's thread."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.text import SplitError, count
from composer.text.options import PostOptions
from composer.text.platform_facts import FACTS
from composer.workspace.config import ConfigError, load_config
from composer.workspace.draft_split import (
    MIN_ROOM,
    Overrides,
    find_config,
    post_options,
    split_draft,
    split_options,
)
from composer.workspace.drafts import parse_draft
from tests.helpers import accounts_toml, linkedin_account

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE_CONFIG = ROOT / "accounts.example.toml"
DRAFT = parse_draft(
    '+++\nmentions = ["hrw", "freedomhouse", "@osce_odihr"]\nhashtags = ["Vote2026"]\n+++\n'
    + "The OSCE observed the vote in Kazakhstan. " * 20
)


@pytest.fixture(scope="module")
def config():  # type: ignore[no-untyped-def]
    return load_config(EXAMPLE_CONFIG)


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("x", ["@hrw", "@freedomhouse", "@osce_odihr"]),
        ("bluesky", ["@hrw.org", "@freedomhouse.org"]),  # "@osce_odihr" is not Bluesky's
    ],
)
def test_contacts_become_each_platforms_handles(config, platform: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    plan = split_options(DRAFT, platform, config)
    assert plan.options["mentions"] == expected
    thread = split_draft(DRAFT, platform, config)
    assert thread.posts[0].extras == "\n\n" + " ".join(expected)


def test_a_contact_without_a_handle_is_named_with_a_warning(config) -> None:  # type: ignore[no-untyped-def]
    contact = config.contact("freedomhouse")
    if contact.handle("mastodon"):
        pytest.skip("the example gives Freedom House a Mastodon handle")
    thread = split_draft(DRAFT, "mastodon", config)
    assert contact.name in thread.posts[0].text
    assert any("has no mastodon handle" in w for w in thread.warnings)


def test_terms_and_tags_from_the_accounts_file(config) -> None:  # type: ignore[no-untyped-def]
    thread = split_draft(DRAFT, "x", config)
    published = "\n".join(p.text for p in thread.posts)
    assert published.count("#OSCE") == 1 and published.count("#Kazakhstan") == 1
    assert thread.posts[-1].text.endswith("#Vote2026 #ElectionWatch")


def test_overrides_win(config) -> None:  # type: ignore[no-untyped-def]
    overrides = Overrides(mentions=("@someone",), mention_placement="last", tags=("Other",))
    thread = split_draft(DRAFT, "x", config, overrides)
    assert thread.posts[-1].text.endswith("@someone #Other #ElectionWatch")
    assert "@hrw" not in "\n".join(p.text for p in thread.posts)


def test_contacts_without_an_accounts_file_are_an_error() -> None:
    with pytest.raises(ConfigError, match="mentions contacts \\(hrw, freedomhouse\\)"):
        split_draft(DRAFT, "x", None)
    # Handles written out need no accounts file.
    assert split_draft(parse_draft('+++\nmentions = ["@a"]\n+++\nText.'), "x", None).posts


def test_unknown_contact_lists_the_known_ones(config) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"unknown contact 'hrv'.*did you mean 'hrw'"):
        split_draft(parse_draft('+++\nmentions = ["hrv"]\n+++\nText.'), "x", config)


def test_find_config(tmp_path: Path) -> None:
    assert find_config(None, tmp_path).config is None
    shutil.copy(EXAMPLE_CONFIG, tmp_path / "accounts.example.toml")
    example = find_config(None, tmp_path)
    assert example.config is not None and "cp accounts.example.toml accounts.toml" in (
        example.notice or ""
    )
    shutil.copy(EXAMPLE_CONFIG, tmp_path / "accounts.toml")
    own = find_config(None, tmp_path)
    assert own.config is not None and own.notice is None
    with pytest.raises(ConfigError, match="no such file"):
        find_config(str(tmp_path / "missing.toml"))


def test_the_drafts_hashtag_terms_choose_which_terms_are_linked(config) -> None:  # type: ignore[no-untyped-def]
    only_osce = parse_draft('+++\nhashtag_terms = ["OSCE"]\n+++\n' + DRAFT.body)
    published = "\n".join(p.text for p in split_draft(only_osce, "x", config).posts)
    assert "#OSCE" in published and "#Kazakhstan" not in published
    none = parse_draft("+++\nhashtag_terms = []\n+++\n" + DRAFT.body)
    published = "\n".join(p.text for p in split_draft(none, "x", config).posts)
    assert "#OSCE" not in published and "#Kazakhstan" not in published


@pytest.mark.parametrize(
    ("platform", "expected", "warning"),
    [
        ("x", [], "@amnesty@mastodon.social is a handle of mastodon: left out on x"),
        ("mastodon", ["@amnesty@mastodon.social"], None),
        ("bluesky", [], "@amnesty@mastodon.social is a handle of mastodon: left out on bluesky"),
        ("threads", [], "left out on threads"),
    ],
)
def test_a_written_out_handle_goes_only_to_its_platform(  # type: ignore[no-untyped-def]
    config, platform: str, expected: list[str], warning: str | None
) -> None:
    """On X, "@amnesty@mastodon.social" would mention the unrelated @amnesty (issue 10)."""
    draft = parse_draft('+++\nmentions = ["@amnesty@mastodon.social"]\n+++\nText.\n')
    plan = split_options(draft, platform, config)
    assert plan.options["mentions"] == expected
    thread = split_draft(draft, platform, config)
    assert "@amnesty" not in "\n".join(p.text for p in thread.posts) or expected
    if warning:
        assert any(warning in w for w in thread.warnings)
    else:
        assert not thread.warnings


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("x", ["@hrw", "@osce_odihr"]),
        ("mastodon", ["@HRW@mastodon.social"]),  # as written, on its own platform
        ("bluesky", ["@hrw.org"]),
        ("threads", ["@humanrightswatch", "@osce_odihr"]),
    ],
)
def test_a_written_out_handle_of_a_contact_becomes_its_handle_there(  # type: ignore[no-untyped-def]
    config, platform: str, expected: list[str]
) -> None:
    draft = parse_draft('+++\nmentions = ["@HRW@mastodon.social", "@osce_odihr"]\n+++\nText.\n')
    assert split_options(draft, platform, config).options["mentions"] == expected


def test_the_example_does_not_tag_a_contacts_name(config) -> None:  # type: ignore[no-untyped-def]
    """With the term "Human Rights", the example published "#HumanRights Watch's country
    page" (issue 10)."""
    draft = parse_draft((ROOT / "drafts" / "example.md").read_text(encoding="utf-8"))
    published = "\n".join(p.text for p in split_draft(draft, "x", config).posts)
    assert "Human Rights Watch's country page" in published
    assert "#HumanRights Watch" not in published


def test_a_control_character_in_a_mention_override_is_refused(config) -> None:  # type: ignore[no-untyped-def]
    from composer.text.enrich import EnrichError

    overrides = Overrides(mentions=("@hrw", "@evil\x1b]0;owned\x07"))
    with pytest.raises(
        EnrichError, match=r"^mention 2 holds a control or bidi character \(U\+001B\)"
    ):
        split_draft(parse_draft("Text."), "x", config, overrides)


LINKEDIN = accounts_toml(
    {"li": linkedin_account(), "li-more": linkedin_account(overflow="comments")}
)


def linkedin_thread(body: str, account: str):  # type: ignore[no-untyped-def]
    from composer.workspace.config import parse_config
    from composer.workspace.draft_split import account_overrides

    config = parse_config(LINKEDIN, name="accounts.toml", path=None)
    overrides = account_overrides(config.account(account))
    return split_draft(parse_draft(body), "linkedin", config, overrides)


def test_a_linkedin_report_longer_than_a_post_is_shown_as_refused() -> None:
    body = "The count in Almaty (district 4) was slow. " * 80
    refused = linkedin_thread(body, "li")
    [warning] = [w for w in refused.warnings if "LinkedIn post takes" in w]
    # 43 x 80 characters less the last space, and the 2 x 80 escapes of "(" and ")" sent.
    assert warning.startswith("the report is 3,599 characters and a LinkedIn post takes 3,000")
    continued = linkedin_thread(body, "li-more")
    assert not any("LinkedIn post takes" in w for w in continued.warnings)
    assert len(continued.posts) == 3 and all(p.length <= 1250 for p in continued.posts)


def test_a_linkedin_report_that_fits_one_post_is_one_post_even_with_comments() -> None:
    body = "The count in Almaty was slow. " * 80  # 2,400 characters: more than a comment
    for account in ("li", "li-more"):
        thread = linkedin_thread(body, account)
        assert [p.text for p in thread.posts] == [body.strip()]
        assert thread.warnings == []


# --- publishing options --------------------------------------------------------------------
WARNINGS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=60,
).filter(lambda text: bool(text.strip()))
WORDS = st.lists(
    st.sampled_from(
        ["Задержания", "observers", "https://example.org/a?b=c", "🇰🇿", "No.", "вчера."]
    ),
    min_size=20,
    max_size=200,
)


@settings(max_examples=60, deadline=None)
@given(warning=WARNINGS, words=WORDS, limit=st.sampled_from([None, 120, 500]))
def test_every_mastodon_post_fits_with_its_content_warning(
    warning: str, words: list[str], limit: int | None
) -> None:
    """Mastodon counts spoiler_text and the text together: every post, with the content
    warning, is within the limit (as the strict fake counts it)."""
    draft = parse_draft(" ".join(words), "d.md")
    cw = PostOptions(content_warning=warning)
    try:
        thread = split_draft(draft, "mastodon", None, Overrides(limit=limit, options=cw))
    except SplitError:  # a warning that leaves less than MIN_ROOM: refused, never sent long
        assert count(warning, "mastodon") > (limit or 500) - MIN_ROOM
        return
    for post in thread.posts:
        assert count(post.text, "mastodon") + count(warning, "mastodon") <= (limit or 500)
    assert thread.limit == (limit or 500) - count(warning, "mastodon")


def test_a_content_warning_takes_no_room_where_it_is_not_sent() -> None:
    draft = parse_draft('+++\ncontent_warning = "Detentions"\n+++\nText.', "d.md")
    for platform in ("x", "bluesky", "threads"):
        assert split_draft(draft, platform, None).limit == FACTS[platform].measure.limit
    assert split_draft(draft, "mastodon", None).limit == 500 - len("Detentions")


def test_options_come_from_flags_then_draft_then_followed_edition_then_account() -> None:
    draft = parse_draft('+++\nlanguage = "kk"\n+++\nText.', "d.md")
    overrides = Overrides(
        options=PostOptions(visibility="private"),
        inherited=PostOptions(language="ru", visibility="unlisted", replies="following"),
        account_options=PostOptions(language="en", replies="nobody", reply_visibility="unlisted"),
    )
    resolved = post_options(draft, "mastodon", overrides).options
    assert (resolved.language, resolved.visibility, resolved.reply_visibility) == (
        "kk",
        "private",
        "unlisted",
    )
    assert post_options(draft, "bluesky", overrides).options.replies == "following"
    assert post_options(draft, "bluesky").options == PostOptions(
        "kk", "public", "public", None, "everyone", "everyone"
    )


def x_quota_config(quota: int):  # type: ignore[no-untyped-def]
    from composer.workspace.config import parse_config

    x = {
        "platform": "x",
        "consumer_key_env": "K",
        "consumer_secret_env": "S",
        "access_token_env": "T",
        "access_token_secret_env": "U",
        "daily_post_quota": quota,
    }
    return parse_config(accounts_toml({"ank-x": x}), name="accounts.toml", path=None)


@pytest.mark.parametrize(
    ("quota", "told"),
    [
        (3, "but ank-x may post 3 a day (daily_post_quota): post 4 on will be refused"),
        (8, "this thread uses 5 of the 8 posts a day ank-x may post"),
        (10, None),  # half of it or less: nothing to say
    ],
)
def test_a_thread_against_the_accounts_daily_quota(quota: int, told: str | None) -> None:
    """The example accounts file promises it: a thread that would use most of an X tier's
    posts a day, or more than it allows, is warned about, in the preview as in publishing."""
    from composer.workspace.draft_split import account_overrides, quota_warning

    config = x_quota_config(quota)
    draft = parse_draft('+++\naccounts = ["ank-x"]\n+++\n' + "The count was slow. " * 60)
    own = account_overrides(config.account("ank-x"))
    thread = split_draft(draft, "x", config, own)
    assert len(thread.posts) == 5
    found = [w for w in thread.warnings if "daily_post_quota" in w]
    assert found == ([] if told is None else [quota_warning(own, 5)])
    if told is not None:
        assert told in found[0]
    # The preview, which splits with the draft's account on X, says the same.
    from composer.workspace.draft_split import draft_overrides

    preview = split_draft(draft, "x", config, draft_overrides(draft, "x", config))
    assert [w for w in preview.warnings if "daily_post_quota" in w] == found
