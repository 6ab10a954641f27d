"""The per-platform table is the one list of platforms: every other table follows it."""

from __future__ import annotations

from urllib.parse import urlsplit

from composer.text import PLATFORM_NAMES
from composer.text.counting import PLATFORMS
from composer.text.platform_facts import (
    CONTACT_PLATFORMS,
    DEFAULT_URLS,
    FACTS,
    handle_platforms,
    is_handle,
)


def test_counting_knows_exactly_the_platforms_of_the_table() -> None:
    assert tuple(PLATFORMS) == PLATFORM_NAMES == tuple(FACTS)


def test_each_row_is_named_for_its_key_and_requires_only_what_it_takes() -> None:
    for name, facts in FACTS.items():
        assert facts.name == name
        assert set(facts.required_secrets) <= set(facts.secrets)
        assert set(facts.required_settings) <= {*facts.settings, "handle"}


def test_default_addresses_are_https() -> None:
    for name, url in DEFAULT_URLS.items():
        assert urlsplit(url).scheme == "https", name
    assert "mastodon" not in DEFAULT_URLS  # every instance is its own address


def test_handle_forms() -> None:
    assert CONTACT_PLATFORMS == ("x", "mastodon", "bluesky", "threads")
    assert handle_platforms("@hrw@mastodon.social") == ("mastodon",)
    assert handle_platforms("@hrw.org") == ("bluesky", "threads")
    assert handle_platforms("@hrw") == ("x", "threads")
    assert not is_handle("hrw")
    assert not is_handle("@")


def test_an_own_address_setting_is_a_url_setting_of_its_platform() -> None:
    for name, facts in FACTS.items():
        if facts.url_setting:
            assert facts.settings[facts.url_setting] == "url", name
