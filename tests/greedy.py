"""What every surveyed splitter does, done as well as greedy can: fill each post with whole
words left to right, numbering exact, counting each candidate post with the platform's own
count. It keeps the report's whitespace and its "---" breaks, as the splitter does, so the two
produce comparable threads. The baseline the tests and benchmarks compare with."""

from __future__ import annotations

import re

from composer.text import count, platform
from composer.text.breaks import SECTION_MARK
from composer.text.numbering import Numbering


def greedy_split(
    text: str, platform_name: str, numbering: str = "{i}/{n}", hook: bool = False
) -> list[str]:
    """The published texts of a greedy split."""
    limit = platform(platform_name).limit
    scheme = Numbering.parse(numbering, hook=hook)
    sections = [s.strip() for s in SECTION_MARK.split(text.replace("\r\n", "\n"))]
    guess = 2
    bodies: list[str] = []
    for _ in range(6):  # the total is guessed, then corrected until its width is right
        bodies = []
        for section in filter(None, sections):
            current = ""
            for word in re.finditer(r"\S+", section):
                candidate = (
                    (current + gap_before(section, word) + word.group())
                    if current
                    else word.group()
                )
                numbered = scheme.render(len(bodies) + 1, guess, candidate)
                if current and count(numbered, platform_name) > limit:
                    bodies.append(current)
                    current = word.group()
                else:
                    current = candidate
            if current:
                bodies.append(current)
        if len(str(len(bodies))) == len(str(guess)):
            break
        guess = len(bodies)
    total = len(bodies)
    return [scheme.render(i, total, body) for i, body in enumerate(bodies, start=1)]


def gap_before(section: str, word: re.Match[str]) -> str:
    """The whitespace between `word` and the word before it."""
    start = word.start()
    gap_start = start
    while gap_start > 0 and section[gap_start - 1].isspace():
        gap_start -= 1
    return section[gap_start:start]
