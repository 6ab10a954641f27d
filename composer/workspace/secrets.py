"""Reading the accounts file's secrets: from an environment variable, a command (`*_cmd`,
e.g. a password manager) or the file itself.

What is guaranteed here, whatever the source:

- a value is checked when read: a control character (or bytes that are not UTF-8 from a
  command) is refused with one line naming the account and key, never the value, so it
  never becomes an HTTP header;
- every value read is registered with composer.redaction, so no message, log record
  or stored reason that passes through `redact` can show it;
- a command runs in its own process group with no shell, and the whole group is ended
  when it times out or when it returns leaving children behind; its output is never shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from composer.errors import ComposerError
from composer.text.patterns import compile_on_use

COMMAND_TIMEOUT = 10.0
"""Seconds a `*_cmd` secret command may run before it counts as failed."""

_CONTROL = compile_on_use(r"[\x00-\x1f\x7f-\x9f]")


class ConfigError(ComposerError, ValueError):
    """A problem with the accounts file or one of its secrets; the message names the file,
    line and key (never a secret's value)."""


class Secret:
    """A secret value that does not show itself: repr and str are `Secret('***')`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: pass it to the HTTP client, never to a log or a message."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac  # here, not at the top: `split` starts without hashlib

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(Secret)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class SecretSource:
    """Where one secret comes from: an environment variable, a command, or the file itself."""

    key: str
    kind: Literal["env", "cmd", "inline"]
    reference: str = ""  # the variable name or the command; empty for inline
    line: int = 1
    inline: Secret | None = None

    @property
    def config_key(self) -> str:
        """The key as written in the file: `access_token_env`, `access_token_cmd`, ..."""
        return self.key if self.kind == "inline" else f"{self.key}_{self.kind}"

    def __repr__(self) -> str:
        where = f" {self.reference}" if self.kind == "env" else ""
        return f"SecretSource({self.key!r}, {self.kind}{where})"


def resolve(source: SecretSource, where: str, timeout: float) -> Secret:
    """Read one secret, check it and register it for redaction. Error messages name the key
    and the variable or command, never a value."""
    label = f"{where}: {source.config_key}"
    if source.kind == "inline":
        assert source.inline is not None
        value = source.inline.reveal()
    elif source.kind == "env":
        value = env_value(source.reference, label)
    else:
        value = _from_command(source.reference, label, timeout)
    value = value.strip()
    if _CONTROL.search(value):
        raise ConfigError(
            f"{where}: the value of {source.config_key} holds a control character; "
            "a secret must be printable text"
        )
    from composer.redaction import register_secret  # here: `split` starts without its patterns

    register_secret(value)
    return Secret(value)


def env_value(name: str, label: str, what: str = "") -> str:
    """The value of the environment variable `name`; ConfigError naming `label` and saying
    whether it is unset or empty (blank counts as empty), with the export to run. `what`
    (e.g. "notification URLs") says in the hint what the variable should hold."""
    value = os.environ.get(name, "")
    if not value.strip():
        state = "is empty" if name in os.environ else "is not set"
        holds = f" ({what})" if what else ""
        raise ConfigError(
            f"{label}: environment variable {name} {state}; "
            f"export {name}=...{holds} before running thread-composer"
        )
    return value


def _from_command(command: str, label: str, timeout: float) -> str:
    """The first line `command` prints (it is not run through a shell)."""
    import shlex

    text = command_output(
        shlex.split(command),
        label,
        command,
        timeout,
        waiting="is the password manager waiting for a passphrase?",
    )
    first = text.splitlines()[0].strip() if text.strip() else ""
    if not first:
        raise ConfigError(f"{label}: command {command!r} printed nothing on its first line")
    return first


def command_output(
    argv: list[str],
    label: str,
    command: str,
    timeout: float,
    *,
    waiting: str,
    limit: int | None = None,
) -> str:
    """What `argv` prints on standard output, as UTF-8 text; ConfigError (one line naming
    `label` and `command`, never what it printed: it could hold a secret) when it cannot be
    run, times out (`waiting` says what it may be waiting for), fails, prints bytes that
    are not UTF-8 or more than `limit` bytes."""
    import subprocess  # here, with the runner: `split` never runs a command

    from composer.workspace.external_commands import OutputTooLong, run_command

    try:
        status, output = run_command(argv, timeout, limit=limit)
    except FileNotFoundError:
        raise ConfigError(f"{label}: command not found: {command!r}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"{label}: command {command!r} did not finish within {timeout:g} s ({waiting})"
        ) from None
    except OutputTooLong:
        raise ConfigError(f"{label}: command {command!r} printed more than {limit} bytes") from None
    except OSError as error:
        raise ConfigError(
            f"{label}: cannot run command {command!r}: {error.strerror or error}"
        ) from None
    if status != 0:
        # Its output is not shown: it could hold the secret. Run the command to see why.
        raise ConfigError(
            f"{label}: command {command!r} failed with exit status {status}; "
            "run it yourself to see why"
        )
    try:
        return output.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            f"{label}: command {command!r} printed bytes that are not UTF-8 text"
        ) from None
