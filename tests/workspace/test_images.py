"""A draft's images in the workspace: the `alt_text_required` keys, the file's line
numbers, and the files found beside the draft."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from composer.text import split
from composer.workspace.accounts import Account
from composer.workspace.config import ConfigError, parse_config
from composer.workspace.drafts import DraftError, parse_draft
from composer.workspace.images import alt_text_required, image_files, image_problems

MASTODON = """\
[accounts.m]
platform = "mastodon"
instance = "https://m.example"
access_token_env = "M_TOKEN"
"""


@dataclass
class Size:
    width: int
    height: int


def test_alt_text_required_is_a_boolean_in_the_front_matter() -> None:
    with pytest.raises(DraftError, match=r"d.md:3: alt_text_required must be a bool"):
        parse_draft('+++\ntitle = "t"\nalt_text_required = "no"\n+++\nText.', "d.md")
    assert parse_draft("+++\nalt_text_required = false\n+++\nText.").alt_text_required is False
    assert parse_draft("Text.").alt_text_required is None


def test_alt_text_required_is_a_boolean_in_an_account() -> None:
    with pytest.raises(ConfigError, match=r":5: accounts.m: alt_text_required must be true"):
        parse_config(MASTODON + 'alt_text_required = "false"\n')
    config = parse_config(MASTODON + "alt_text_required = false\n")
    assert config.accounts["m"].alt_text_required is False
    assert parse_config(MASTODON).accounts["m"].alt_text_required is None


def test_the_draft_says_first_then_the_account_then_required() -> None:
    loose = parse_config(MASTODON + "alt_text_required = false\n").accounts["m"]
    strict = parse_config(MASTODON).accounts["m"]
    assert alt_text_required(parse_draft("Text."), strict) is True
    assert alt_text_required(parse_draft("Text."), loose) is False
    assert alt_text_required(parse_draft("+++\nalt_text_required = true\n+++\nT."), loose)
    assert not alt_text_required(parse_draft("+++\nalt_text_required = false\n+++\nT."), strict)


def test_the_body_knows_the_line_it_starts_on() -> None:
    assert parse_draft("Text.").first_line == 1
    assert parse_draft('+++\ntitle = "t"\n# a comment\n+++\nText.').first_line == 5


def test_paths_are_relative_to_the_draft_folder_and_each_file_is_read_once(
    tmp_path: Path,
) -> None:
    text = "Intro.\n![A](photos/a.jpg)\nMiddle.\n![A again](photos/a.jpg)\n![](gone.jpg)\n"
    draft = parse_draft(text, "r.md", tmp_path / "drafts" / "r.md")
    asked: list[Path] = []

    def probe(path: Path) -> Size:
        asked.append(path)
        if path.name == "gone.jpg":
            raise ValueError("no such file")
        return Size(40, 30)

    thread = split(draft.body, "x", first_line=draft.first_line)
    files = image_files(draft, thread, probe)
    flat = [file for post in files for file in post]
    assert [f.path for f in flat] == [
        tmp_path / "drafts" / "photos" / "a.jpg",
        tmp_path / "drafts" / "photos" / "a.jpg",
        tmp_path / "drafts" / "gone.jpg",
    ]
    assert asked == [tmp_path / "drafts" / "photos" / "a.jpg", tmp_path / "drafts" / "gone.jpg"]
    assert [f.chip for f in flat] == [
        "[image: a.jpg 40x30, alt 1 chars]",
        "[image: a.jpg 40x30, alt 7 chars]",
        "[image: gone.jpg: no such file, no alt text]",
    ]
    assert image_problems(draft, "x", None, files) == [
        "r.md:5: gone.jpg: no such file",
        "r.md:5: gone.jpg has no alt text: describe the image between the brackets, "
        "![like this](...), or set alt_text_required = false",
    ]
    loose = Account("a", "x", alt_text_required=False)
    assert image_problems(draft, "x", loose, files) == ["r.md:5: gone.jpg: no such file"]


def test_an_image_line_is_not_a_draft_s_title() -> None:
    assert parse_draft("![A photo](a.jpg)\n\nDetentions in Almaty.\n").title == (
        "Detentions in Almaty."
    )
