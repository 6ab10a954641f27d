"""Patterns compiled on first use (composer/text/patterns.py): the same answers as
`re.compile`, and a short English text leaves the emoji and non-Latin ones uncompiled."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import threading

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


def _first_uses_at_once(pattern: re.Pattern[str], threads: int) -> list[object]:
    """`pattern.findall` called by `threads` threads released together; each one's answer,
    or the exception it raised."""
    answers: list[object] = []
    start = threading.Barrier(threads)

    def use() -> None:
        start.wait()
        try:
            answers.append(pattern.findall("a bc"))
        except Exception as error:
            answers.append(error)

    running = [threading.Thread(target=use) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return answers


def test_threads_first_using_a_pattern_together_all_get_answers() -> None:
    """The TUI's preview thread and the app may use a pattern first at the same moment."""
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for _ in range(50):
            namespace: dict[str, object] = {"compile_on_use": compile_on_use}
            exec("P = compile_on_use(r'\\w+')", namespace)  # a module of its own
            pattern = namespace["P"]
            assert not isinstance(pattern, re.Pattern)  # not compiled yet
            assert _first_uses_at_once(pattern, 8) == [["a", "bc"]] * 8  # type: ignore[arg-type]
            assert isinstance(namespace["P"], re.Pattern)
    finally:
        sys.setswitchinterval(switch)
