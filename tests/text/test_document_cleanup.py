"""The cleanup of a PDF's pages into a draft's body, on pages laid out here."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from composer.text.document_cleanup import Block, Line, Page, Removed, clean_pages, render

CHAR = 5.0  # points per character in the synthetic layout
LEFT = 72.0
STEP = 14.0  # from one line's top to the next
BODY = 11.0


def line(text: str, top: float, *, left: float = LEFT, size: float = BODY) -> Line:
    return Line(
        text, top=top, bottom=top + size, left=left, right=left + CHAR * len(text), size=size
    )


def lay_out(
    paragraphs: list[str], *, per_page: int = 12, width: int = 60, header: str | None = None
) -> list[Page]:
    """Paragraphs wrapped and set on pages as a word processor would: a blank line's space
    between paragraphs, a running header and a page number at the bottom of each page."""
    rows: list[tuple[str, bool]] = []  # (line, first line of a paragraph)
    for paragraph in paragraphs:
        wrapped = textwrap.wrap(paragraph, width)
        rows.extend((text, i == 0) for i, text in enumerate(wrapped))
    pages: list[Page] = []
    for start in range(0, len(rows), per_page):
        number = len(pages) + 1
        lines = [line(header, 30.0)] if header else []
        top = 80.0
        for text, first in rows[start : start + per_page]:
            if first and top > 80.0:
                top += STEP
            lines.append(line(text, top))
            top += STEP
        lines.append(line(f"- {number} -", 800.0))
        pages.append(Page(tuple(lines)))
    return pages


WORDS = st.sampled_from(
    "monitors observed the count in polling stations across all regions and noted "
    "irregularities which were reported to commission".split()
)
# One sentence a paragraph: where a sentence ends a page's last line, the paragraph is taken
# to end there too (test_a_paragraph_goes_on_across_a_page_break has several sentences).
CLAUSE = st.lists(WORDS, min_size=3, max_size=12).map(" ".join)
PARAGRAPH = st.lists(CLAUSE, min_size=1, max_size=6).map(lambda c: ", ".join(c) + ".")
NAMES = "Almaty Astana Shymkent Aktobe Karaganda Taraz Pavlodar Oskemen".split()


@settings(max_examples=60, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=8))
def test_paragraphs_come_back_whole_without_headers_and_page_numbers(
    sentences: list[str],
) -> None:
    paragraphs = [f"{name}: {text}" for name, text in zip(NAMES, sentences, strict=False)]
    header = "Joint statement of the coalition, 2026"
    pages = lay_out(paragraphs, header=header)
    cleaned = clean_pages(pages)
    # A header on one page only is not a running one: it stays, as its own paragraph.
    kept = [header] if len(pages) == 1 else []
    assert cleaned.text == "\n\n".join([*kept, *paragraphs]) + "\n"
    assert cleaned.removed.page_numbers == len(pages)
    assert cleaned.removed.headers == (0 if len(pages) == 1 else len(pages))


def test_a_paragraph_goes_on_across_a_page_break() -> None:
    text = " ".join(f"Sentence {n} of the long paragraph goes on here" for n in range(6)) + "."
    pages = lay_out([text, "A second paragraph."], per_page=3, header="Statement")
    assert len(pages) > 1
    assert clean_pages(pages).text == f"{text}\n\nA second paragraph.\n"


def test_page_number_shapes() -> None:
    for shape in ("3", "- 3 -", "– 3 –", "Page 3 of 9", "3/9", "p. 3", "Стр. 3", "3 of 9"):
        page = Page((line("Text of the page.", 80.0), line(shape, 800.0)))
        cleaned = clean_pages([page])
        assert cleaned.text == "Text of the page.\n", shape
        assert cleaned.removed.page_numbers == 1
    # A number in the text is not a page number.
    page = Page(tuple(line(t, 80.0 + i * STEP) for i, t in enumerate(["The vote was", "3"])))
    assert clean_pages([page]).text == "The vote was 3\n"


def test_running_header_with_the_page_number_in_it() -> None:
    pages = [
        Page(
            (
                line(f"OSCE report — page {n}", 30.0),
                line(f"{city} is where page {n} starts and", 80.0),
                line(f"where it ends, {n * 7} lines on.", 94.0),
            )
        )
        for n, city in enumerate(NAMES[:3], start=1)
    ]
    cleaned = clean_pages(pages)
    assert "OSCE report" not in cleaned.text
    assert cleaned.removed.headers == 3


def test_hyphenation_joined_only_where_the_joined_word_is_a_word() -> None:
    rows = [
        "The commission found the results of the count in-",  # "incomplete" is lowercase
        "complete and the process was well-",  # "well-known" appears with its hyphen
        "known to observers; the Jean-",  # "Paul": a capital, found nowhere joined
        "Paul Marat school and the well-known station reported a sepa-",
        "rate count. The separate count was late.",
    ]
    page = Page(tuple(line(t, 80.0 + i * STEP) for i, t in enumerate(rows)))
    cleaned = clean_pages([page])
    assert cleaned.text == (
        "The commission found the results of the count incomplete and the process was "
        "well-known to observers; the Jean-Paul Marat school and the well-known station "
        "reported a separate count. The separate count was late.\n"
    )
    assert cleaned.removed.hyphenations == 2


def test_footnotes_move_to_the_end_or_are_dropped() -> None:
    small = BODY * 0.75
    page = Page(
        (
            line("The mission observed the count¹ in forty", 80.0),
            line("stations[2] and noted irregularities.", 94.0),
            line("¹ Count of 3 May.", 700.0, size=small),
            line("2 See the annex, which lists the", 710.0, size=small),
            line("stations.", 720.0, size=small),
        )
    )
    moved = clean_pages([page])
    assert moved.text == (
        "The mission observed the count in forty stations and noted irregularities.\n\n"
        "Notes\n\n1. Count of 3 May.\n\n2. See the annex, which lists the stations.\n"
    )
    assert moved.removed.footnotes == 2
    assert "moved 2 footnotes to the end" in moved.removed.summary()
    dropped = clean_pages([page], footnotes="drop")
    assert dropped.text == (
        "The mission observed the count in forty stations and noted irregularities.\n"
    )
    assert dropped.removed.summary() == "removed 2 footnotes"


def test_lists_and_headings_keep_their_own_lines() -> None:
    rows = [
        ("Findings", 16.0),
        ("The mission found:", BODY),
        ("• ballots were counted in", BODY),
        ("  closed rooms;", BODY),
        ("• observers were sent out.", BODY),
        ("The count ended at night.", BODY),
    ]
    lines = []
    for i, (text, size) in enumerate(rows):
        indent = LEFT + 10 if text.startswith("  ") else LEFT
        lines.append(line(text.strip(), 80.0 + i * STEP, left=indent, size=size))
    cleaned = clean_pages([Page(tuple(lines))])
    assert cleaned.text == (
        "Findings\n\nThe mission found:\n\n- ballots were counted in closed rooms;\n"
        "- observers were sent out.\n\nThe count ended at night.\n"
    )
    assert cleaned.first_heading == "Findings"


def test_a_dash_inside_a_wrapped_sentence_is_not_a_list() -> None:
    rows = ["Председатель комиссии сказал, что подсчёт", "- как и прежде - был закрыт."]
    page = Page(tuple(line(t, 80.0 + i * STEP) for i, t in enumerate(rows)))
    assert clean_pages([page]).text == (
        "Председатель комиссии сказал, что подсчёт - как и прежде - был закрыт.\n"
    )


def test_two_columns_are_read_one_after_the_other() -> None:
    # The reader gives the left column, then the right one (its lines start higher again).
    left = ["The first column starts the", "paragraph and goes on to the"]
    right = ["second column, where it ends.", "A new paragraph follows it."]
    lines = [line(t, 80.0 + i * STEP) for i, t in enumerate(left)]
    lines += [line(t, 80.0 + i * STEP, left=320.0) for i, t in enumerate(right)]
    assert clean_pages([Page(tuple(lines))]).text == (
        "The first column starts the paragraph and goes on to the second column, where it "
        "ends. A new paragraph follows it.\n"
    )


def test_an_indented_first_line_starts_a_paragraph() -> None:
    rows = [(LEFT, "One paragraph ends here."), (LEFT + 18, "Another starts, indented.")]
    # Both lines reach the same width, so only the indent tells.
    lines = [
        Line(t, top=80.0 + i * STEP, bottom=91.0 + i * STEP, left=x, right=400.0, size=BODY)
        for i, (x, t) in enumerate(rows)
    ]
    assert clean_pages([Page(tuple(lines))]).text == (
        "One paragraph ends here.\n\nAnother starts, indented.\n"
    )


def test_without_layout_lines_join_until_a_sentence_ends() -> None:
    page = Page((Line("The count was"), Line("closed."), Line("Observers left.")))
    assert clean_pages([page]).text == "The count was closed.\n\nObservers left.\n"


def test_render_blocks() -> None:
    blocks = [
        Block("Title", "heading"),
        Block("Text  with\nspaces."),
        Block("- one", "item"),
        Block("- two", "item"),
        Block(""),
        Block("End."),
    ]
    assert render(blocks) == "Title\n\nText with spaces.\n\n- one\n- two\n\nEnd.\n"
    assert render([]) == ""


def test_summary_line() -> None:
    removed = Removed(headers=9, page_numbers=9, hyphenations=14, footnotes=3)
    assert removed.summary() == (
        "removed 9 running headers, 9 page numbers; joined 14 hyphenated words; "
        "moved 3 footnotes to the end"
    )
    assert Removed().summary() == "nothing removed"
    assert Removed(page_numbers=1).summary() == "removed 1 page number"
