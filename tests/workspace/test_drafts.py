from __future__ import annotations

from pathlib import Path

import pytest

from composer.text.options import PostOptions
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


def test_a_front_matter_cut_short_names_its_last_line() -> None:
    # tomllib says "at end of document" (of the front matter, not of the file): the draft
    # said neither the line nor where that is, and kept tomllib's words.
    with pytest.raises(DraftError) as error:
        parse_draft('+++\ntitle = "T"\nlist = [1,\n+++\nBody.\n', "draft.md")
    assert str(error.value) == (
        "draft.md:3: bad front matter: Invalid value (at the end of the front matter)"
    )


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


# --- writing drafts, and the drafts folder ---------------------------------------------------
def test_round_trip_keeps_the_file_byte_for_byte(example_draft: object) -> None:
    from composer.workspace.drafts import Draft

    assert isinstance(example_draft, Draft) and example_draft.path is not None
    original = example_draft.path.read_text(encoding="utf-8")
    assert example_draft.text() == original
    again = parse_draft(example_draft.text())
    assert (again.meta, again.body) == (example_draft.meta, example_draft.body)


def test_a_draft_made_from_meta_parses_back() -> None:
    from composer.workspace.drafts import Draft

    made = Draft(body="Body.\n", meta={"title": "Выборы", "hook": True, "mentions": ["hrw"]})
    again = parse_draft(made.text())
    assert again.meta == made.meta and again.body == "Body.\n"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("OSCE: elections without competition", "osce-elections-without-competition"),
        ("Выборы 2026: итоги", "vybory-2026-itogi"),
        ("Қазақстан сайлауы", "qazaqstan-sajlauy"),
        ("!!!", "draft"),
    ],
)
def test_slug(title: str, expected: str) -> None:
    from composer.workspace.drafts import slug

    assert slug(title) == expected


def test_new_draft_never_overwrites(tmp_path: Path) -> None:
    from composer.workspace.drafts import new_draft

    first = new_draft(tmp_path, "Statement")
    second = new_draft(tmp_path, "Statement")
    assert (first.name, second.name) == ("statement.md", "statement-2.md")
    assert load_draft(str(second)).meta == {"title": "Statement"}


def test_a_new_draft_has_no_text_that_could_be_published(tmp_path: Path) -> None:
    from composer.workspace.drafts import new_draft

    path = new_draft(tmp_path, "Statement", {"accounts": ["ank-x"]})
    assert path.read_text() == '+++\ntitle = "Statement"\naccounts = ["ank-x"]\n+++\n'
    assert load_draft(str(path)).body == ""


def test_atomic_write_leaves_the_old_text_on_failure(tmp_path: Path) -> None:
    from composer.workspace import drafts

    path = tmp_path / "d.md"
    drafts.write_atomically(path, "old text")

    class Boom(Exception):
        pass

    real_replace = drafts.os.replace

    def failing_replace(*args: object) -> None:
        raise Boom

    drafts.os.replace = failing_replace  # type: ignore[assignment]
    try:
        with pytest.raises(Boom):
            drafts.write_atomically(path, "new text")
    finally:
        drafts.os.replace = real_replace
    assert path.read_text() == "old text"
    assert [p.name for p in tmp_path.iterdir()] == ["d.md"]  # no temporary file left


def test_list_drafts_reports_broken_ones(tmp_path: Path) -> None:
    from composer.workspace.drafts import list_drafts, new_draft

    new_draft(tmp_path, "Good one")
    (tmp_path / "broken.md").write_text("+++\ntitle = \n+++\n", encoding="utf-8")
    summaries = {s.name: s for s in list_drafts(tmp_path)}
    assert summaries["good-one"].title == "Good one" and summaries["good-one"].error is None
    assert "bad front matter" in (summaries["broken"].error or "")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('mention_placement = "middle"', "mention_placement must be one of first, spread, last"),
        ('hashtag_placement = "spread"', "hashtag_placement must be one of first, last"),
        ('timezone = "Mars/Olympus"', "unknown time zone 'Mars/Olympus'"),
        ("mentions = [1, 2]", "mentions must be a list of strings"),
        ('language = "Kazakh"', "language must be a language code like 'en'"),
        ('language = "en_US"', "language must be a language code like 'en'"),
        ('visibility = "direct"', "visibility must be one of public, unlisted, private"),
        ('reply_visibility = "followers"', "reply_visibility must be one of public, unlisted"),
        ('replies = "friends"', "replies must be one of everyone, mentioned, following, nobody"),
        ('quotes = "some"', 'quotes must be true, false or "none"'),
        ('content_warning = ""', "content_warning must not be empty"),
        ('content_warning = """a\nb"""', "content_warning must be one line"),
        ("language = 5", "language must be a string"),
    ],
)
def test_value_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(DraftError) as error:
        parse_draft(f'+++\ntitle = "T"\n{line}\n+++\nBody.\n', "d.md")
    assert str(error.value).startswith(f"d.md:3: {message}")


