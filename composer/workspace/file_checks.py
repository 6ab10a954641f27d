"""Checks of a configuration file that may hold secrets (the accounts file): where a secret
comes from (`NAME_env`, `NAME_cmd` or inline), whether the file may hold one inline, and
command lines. `AccountChecker` and the `[notify]` tables' checks both build on it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from composer.text.patterns import compile_on_use
from composer.workspace.secrets import Secret, SecretSource
from composer.workspace.toml_lines import TableChecker, line_of

__all__ = ["SecretsFileChecker"]

_ENV_NAME = compile_on_use(r"[A-Za-z_][A-Za-z0-9_]*")
_CONTROL = compile_on_use(r"[\x00-\x1f\x7f-\x9f]")


class SecretsFileChecker(TableChecker):
    """A TOML file's checks, plus those of the secrets and commands it may give."""

    def __init__(self, text: str, name: str, path: Path | None, command_timeout: float) -> None:
        super().__init__(text, name)
        self.path = path
        self.command_timeout = command_timeout
        self._mode: int | None = None  # the file's permission bits, read once if needed

    def env_name(self, where: Sequence[str], key: str, value: Any) -> str:
        """The name of an environment variable, as `key` gives it."""
        if not isinstance(value, str) or not _ENV_NAME.fullmatch(value.strip()):
            self.fail(where, f"{key} must name an environment variable, not {value!r}", key)
        return value.strip()

    def command(self, where: Sequence[str], key: str, value: str) -> str:
        """A command line (run without a shell): it must parse and name a program."""
        try:
            argv = shlex.split(value)
        except ValueError as error:
            self.fail(where, f"{key}: cannot parse the command ({error})", key)
        if not argv or _CONTROL.search(value):
            self.fail(where, f"{key} must be a command line of printable text", key)
        return value

    def secret_source(
        self, where: Sequence[str], values: Mapping[str, Any], secret: str
    ) -> SecretSource | None:
        given = [key for key in (f"{secret}_env", f"{secret}_cmd", secret) if key in values]
        if not given:
            return None
        if len(given) > 1:
            self.fail(where, f"give {secret!r} once, not as {' and '.join(given)}", given[1])
        key = given[0]
        value = values[key]
        line = line_of(self.lines, (*where, key))
        if not isinstance(value, str) or not value.strip():
            # Never echo a secret's value, even a malformed one.
            self.fail(where, f"{key} must be a non-empty string", key)
        if key == secret:
            self.check_private(where, secret)
            return SecretSource(secret, "inline", "", line, Secret(value))
        if key.endswith("_env"):
            return SecretSource(secret, "env", self.env_name(where, key, value), line)
        try:
            argv = shlex.split(value)
        except ValueError as error:
            self.fail(where, f"{key}: cannot parse the command ({error})", key)
        if not argv:
            self.fail(where, f"{key} must be a command", key)
        return SecretSource(secret, "cmd", value.strip(), line)

    def check_private(self, where: Sequence[str], secret: str) -> None:
        """An inline secret is accepted only from a file its owner alone can read."""
        if os.name != "posix":
            return
        if self.path is None:
            self.fail(
                where,
                f"inline secret {secret!r} is accepted only from a file readable by its owner "
                f'alone; use {secret}_env = "VAR" or {secret}_cmd = "..."',
                secret,
            )
        if self._mode is None:
            self._mode = self.path.stat().st_mode & 0o777
        if self._mode & 0o077:
            self.fail(
                where,
                f"inline secret {secret!r} in a file that others can read "
                f"(mode {self._mode:04o}): run `chmod 600 {self.name}`, or give it as "
                f'{secret}_env = "VAR" (an environment variable) or {secret}_cmd = "..." '
                "(a command that prints it, e.g. a password manager)",
                secret,
            )
