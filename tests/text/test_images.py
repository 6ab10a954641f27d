"""Image lines in a report: not post text, attached to the post before them, a clean cut
after them, at most a platform's number a post (composer.text.images, splitting)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.text import split
from composer.text.breaks import BreakKind
from composer.text.images import Image, alt_text_problem, find_images, image_line
from composer.text.splitting import ImageLineError, SplitError
from tests.text.checks import assert_valid_thread

PHOTO = "![Police detain a protester outside the akimat](photos/akimat.jpg)"
SENTENCES = " ".join(f"Sentence number {n} says something about the trial." for n in range(1, 9))


def test_the_image_line_is_not_post_text_and_is_not_counted() -> None:
    text = "A" * 270 + ".\n" + PHOTO + "\n"
    thread = split(text, "x", numbering="none")
    assert len(thread.posts) == 1  # 271 characters: the 67 of the image line do not count
    [post] = thread.posts
    assert post.text == "A" * 270 + "."
    assert post.length == 271
    assert post.media == (
        Image("Police detain a protester outside the akimat", "photos/akimat.jpg", 2),
    )


def test_an_image_goes_to_the_post_of_the_text_before_it_and_the_cut_falls_after_it() -> None:
    described = "Line 1 of the account of the detention, in some detail."
    first = "\n".join(f"Line {n} of the account of the detention, in some detail." for n in (0, 1))
    rest = "\n".join(f"Line {n} of what the court decided the day after." for n in range(2, 6))
    thread = split(f"{first}\n{PHOTO}\n{rest}\n", "x")
    assert_valid_thread(thread)
    assert [len(post.media) for post in thread.posts] == [1, 0]
    assert thread.posts[0].body.endswith(described)  # the photo ends the post describing it
    assert thread.posts[0].cut is BreakKind.PARAGRAPH
    # Without the image, the cut falls elsewhere: the image made this one the better.
    plain = split(f"{first}\n{rest}\n", "x")
    assert len(plain.posts) == 2
    assert not plain.posts[0].body.endswith(described)


def test_an_image_before_any_text_goes_to_the_first_post() -> None:
    thread = split(f"{PHOTO}\n\n{SENTENCES}", "x")
    assert thread.posts[0].media and thread.posts[0].media[0].line == 1
    assert all(not post.media for post in thread.posts[1:])
    assert "![" not in thread.posts[0].text


def test_several_image_lines_in_a_row_go_to_one_post() -> None:
    images = "\n".join(f"![Photo {n}](p{n}.jpg)" for n in range(1, 5))
    thread = split(f"{SENTENCES}\n\n{images}\n\n{SENTENCES}", "bluesky")
    carrying = [post for post in thread.posts if post.media]
    assert len(carrying) == 1
    assert [image.alt for image in carrying[0].media] == [f"Photo {n}" for n in range(1, 5)]
    assert [image.line for image in carrying[0].media] == [3, 4, 5, 6]


def test_more_images_in_a_row_than_a_post_takes_is_an_error_naming_the_line() -> None:
    images = "\n\n".join(f"![Photo {n}](p{n}.jpg)" for n in range(1, 6))  # blank lines too
    with pytest.raises(ImageLineError) as caught:
        split(f"Intro.\n{images}\nEnd.", "x", first_line=4)
    assert isinstance(caught.value, SplitError)  # every front end already says it in one line
    assert caught.value.line == 4 + 1 + 8  # the fifth image, in the file's numbering
    assert str(caught.value).startswith("line 13: 5 images in a row")
    assert "a x post takes 4" in str(caught.value)
    # An instance that takes more (Mastodon's max_media_attachments) takes them.
    thread = split(f"Intro.\n{images}\nEnd.", "mastodon", images_per_post=6)
    assert len(thread.posts[0].media) == 5


def test_images_apart_are_spread_over_posts_rather_than_dropped() -> None:
    three = "\n".join(f"![Photo {n}](p{n}.jpg)" for n in range(3))
    text = f"Short intro.\n{three}\nA second short paragraph.\n{three}\nThe end."
    thread = split(text, "x")  # the text fits one post; six images do not
    assert_valid_thread(thread)
    assert [len(post.media) for post in thread.posts] == [3, 3]
    assert sum(len(post.media) for post in thread.posts) == 6


def test_the_rule_an_image_inside_a_code_block_or_a_line_of_text_is_text() -> None:
    text = (
        "Hello world.\n"
        "See ![the chart](chart.png) below.\n"  # inside a line of text: text, and a warning
        "```\n![not an image](code.png)\n```\n"  # inside a fenced code block: text
        "  ![indented, own line](own.jpg)  \n"  # own line, spaces around: an image
        "still the same paragraph.\n"
    )
    thread = split(text, "mastodon", numbering="none", first_line=10)
    [post] = thread.posts
    assert [image.path for image in post.media] == ["own.jpg"]
    assert post.media[0].line == 15
    assert "See ![the chart](chart.png) below." in post.text
    assert "![not an image](code.png)" in post.text
    assert "own.jpg" not in post.text
    assert thread.warnings == [
        "line 11: an image inside a line of text is published as text; "
        "put it on a line of its own to attach it"
    ]


@pytest.mark.parametrize(
    ("line", "alt", "path"),
    [
        ("![Акимат, 3 мая](фото/акимат 3.jpg)", "Акимат, 3 мая", "фото/акимат 3.jpg"),
        ("![A chart](<charts/turn out (final).png>)", "A chart", "charts/turn out (final).png"),
        ('![A chart](chart.png "Turnout")', "A chart", "chart.png"),
        (r"![He said \[sic\] no](a\)b.jpg)", "He said [sic] no", "a)b.jpg"),
        ("![He said [sic] no](x.jpg)", "He said [sic] no", "x.jpg"),
        ("![Chart](<turnout.png> 'Turnout')", "Chart", "turnout.png"),
        ("![](empty alt.jpg)", "", "empty alt.jpg"),
        ("![  spaced\talt  ](x.jpg)", "spaced alt", "x.jpg"),
    ],
)
def test_paths_with_spaces_and_unicode_and_markdown_forms(line: str, alt: str, path: str) -> None:
    found = find_images(f"Text.\n{line}\nMore text.\n")
    assert [(image.alt, image.path) for _, image in found.images] == [(alt, path)]
    assert found.text == "Text.\nMore text.\n"


@pytest.mark.parametrize(
    "line",
    [
        "![a](x.jpg) (see below)",  # text after the image: an image inside a line of text
        "Look: ![a](x.jpg)",
        "![a](x.jpg) ![b](y.jpg)",
    ],
)
def test_an_image_with_text_on_its_line_is_text_with_a_warning(line: str) -> None:
    found = find_images(f"Intro.\n{line}\n", first_line=3)
    assert found.images == ()
    assert found.text == f"Intro.\n{line}\n"
    assert found.warnings and found.warnings[0].startswith("line 4: an image inside a line")


def test_hashtag_terms_are_not_linked_inside_an_image_line() -> None:
    text = "![Police in Almaty](almaty.jpg)\nProtest in Almaty today."
    thread = split(text, "x", numbering="none", hashtag_terms=["Almaty"])
    [post] = thread.posts
    assert post.text == "Protest in #Almaty today."
    assert post.media[0].alt == "Police in Almaty"
    assert post.media[0].path == "almaty.jpg"


def test_a_text_without_image_lines_is_split_as_before() -> None:
    text = f"{SENTENCES}\n\n{SENTENCES}"
    assert find_images(text).text == text
    assert all(post.media == () for post in split(text, "x").posts)


def test_alt_text_problems() -> None:
    image = Image("", "photos/akimat.jpg", 7)
    assert "akimat.jpg has no alt text" in alt_text_problem(image, "x", 1000, required=True)
    assert alt_text_problem(image, "x", 1000, required=False) == ""
    long = Image("a" * 1001, "p.jpg", 7)
    assert alt_text_problem(long, "x", 1000, required=True) == (
        "the alt text of p.jpg has 1001 characters; x takes at most 1000"
    )
    assert alt_text_problem(long, "mastodon", 1500, required=True) == ""


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(["![Photo](p.jpg)", "![](q.png)", "---"]),
            st.text(alphabet="abc де .,\n", min_size=1, max_size=120),
        ),
        min_size=1,
        max_size=30,
    ),
    platform=st.sampled_from(["x", "mastodon", "bluesky"]),
)
def test_every_image_goes_to_exactly_one_post_in_order(parts: list[str], platform: str) -> None:
    text = "\n".join(parts)
    try:
        thread = split(text, platform)
    except ImageLineError:
        return  # five in a row: refused, never dropped
    assert_valid_thread(thread)
    found = find_images(text.replace("\r", "\n"))
    if thread.posts:
        attached = [image for post in thread.posts for image in post.media]
        assert attached == [image for _, image in found.images]
        assert all(len(post.media) <= 4 for post in thread.posts)
        assert all("![Photo](p.jpg)" not in post.text for post in thread.posts)


def test_inline_images_on_many_lines_make_one_warning() -> None:
    text = "Look: ![a](x.jpg) and ![b](y.jpg)\n" * 20_000 + "![c](z.jpg)\n" * 20_000
    found = find_images(text, first_line=2)
    assert len(found.images) == 20_000
    assert found.warnings == (
        "lines 2, 3, 4, 5, 6 and 19995 more: an image inside a line of text is published as "
        "text; put it on a line of its own to attach it",
    )
    assert found.images[-1][1].line == 40_001


@pytest.mark.parametrize(
    "between",
    [
        "\n\n![Police at the akimat](p.jpg)\n\n",  # an image paragraph of its own
        "\n\n![Police at the akimat](p.jpg)\n\n\n\n",  # with extra blank lines after it
        "\n![Police at the akimat](p.jpg)\n\n",
        "\n\n![Police at the akimat](p.jpg)\n",
    ],
)
def test_an_image_line_leaves_one_paragraph_break_in_the_post(between: str) -> None:
    """The post text is what is published: where an image stood there is one blank line,
    not the two its own paragraph left behind."""
    thread = split(f"Observers were detained.{between}They were released at noon.", "bluesky")
    [post] = thread.posts
    assert post.text == "Observers were detained.\n\nThey were released at noon."
    assert [image.alt for image in post.media] == ["Police at the akimat"]


# --- writing an image line (the TUI's insert-image dialog) ---------------------------------


@settings(max_examples=300, deadline=None)
@given(
    alt=st.text(max_size=40),
    path=st.text(min_size=1, max_size=30).filter(
        lambda p: p == p.strip() and len(p.splitlines()) == 1
    ),
)
def test_an_image_line_reads_back_as_written(alt: str, path: str) -> None:
    """Brackets, parentheses, quotes, backslashes and line breaks in the alt text or the
    path come back as written (the alt text's spaces made single, as the parser reads it)."""
    line = image_line(alt, path)
    assert "\n" not in line
    found = find_images(f"Text before.\n{line}\nText after.\n")
    assert [image for _, image in found.images] == [Image(" ".join(alt.split()), path, 2)]
    assert found.text == "Text before.\nText after.\n"


@pytest.mark.parametrize(
    ("alt", "path"),
    [
        ("The court's decision [page 2]", "scans/decision (2).jpg"),
        ("a ] b [ c \\ d", 'photos/a "quoted" name.png'),
        ("two\nlines", "<angle>.jpg"),
        ("", "x.jpg"),
    ],
)
def test_odd_alt_texts_and_paths_round_trip(alt: str, path: str) -> None:
    ((_, image),) = find_images(image_line(alt, path)).images
    assert (image.alt, image.path) == (" ".join(alt.split()), path)


@pytest.mark.parametrize("path", ["", " x.jpg", "x.jpg ", "a\nb.jpg", "a\u2028b.jpg", "a\rb"])
def test_a_path_no_image_line_can_hold_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="one line"):
        image_line("alt", path)
