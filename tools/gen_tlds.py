"""Generate composer/text/_tlds.py from twitter-text's tlds.yml conformance file.

twitter-text keeps its list of valid top-level domains in two places that must agree: the
regexes of each port and the conformance file ``tlds.yml`` (one test per TLD, ``generic`` and
``country`` sections). We take the conformance file as the source so that the list we match is
exactly the list the conformance tests check.

Usage: uv run python tools/gen_tlds.py [path/to/tlds.yml]
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT / "tests" / "data" / "twitter-text" / "tlds.yml"
TARGET = REPO_ROOT / "composer" / "text" / "_tlds.py"
URL_PREFIX = "https://twitter."
WRAP_WIDTH = 92

HEADER = '''"""Top-level domains accepted by twitter-text's URL rules (generic and country-code).

GENERATED FILE, do not edit: written by tools/gen_tlds.py from twitter-text's conformance file
tests/data/twitter-text/tlds.yml (Apache-2.0, see the LICENSE beside it). Each test there has the
form ``https://twitter.<tld>``. Regenerate with ``uv run python tools/gen_tlds.py``.

Sorted in descending code-point order, as twitter-text does, so that a TLD always precedes any
shorter TLD that is a prefix of it. Kept as whitespace-separated strings because a tuple literal
of 1,500 strings takes ten times longer to import.
"""
'''


def read_tlds(source: Path) -> dict[str, list[str]]:
    tests = yaml.safe_load(source.read_text(encoding="utf-8"))["tests"]
    tlds: dict[str, list[str]] = {}
    for section in ("generic", "country"):
        names = []
        for case in tests[section]:
            text = case["text"]
            if not text.startswith(URL_PREFIX) or case["expected"] != [text]:
                raise ValueError(f"unexpected tlds.yml case: {case!r}")
            names.append(text[len(URL_PREFIX) :])
        tlds[section] = sorted(set(names), reverse=True)
        if " ".join(tlds[section]).split() != tlds[section]:
            raise ValueError(f"a {section} TLD holds whitespace")  # the module splits on it
    return tlds


def display_width(text: str) -> int:
    """Columns as ruff measures a line: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(names: list[str], width: int) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    for name in names:
        if line and display_width(" ".join([*line, name])) > width:
            lines.append(" ".join(line))
            line = []
        line.append(name)
    lines.append(" ".join(line))
    return lines


def render(tlds: dict[str, list[str]]) -> str:
    lines = [HEADER]
    for constant, section in (("GENERIC_TLDS", "generic"), ("COUNTRY_TLDS", "country")):
        lines.append(f"{constant}: tuple[str, ...] = tuple(")
        lines.append('    """')
        lines.extend(f"    {line}" for line in wrap(tlds[section], width=WRAP_WIDTH))
        lines.append('    """.split()')
        lines.append(")")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    TARGET.write_text(render(read_tlds(source)), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main(sys.argv)
