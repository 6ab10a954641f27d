"""The per-platform table is the one list of platforms: every other table follows it."""

from __future__ import annotations

from urllib.parse import urlsplit

from composer.text import PLATFORM_NAMES
from composer.text.counting import PLATFORMS, platform
from composer.text.platform_facts import (
    CONTACT_PLATFORMS,
    DEFAULT_URLS,
    FACTS,
    NO_MEDIA,
    PREVIEW_PLATFORMS,
    MediaFacts,
    handle_platforms,
    is_handle,
)


def test_counting_knows_exactly_the_platforms_of_the_table() -> None:
    assert tuple(PLATFORMS) == PLATFORM_NAMES == tuple(FACTS)


def test_counting_reads_its_measures_and_limits_from_the_table() -> None:
    for name, facts in FACTS.items():
        rules = platform(name)
        assert rules.measure is facts.measure and rules.extra == facts.extra_measures
    limits = {name: (f.measure.unit, f.measure.limit) for name, f in FACTS.items()}
    assert limits == {
        "x": ("characters", 280),
        "mastodon": ("characters", 500),
        "bluesky": ("graphemes", 300),
        "threads": ("characters", 500),
        "linkedin": ("characters", 3000),
    }
    assert [(m.unit, m.limit) for m in FACTS["bluesky"].extra_measures] == [("UTF-8 bytes", 3000)]
    assert [(m.unit, m.limit) for m in FACTS["threads"].extra_measures] == [("links", 5)]


def test_media_facts_per_platform() -> None:
    # Sources: the media section of docs/PLATFORMS.md.
    assert FACTS["x"].media == MediaFacts(
        images_per_post=4, alt_text_limit=1000, max_bytes=5_000_000, id_lifetime_s=24 * 3600
    )
    assert FACTS["bluesky"].media == MediaFacts(
        images_per_post=4, alt_text_limit=2000, max_bytes=2_000_000
    )
    assert FACTS["mastodon"].media == MediaFacts(
        4,
        alt_text_limit=1500,
        server_may_differ=True,
        max_bytes=16 * 1024 * 1024,
        max_pixels=33_177_600,
    )
    assert FACTS["threads"].media == MediaFacts(
        10, alt_text_limit=None, carousel=True, max_bytes=8 * 1024 * 1024
    )
    assert FACTS["linkedin"].media == NO_MEDIA  # no images are published there


def test_drafts_that_name_no_platform_are_previewed_on_x_mastodon_and_bluesky() -> None:
    assert PREVIEW_PLATFORMS == ("x", "mastodon", "bluesky")
    assert [f.label for f in FACTS.values()] == ["X", "Mastodon", "Bluesky", "Threads", "LinkedIn"]


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
