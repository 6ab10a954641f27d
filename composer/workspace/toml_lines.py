"""Where things are in a TOML text: the line of every table and key, for messages that point.

`tomllib` gives values but not their lines; `key_lines` finds them so that every error of the
accounts file can say `accounts.toml:12: accounts.ank-x: ...`. `load_toml` turns tomllib's
own errors into one such line. Nothing here knows what the accounts file holds.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from composer.text.patterns import compile_on_use
from composer.workspace.secrets import ConfigError

__all__ = [
    "TableChecker",
    "dotted",
    "key_lines",
    "line_of",
    "load_toml",
    "quote_key",
    "suggest",
]

_BARE_KEY = compile_on_use(r"[A-Za-z0-9_-]+")
_TOML_POSITION = compile_on_use(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_LINE = compile_on_use(rf"\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?")
_KEY_LINE = compile_on_use(rf"\s*({_DOTTED})\s*=")


@dataclass(frozen=True, slots=True)
class TomlProblem:
    """Why tomllib refused a text, and where: `line` (1-based) and `column` in that text,
    None when it ran off its end."""

    reason: str
    line: int | None
    column: str | None


def toml_problem(error: tomllib.TOMLDecodeError) -> TomlProblem:
    """The reason and position of a TOML error (Python < 3.14 has the position only in the
    message), for the accounts file and a draft's front matter alike."""
    message = str(error)
    found = _TOML_POSITION.search(message)
    reason = _TOML_POSITION.sub("", message).strip() or "invalid TOML"
    lineno = getattr(error, "lineno", None)  # Python 3.14+
    if lineno:
        return TomlProblem(reason, int(lineno), str(getattr(error, "colno", "?")))
    if found and found.group(1):
        return TomlProblem(reason, int(found.group(1)), found.group(2))
    return TomlProblem(reason, None, None)


def load_toml(text: str, name: str) -> dict[str, Any]:
    """The TOML document `text` (from the file called `name`); ConfigError naming the line."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{name}: invalid TOML: values nested too deeply") from None
    except tomllib.TOMLDecodeError as error:
        problem = toml_problem(error)
        if problem.line is None:
            line, where = max(1, len(text.splitlines())), "at the end of the file"
        else:
            line, where = problem.line, f"column {problem.column}"
        raise ConfigError(f"{name}:{line}: invalid TOML: {problem.reason} ({where})") from None


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line (1-based) where each table and key path of a TOML text is first written.

    Table headers register every prefix of their path; `key = ...` lines register the
    current table's path plus the (possibly dotted) key. Keys inside inline tables are not
    found: ask `line_of` and it falls back to the nearest enclosing path.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2:
                in_multiline = None
            continue
        header = _HEADER_LINE.fullmatch(line)
        if header:
            table = _parse_key(header.group(1)) or table
            for end in range(1, len(table) + 1):
                found.setdefault(table[:end], number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            parts = _parse_key(key.group(1))
            if parts:
                for end in range(1, len(parts) + 1):
                    found.setdefault(table + parts[:end], number)
            rest = line[key.end() :]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2:
                    in_multiline = quotes
                    break
    return found


def line_of(lines: Mapping[tuple[str, ...], int], path: Sequence[str]) -> int:
    """The line of `path`, or of its nearest enclosing path that is written out; else 1."""
    keys = tuple(path)
    while keys:
        if keys in lines:
            return lines[keys]
        keys = keys[:-1]
    return 1


def _parse_key(text: str) -> tuple[str, ...]:
    try:
        nested: Any = tomllib.loads(f"{text} = 0")
    except tomllib.TOMLDecodeError:
        return ()
    parts: list[str] = []
    while isinstance(nested, dict) and len(nested) == 1:
        (key, nested), *_ = nested.items()
        parts.append(key)
    return tuple(parts)


def quote_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else '"' + key.replace('"', '\\"') + '"'


def dotted(path: Sequence[str]) -> str:
    return ".".join(quote_key(part) for part in path)


def suggest(key: str, known: Sequence[str]) -> str:
    """' (did you mean ...?)' for the closest of `known`, or ''."""
    import difflib  # only when a key is wrong: it costs `split` a few ms to load

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class TableChecker:
    """Checks of a parsed TOML document whose every failure is one ConfigError naming the
    file, the line and the key: `fail` and the checks of kinds any table may hold."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = key_lines(text)

    def fail(self, table: Sequence[str], message: str, key: str | None = None) -> NoReturn:
        path = (*table, key) if key is not None else tuple(table)
        line = line_of(self.lines, path)
        where = f"{dotted(table)}: " if table else ""
        raise ConfigError(f"{self.name}:{line}: {where}{message}")

    def check_keys(
        self,
        table: Sequence[str],
        values: Mapping[str, Any],
        known: Sequence[str],
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        for key in values:
            if key in known:
                continue
            hint = suggest(key, known)
            if not hint and elsewhere and key in elsewhere:
                hint = f" ({key!r} is a key of {elsewhere[key]})"
            self.fail(table, f"unknown key {key!r}{hint}", key)

    def table(self, path: Sequence[str], value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path[:-1], f"{path[-1]!r} must be a table ([{dotted(path)}])", path[-1])
        return value

    def string(self, table: Sequence[str], values: Mapping[str, Any], key: str) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(table, f"{key} must be a non-empty string, not {value!r}", key)
        return value.strip()

    # -- the file

    def string_list(
        self,
        where: Sequence[str],
        values: Mapping[str, Any],
        key: str,
        problem: Callable[[str], str | None] | None = None,
    ) -> list[str]:
        """The stripped strings of the list `key` (none listed twice); `problem` says what is
        wrong with one item (None when nothing is), and the first such item fails the check."""
        value = values.get(key, [])
        if not isinstance(value, list):
            self.fail(where, f"{key} must be a list of strings, not {value!r}", key)
        seen: set[str] = set()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(where, f"{key}: every item must be a non-empty string, not {item!r}", key)
            folded = item.strip().removeprefix("#").casefold()
            if folded in seen:
                self.fail(where, f"{key}: {item!r} is listed twice", key)
            seen.add(folded)
            items.append(item.strip())
        for item in items:
            message = problem(item) if problem is not None else None
            if message is not None:
                self.fail(where, message, key)
        return items
