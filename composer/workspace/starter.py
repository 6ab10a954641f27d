"""A team's working folder made from nothing (`thread-composer init`): `accounts.toml` from the
example with its accounts commented out, readable by its owner alone, and the example draft.

The two examples are the ones at the repository's root (`accounts.example.toml`,
`drafts/example.md`); the wheel carries them as package data (`composer/examples/`, see
`[tool.hatch.build.targets.wheel.force-include]` in pyproject.toml), so `init` works from an
installed package as from a clone. A file already there is never written over.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from composer.errors import ComposerError
from composer.workspace.accounts import DEFAULT_CONFIG_NAME, EXAMPLE_CONFIG_NAME

__all__ = [
    "EXAMPLE_DRAFT_NAME",
    "Made",
    "StarterError",
    "example_text",
    "make_folder",
    "starter_accounts",
    "systemd_unit",
    "without_password",
]

EXAMPLE_DRAFT_NAME = "example.md"
# Each example: where a clone keeps it, from the repository's root. In the wheel it is
# `composer/examples/NAME`.
_IN_CLONE = {EXAMPLE_CONFIG_NAME: EXAMPLE_CONFIG_NAME, EXAMPLE_DRAFT_NAME: "drafts/example.md"}

_TABLE = re.compile(r"\s*\[")
_RULE = "# ----"  # the example's line between sections
_COPY_LINE = f"cp {EXAMPLE_CONFIG_NAME} {DEFAULT_CONFIG_NAME}"


_MADE_BY_INIT = (
    "#   Made by `thread-composer init`: the example accounts below are commented out with a",
    '#   "#" right before each line ("#platform = ..."). To use one, take those "#" away and',
    '#   fill in your values; "# key = ..." lines (with a space) are optional keys.',
)


class StarterError(ComposerError, ValueError):
    """The folder named for `init` cannot be made or written."""


@dataclass(slots=True)
class Made:
    """What `make_folder` did: the files it wrote, and those it found and left as they were."""

    made: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def example_text(name: str) -> str:
    """An example's text (`accounts.example.toml` or `example.md`): the installed package's
    copy, else the clone's."""
    packaged = resources.files("composer").joinpath("examples", name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    root = Path(__file__).resolve().parent.parent.parent
    return (root / _IN_CLONE[name]).read_text(encoding="utf-8")


def starter_accounts(example: str) -> str:
    """The example accounts file with every `[accounts.NAME]` table commented out (no
    account is on until the user fills one in), its documentation, contacts, hashtags and
    defaults kept as they are; the line telling to copy it says how to use it instead."""
    lines: list[str] = []
    in_account = False
    for line in example.splitlines():
        if _TABLE.match(line):
            in_account = line.lstrip().startswith("[accounts.")
        elif line.startswith(_RULE):
            in_account = False
        if _COPY_LINE in line:
            lines.extend(_MADE_BY_INIT)
            continue
        if in_account and line.strip() and not line.lstrip().startswith("#"):
            line = f"#{line}"  # no space: told apart from the example's optional "# key"
        lines.append(line)
    return "\n".join(lines) + "\n"


def make_folder(folder: Path, *, accounts: Path | None = None, drafts: Path | None = None) -> Made:
    """`folder` (made if needed) with `accounts.toml` (mode 0600) and `drafts/example.md`,
    or the accounts file and drafts folder given; a file already there is kept, never
    written over."""
    made = Made()
    try:
        folder.mkdir(parents=True, exist_ok=True)  # the daemon's working folder, at least
    except OSError as error:
        raise StarterError(f"cannot make {folder}: {error.strerror or error}") from None
    text = starter_accounts(example_text(EXAMPLE_CONFIG_NAME))
    drafts = drafts or folder / "drafts"
    files = (
        (accounts or folder / DEFAULT_CONFIG_NAME, text, 0o600),  # secrets may be inline
        (drafts / EXAMPLE_DRAFT_NAME, example_text(EXAMPLE_DRAFT_NAME), 0o666),
    )
    for path, text, mode in files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            written = _write_new(path, text, mode)
        except OSError as error:
            raise StarterError(f"cannot write {path}: {error.strerror or error}") from None
        (made.made if written else made.kept).append(path)
    return made


def _write_new(path: Path, text: str, mode: int) -> bool:
    """Write `path` with `mode` (less the umask) only if it does not exist (O_EXCL: not even
    one made a moment ago by another program is replaced); whether it was written."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return True


def systemd_unit(folder: Path, executable: str, options: Sequence[str] = ()) -> str:
    """A systemd user unit running the daemon in `folder` (where accounts.toml is), with
    `options` (the global options `init` was given) before `daemon`."""
    command = " ".join(_systemd_word(word) for word in (executable, *options, "daemon"))
    return (
        "[Unit]\n"
        "Description=thread-composer: publish scheduled threads\n"
        "\n"
        "[Service]\n"
        f"WorkingDirectory={str(folder).replace('%', '%%')}\n"  # taken whole: no quotes
        f"ExecStart={command}\n"
        "Restart=on-failure\n"
        "KillSignal=SIGTERM\n"
        "TimeoutStopSec=120\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _systemd_word(word: str) -> str:
    """One word of a unit's command line as systemd reads it back: `%` and `$` doubled (its
    specifiers and variables), quoted when it holds a space, a quote or a backslash."""
    word = word.replace("%", "%%").replace("$", "$$")
    if re.search(r"[\s\"'\\]", word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def without_password(url: str) -> tuple[str, bool]:
    """A database URL as a unit may hold it: its password taken out (PostgreSQL then reads
    it from ~/.pgpass), and whether there was one."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, False
    user = f"{parts.username}@" if parts.username else ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}{host}")), True