def test_update_front_matter_changes_only_those_keys(example_draft: object) -> None:
    from composer.workspace.drafts import update_front_matter

    original = (Path(__file__).resolve().parents[2] / "drafts" / "example.md").read_text()
    text = original.replace('hashtags = ["KazakhstanElections"]', "# tags\nhashtags = []  # none")
    updated = update_front_matter(text, {"mentions": ["osce"], "mention_placement": "last"})
    draft = parse_draft(updated)
    assert draft.mentions == ["osce"] and draft.mention_placement == "last"
    # Every other line is kept byte for byte, comments included.
    assert [line for line in updated.splitlines() if "mention" not in line] == [
        line for line in text.splitlines() if "mention" not in line
    ]
    assert draft.body == parse_draft(text).body


def test_update_front_matter_adds_and_removes_keys() -> None:
    from composer.workspace.drafts import update_front_matter

    text = '+++\r\ntitle = "T"\r\nhashtag_terms = ["OSCE"]\r\n+++\r\nBody.\r\n'
    updated = update_front_matter(text, {"hashtag_terms": None, "hashtags": ["A"]})
    assert updated.startswith('+++\r\ntitle = "T"\r\n') and updated.endswith("+++\r\nBody.\r\n")
    draft = parse_draft(updated)
    assert draft.hashtag_terms is None and draft.hashtags == ["A"]
    assert draft.body == "Body.\r\n"


def test_update_front_matter_creates_the_block() -> None:
    from composer.workspace.drafts import update_front_matter

    updated = update_front_matter("Just a report.\n", {"mentions": ["hrw"]})
    assert updated == '+++\nmentions = ["hrw"]\n+++\nJust a report.\n'
    assert parse_draft(updated).body == "Just a report.\n"


def test_update_front_matter_refuses_broken_toml() -> None:
    from composer.workspace.drafts import update_front_matter

    with pytest.raises(DraftError, match="bad front matter"):
        update_front_matter("+++\ntitle = \n+++\nBody.", {"hashtags": []})


def test_hashtag_terms_must_be_strings() -> None:
    with pytest.raises(DraftError, match="hashtag_terms must be a list of strings"):
        parse_draft("+++\nhashtag_terms = [1]\n+++\nBody.")
    assert parse_draft("Body.").hashtag_terms is None
    assert parse_draft("+++\nhashtag_terms = []\n+++\nBody.").hashtag_terms == []


def test_list_drafts_skips_lock_files_dangling_links_and_folders(tmp_path: Path) -> None:
    from composer.workspace.drafts import list_drafts, new_draft

    new_draft(tmp_path, "Good one")
    (tmp_path / ".#good-one.md").symlink_to("user@host.1234:1700000000")  # an Emacs lock
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / ".hidden.md").write_text("hidden", encoding="utf-8")
    assert [s.name for s in list_drafts(tmp_path)] == ["good-one"]


def _in_thread(function: object, seconds: float = 5.0) -> BaseException | None:
    """Run `function` in a thread; what it raised, or fail when it has not ended in time."""
    import threading

    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            function()  # type: ignore[operator]
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "still reading after several seconds"
    return outcome[0]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    error = _in_thread(lambda: load_draft(str(fifo)))
    assert isinstance(error, DraftError) and "not a regular file" in str(error)


def test_a_device_is_refused(tmp_path: Path) -> None:
    error = _in_thread(lambda: load_draft("/dev/zero"))
    assert isinstance(error, DraftError) and "not a regular file" in str(error)


