from __future__ import annotations

import pytest

from composer.text.numbering import Numbering, NumberingError

CASES = [
    ("{i}/{n}", "3/12 Body"),
    ("prefix", "3/12 Body"),
    ("suffix", "Body 3/12"),
    ("paren", "Body (3/12)"),
    ("({i}/{n})", "(3/12) Body"),
    ("thread", "🧵 3/12 Body"),
    ("thread-suffix", "Body 🧵 3/12"),
    ("none", "Body"),
    ("{text}\n\n{i}/{n}", "Body\n\n3/12"),
    ("[{i}]", "[3] Body"),
]


@pytest.mark.parametrize(("spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_render(spec: str, expected: str) -> None:
    assert Numbering.parse(spec).render(3, 12, "Body") == expected


def test_hook_and_single_post_are_unnumbered() -> None:
    scheme = Numbering.parse("{i}/{n}", hook=True)
    assert scheme.render(1, 5, "Hook") == "Hook"
    assert scheme.render(2, 5, "Next") == "2/5 Next"
    assert Numbering.parse("{i}/{n}").render(1, 1, "Only") == "Only"


@pytest.mark.parametrize(
    "spec",
    ["{x}/{n}", "{text} {text}", "{i", "{0}", "{i:>999999999}", "{i:Z}", "{n!r}", "{text:x}"],
)
def test_bad_formats(spec: str) -> None:
    with pytest.raises(NumberingError, match="bad numbering format"):
        Numbering.parse(spec)
