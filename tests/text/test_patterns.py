"""Patterns compiled on first use (composer/text/patterns.py): the same answers as
`re.compile`, and a short English text leaves the emoji and non-Latin ones uncompiled."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from composer.text.patterns import compile_on_use
from tests.helpers import ROOT


def test_compiled_on_first_use_and_answers_as_re_does() -> None:
    source = r"(?P<word>\w+)@(?P<host>[a-z.]+)"
    lazy, eager = compile_on_use(source, re.IGNORECASE), re.compile(source, re.IGNORECASE)
    assert lazy.pattern == source and "search" not in vars(lazy)  # .pattern compiles nothing
    text = "Write to Ana@Example.org or to bo@x.kz."
    assert lazy.search(text).groupdict() == eager.search(text).groupdict()  # type: ignore[union-attr]
    assert "search" in vars(lazy)  # compiled once, then called directly
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("<\\g<word>>", text) == eager.sub("<\\g<word>>", text)
    assert lazy.split(text) == eager.split(text)
    assert lazy.fullmatch("a@b") is not None and lazy.match(" a@b") is None
    assert lazy.groupindex == eager.groupindex and lazy.groups == 2
    assert lazy.flags == eager.flags


_MODULE_PATTERN = compile_on_use(r"\d+")


def test_a_module_pattern_is_replaced_by_the_compiled_one_where_it_was_defined() -> None:
    held = _MODULE_PATTERN  # a holder keeps the object, which still answers
    assert not isinstance(_MODULE_PATTERN, re.Pattern)
    assert held.findall("14 of 230") == ["14", "230"]
    assert isinstance(_MODULE_PATTERN, re.Pattern)  # calls now cost what compiled ones do
    assert held.sub("N", "14 of 230") == "N of N"


_COMPILED = """
import re
import sys
import composer.text.entities as entities, composer.text.graphemes as graphemes
import composer.text.xcount as xcount
from composer import split
for platform in ("x", "mastodon", "bluesky"):
    split(sys.stdin.read() if platform == "x" else TEXT, platform)
names = [
    (entities, "_EMOJI_CHUNK"), (graphemes, "_CONTINUING"), (xcount, "_EMOJI_CHAR"),
    (xcount, "_HEAVY_RUN_OR_NONE"),
]
print([name for module, name in names if isinstance(getattr(module, name), re.Pattern)])
"""


def _compiled_after_splitting(text: str) -> list[str]:
    code = f"TEXT = {text!r}\n{_COMPILED}"
    result = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return list(ast.literal_eval(result.stdout))


def test_english_text_leaves_the_emoji_and_non_latin_patterns_uncompiled() -> None:
    english = "The count was slow and observers were kept away from the table. " * 20
    assert _compiled_after_splitting(english) == []
    mixed = "Сайлау 🇰🇿 өтті; бақылаушылар 👩🏽‍⚖️ санауды көре алмады. " * 20
    assert _compiled_after_splitting(mixed) != []  # the same check sees them compile
