from __future__ import annotations

from pathlib import Path

import pytest

from composer.workspace.drafts import DraftError, load_draft, parse_draft


def test_plain_text_is_a_draft_without_front_matter() -> None:
    draft = parse_draft("Just a report.\n")
    assert draft.body == "Just a report.\n" and draft.meta == {}


def test_front_matter_is_parsed_and_not_part_of_the_body() -> None:
    draft = parse_draft('+++\ntitle = "T"\nhook = true\nnumbering = "paren"\n+++\nBody.\n')
    assert draft.body == "Body.\n"
    assert draft.meta["title"] == "T" and draft.hook and draft.numbering == "paren"


def test_byte_order_mark_and_crlf() -> None:
    draft = parse_draft('\ufeff+++\r\ntitle = "T"\r\n+++\r\nBody.\r\n')
    assert draft.meta == {"title": "T"} and draft.body == "Body.\r\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('+++\ntitle = "T"\nBody.\n', "draft.md:1: front matter opened with +++ is never closed"),
        ('+++\ntitle = "T"\nhook = yes\n+++\nBody.\n', "draft.md:3: bad front matter"),
        ('+++\ntitle = "T"\nhook = "yes"\n+++\nBody.\n', "draft.md:3: hook must be a bool"),
        ('+++\nmentions = "hrw"\n+++\nBody.\n', "draft.md:2: mentions must be a list"),
    ],
    ids=["unclosed", "bad toml", "wrong type", "string for list"],
)
def test_errors_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(DraftError) as error:
        parse_draft(text, "draft.md")
    assert str(error.value).startswith(message)


def test_unknown_keys_are_reported_not_dropped() -> None:
    draft = parse_draft('+++\ntitel = "typo"\n+++\nBody.\n')
    assert draft.unknown_keys == ("titel",)
    assert draft.meta["titel"] == "typo"


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(DraftError, match="no such file"):
        load_draft(str(tmp_path / "missing.md"))
    with pytest.raises(DraftError, match="is a folder"):
        load_draft(str(tmp_path))
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DraftError, match="not UTF-8"):
        load_draft(str(binary))


def test_the_bundled_examples_parse(example_draft: object, example_ru_draft: object) -> None:
    from composer.workspace.drafts import Draft

    for draft in (example_draft, example_ru_draft):
        assert isinstance(draft, Draft)
        assert not draft.unknown_keys
        assert len(draft.body) > 3000
        assert draft.meta["title"]
