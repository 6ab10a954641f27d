"""What the TUI says is said for the TUI: no command-line flag a person in the composer
cannot type ("use --again"), and "1 post", never "1 posts" (issue 15)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TUI = Path(__file__).resolve().parents[2] / "composer" / "tui"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")  # `--again`, not CSS's `text-area--gutter`
ONE_PLURAL = re.compile(r"\b1 (posts|editions|images|accounts|rules|minutes)\b")


def said(module: Path) -> list[tuple[int, str]]:
    """The string literals of `module` that are not docstrings, with their lines."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


@pytest.mark.parametrize("module", sorted(TUI.glob("*.py")), ids=lambda path: path.name)
def test_the_tui_names_no_command_line_flag(module: Path) -> None:
    flags = [(line, text) for line, text in said(module) if FLAG.search(text)]
    assert flags == [], f"{module.name}: a flag in what the TUI says"


@pytest.mark.parametrize("module", sorted(TUI.glob("*.py")), ids=lambda path: path.name)
def test_one_is_singular(module: Path) -> None:
    wrong = [(line, text) for line, text in said(module) if ONE_PLURAL.search(text)]
    assert wrong == []


def test_the_check_finds_a_flag(tmp_path: Path) -> None:
    """The check itself: a flag in a message is found, CSS and docstrings are not."""
    source = '"""Like `schedule --every`."""\nA = "use --again"\nB = "text-area--gutter"\n'
    module = tmp_path / "probe.py"
    module.write_text(source, encoding="utf-8")
    assert [text for _, text in said(module) if FLAG.search(text)] == ["use --again"]
