"""The accounts file (`accounts.toml`): accounts and their secrets, contacts, hashtag rules.

    [accounts.ank-x]
    platform = "x"
    handle = "@example"
    access_token_env = "X_ACCESS_TOKEN"      # or access_token_cmd = "pass show x/token"
    ...
    [contacts.hrw]
    name = "Human Rights Watch"
    x = "@hrw"
    [hashtags]
    terms = ["Kazakhstan", "Human Rights"]
    [defaults]
    timezone = "Asia/Almaty"

`accounts.example.toml` at the repository root documents every key. Every error is a
`ConfigError` whose message names the file, the line and the key. Secrets are read only
when asked for (`Account.secret(key)`), so commands that need no account (split, count,
schedule) never run a password manager or need environment variables; and no message,
repr or str ever holds a secret's value.

This module is the accounts file's public face (reading it); the rest lives beside it:
the data (`Account`, `Config`, ...) in `accounts`, the key-by-key checks in `config_checks`
(an account's in `account_checks`), TOML line numbers in `toml_lines`, and what each
platform takes in `composer.text.platform_facts`.
"""

from __future__ import annotations

from pathlib import Path

from composer.workspace.accounts import (
    DEFAULT_CONFIG_NAME,
    EXAMPLE_CONFIG_NAME,
    Account,
    Config,
    Contact,
    Defaults,
    Hashtags,
)
from composer.workspace.config_checks import check_config
from composer.workspace.secrets import COMMAND_TIMEOUT, ConfigError, Secret, SecretSource
from composer.workspace.toml_lines import load_toml

__all__ = [
    "COMMAND_TIMEOUT",
    "DEFAULT_CONFIG_NAME",
    "EXAMPLE_CONFIG_NAME",
    "Account",
    "Config",
    "ConfigError",
    "Contact",
    "Defaults",
    "Hashtags",
    "Secret",
    "SecretSource",
    "config_path",
    "load_config",
    "parse_config",
]


def config_path(explicit: str | None, folder: Path = Path()) -> Path | None:
    """Which accounts file a command reads: the one named, else ./accounts.toml, else the
    bundled accounts.example.toml; None when there is neither. (Shell completion asks too,
    so this stays light: it reads nothing.)"""
    if explicit:
        return Path(explicit)
    for name in (DEFAULT_CONFIG_NAME, EXAMPLE_CONFIG_NAME):
        if (folder / name).exists():
            return folder / name
    return None


def load_config(path: Path | str, *, command_timeout: float = COMMAND_TIMEOUT) -> Config:
    """Read and check the accounts file. Secrets are not read here (see Account.secret)."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{name}: no such file; create it from the example: "
            f"cp {EXAMPLE_CONFIG_NAME} {name}  (then fill in your accounts)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{name} is a folder, not an accounts file") from None
    except OSError as error:
        raise ConfigError(f"cannot read {name}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{name} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    return parse_config(text, name=name, path=path, command_timeout=command_timeout)


def parse_config(
    text: str,
    *,
    name: str = DEFAULT_CONFIG_NAME,
    path: Path | None = None,
    command_timeout: float = COMMAND_TIMEOUT,
) -> Config:
    """Parse the text of an accounts file. Inline secrets need `path` (its mode is checked)."""
    text = text.removeprefix("\ufeff")
    data = load_toml(text, name)
    return check_config(data, text, name, path, command_timeout)
