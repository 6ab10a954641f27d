"""LinkedIn's little text format: the one escaping of a post's text, and its count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from composer.text import count
from composer.text.measures import LITTLE_RESERVED, little_escape, little_unescape


def test_reserved_characters_are_escaped_hashtags_and_links_kept() -> None:
    text = "Vote (2026) [x] {y} <z> @a|b ~c~ *d* _e_ C# \\ #Kazakhstan https://ex.org/a_(b)"
    assert little_escape(text) == (
        "Vote \\(2026\\) \\[x\\] \\{y\\} \\<z\\> \\@a\\|b \\~c\\~ \\*d\\* \\_e\\_ C\\# \\\\ "
        "#Kazakhstan https://ex.org/a_(b)"
    )


@given(st.text(alphabet=st.sampled_from([*LITTLE_RESERVED, "a", " ", "\n", "é", "😀"])))
def test_unescaping_gives_the_text_back_and_the_count_is_the_escaped_length(text: str) -> None:
    escaped = little_escape(text)
    assert little_unescape(escaped) == text
    assert count(text, "linkedin") == len(escaped.encode("utf-16-le", "surrogatepass")) // 2