def test_a_huge_file_is_refused(tmp_path: Path) -> None:
    from composer.workspace.drafts import MAX_DRAFT_BYTES

    huge = tmp_path / "huge.md"
    with open(huge, "wb") as handle:
        handle.truncate(MAX_DRAFT_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(DraftError, match="larger than"):
        load_draft(str(huge))


def _new_at_once(folder: str, start: object, paths: object) -> None:
    from composer.workspace.drafts import new_draft

    start.wait()  # type: ignore[attr-defined]
    paths.put(str(new_draft(Path(folder), "Same title")))  # type: ignore[attr-defined]


def test_concurrent_new_drafts_never_overwrite_each_other(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    start, paths = context.Barrier(12), context.Queue()
    workers = [
        context.Process(target=_new_at_once, args=(str(tmp_path), start, paths)) for _ in range(12)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    made = {paths.get(timeout=5) for _ in workers}
    assert len(made) == 12
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(Path(p).name for p in made)


def test_deeply_nested_front_matter_is_one_error() -> None:
    deep = "a = " + "[" * 5000 + "]" * 5000
    with pytest.raises(DraftError, match=r"^d\.md:2: bad front matter: .*nested too deeply"):
        parse_draft(f"+++\n{deep}\n+++\nBody.\n", "d.md")
    from composer.workspace.drafts import update_front_matter

    with pytest.raises(DraftError, match=r"nested too deeply|nested more than"):
        update_front_matter(f"+++\n{deep}\n+++\nBody.\n", {"title": "x"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '\n+++\ntitle="x"\n+++\nHi\n',
            "d.md:2: front matter (+++) must start at the beginning "
            "of line 1: remove the blank line above it",
        ),
        (
            'Hi+++\ntitle="x"\n+++\nBody\n',
            "d.md:3: front matter (+++) must start at the "
            "beginning of line 1: move the text above it below the closing +++",
        ),
        (
            ' +++\ntitle="x"\n+++\nBody\n',
            "d.md:1: front matter (+++) must start at the "
            "beginning of line 1: remove what is before +++ on that line",
        ),
        (
            '\r\n \r\n+++\r\ntitle="x"\r\n+++\r\nHi\r\n',
            "d.md:3: front matter (+++) must start "
            "at the beginning of line 1: remove the blank lines above it",
        ),
    ],
    ids=["blank line", "typed text", "indented", "blank lines crlf"],
)
def test_a_settings_block_not_on_line_1_is_an_error_never_text(text: str, message: str) -> None:
    with pytest.raises(DraftError) as error:
        parse_draft(text, "d.md")
    assert str(error.value) == message
    from composer.workspace.drafts import update_front_matter

    with pytest.raises(DraftError, match="must start at the beginning of line 1"):
        update_front_matter(text, {"title": "y"})


def test_body_line_is_below_the_front_matter() -> None:
    from composer.workspace.drafts import body_line

    assert body_line('+++\ntitle = "T"\n+++\nBody\n') == 3
    assert body_line('\ufeff+++\r\ntitle = "T"\r\n\r\n+++\r\nBody\r\n') == 4
    assert body_line("Just text\n") == 0
    assert body_line('+++\ntitle = "T"\n') == 0  # unclosed: the top, where the error is


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '+++\nmentions = ["@hrw\\u202e"]\n+++\nx',
            "d.md:2: mentions holds a control or bidi character (U+202E): remove it",
        ),
        ('+++\ntitle = "t"\nhashtags = ["Vote\\u2066"]\n+++\nx', "d.md:3: hashtags holds"),
        (
            '+++\nlanguage = "en\\u0007"\n+++\nx',
            "d.md:2: language holds a control or bidi character (U+0007)",
        ),
        ('+++\nhashtag_terms = ["a\\tb"]\n+++\nx', "d.md:2: hashtag_terms holds"),
        (
            '+++\ntitle = "t"\n+++\nline\n\tok\nbad\x1b[2J\n',
            "d.md:6: the text holds a control character (U+001B): remove it",
        ),
        ("plain\r\nthen\x85\n", "d.md:2: the text holds a control character (U+0085)"),
        ("del\x7f", "d.md:1: the text holds a control character (U+007F)"),
        (
            '+++\ntitle = "t"\ncontent_warning = "CW\\u001b[2J"\n+++\nx',
            "d.md:3: content_warning holds a control character (U+001B): remove it",
        ),
    ],
    ids=[
        "bidi in mention",
        "isolate in tag",
        "bell in language",
        "tab in term",
        "escape in body",
        "C1 in body",
        "DEL in body",
        "escape in content warning",
    ],
)
def test_control_characters_are_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(DraftError) as error:
        parse_draft(text, "d.md")
    assert str(error.value).startswith(message)


def test_newlines_tabs_and_bidi_marks_in_the_body_are_fine() -> None:
    body = "Line one\r\n\tindented\n\u202bعربي\u202c and \u200fמשהו\n"
    assert parse_draft(body).body == body


def test_publishing_options_are_read_from_the_front_matter() -> None:
    text = (
        '+++\nlanguage = "zh-Hant"\nvisibility = "unlisted"\nreply_visibility = "private"\n'
        'content_warning = "Задержания"\nreplies = "mentioned"\nquotes = false\n+++\nx'
    )
    draft = parse_draft(text, "d.md")
    assert draft.unknown_keys == ()
    assert draft.post_options == PostOptions(
        "zh-Hant", "unlisted", "private", "Задержания", "mentioned", "not_first"
    )
    assert parse_draft('+++\nquotes = "none"\n+++\nx').post_options.quotes == "nobody"
    assert parse_draft("+++\nquotes = true\n+++\nx").post_options.quotes == "everyone"
    assert parse_draft("x").post_options == PostOptions()
