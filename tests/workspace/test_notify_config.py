"""The accounts file's [notify] tables: URLs (secrets), events, per-account overrides."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from composer.redaction import forget_secrets, redact
from composer.workspace.config import ConfigError, load_config
from composer.workspace.notify_config import DEFAULT_EVENTS, masked

TOKEN = "S3cretHookToken42"
URL = f"json://127.0.0.1:9/hook/{TOKEN}"
ACCOUNT = """
[accounts.ank]
platform = "mastodon"
instance = "https://example.org"
access_token_env = "T"
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_inline_urls_default_events_and_redaction(tmp_path: Path) -> None:
    forget_secrets()
    config = load_config(write(tmp_path, f'[notify]\nurls = ["{URL}"]\n{ACCOUNT}'))
    settings = config.notify_for("ank")
    assert settings is not None
    assert [u.url for u in settings.urls()] == [URL]
    assert settings.events is None and not settings.wants("published")
    assert all(settings.wants(event) for event in DEFAULT_EVENTS)
    for shown in (repr(settings), repr(config), repr(settings.urls()), redact(f"x {URL} {TOKEN}")):
        assert TOKEN not in shown
    assert masked(URL) == "json://127.0.0.1:9/***"
    assert masked(f"tgram://{TOKEN}/12345") == "tgram://***/***"


def test_account_override_keeps_file_urls(tmp_path: Path) -> None:
    text = f'[notify]\nurls = ["{URL}"]\n{ACCOUNT}\n[accounts.ank.notify]\nevents = ["published"]\n'
    settings = load_config(write(tmp_path, text)).notify_for("ank")
    assert settings is not None and settings.wants("published") and not settings.wants("failed")
    assert [u.url for u in settings.urls()] == [URL]


def test_no_notify_table_means_no_settings(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, ACCOUNT)).notify_for("ank") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[notify]\nurls = ["not a url"]\n', "accounts.toml:2: notify: urls: item 1 is not"),
        (f'[notify]\nurls = ["{URL}"]\nevents = ["faild"]\n', "3: notify: unknown event 'faild'"),
        ('[notify]\nurls_env = "1BAD"\n', "accounts.toml:2: notify: urls_env must name"),
        ('[notify]\nurl = "x"\n', "accounts.toml:2: notify: unknown key 'url'"),
        (f'{ACCOUNT}[accounts.ank.notify]\nevents = ["sent"]\n', "accounts.ank.notify: unknown"),
    ],
)
def test_bad_notify_tables_are_one_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert expected in str(error.value)
    assert TOKEN not in str(error.value) and "\n" not in str(error.value)


def test_inline_urls_need_a_private_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="chmod 600"):
        load_config(write(tmp_path, f'[notify]\nurls = ["{URL}"]\n', mode=0o644))


def test_urls_from_environment_and_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_config(write(tmp_path, '[notify]\nurls_env = "HOOKS"\n')).notify
    assert settings is not None
    with pytest.raises(ConfigError, match=r"accounts.toml:2: notify: urls_env: .*HOOKS is not set"):
        settings.urls()
    monkeypatch.setenv("HOOKS", f"{URL}, mailto://a@example.org")
    assert [u.url for u in settings.urls()] == [URL, "mailto://a@example.org"]
    script = tmp_path / "urls.py"
    script.write_text(f"print({URL!r})\nprint('ntfy://ntfy.sh/topic')\n")
    text = f'[notify]\nurls_cmd = "{sys.executable} {script}"\n'
    settings = load_config(write(tmp_path, text)).notify
    assert settings is not None
    assert [u.url for u in settings.urls()] == [URL, "ntfy://ntfy.sh/topic"]
