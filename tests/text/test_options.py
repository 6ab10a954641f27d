"""Publishing options: layering, each platform's values and closest safe ones, the ledger's
JSON."""

from __future__ import annotations

import pytest

from composer.text.options import (
    NO_OPTIONS,
    OptionError,
    PostOptions,
    check_option,
    platform_replies,
    resolve_options,
)
from composer.text.platform_facts import FACTS, REPLIES


def test_the_first_layer_to_give_an_option_wins_else_the_default() -> None:
    resolved = resolve_options(
        "mastodon",
        PostOptions(visibility="private"),
        PostOptions(visibility="unlisted", language="kk"),
        PostOptions(language="ru", reply_visibility="unlisted"),
    ).options
    assert resolved == PostOptions("kk", "private", "unlisted", None, "everyone", "everyone")


@pytest.mark.parametrize("platform", ["x", "threads"])
def test_nobody_is_the_closest_safe_value_where_it_is_lacking_with_one_warning(
    platform: str,
) -> None:
    resolved = resolve_options(platform, PostOptions(replies="nobody"))
    assert resolved.options.replies == "mentioned"
    assert len(resolved.warnings) == 1 and '"nobody"' in resolved.warnings[0]
    assert platform_replies(platform, resolved.options) in ("mentionedUsers", "mentioned_only")


def test_every_replies_value_is_sent_or_replaced_on_each_platform_that_takes_it() -> None:
    for name, facts in FACTS.items():
        if "replies" not in facts.post_options.takes:
            continue
        for value in REPLIES:
            options = resolve_options(name, PostOptions(replies=value)).options
            native = platform_replies(name, options)
            assert (native == "") == (options.replies == "everyone"), (name, value)


def test_a_setting_a_platform_has_not_is_one_warning_and_the_default_none() -> None:
    said = resolve_options("x", PostOptions(content_warning="CW", quotes="nobody")).warnings
    assert said == (
        "X has no content warnings: content_warning is not used there",
        "X has no control of quotes: quotes is not used there",
    )
    assert resolve_options("x", NO_OPTIONS).warnings == ()


def test_a_value_no_platform_takes_is_refused() -> None:
    with pytest.raises(OptionError, match="visibility must be one of"):
        resolve_options("mastodon", PostOptions(visibility="direct"))
    assert check_option("language", "kk-Cyrl-KZ") is None
    assert check_option("quotes", 1) == 'quotes must be true, false or "none", not 1'


def test_the_ledger_form_round_trips_and_ignores_what_it_does_not_know() -> None:
    options = PostOptions("ru", "unlisted", "private", "Задержания", "nobody", "not_first")
    assert PostOptions.from_json(options.to_json()) == options
    assert PostOptions.from_json('{"language": "kk", "link_card": true}') == PostOptions("kk")
    assert PostOptions.from_json(None) == NO_OPTIONS
    assert NO_OPTIONS.to_json() == "{}"


def test_quotes_as_the_front_matter_writes_them() -> None:
    read = PostOptions.from_mapping
    assert [read({"quotes": v}).quotes for v in (True, False, "none")] == [
        "everyone",
        "not_first",
        "nobody",
    ]
    assert read({"quotes": 1}).quotes == "1"  # not True: refused by check_option first
