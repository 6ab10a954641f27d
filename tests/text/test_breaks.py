from __future__ import annotations

import pytest

from composer.text.breaks import BreakKind, tokenize

K = BreakKind


def kind_after(text: str, word: str) -> BreakKind:
    for token in tokenize(text):
        if text[token.start : token.end] == word:
            return token.after
    raise AssertionError(f"{word!r} is not a token of {text!r}")


CASES = [
    ("sentence", "One two. Three", "two.", K.SENTENCE),
    ("question", "Why? Because", "Why?", K.SENTENCE),
    ("exclamation before lowercase", "Stop! said he", "Stop!", K.SENTENCE),
    ("closing quote after period", 'He said "no." Then', '"no."', K.SENTENCE),
    ("russian guillemets", "Он сказал «нет». Потом", "«нет».", K.SENTENCE),
    ("clause comma", "one, two", "one,", K.CLAUSE),
    ("clause semicolon", "one; two", "one;", K.CLAUSE),
    ("dash", "one — two", "one", K.CLAUSE),
    ("word", "one two", "one", K.WORD),
    ("line", "one\ntwo", "one", K.LINE),
    ("paragraph", "one\n\ntwo", "one", K.PARAGRAPH),
    ("paragraph with spaces", "one \n \n two", "one", K.PARAGRAPH),
    ("section", "one\n---\ntwo", "one", K.SECTION),
    ("last", "one two", "two", K.END),
    ("No. 37 is one token", "see No. 37 now", "No. 37", K.WORD),
    ("e.g.", "e.g. observers", "e.g.", K.WORD),
    ("i.e.", "i.e. Observers", "i.e.", K.WORD),
    ("a.m. then lowercase", "at 9 a.m. local time", "a.m.", K.WORD),
    ("a.m. then capital", "at 9 a.m. The vote", "a.m.", K.SENTENCE),
    ("Mr.", "Mr. Smith", "Mr.", K.WORD),
    ("initial", "J. Smith", "J.", K.WORD),
    ("т.е.", "т.е. Наблюдатели", "т.е.", K.WORD),
    ("ст. 274 is one token", "по ст. 274 УК", "ст. 274", K.WORD),
    ("г. then lowercase", "в 2022 г. и позже", "г.", K.WORD),
    ("г. then capital", "в 2022 г. Потом", "г.", K.SENTENCE),
    ("им.", "ул. им. Абая", "им.", K.WORD),
    ("ellipsis then lowercase", "and so... then", "so...", K.WORD),
    ("ellipsis then capital", "and so... Then", "so...", K.SENTENCE),
    ("thousands grouping", "about 1 000 000 people", "1 000 000", K.WORD),
    ("no-break space", "5\u00a0000\u00a0tenge here", "5\u00a0000\u00a0tenge", K.WORD),
    ("narrow no-break space", "10\u202f%", "10\u202f%", K.END),
    ("lone closing mark stays attached", "word ) next", "word )", K.WORD),
]


@pytest.mark.parametrize(
    ("text", "word", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_cut_kind(text: str, word: str, expected: BreakKind) -> None:
    assert kind_after(text, word) is expected


def test_tokens_cover_all_non_whitespace() -> None:
    text = "Hello,  world.\n\nNew https://a.org/x?y=1 @hrw #tag 👍🏽\n---\nEnd"
    tokens = tokenize(text)
    assert [text[t.start : t.end] for t in tokens] == [
        "Hello,",
        "world.",
        "New",
        "https://a.org/x?y=1",
        "@hrw",
        "#tag",
        "👍🏽",
        "End",
    ]


def test_clean_kinds() -> None:
    assert [k.clean for k in K] == [True, True, True, True, False, False, False, False]
